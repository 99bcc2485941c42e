package integration

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// The gateway must not change a byte it has no reason to change: request
// bodies reach the backend as the browser sent them, and pages reach the
// browser as the backend wrote them, but for the script tag and the form
// targets it rewrites.

// bodyRecorder is an upstream that hashes each request body it receives.
type bodyRecorder struct {
	mu   sync.Mutex
	last map[string]receivedBody
}

type receivedBody struct {
	sha         string
	size        int64
	contentType string
}

func (b *bodyRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.last[r.URL.Path] = receivedBody{hex.EncodeToString(h.Sum(nil)), n, r.Header.Get("Content-Type")}
	b.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<html><head><title>Received</title></head><body><p>%d bytes</p></body></html>", n)
}

func (b *bodyRecorder) received(path string) receivedBody {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last[path]
}

// noise is a deterministic stream of random bytes.
type noise struct{ rng *rand.ChaCha8 }

func newNoise(seed byte) noise { return noise{rand.NewChaCha8([32]byte{seed})} }

func (n noise) Read(p []byte) (int, error) { return n.rng.Read(p) }

// multipartUpload streams a form with text fields and a file of size random
// bytes, as a browser sends it; the body is never held in memory.
func multipartUpload(size int64) (body io.Reader, contentType string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("title", "Résumé, \"final\" & <approved>")
		mw.WriteField("empty", "")
		fw, err := mw.CreateFormFile("upload", "data \x7f.bin")
		if err == nil {
			_, err = io.CopyN(fw, newNoise(1), size)
		}
		if err == nil {
			mw.WriteField("after", "the file")
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// urlencodedForm is a form body of exactly size bytes of key=value pairs whose
// values percent-encode random bytes, as URLSearchParams writes them.
type urlencodedForm struct {
	left int64
	src  noise
	buf  []byte
	i    int
}

func newURLEncodedForm(size int64) *urlencodedForm {
	return &urlencodedForm{left: size, src: newNoise(2)}
}

func (f *urlencodedForm) Read(p []byte) (int, error) {
	if f.left == 0 {
		return 0, io.EOF
	}
	if len(f.buf) == 0 {
		raw := make([]byte, 4096)
		f.src.Read(raw)
		f.buf = []byte("&field" + strconv.Itoa(f.i) + "=" + url.QueryEscape(string(raw)))
		if f.i == 0 {
			f.buf = f.buf[1:]
		}
		f.i++
	}
	n := copy(p, f.buf)
	if int64(n) > f.left {
		n = int(f.left)
	}
	f.buf = f.buf[n:]
	f.left -= int64(n)
	return n, nil
}

// hashingReader hashes what is read through it: what the client really sent.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (hr *hashingReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	hr.h.Write(p[:n])
	hr.n += int64(n)
	return n, err
}

func (hr *hashingReader) sum() string { return hex.EncodeToString(hr.h.Sum(nil)) }

func TestLargeRequestBodiesReachTheUpstreamByteIdentical(t *testing.T) {
	size := int64(100 << 20)
	if testing.Short() {
		size = 10 << 20
	}
	rec := &bodyRecorder{last: map[string]receivedBody{}}
	up := startCountingServerFor(t, rec)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")
	getPage(t, gw.url("/warm-up"), nil)
	before := vmHWM(t, gw.pid)

	tests := []struct {
		name      string
		path      string
		multipart bool
		action    bool
	}{
		{"a multipart upload sent by the enhance script", "/upload", true, true},
		{"a multipart upload to a named action sent by the enhance script", "/page?/upload", true, true},
		{"a multipart upload without JavaScript", "/upload", true, false},
		{"a urlencoded form to a named action sent by the enhance script", "/page?/upload", false, true},
		{"a urlencoded form to a named action without JavaScript", "/page?/upload", false, false},
	}
	var sent int64
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			contentType := form
			if tt.multipart {
				body, contentType = multipartUpload(size)
			} else {
				body = newURLEncodedForm(size)
			}
			hr := &hashingReader{r: body, h: sha256.New()}
			req, _ := http.NewRequest("POST", gw.url(tt.path), hr)
			if !tt.multipart {
				req.ContentLength = size // a known length here, chunked for multipart
			}
			req.Header.Set("Content-Type", contentType)
			if tt.action {
				req.Header.Set("X-Sveltekit-Action", "true")
				req.Header.Set("Origin", "http://"+gw.addr)
			}
			resp, err := noRedirects.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			reply, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("HTTP %d: %s", resp.StatusCode, reply)
			}
			if tt.action && !bytes.Contains(reply, []byte(`"type":"success"`)) {
				t.Errorf("action result %s", reply)
			}
			got := rec.received("/upload")
			if got.sha != hr.sum() || got.size != hr.n || got.contentType != contentType {
				t.Errorf("the upstream got %d bytes (sha256 %s, %q); the client sent %d bytes (sha256 %s, %q)",
					got.size, got.sha, got.contentType, hr.n, hr.sum(), contentType)
			}
			sent += hr.n
		})
	}
	rise := vmHWM(t, gw.pid) - before
	t.Logf("%d MB sent through the gateway; its peak RSS rose by %.1f MB", sent>>20, float64(rise)/(1<<20))
	if rise > 48<<20 {
		t.Errorf("peak memory rose by %d MB passing %d MB bodies: the body is buffered", rise>>20, size>>20)
	}
}

// startCountingServerFor serves h on a real loopback port and returns its address.
func startCountingServerFor(t *testing.T, h http.Handler) string {
	t.Helper()
	srv, _ := startCountingServer(t, h.ServeHTTP)
	return strings.TrimPrefix(srv.URL, "http://")
}

// htmlCorpus finds real-world HTML documents on this machine: the package
// documentation in /usr/share/doc, else Go's own documents and test pages.
func htmlCorpus(t *testing.T, limit int) []string {
	t.Helper()
	var files []string
	collect := func(root string, keep func(path string) bool) {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !keep(path) {
				return nil
			}
			ext := strings.ToLower(filepath.Ext(path))
			if ext != ".html" && ext != ".htm" && ext != ".xhtml" {
				return nil
			}
			if info, err := d.Info(); err == nil && info.Size() > 0 && info.Size() <= 2<<20 {
				files = append(files, path)
			}
			return nil
		})
	}
	all := func(string) bool { return true }
	collect("/usr/share/doc", all)
	if len(files) < 20 {
		if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
			goroot := strings.TrimSpace(string(out))
			collect(filepath.Join(goroot, "doc"), all)
			collect(filepath.Join(goroot, "src"), func(p string) bool {
				return strings.Contains(p, string(filepath.Separator)+"testdata"+string(filepath.Separator))
			})
		}
	}
	sort.Strings(files)
	if len(files) > limit {
		// An even spread over the whole tree, not the first packages only.
		spread := make([]string, 0, limit)
		for i := 0; i < limit; i++ {
			spread = append(spread, files[i*len(files)/limit])
		}
		files = spread
	}
	if len(files) < 20 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("found only %d HTML documents on this machine; CI needs a real corpus", len(files))
		}
		t.Skipf("found only %d HTML documents on this machine", len(files))
	}
	return files
}

// postForm is what /forms/N adds to a real page, so that rewriting is checked
// inside real-world markup too.
const postForm = `<form method="post" action="../submit/here?x=1"><input name="q"><button formaction="/other">Other</button><button>Go</button></form>`

// servePages serves the corpus at /KIND/N, where KIND names how: "plain" as
// written; with "forms", a POST form added before its </body>; with "gzip",
// compressed whatever the request asked for, as some backends do; with
// "trickle", in small chunks of random sizes, each flushed at once.
func servePages(files []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		kind, n, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 || i >= len(files) {
			http.NotFound(w, r)
			return
		}
		page, err := os.ReadFile(files[i])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		if strings.Contains(kind, "forms") {
			page = withPostForm(page)
		}
		var out io.Writer = w
		flush := func() { http.NewResponseController(w).Flush() }
		if strings.Contains(kind, "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			defer zw.Close()
			out = zw
			flush = func() { zw.Flush(); http.NewResponseController(w).Flush() }
		}
		if !strings.Contains(kind, "trickle") {
			out.Write(page)
			return
		}
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		for len(page) > 0 {
			n := min(1+rng.IntN(2048), len(page))
			out.Write(page[:n])
			flush()
			page = page[n:]
		}
	}
}

func withPostForm(page []byte) []byte {
	// bytes.ToLower would change the length of a page that is not UTF-8.
	lower := bytes.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, page)
	at := -1
	if len(lower) == len(page) {
		at = bytes.LastIndex(lower, []byte("</body>"))
	}
	if at < 0 {
		at = len(page)
	}
	return slices.Concat(page[:at], []byte(postForm), page[at:])
}

// pageKinds are the ways servePages serves each page of the corpus.
var pageKinds = []string{"plain", "gzip", "forms", "trickle+forms", "trickle+gzip+forms"}

func TestRealWorldPagesChangeOnlyWhereTheyAreRewritten(t *testing.T) {
	files := htmlCorpus(t, 200)
	up, _ := startCountingServer(t, servePages(files))
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), "\tencode gzip\n\tenhance\n\treverse_proxy {upstream}")

	var bytesIn, rewrittenTargets, withoutTag int
	for i, file := range files {
		page, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range pageKinds {
			original := page
			if strings.Contains(kind, "forms") {
				original = withPostForm(page)
			}
			path := fmt.Sprintf("/%s/%d", kind, i)
			resp, got := getPage(t, gw.url(path), nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s (%s): HTTP %d", path, file, resp.StatusCode)
			}
			tags := scriptTag.FindAllIndex(got, -1)
			if len(tags) > 1 {
				t.Errorf("%s: %d script tags injected", file, len(tags))
				continue
			}
			if len(tags) == 0 {
				withoutTag++
			} else {
				got = append(got[:tags[0][0]:tags[0][0]], got[tags[0][1]:]...)
			}
			n, problem := rewrittenTargetsOnly(original, got, path)
			if problem != "" {
				t.Errorf("%s served as %s: %s", file, path, problem)
			}
			rewrittenTargets += n
			bytesIn += len(original)
		}
	}
	t.Logf("%d documents (%.1f MB, each served %d ways: %s) byte-identical but for the script tag and %d rewritten form targets; %d of %d pages got no tag",
		len(files), float64(bytesIn)/float64(len(pageKinds))/(1<<20), len(pageKinds), strings.Join(pageKinds, ", "),
		rewrittenTargets, withoutTag, len(pageKinds)*len(files))
	if rewrittenTargets < 3*len(files) {
		t.Errorf("only %d form targets were rewritten in %d pages with a POST form added", rewrittenTargets, 3*len(files))
	}
}

// rewrittenTargetsOnly compares a page as the gateway served it (its script
// tag taken out) with the original: they must be the same bytes, but for
// action and formaction values rewritten to named actions of the page at
// path. It returns how many such values it found, or what else differs.
func rewrittenTargetsOnly(original, served []byte, path string) (int, string) {
	if bytes.Equal(original, served) {
		return 0, ""
	}
	a, b := html.NewTokenizer(bytes.NewReader(original)), html.NewTokenizer(bytes.NewReader(served))
	rewritten, offset := 0, 0
	for {
		ta, tb := a.Next(), b.Next()
		ra, rb := a.Raw(), b.Raw()
		if ta == html.ErrorToken || tb == html.ErrorToken {
			if ta != tb {
				return rewritten, fmt.Sprintf("the page ends differently at byte %d", offset)
			}
			return rewritten, ""
		}
		if !bytes.Equal(ra, rb) {
			if problem := onlyTargetsDiffer(ta, tb, a.Token(), b.Token(), path); problem != "" {
				return rewritten, fmt.Sprintf("at byte %d: %s:\n was %q\n now %q", offset, problem, ra, rb)
			}
			rewritten++
		}
		offset += len(ra)
	}
}

// onlyTargetsDiffer says what differs between two tags beyond rewritten form
// targets, or "".
func onlyTargetsDiffer(ta, tb html.TokenType, a, b html.Token, path string) string {
	if ta != tb || (ta != html.StartTagToken && ta != html.SelfClosingTagToken) || a.Data != b.Data || len(a.Attr) != len(b.Attr) {
		return "a token other than a form target changed"
	}
	for i := range a.Attr {
		x, y := a.Attr[i], b.Attr[i]
		if x.Key != y.Key {
			return "an attribute name changed"
		}
		if x.Val == y.Val {
			continue
		}
		if (x.Key != "action" && x.Key != "formaction") || !strings.HasPrefix(y.Val, path+"?/") {
			return fmt.Sprintf("attribute %s changed to %q", x.Key, y.Val)
		}
	}
	return ""
}

// A legacy page's own scripts fetch fragments, and even plain values, served
// as text/html (PHP's default type). They must get the backend's bytes: a
// script tag added to "42" or to an <li> breaks them. The enhance client's
// own page fetches ask for text/html and are rewritten as navigations are.
func TestRepliesToALegacyPagesScriptsPassUntouched(t *testing.T) {
	replies := map[string]string{
		"/count":    "42",
		"/fragment": `<li><form method="post" action="/item/1/delete"><button>Delete</button></form></li>`,
		"/page":     `<!DOCTYPE html><html><head><title>Page</title></head><body><form method="post" action="/save"></form></body></html>`,
	}
	up, _ := startCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		io.WriteString(w, replies[r.URL.Path])
	})
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), "\tenhance\n\treverse_proxy {upstream}")

	tests := []struct {
		name      string
		path      string
		header    map[string]string
		rewritten bool
	}{
		{"jQuery's $.get of a value", "/count", map[string]string{"Accept": "*/*", "X-Requested-With": "XMLHttpRequest"}, false},
		{"jQuery's .load of a fragment", "/fragment", map[string]string{"Accept": "text/html, */*; q=0.01", "X-Requested-With": "XMLHttpRequest"}, false},
		{"fetch of a value", "/count", map[string]string{"Accept": "*/*", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, false},
		{"htmx's request for a fragment", "/fragment", map[string]string{"Accept": "*/*", "Hx-Request": "true", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, false},
		{"a navigation", "/page", map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}, true},
		{"a page in an iframe", "/page", map[string]string{"Accept": "text/html,*/*;q=0.8", "Sec-Fetch-Dest": "iframe", "Sec-Fetch-Mode": "navigate"}, true},
		{"the enhance client's own page fetch", "/page", map[string]string{"Accept": "text/html", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, true},
		{"a client that says nothing about itself", "/page", map[string]string{"Accept": "*/*"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := getPage(t, gw.url(tt.path), tt.header)
			if rewritten := !bytes.Equal(got, []byte(replies[tt.path])); rewritten != tt.rewritten {
				t.Errorf("rewritten=%v, want %v: %q", rewritten, tt.rewritten, got)
			}
		})
	}
}

// labelledHTML is a reply that says it is text/html.
type labelledHTML struct {
	name, contentType, disposition string
	body                           []byte
}

// servedAsWritten checks that each reply reaches the browser as the backend
// wrote it.
func servedAsWritten(t *testing.T, replies []labelledHTML) {
	t.Helper()
	up, _ := startCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.Header().Set("Content-Type", replies[i].contentType)
		if replies[i].disposition != "" {
			w.Header().Set("Content-Disposition", replies[i].disposition)
		}
		w.Write(replies[i].body)
	})
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), "\tenhance\n\treverse_proxy {upstream}")
	for i, tt := range replies {
		t.Run(tt.name, func(t *testing.T) {
			_, got := getPage(t, gw.url("/"+strconv.Itoa(i)), nil)
			if !bytes.Equal(got, tt.body) {
				t.Errorf("changed:\n got %q\nwant %q", got, tt.body)
			}
		})
	}
}

const unicodePage = `<html><head><title>Ünïcode</title></head><body><form method="post" action="/save"></form></body></html>`

// A download is not a page, even labelled text/html: PHP's default type is
// text/html, and many CSV exports never change it.
func TestDownloadsPassByteIdentical(t *testing.T) {
	servedAsWritten(t, []labelledHTML{
		{"a CSV export sent as an attachment", "text/html; charset=UTF-8", `attachment; filename="report.csv"`,
			[]byte("id,name,note\n1,Ann,\"<form method=post action=/x>\"\n2,Bob,plain\n")},
		{"a download whose disposition is written in capitals", "text/html", "Attachment; filename=page.html", []byte(unicodePage)},
	})
}

// An ASCII script tag inserted into a page whose charset is not
// ASCII-compatible would corrupt its text: such pages pass as written.
func TestPagesInCharsetsThatAreNotASCIICompatiblePassByteIdentical(t *testing.T) {
	utf16 := func(s string, bigEndian bool) []byte {
		var b []byte
		for _, r := range s {
			if bigEndian {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		return b
	}
	servedAsWritten(t, []labelledHTML{
		{"a UTF-16LE page without a byte order mark", "text/html; charset=UTF-16LE", "", utf16(unicodePage, false)},
		{"a UTF-16BE page without a byte order mark", "text/html; charset=utf-16be", "", utf16(unicodePage, true)},
		{"a UTF-16 page", `text/html; charset="utf-16"`, "", utf16(unicodePage, false)},
		{"a UTF-32 page", "text/html; charset=UTF-32", "", []byte("<\x00\x00\x00h\x00\x00\x00")},
	})
}

// Without JavaScript, the browser resolves a relative Location against the
// URL it posted to, PAGE?/TARGET, where the backend meant TARGET: the gateway
// must resolve it for the browser, so the redirect lands where the backend
// meant. Absolute Locations pass as written.
func TestRedirectsOfNamedActionsLandWhereTheBackendMeant(t *testing.T) {
	up := startRawUpstream(t, func(c net.Conn, r *http.Request, _ <-chan struct{}) {
		loc := r.URL.Query().Get("loc")
		io.WriteString(c, "HTTP/1.1 303 See Other\r\nLocation: "+loc+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	})
	gw := startCaddy(t, up.addr, "\tenhance\n\treverse_proxy {upstream}")
	tests := []struct{ loc, want string }{
		{"done?ok=1#msg", "/notes/7/done?ok=1#msg"},
		{"../list", "/notes/list"},
		{"./", "/notes/7/"},
		{"../../../../x", "/x"},
		{"../../..//evil.example/x", "/evil.example/x"},
		{"?saved=1", "/notes/7/edit?saved=1"},
		{"/elsewhere?x=1", "/elsewhere?x=1"},
		{"https://other.example/welcome", "https://other.example/welcome"},
		{"//other.example/x", "//other.example/x"},
	}
	for _, tt := range tests {
		t.Run(tt.loc, func(t *testing.T) {
			path := "/account?" + actionKey("/notes/7/edit") + "&loc=" + url.QueryEscape(tt.loc)
			resp, err := noRedirects.Post(gw.url(path), form, strings.NewReader("a=1"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Location"); resp.StatusCode != 303 || got != tt.want {
				t.Errorf("HTTP %d Location %q, want 303 %q", resp.StatusCode, got, tt.want)
			}
			// A direct POST to the target keeps the backend's Location as it is.
			resp, err = noRedirects.Post(gw.url("/notes/7/edit?loc="+url.QueryEscape(tt.loc)), form, strings.NewReader("a=1"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Location"); got != tt.loc {
				t.Errorf("a direct POST got Location %q, want the backend's %q", got, tt.loc)
			}
		})
	}
}

// Clients such as curl ask before a large upload (Expect: 100-continue). The
// gateway, on every path, lets the upload go on at once, and the body
// arrives whole.
func TestUploadsThatExpect100ContinueGoThrough(t *testing.T) {
	rec := &bodyRecorder{last: map[string]receivedBody{}}
	gw := startCaddy(t, startCountingServerFor(t, rec), "\tenhance\n\treverse_proxy {upstream}")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second}}
	for _, tt := range []struct {
		name, path string
		action     bool
	}{
		{"an action request", "/upload", true},
		{"a named action", "/page?/upload", true},
		{"a named action without JavaScript", "/page?/upload", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, contentType := multipartUpload(4 << 20)
			hr := &hashingReader{r: body, h: sha256.New()}
			req, _ := http.NewRequest("POST", gw.url(tt.path), hr)
			req.Header.Set("Content-Type", contentType)
			req.Header.Set("Expect", "100-continue")
			if tt.action {
				req.Header.Set("X-Sveltekit-Action", "true")
				req.Header.Set("Origin", "http://"+gw.addr)
			}
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if took := time.Since(start); resp.StatusCode != 200 || took > 5*time.Second {
				t.Errorf("HTTP %d after %v; the client waited for a 100 Continue that did not come", resp.StatusCode, took)
			}
			if got := rec.received("/upload"); got.sha != hr.sum() {
				t.Errorf("the upstream got %d bytes, the client sent %d", got.size, hr.n)
			}
		})
	}
}
