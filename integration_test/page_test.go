package integration

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// getPage fetches path as a browser navigation would.
func getPage(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

var scriptTag = regexp.MustCompile(`<script src="(/_enhance/enhance\.[0-9a-f]+\.js)" integrity="sha384-[A-Za-z0-9+/=]+" defer( nonce="[A-Za-z0-9+/=_-]+")?></script>`)

func TestPagesGetOneScriptAndNamedActionsAndNothingElseChanges(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	_, original := getPage(t, "http://"+up+"/pages/forms", nil)
	resp, got := getPage(t, gw.url("/pages/forms"), nil)
	// The page fits the gateway's buffer, so it goes out whole with its new length.
	if resp.ContentLength != int64(len(got)) {
		t.Errorf("a rewritten page of %d bytes came with Content-Length %d", len(got), resp.ContentLength)
	}
	tags := scriptTag.FindAll(got, -1)
	if len(tags) != 1 {
		t.Fatalf("found %d script tags, want exactly 1:\n%s", len(tags), got)
	}
	for _, want := range []string{
		`<form id="named" method="post" action="/pages/forms?/session">`,
		`<button id="other" formaction="/pages/forms?/session/other">`,
	} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Undo the three changes: what remains must be the upstream's bytes.
	restored := bytes.Replace(got, tags[0], nil, 1)
	restored = bytes.Replace(restored, []byte(`action="/pages/forms?/session"`), []byte(`action="/session"`), 1)
	restored = bytes.Replace(restored, []byte(`formaction="/pages/forms?/session/other"`), []byte(`formaction="/session/other"`), 1)
	if !bytes.Equal(restored, original) {
		t.Errorf("bytes outside the rewritten tags changed:\n got %q\nwant %q", restored, original)
	}

	// The injected script is served, cached for good.
	src := string(scriptTag.FindSubmatch(got)[1])
	resp, js := getPage(t, gw.url(src), nil)
	if resp.StatusCode != 200 || len(js) < 1000 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("script %s: %d, %d bytes, cache-control %q", src, resp.StatusCode, len(js), resp.Header.Get("Cache-Control"))
	}
}

func TestNonHTMLAndNoTransformRepliesPassThroughByteIdentical(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	resp, got := getPage(t, gw.url("/pages/binary"), nil)
	if sha256.Sum256(got) != sha256.Sum256(binaryBody()) {
		t.Errorf("binary changed: %d bytes", len(got))
	}
	resp, got = getPage(t, gw.url("/pages/binary"), map[string]string{"Accept": "*/*", "Range": "bytes=10-19"})
	if resp.StatusCode != 206 || !bytes.Equal(got, binaryBody()[10:20]) {
		t.Errorf("a range request got %d %q", resp.StatusCode, got)
	}
	_, want := getPage(t, "http://"+up+"/pages/notransform", nil)
	if _, got := getPage(t, gw.url("/pages/notransform"), nil); !bytes.Equal(got, want) {
		t.Errorf("a no-transform page was changed:\n%s", got)
	}
}

func TestCompressedAndLatin1PagesAreRewritten(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tencode gzip\n\tenhance\n\treverse_proxy {upstream}")

	resp, raw := getPage(t, gw.url("/pages/gzip"), map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("encode did not compress the rewritten page: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(zr)
	if !scriptTag.Match(page) || !bytes.Contains(page, []byte(`action=/pages/gzip?/save>`)) {
		t.Errorf("gzip page not rewritten:\n%s", page)
	}

	_, page = getPage(t, gw.url("/pages/latin1"), nil)
	for _, want := range []string{"<title>Caf\xe9</title>", "<p>Cr\xe8me br\xfbl\xe9e</p>", `action=/pages/latin1?/caf%25E9>`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("Latin-1 page lacks %q:\n%q", want, page)
		}
	}
	if !scriptTag.Match(page) {
		t.Errorf("Latin-1 page has no script")
	}
}

func TestASlowPagesFirstChunkArrivesEarly(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	start := time.Now()
	req, _ := http.NewRequest("GET", gw.url("/pages/slow"), nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	early := time.Since(start)
	if err != nil || !strings.Contains(line, "first chunk") || !scriptTag.MatchString(line) {
		t.Fatalf("first line %q (%v)", line, err)
	}
	if early > 1500*time.Millisecond {
		t.Errorf("the first chunk took %v; the upstream sent it at once and waits 2s before the rest", early)
	}
}

// vmHWM is the peak resident memory of a process, in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skip("no /proc on this system")
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

func TestA100MBPageStreamsWithFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB")
	}
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")
	getPage(t, gw.url("/pages/forms"), nil) // warm up
	before := vmHWM(t, gw.pid)

	req, _ := http.NewRequest("GET", gw.url("/pages/huge"), nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var n int64
	var forms int
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		n += int64(len(line))
		forms += bytes.Count(line, []byte(`action="/pages/huge?/save"`))
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			t.Fatal(err)
		}
	}
	if n < 100<<20 || forms < 700000 {
		t.Errorf("got %d bytes with %d rewritten forms", n, forms)
	}
	rise := vmHWM(t, gw.pid) - before
	t.Logf("peak RSS rose by %.1f MB streaming %.0f MB", float64(rise)/(1<<20), float64(n)/(1<<20))
	if rise > 48<<20 {
		t.Errorf("peak memory rose by %d MB while streaming a 100 MB page", rise>>20)
	}
}

func TestWebSocketsPassThroughTheGateway(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	ws, err := websocket.Dial("ws://"+gw.addr+"/ws", "", "http://"+gw.addr+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, err := ws.Write([]byte("hello through the gateway")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := ws.Read(buf)
	if err != nil || string(buf[:n]) != "hello through the gateway" {
		t.Errorf("echo %q, %v", buf[:n], err)
	}
}

// A page rendered for PAGE?/TARGET, shown at PAGE, must resolve its relative
// URLs as it would at /TARGET.
func TestAPageRenderedForANamedActionResolvesAgainstItsTarget(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	resp, err := noRedirects.Post(gw.url("/pages/forms?/echo"), form, strings.NewReader("a=1"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`<base href="/echo">`)) || !scriptTag.Match(body) {
		t.Errorf("page lacks <base href=\"/echo\"> or the script:\n%s", body)
	}
}
