package integration

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

// What an attacker can try against the gateway: cross-site action requests,
// named actions as open redirects or as a way around the site's rules, header
// and markup injection, and leaks of backend errors or cookies.

// hitCounter counts the requests a test server received, by path.
type hitCounter struct {
	mu   sync.Mutex
	hits map[string]int
	all  int
}

func (c *hitCounter) record(r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits == nil {
		c.hits = map[string]int{}
	}
	c.hits[r.URL.Path]++
	c.all++
}

// under counts the requests whose path starts with prefix (compared without case).
func (c *hitCounter) under(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for p, h := range c.hits {
		if strings.HasPrefix(strings.ToLower(p), prefix) {
			n += h
		}
	}
	return n
}

func (c *hitCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.all
}

// startCountingServer starts a real TCP server running h, counting its requests.
func startCountingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *hitCounter) {
	t.Helper()
	c := &hitCounter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.record(r)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, c
}

const secret = "SECRET-db-password-hunter2"

// cookiesWithCommas are Set-Cookie values a naive header join or split would
// break: Expires dates carry a comma, one value is quoted around a comma.
var cookiesWithCommas = []string{
	"session=abc123; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly; SameSite=Lax",
	"flash=Saved%2C%20thanks; Path=/; Max-Age=60",
	`prefs="a,b,c"; Path=/; Expires=Thu, 01 Jan 2037 00:00:00 GMT`,
	"cleared=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
	"tracking=1; Domain=127.0.0.1; Path=/; Secure",
}

// backendForAttacks is an upstream with the replies attacks need.
func backendForAttacks(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	q := r.URL.Query()
	page := func(status int, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Page</title></head><body>%s</body></html>", body)
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/cookies/"):
		for _, c := range cookiesWithCommas {
			w.Header().Add("Set-Cookie", c)
		}
		status, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/cookies/"))
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/done")
		}
		page(status, "<p>cookies</p>")
	case strings.HasPrefix(r.URL.Path, "/boom/"):
		status, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/boom/"))
		w.Header().Set("X-Debug", secret)
		w.Header().Add("Set-Cookie", "after_error=1; Path=/")
		body := ""
		switch q.Get("as") {
		case "json":
			w.Header().Set("Content-Type", "application/json")
			body = `{"message":"` + secret + `","trace":"` + secret + `"}`
		case "text":
			w.Header().Set("Content-Type", "text/plain")
			body = secret + " at db.go:42"
		default:
			w.Header().Set("Content-Type", "text/html")
			body = "<html><head><title>" + secret + "</title></head><body><pre>" + secret + "</pre></body></html>"
		}
		if q.Get("gzip") != "" {
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(status)
			zw := gzip.NewWriter(w)
			io.WriteString(zw, body)
			zw.Close()
			return
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	case strings.HasPrefix(r.URL.Path, "/slash/"):
		// The common "add a trailing slash" redirect, which reflects the path.
		http.Redirect(w, r, r.URL.EscapedPath()+"/", http.StatusMovedPermanently)
	case r.URL.Path == "/csp":
		w.Header().Set("Content-Security-Policy", q.Get("policy"))
		page(200, "<p>csp</p>")
	case r.URL.Path == "/markup":
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, q.Get("html"))
	default:
		page(200, "<p>ok</p>")
	}
}

func TestCrossSiteActionRequestsNeverReachTheUpstream(t *testing.T) {
	up, hits := startCountingServer(t, backendForAttacks)
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), "\tenhance {\n\t\ttrusted_origins https://partner.example\n\t}\n\treverse_proxy {upstream}")
	_, port, _ := net.SplitHostPort(gw.addr)

	tests := []struct {
		name, origin string
		allowed      bool
	}{
		{"another site is refused", "http://evil.example", false},
		{"an opaque origin (sandboxed frame, data: URL) is refused", "null", false},
		{"the same host on another port is refused", "http://127.0.0.1:1", false},
		{"the same host over another scheme is refused", "https://" + gw.addr, false},
		{"a name for the same machine is another origin", "http://localhost:" + port, false},
		{"a host that merely starts with ours is refused", "http://" + gw.addr + ".evil.example", false},
		{"an origin with user info is refused", "http://evil@" + gw.addr, false},
		{"a lookalike of the trusted origin is refused", "https://partner.example.evil.example", false},
		{"the trusted origin over http is refused", "http://partner.example", false},
		{"the site's own origin is allowed", "http://" + gw.addr, true},
		{"the trusted origin is allowed", "https://partner.example", true},
		{"the trusted origin with its default port is allowed", "https://partner.example:443", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.total()
			for _, path := range []string{"/echo", "/page?/echo", "/page?/boom/500"} {
				res := postAction(t, gw, path, form, strings.NewReader("a=1"), map[string]string{"Origin": tt.origin})
				if tt.allowed && res.HTTPStatus == 403 {
					t.Errorf("%s from %s: refused: %s", path, tt.origin, res.Raw)
				}
				if !tt.allowed && (res.HTTPStatus != 403 || res.Type != "error") {
					t.Errorf("%s from %s: HTTP %d %s, want a 403 error result", path, tt.origin, res.HTTPStatus, res.Raw)
				}
			}
			if got := hits.total() - before; !tt.allowed && got != 0 {
				t.Errorf("%d refused request(s) reached the upstream", got)
			}
		})
	}
	if !waitLog(gw.logs, "refused a cross-site action request") {
		t.Errorf("no log line about the refusals")
	}
}

// actionKey writes target as a named-action query key, as the rewriter does:
// decoding the key as form data gives the target back.
func actionKey(target string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "=", "%3D", "+", "%2B", "#", "%23", " ", "%20")
	return r.Replace(target)
}

// A named action names a path on the page's own origin. Whatever it is
// spelled like, no request leaves for another host, and no redirect result
// sends the browser to one.
func TestNamedActionsCannotReachOrRedirectToAnotherHost(t *testing.T) {
	evil, evilHits := startCountingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "stolen") })
	evilHost := strings.TrimPrefix(evil.URL, "http://")
	up, _ := startCountingServer(t, backendForAttacks)
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), "\tenhance\n\treverse_proxy {upstream}")

	paths := []string{
		"/?//" + evilHost + "/x",
		"/?///" + evilHost + "/x",
		"/?/http://" + evilHost + "/x",
		"/?/https://" + evilHost + "/",
		"/?/%2F%2F" + evilHost,
		"/?/%252F%252F" + evilHost,
		"/?/%2F/" + evilHost,
		`/?/\` + evilHost,
		"/?/%5C" + evilHost,
		"/?/%255C" + evilHost,
		"/?//%5C" + evilHost,
		"/?/%09/" + evilHost,
		"/?/%2e%2e/%2e%2e/" + evilHost,
		"/?/%252e%252e/" + evilHost,
		"/?/.%2E/" + evilHost,
		"/?/a/..%2F..%2F/" + evilHost,
		"/?/@" + evilHost,
		"/?/slash//" + evilHost,
		"/?/slash/http://" + evilHost,
		"/?/slash/%2F" + evilHost,
		"/?/slash/%5C" + evilHost,
		"/?/slash/%2e%2e",
		"/?/" + evilHost + "&/" + evilHost,
		"/?x=1&/http://" + evilHost + "/y",
		"/?/http:" + evilHost,
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			res := postAction(t, gw, path, form, strings.NewReader("a=1"), nil)
			switch res.Type {
			case "redirect":
				if loc, err := url.Parse(res.Location); err != nil || loc.Host != "" || strings.HasPrefix(res.Location, "//") || strings.Contains(res.Location, `\`) {
					t.Errorf("a redirect result to %q could leave the site", res.Location)
				}
			case "error":
				if res.HTTPStatus != 400 {
					t.Errorf("refused with HTTP %d %s, want 400", res.HTTPStatus, res.Raw)
				}
			}
			resp, err := noRedirects.Post(gw.url(path), form, strings.NewReader("a=1"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc, err := resp.Location(); err == nil && loc.Host != gw.addr {
				t.Errorf("without JavaScript: redirected to %s", loc)
			}
		})
	}
	if n := evilHits.total(); n != 0 {
		t.Errorf("%d request(s) reached the other host", n)
	}
}

// The differential check of PROTOCOL's promise: a named action PAGE?/T meets
// exactly the rules a direct POST to T meets, whatever T's spelling.
func TestNamedActionsMeetEveryRuleOfTheirTarget(t *testing.T) {
	out, err := exec.Command(caddyBin, "hash-password", "--plaintext", "letmein").Output()
	if err != nil {
		t.Fatal(err)
	}
	auth, authHits := startCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		uri := strings.ToLower(r.Header.Get("X-Forwarded-Uri"))
		switch {
		case strings.HasPrefix(uri, "/staff/"):
			http.Error(w, "staff only", http.StatusUnauthorized)
		case strings.HasPrefix(uri, "/authfail/"):
			http.Error(w, secret, http.StatusInternalServerError)
		}
	})
	up, hits := startCountingServer(t, backendForAttacks)
	site := strings.NewReplacer("{hash}", strings.TrimSpace(string(out)), "{auth}", strings.TrimPrefix(auth.URL, "http://")).Replace(`	enhance
	basic_auth /admin/* {
		admin {hash}
	}
	forward_auth {auth} {
		uri /check
	}
	@readonly {
		method POST
		path /readonly/*
	}
	respond @readonly "read only" 405
	request_body /upload/* {
		max_size 1KB
	}
	handle /blocked/* {
		respond "blocked" 403
	}
	redir /old/* /new/ 308
	reverse_proxy {upstream}`)
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), site)

	body := strings.Repeat("x", 2048) // past the /upload/ limit
	post := func(path string, action bool) (status int, location string, res actionResult) {
		if action {
			res = postAction(t, gw, path, form, strings.NewReader(body), nil)
			return res.HTTPStatus, res.Location, res
		}
		resp, err := noRedirects.Post(gw.url(path), form, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location"), res
	}
	tests := []struct {
		target string
		want   int // what a direct POST gets
	}{
		{"/echo", 200},
		{"/admin/delete", 401},
		{"/ADMIN/delete", 401},
		{"/Admin/Delete", 401},
		{"/admin%2Fdelete", 401},
		{"/admin//delete", 401},
		{"/%61dmin/delete", 401},
		{"/admin/%2e/delete", 401},
		{"/admin/delete;x", 401},
		{"/staff/x", 401},
		{"/STAFF/x", 401},
		{"/readonly/x", 405},
		{"/Readonly/x", 405},
		{"/upload/x", 413},
		{"/blocked/x", 403},
		{"/blocked%2Fx", 403},
		{"/old/x", 308},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			direct, directLoc, _ := post(tt.target, false)
			if direct != tt.want {
				t.Fatalf("a direct POST %s got %d, want %d", tt.target, direct, tt.want)
			}
			named := "/page?" + actionKey(tt.target) + "&q=1"
			got, loc, _ := post(named, false)
			if got == http.StatusBadRequest && tt.want != 200 {
				// Refused as a bad target: stricter than the rule, never around it.
				if res, _, _ := post(named, true); res != http.StatusBadRequest {
					t.Errorf("action request %s got %d; without JavaScript it was refused with 400", named, res)
				}
				return
			}
			if got != direct || loc != directLoc {
				t.Errorf("POST %s without JavaScript got %d %q; a direct POST %s got %d %q", named, got, loc, tt.target, direct, directLoc)
			}
			got, loc, res := post(named, true)
			wantHTTP, wantType := direct, "failure"
			switch {
			case direct < 300:
				wantHTTP, wantType = 200, "success"
			case direct < 400:
				wantHTTP, wantType = 200, "redirect"
			}
			if got != wantHTTP || res.Type != wantType || (wantType != "success" && res.Status != direct) || loc != directLoc {
				t.Errorf("action request %s: HTTP %d %s; a direct POST got %d %q", named, got, res.Raw, direct, directLoc)
			}
		})
	}
	for _, prefix := range []string{"/admin", "/%61dmin", "/staff", "/readonly", "/upload", "/blocked", "/old"} {
		if n := hits.under(prefix); n != 0 {
			t.Errorf("%d request(s) under %s reached the upstream", n, prefix)
		}
	}
	if authHits.total() == 0 {
		t.Errorf("forward_auth was never asked")
	}
	if !waitLog(gw.logs, "action request refused by the site's rules") {
		t.Errorf("no log line about a refusal by the site's rules")
	}
}

// A named action whose target's forward_auth fails with a 5xx must not hand
// the auth server's page to the client.
func TestAFailingAuthServerLeaksNothingToActionResults(t *testing.T) {
	auth, _ := startCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Forwarded-Uri"), "/authfail/") {
			w.Header().Set("X-Debug", secret)
			http.Error(w, secret, http.StatusInternalServerError)
		}
	})
	up, hits := startCountingServer(t, backendForAttacks)
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"),
		"\tenhance\n\tforward_auth "+strings.TrimPrefix(auth.URL, "http://")+" {\n\t\turi /check\n\t}\n\treverse_proxy {upstream}")
	res := postAction(t, gw, "/page?/authfail/x", form, strings.NewReader("a=1"), nil)
	if res.HTTPStatus != 500 || res.Type != "error" {
		t.Errorf("HTTP %d %s, want a 500 error result", res.HTTPStatus, res.Raw)
	}
	if strings.Contains(res.Raw, secret) || headerMentions(res.Header, secret) {
		t.Errorf("the auth server's error leaked: %s %v", res.Raw, res.Header)
	}
	if hits.under("/authfail") != 0 {
		t.Errorf("the upstream was reached")
	}
}

func headerMentions(h http.Header, s string) bool {
	for _, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, s) {
				return true
			}
		}
	}
	return false
}

// An upstream 5xx never shows its body or headers in an action result, in any
// form it comes; with expose_errors its message does, and nothing more.
func TestUpstreamErrorsLeakNothingUnlessExposed(t *testing.T) {
	up, _ := startCountingServer(t, backendForAttacks)
	upstream := strings.TrimPrefix(up.URL, "http://")
	gw := startCaddy(t, upstream, "\tenhance\n\treverse_proxy {upstream}")
	exposing := startCaddy(t, upstream, "\tenhance {\n\t\texpose_errors\n\t}\n\treverse_proxy {upstream}")

	for _, path := range []string{
		"/boom/500", "/boom/502", "/boom/503?as=json", "/boom/504?as=text", "/boom/500?gzip=1",
		"/boom/599", "/page?/boom/500", "/page?/boom/503&as=json&gzip=1",
	} {
		t.Run(path, func(t *testing.T) {
			res := postAction(t, gw, path, form, strings.NewReader("a=1"), nil)
			if res.HTTPStatus < 500 || res.Type != "error" {
				t.Errorf("HTTP %d %s, want a 5xx error result", res.HTTPStatus, res.Raw)
			}
			if strings.Contains(res.Raw, secret) || headerMentions(res.Header, secret) {
				t.Errorf("the backend's error leaked: %s %v", res.Raw, res.Header)
			}
			if got := res.Header.Values("Set-Cookie"); len(got) != 1 || got[0] != "after_error=1; Path=/" {
				t.Errorf("cookies %q, want the one the error reply set", got)
			}
			if res.HTTPStatus == 599 {
				return // not a status whose message the backend meant to show
			}
			res = postAction(t, exposing, path, form, strings.NewReader("a=1"), nil)
			msg, _ := res.Error["message"].(string)
			if !strings.Contains(msg, secret) || headerMentions(res.Header, secret) {
				t.Errorf("with expose_errors: message %q, headers %v; want the backend's message and no header", msg, res.Header)
			}
		})
	}
}

// No Set-Cookie is dropped, merged or reordered, whatever the result.
func TestEverySetCookieReachesTheClientUnchanged(t *testing.T) {
	up, _ := startCountingServer(t, backendForAttacks)
	upstream := strings.TrimPrefix(up.URL, "http://")
	gw := startCaddy(t, upstream, "\tenhance\n\treverse_proxy {upstream}")
	encoded := startCaddy(t, upstream, "\tencode gzip\n\tenhance\n\theader +X-Site one\n\treverse_proxy {upstream}")

	for _, g := range []*gateway{gw, encoded} {
		for _, path := range []string{"/cookies/200", "/cookies/204", "/cookies/303", "/cookies/422", "/cookies/500", "/page?/cookies/303", "/page?/cookies/422"} {
			res := postAction(t, g, path, form, strings.NewReader("a=1"), nil)
			if got := res.Header.Values("Set-Cookie"); !equalStrings(got, cookiesWithCommas) {
				t.Errorf("action %s (%s): cookies\n%q\nwant\n%q", path, res.Type, got, cookiesWithCommas)
			}
			for _, page := range []string{path, strings.TrimPrefix(path, "/page?")} {
				for _, method := range []string{"GET", "POST"} {
					if method == "GET" && strings.Contains(page, "?") {
						continue
					}
					got := fetchOutcome(t, method, g.url(page)).header.Values("Set-Cookie")
					if !equalStrings(got, cookiesWithCommas) {
						t.Errorf("%s %s: cookies\n%q\nwant\n%q", method, page, got, cookiesWithCommas)
					}
				}
			}
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The Location of an upstream reply cannot smuggle a header or a control
// character to the client, with or without JavaScript.
func TestLocationCannotInjectHeaders(t *testing.T) {
	locations := []struct{ name, raw string }{
		{"percent-encoded CR LF", "Location: /ok%0D%0ASet-Cookie:%20injected=1\r\n"},
		{"a folded header line", "Location: /ok\r\n Set-Cookie: injected=1\r\n"},
		{"a bare CR", "Location: /ok\rSet-Cookie: injected=1\r\n"},
		{"a NUL byte", "Location: /ok\x00Set-Cookie: injected=1\r\n"},
		{"a tab", "Location: /ok\tSet-Cookie: injected=1\r\n"},
		{"UTF-8 line separators", "Location: /ok\u2028\u2029Set-Cookie: injected=1\r\n"},
		{"a Latin-1 byte", "Location: /caf\xe9\r\n"},
	}
	for _, tt := range locations {
		t.Run(tt.name, func(t *testing.T) {
			up := startRawUpstream(t, func(c net.Conn, r *http.Request, _ <-chan struct{}) {
				io.WriteString(c, "HTTP/1.1 303 See Other\r\n"+tt.raw+"Content-Length: 0\r\nConnection: close\r\n\r\n")
			})
			enhanced, plain, _ := gatewayPair(t, up.addr, "")
			res := postAction(t, enhanced, "/page?/save", form, strings.NewReader("a=1"), nil)
			t.Logf("action result: HTTP %d %s", res.HTTPStatus, res.Raw)
			if cookies := res.Header.Values("Set-Cookie"); len(cookies) != 0 {
				t.Errorf("the action result set cookies %q", cookies)
			}
			switch res.Type {
			case "redirect":
				if strings.ContainsFunc(res.Location, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
					t.Errorf("location %q carries a control character", res.Location)
				}
				if _, err := url.Parse(res.Location); err != nil {
					t.Errorf("location %q is not a URL: %v", res.Location, err)
				}
			case "error":
				if res.HTTPStatus != 502 {
					t.Errorf("refused with HTTP %d, want 502: %s", res.HTTPStatus, res.Raw)
				}
			default:
				t.Errorf("a 303 became %s", res.Raw)
			}
			e, p := fetchOutcome(t, "POST", enhanced.url("/page?/save")), fetchOutcome(t, "POST", plain.url("/save"))
			if e.status != p.status || e.location != p.location || len(e.header.Values("Set-Cookie")) != len(p.header.Values("Set-Cookie")) {
				t.Errorf("without JavaScript: %d %q %q; plain reverse_proxy: %d %q %q", e.status, e.location, e.header.Values("Set-Cookie"),
					p.status, p.location, p.header.Values("Set-Cookie"))
			}
		})
	}
}

// A redirect result always carries a location the client can navigate to:
// an upstream Location that is not a URL at all is refused, not passed on
// mangled.
func TestRedirectResultsCarryOnlyValidLocations(t *testing.T) {
	up := startRawUpstream(t, func(c net.Conn, r *http.Request, _ <-chan struct{}) {
		loc, _ := url.QueryUnescape(r.URL.Query().Get("loc"))
		io.WriteString(c, "HTTP/1.1 302 Found\r\nLocation: "+loc+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	})
	gw := startCaddy(t, up.addr, "\tenhance\n\treverse_proxy {upstream}")
	for _, loc := range []string{"//0::", "//x.example:80:80/a", "http://[::1/", "//[::1", "//ex ample.com", "https://x.example:99999/"} {
		t.Run(loc, func(t *testing.T) {
			res := postAction(t, gw, "/go?loc="+url.QueryEscape(loc), form, nil, nil)
			if res.Type == "error" {
				return
			}
			u, err := url.Parse(res.Location)
			if res.Type != "redirect" || err != nil {
				t.Errorf("Location %q became %s, which is neither an error nor a redirect to a URL (%v)", loc, res.Raw, err)
				return
			}
			if u.Host != "" && u.Scheme != "http" && u.Scheme != "https" {
				t.Errorf("Location %q became %q", loc, res.Location)
			}
		})
	}
}

// The injected tag is the gateway's own: whatever nonce a page's CSP names, the
// tag carries only a valid nonce, and no markup from the header reaches the page.
func TestTheInjectedTagCannotBeMadeToCarryAttackerMarkup(t *testing.T) {
	up, _ := startCountingServer(t, backendForAttacks)
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), "\tenhance\n\treverse_proxy {upstream}")
	tests := []struct {
		name, policy, wantNonce string
	}{
		{"a plain nonce is carried", "script-src 'nonce-abc123+/='", "abc123+/="},
		{"a nonce with a quote is dropped", `script-src 'nonce-a"onload="alert(1)'`, ""},
		{"a nonce closing the tag is dropped", "script-src 'nonce-x\"><script>alert(1)</script>'", ""},
		{"a nonce with angle brackets is dropped", "script-src 'nonce-<svg/onload=alert(1)>'", ""},
		{"a nonce with an ampersand is dropped", "script-src 'nonce-a&quot;b'", ""},
		{"a nonce with a backtick is dropped", "script-src 'nonce-a`b'", ""},
		{"too much padding is dropped", "script-src 'nonce-abc==='", ""},
		{"an invalid nonce lets a later valid one count", "script-src 'nonce-a\"b' 'nonce-good'", "good"},
		{"a second policy's nonce counts when the first has none", "default-src 'self', script-src 'nonce-second'", "second"},
		{"a nonce in an ignored directive is not used", "style-src 'nonce-style'; script-src 'self'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := getPage(t, gw.url("/csp?policy="+url.QueryEscape(tt.policy)), nil)
			tags := scriptTag.FindAllSubmatch(body, -1)
			if len(tags) != 1 {
				t.Fatalf("%d script tags, want 1:\n%s", len(tags), body)
			}
			want := ""
			if tt.wantNonce != "" {
				want = ` nonce="` + tt.wantNonce + `"`
			}
			if got := string(tags[0][2]); got != want {
				t.Errorf("tag carries %q, want %q", got, want)
			}
			for _, bad := range []string{"alert", "onload", "<svg", "&quot;"} {
				if bytes.Contains(body, []byte(bad)) {
					t.Errorf("page contains %q from the header:\n%s", bad, body)
				}
			}
		})
	}
}

// Rewriting a form's target never adds, removes or reorders an attribute and
// never adds an element, however the page spells its targets.
func TestRewrittenTargetsCannotInjectMarkup(t *testing.T) {
	up, _ := startCountingServer(t, backendForAttacks)
	gw := startCaddy(t, strings.TrimPrefix(up.URL, "http://"), "\tenhance\n\treverse_proxy {upstream}")
	pages := []string{
		`<form method=post action='/x" onmouseover="alert(1)'><button>Go</button></form>`,
		`<form method=post action="/x' onfocus='alert(1)"></form>`,
		`<form method=post action=/x/><img src=x onerror=alert(1)></form>`,
		`<form method=post action="/a&quot;b&#34; c=&#x22;d"></form>`,
		`<form method=post action="/a%22%3E%3Cscript%3Ealert(1)%3C/script%3E"></form>`,
		`<form method=post><button formaction='/a"><script>alert(1)</script>'>x</button></form>`,
		"<form method=post action=/a`b=c`></form>",
		`<form method=post action=/a=b onclick=alert(1)></form>`,
		"<form method=post action=\"/a\nb\tc d\"></form>",
		`<form method=post action="/a<b>c</b>"></form>`,
		`<form method=post action="/a?x=&quot;&gt;&lt;script&gt;#&quot;onload=x"></form>`,
		`<form method=post action="/a#&quot;><script>"></form>`,
		`<form method=post action="/&#x2F;&#x2F;evil.example"></form>`,
		`<form method=post action="/&#92;evil.example"></form>`,
		`<form method=post action="//evil.example/x"></form><form method=post action="javascript:alert(1)"></form>`,
		`<form method=post action="/a" action="/b" ACTION='/c'></form>`,
		`<form method=post action=/a/ /><input type=submit formaction=/b/ /></form>`,
		`<svg><form method=post action="/in-svg"></form></svg><math><form method=post action="/in-math"></form></math>`,
	}
	for _, page := range pages {
		t.Run(page, func(t *testing.T) {
			_, got := getPage(t, gw.url("/markup?html="+url.QueryEscape(page)), nil)
			got = scriptTag.ReplaceAll(got, nil)
			want, have := tagShapes(page), tagShapes(string(got))
			if strings.Join(want, "\n") != strings.Join(have, "\n") {
				t.Errorf("the page's elements changed:\n got %q\nwant %q\npage %s", have, want, got)
			}
		})
	}
}

// tagShapes lists the tags of a page as the browser's tokenizer sees them:
// the tag name and its attribute names, in order.
func tagShapes(page string) []string {
	var shapes []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return shapes
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		shape := tok.Data
		for _, a := range tok.Attr {
			shape += " " + a.Key
		}
		shapes = append(shapes, shape)
	}
}
