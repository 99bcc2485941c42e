package integration

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// Faults an upstream or a client can cause, through the real Caddy binary. An
// action request always gets a clear ActionResult and a log line; any other
// request behaves exactly as it does behind a plain reverse_proxy, which each
// test runs next to the gateway to compare.

// rawUpstream is a TCP server that reads each request and lets respond write
// whatever bytes it likes on the connection, which is then closed.
type rawUpstream struct {
	addr string
	done chan struct{}
}

func startRawUpstream(t *testing.T, respond func(c net.Conn, r *http.Request, done <-chan struct{})) *rawUpstream {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &rawUpstream{addr: l.Addr().String(), done: make(chan struct{})}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		close(u.done)
		l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				go func() { <-u.done; c.Close() }()
				r, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, r.Body)
				respond(c, r, u.done)
			}()
		}
	}()
	return u
}

// gzipped compresses s.
func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, s)
	zw.Close()
	return b.Bytes()
}

const faultPage = "<!DOCTYPE html><html><head><title>Fault</title></head><body><form method=post action=/save><button>Save</button></form><p>" +
	"some text that is long enough to be cut somewhere in the middle of the page</p></body></html>\n"

// pageOutcome is what a browser would get for a request.
type pageOutcome struct {
	status   int
	location string
	broken   bool // the connection failed or the body broke off
	body     []byte
	header   http.Header
}

func fetchOutcome(t *testing.T, method, url string) pageOutcome {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader("a=1"))
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	req.Header.Set("Content-Type", form)
	resp, err := noRedirects.Do(req)
	if err != nil {
		return pageOutcome{broken: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return pageOutcome{status: resp.StatusCode, location: resp.Header.Get("Location"), broken: err != nil, body: body, header: resp.Header}
}

// sameAsPlainProxy checks that the gateway answered a page request as a plain
// reverse_proxy did: status, Location, whether the body broke, and the body
// itself once the injected script is taken out.
func sameAsPlainProxy(t *testing.T, what string, enhanced, plain pageOutcome) {
	t.Helper()
	if enhanced.status != plain.status || enhanced.broken != plain.broken || enhanced.location != plain.location {
		t.Errorf("%s: enhanced got status %d broken=%v location %q; plain reverse_proxy got %d broken=%v location %q",
			what, enhanced.status, enhanced.broken, enhanced.location, plain.status, plain.broken, plain.location)
		return
	}
	if enhanced.broken {
		return
	}
	got := scriptTag.ReplaceAll(enhanced.body, nil)
	// A page rendered for a named action's target resolves against it.
	got = bytes.Replace(got, []byte(`<base href="/fault">`), nil, 1)
	got = bytes.ReplaceAll(got, []byte("action=/fault?/save"), []byte("action=/save"))
	if !bytes.Equal(got, plain.body) {
		t.Errorf("%s: enhanced body differs from plain reverse_proxy's:\n got %q\nwant %q", what, got, plain.body)
	}
}

// gatewayPair starts Caddy with enhance and, to compare, Caddy with a plain
// reverse_proxy, both in front of upstream with the same proxy options.
func gatewayPair(t *testing.T, upstream, proxyOptions string) (enhanced, plain *gateway, admin string) {
	t.Helper()
	proxy := "\treverse_proxy {upstream}"
	if proxyOptions != "" {
		proxy += " {\n" + proxyOptions + "\n\t}"
	}
	admin = freeAddr(t)
	enhanced = startCaddyWithAdmin(t, admin, upstream, "\tenhance {\n\t\treply_limit 1MB\n\t}\n"+proxy)
	plain = startCaddy(t, upstream, proxy)
	return enhanced, plain, admin
}

func TestUpstreamFaultsGiveClearErrorsAndPlainProxyBehaviour(t *testing.T) {
	headerTimeout := "\t\ttransport http {\n\t\t\tresponse_header_timeout 1s\n\t\t}"
	page := func(extraHeaders string, body []byte, cut int) func(net.Conn, *http.Request, <-chan struct{}) {
		return func(c net.Conn, r *http.Request, _ <-chan struct{}) {
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n", len(body), extraHeaders)
			c.Write(body[:cut])
		}
	}
	zipped := gzipped(faultPage + strings.Repeat("<p>filler to compress</p>\n", 200))
	tests := []struct {
		name         string
		respond      func(net.Conn, *http.Request, <-chan struct{}) // nil: nothing listens
		proxyOptions string
		actionStatus int
		actionLog    string
		actionError  string // the message of the error result; "" for Internal Error
		pageLog      string // what the gateway logs for a page request (Caddy's own line)
	}{
		{"an upstream that refuses connections is a 502", nil, "", 502, "action request got no upstream reply", "", "connection refused"},
		{"an upstream slower than response_header_timeout is a 504",
			func(c net.Conn, r *http.Request, done <-chan struct{}) {
				select {
				case <-time.After(3 * time.Second):
				case <-done:
				}
			}, headerTimeout, 504, "action request got no upstream reply", "", "timeout awaiting response headers"},
		{"an upstream that closes mid-body is a broken reply",
			page("", []byte(faultPage), len(faultPage)/2), "", 502, "upstream reply to an action request broke off", "", "aborting with incomplete response"},
		{"a truncated gzip stream is a broken reply",
			page("Content-Encoding: gzip\r\n", zipped, len(zipped)/2), "", 502, "upstream reply to an action request broke off", "", "aborting with incomplete response"},
		{"an invalid gzip stream is a broken reply",
			page("Content-Encoding: gzip\r\n", []byte("this is not gzip at all, only text"), 34), "", 502, "upstream reply to an action request broke off", "", "aborting with incomplete response"},
		{"a 3xx without Location is an error",
			func(c net.Conn, r *http.Request, _ <-chan struct{}) {
				io.WriteString(c, "HTTP/1.1 302 Found\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<p>moved</p>\n")
			}, "", 502, "could not translate the upstream reply", "Upstream redirect without Location", ""},
		{"response headers over the proxy's 10 MB limit are a 502",
			func(c net.Conn, r *http.Request, _ <-chan struct{}) {
				w := bufio.NewWriter(c)
				io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
				line := "X-Filler: " + strings.Repeat("h", 1000) + "\r\n"
				for i := 0; i < 11<<10; i++ {
					io.WriteString(w, line)
				}
				io.WriteString(w, "Content-Length: 2\r\n\r\nok")
				w.Flush()
			}, "", 502, "action request got no upstream reply", "", "exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upstream := freeAddr(t)
			if tt.respond != nil {
				upstream = startRawUpstream(t, tt.respond).addr
			}
			enhanced, plain, _ := gatewayPair(t, upstream, tt.proxyOptions)

			message := tt.actionError
			if message == "" {
				message = "Internal Error"
			}
			res := postAction(t, enhanced, "/fault", form, strings.NewReader("a=1"), nil)
			if res.HTTPStatus != tt.actionStatus || res.Type != "error" || res.Error["message"] != message {
				t.Errorf("action request: HTTP %d %s, want a %d error result saying %s", res.HTTPStatus, res.Raw, tt.actionStatus, message)
			}
			if !waitLog(enhanced.logs, tt.actionLog) {
				t.Errorf("no log line %q", tt.actionLog)
			}
			for _, method := range []string{"GET", "POST"} {
				sameAsPlainProxy(t, method+" page", fetchOutcome(t, method, enhanced.url("/fault")), fetchOutcome(t, method, plain.url("/fault")))
			}
			sameAsPlainProxy(t, "named action without JavaScript",
				fetchOutcome(t, "POST", enhanced.url("/page?/fault")), fetchOutcome(t, "POST", plain.url("/fault")))
			if tt.pageLog != "" && !waitLog(enhanced.logs, tt.pageLog) {
				t.Errorf("no log line %q for the page requests", tt.pageLog)
			}
		})
	}
}

// Headers far larger than usual, but within limits, pass as they do through
// a plain proxy, and the page is still rewritten.
func TestAMegabyteOfResponseHeadersPassesThrough(t *testing.T) {
	up := startRawUpstream(t, func(c net.Conn, r *http.Request, _ <-chan struct{}) {
		w := bufio.NewWriter(c)
		io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n")
		for i := 0; i < 1000; i++ {
			fmt.Fprintf(w, "X-Filler-%d: %s\r\n", i, strings.Repeat(strconv.Itoa(i%10), 1000))
		}
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(faultPage), faultPage)
		w.Flush()
	})
	enhanced, plain, _ := gatewayPair(t, up.addr, "")
	e, p := fetchOutcome(t, "GET", enhanced.url("/fault")), fetchOutcome(t, "GET", plain.url("/fault"))
	sameAsPlainProxy(t, "GET", e, p)
	if !scriptTag.Match(e.body) {
		t.Errorf("the page was not rewritten")
	}
	for i := 0; i < 1000; i += 111 {
		name := fmt.Sprintf("X-Filler-%d", i)
		if e.header.Get(name) != p.header.Get(name) || len(e.header.Get(name)) != 1000 {
			t.Errorf("%s: %d bytes through enhance, %d through plain reverse_proxy", name, len(e.header.Get(name)), len(p.header.Get(name)))
		}
	}
}

// goroutines reads go_goroutines from Caddy's admin /metrics.
func goroutines(t *testing.T, admin string) int {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^go_goroutines (\d+)`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no go_goroutines on /metrics")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// goroutinesSettle waits until Caddy runs at most limit goroutines, or, for
// a limit below 0, until their number holds still; it returns the number.
func goroutinesSettle(t *testing.T, admin string, limit int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	n, still := goroutines(t, admin), 0
	for time.Now().Before(deadline) {
		if limit >= 0 && n <= limit || limit < 0 && still == 5 {
			break
		}
		time.Sleep(100 * time.Millisecond)
		m := goroutines(t, admin)
		if m == n {
			still++
		} else {
			still = 0
		}
		n = m
	}
	return n
}

// residentBytes is the current resident memory of a process.
func residentBytes(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skip("no /proc on this system")
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// streamingUpstream serves, at any path, an HTML page (gzip-compressed for
// paths under /gzip/, whatever was asked) or binary noise that never ends
// before the client goes, and counts the handlers still running.
type streamingUpstream struct {
	addr    string
	running atomic.Int64
}

func startStreamingUpstream(t *testing.T) *streamingUpstream {
	t.Helper()
	s := &streamingUpstream{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(s.serve)}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *streamingUpstream) serve(w http.ResponseWriter, r *http.Request) {
	s.running.Add(1)
	defer s.running.Add(-1)
	io.Copy(io.Discard, r.Body)
	var out io.Writer = w
	switch {
	case strings.HasPrefix(r.URL.Path, "/binary/"):
		w.Header().Set("Content-Type", "application/octet-stream")
		noise := binaryBody()[:64<<10]
		for i := 0; i < 4096; i++ { // 256 MB at most
			if _, err := w.Write(noise); err != nil {
				return
			}
		}
		return
	case strings.HasPrefix(r.URL.Path, "/gzip/"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		out = zw
	case strings.HasPrefix(r.URL.Path, "/br/"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "br")
		bw := brotli.NewWriterLevel(w, 1)
		defer bw.Close()
		out = bw
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	io.WriteString(out, "<!DOCTYPE html><html><head><title>Endless</title></head><body>\n")
	chunk := []byte(strings.Repeat(`<form method="post" action="/save"><input name="a"></form><p>`+strconv.Itoa(int(time.Now().UnixNano()))+"</p>\n", 200))
	for i := 0; i < 20000; i++ { // a few hundred MB at most
		if _, err := out.Write(chunk); err != nil {
			return
		}
	}
}

// Clients that go away in the middle of an upload or a download must leave
// nothing running in Caddy: no goroutine, no upstream request.
func TestClientsThatDisconnectLeaveNothingRunning(t *testing.T) {
	up := startStreamingUpstream(t)
	admin := freeAddr(t)
	gw := startCaddyWithAdmin(t, admin, up.addr, "\tenhance\n\treverse_proxy {upstream}")

	download := func(path string, header map[string]string) error {
		req, _ := http.NewRequest("GET", gw.url(path), nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		tr := &http.Transport{DisableCompression: true}
		defer tr.CloseIdleConnections()
		resp, err := tr.RoundTrip(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		if _, err := io.CopyN(io.Discard, resp.Body, 512<<10); err != nil {
			return err
		}
		return nil // closing the body mid-stream drops the connection
	}
	upload := func(path string, header map[string]string) error {
		c, err := net.Dial("tcp", gw.addr)
		if err != nil {
			return err
		}
		defer c.Close()
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n", path, gw.addr, form, 64<<20)
		for k, v := range header {
			fmt.Fprintf(c, "%s: %s\r\n", k, v)
		}
		io.WriteString(c, "\r\n")
		_, err = c.Write(bytes.Repeat([]byte("a=123456789&"), 100<<10)) // 1.2 MB of 64 MB
		return err
	}
	html := map[string]string{"Accept": "text/html"}
	action := map[string]string{"Accept": "application/json", "X-Sveltekit-Action": "true", "Origin": "http://" + gw.addr}
	steps := []struct {
		name string
		do   func() error
	}{
		{"download of an HTML page", func() error { return download("/page/", html) }},
		{"download of a gzip page the gateway decodes", func() error { return download("/gzip/", html) }},
		{"download of a brotli page the gateway decodes", func() error { return download("/br/", html) }},
		{"download of a binary", func() error { return download("/binary/", nil) }},
		{"upload of a form post", func() error { return upload("/page/", html) }},
		{"upload of an action request", func() error { return upload("/page/", action) }},
		{"upload of a named action", func() error { return upload("/page/?/binary/x", action) }},
	}

	// Warm up the connection pools first, so they count in the baseline.
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if n := up.running.Load(); n > 0 {
		time.Sleep(time.Second)
	}
	before := goroutinesSettle(t, admin, -1)
	rssBefore := residentBytes(t, gw.pid)
	const rounds = 15
	for i := 0; i < rounds; i++ {
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
	}
	// Each leak would leave at least one goroutine per round behind.
	after := goroutinesSettle(t, admin, before+rounds/2)
	t.Logf("%d disconnects: Caddy ran %d goroutines before, %d after; RSS %.1f MB → %.1f MB", rounds*len(steps), before, after,
		float64(rssBefore)/(1<<20), float64(residentBytes(t, gw.pid))/(1<<20))
	if after > before+rounds/2 {
		t.Errorf("goroutines grew from %d to %d after %d client disconnects", before, after, rounds*len(steps))
	}
	deadline := time.Now().Add(5 * time.Second)
	for up.running.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := up.running.Load(); n > 0 {
		t.Errorf("%d upstream request(s) still running after their clients left", n)
	}
}

// An upstream reply larger than reply_limit is an error result at once, not a
// gateway that buffers all of it, also when it is compressed and only grows
// past the limit as it is decoded.
func TestActionRepliesPastReplyLimitAreErrors(t *testing.T) {
	up := startStreamingUpstream(t)
	gw := startCaddy(t, up.addr, "\tenhance {\n\t\treply_limit 1MB\n\t}\n\treverse_proxy {upstream}")
	before := vmHWM(t, gw.pid)
	for _, path := range []string{"/page/", "/gzip/", "/br/", "/binary/", "/x?/gzip/named"} {
		t.Run(path, func(t *testing.T) {
			start := time.Now()
			res := postAction(t, gw, path, form, strings.NewReader("a=1"), nil)
			if res.HTTPStatus != 502 || res.Type != "error" {
				t.Errorf("HTTP %d %s, want a 502 error result", res.HTTPStatus, res.Raw)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to give up on a reply past the limit", d)
			}
		})
	}
	if !waitLog(gw.logs, "larger than reply_limit") {
		t.Errorf("no log line names reply_limit")
	}
	if rise := vmHWM(t, gw.pid) - before; rise > 32<<20 {
		t.Errorf("peak memory rose by %d MB for replies cut at 1 MB", rise>>20)
	}
}

// A browser that goes away in the middle of an upload (a closed tab) is not
// an upstream failure: the log must say so, at the level Caddy logs a client
// that cancels, and not raise an error about the upstream.
func TestAClientLeavingMidUploadIsLoggedAsSuch(t *testing.T) {
	up := startStreamingUpstream(t)
	gw := startCaddy(t, up.addr, "\tenhance\n\treverse_proxy {upstream}")
	for _, path := range []string{"/page/", "/page/?/binary/x"} {
		c, err := net.Dial("tcp", gw.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nX-Sveltekit-Action: true\r\nOrigin: http://%s\r\nContent-Length: %d\r\n\r\n",
			path, gw.addr, form, gw.addr, 8<<20)
		c.Write(bytes.Repeat([]byte("a=1&"), 64<<10))
		time.Sleep(200 * time.Millisecond)
		c.Close()
	}
	for _, action := range []string{"default", "/binary/x"} {
		if !waitLog(gw.logs, `"msg":"the client of an action request went away","action":"`+action+`"`) {
			t.Errorf("no log line says the client of %s went away", action)
		}
	}
	for _, blame := range []string{"action request got no upstream reply", "broke off"} {
		if strings.Contains(gw.logs.String(), blame) {
			t.Errorf("a client that left was logged as an upstream failure: %s", blame)
		}
	}
}

// Behind encode, which compresses what enhance writes, a page whose upstream
// reply breaks off must still reach the browser broken, never as a complete
// compressed body that ends early.
func TestBrokenPagesStayBrokenBehindEncode(t *testing.T) {
	long := faultPage + strings.Repeat("<p>filler long enough for encode to compress</p>\n", 400)
	zipped := gzipped(long)
	cut := func(extraHeaders string, body []byte) func(net.Conn, *http.Request, <-chan struct{}) {
		return func(c net.Conn, r *http.Request, _ <-chan struct{}) {
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n", len(body), extraHeaders)
			c.Write(body[:len(body)/2])
		}
	}
	tests := []struct {
		name    string
		respond func(net.Conn, *http.Request, <-chan struct{})
	}{
		{"a page cut in the middle", cut("", []byte(long))},
		{"a gzip page cut in the middle", cut("Content-Encoding: gzip\r\n", zipped)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := startRawUpstream(t, tt.respond)
			enhanced := startCaddy(t, up.addr, "\tencode gzip zstd\n\tenhance\n\treverse_proxy {upstream}")
			plain := startCaddy(t, up.addr, "\tencode gzip zstd\n\treverse_proxy {upstream}")
			for _, method := range []string{"GET", "POST"} {
				e, p := fetchOutcome(t, method, enhanced.url("/fault")), fetchOutcome(t, method, plain.url("/fault"))
				if !e.broken || e.status != p.status || e.broken != p.broken {
					t.Errorf("%s: enhanced got %d broken=%v, plain reverse_proxy %d broken=%v", method, e.status, e.broken, p.status, p.broken)
				}
			}
		})
	}
}
