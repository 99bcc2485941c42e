package inject

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func newTestAssets(t *testing.T) *Assets {
	t.Helper()
	a, err := NewAssets("")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNewAssetsPrefix(t *testing.T) {
	tests := []struct {
		name, prefix, want string
		wantErr            bool
	}{
		{name: "an empty prefix means the default", prefix: "", want: "/_enhance/"},
		{name: "a prefix with a trailing slash is kept", prefix: "/assets/enhance/", want: "/assets/enhance/"},
		{name: "a missing trailing slash is added", prefix: "/static", want: "/static/"},
		{name: "a relative prefix is refused", prefix: "static/", wantErr: true},
		{name: "a query is refused", prefix: "/a?b/", wantErr: true},
		{name: "a dot-dot segment is refused", prefix: "/a/../b/", wantErr: true},
		{name: "an empty segment is refused", prefix: "/a//b/", wantErr: true},
		{name: "a quote that would break the tag is refused", prefix: `/a"b/`, wantErr: true},
		{name: "a space is refused", prefix: "/a b/", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewAssets(tt.prefix)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NewAssets(%q) accepted it as %q", tt.prefix, a.Prefix())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Prefix() != tt.want {
				t.Errorf("Prefix() = %q, want %q", a.Prefix(), tt.want)
			}
			if !strings.HasPrefix(a.ScriptURL(), tt.want+"enhance.") {
				t.Errorf("ScriptURL() = %q, want it under %q", a.ScriptURL(), tt.want)
			}
		})
	}
}

func TestScriptURLNamesTheContentHash(t *testing.T) {
	a := newTestAssets(t)
	if !regexp.MustCompile(`^/_enhance/enhance\.[0-9a-f]{8}\.js$`).MatchString(a.ScriptURL()) {
		t.Fatalf("ScriptURL() = %q", a.ScriptURL())
	}
	b := newTestAssets(t)
	if a.ScriptURL() != b.ScriptURL() {
		t.Errorf("the URL changes between loads of the same script: %q, %q", a.ScriptURL(), b.ScriptURL())
	}
}

func TestIntegrityIsTheSHA384OfTheServedBytes(t *testing.T) {
	a := newTestAssets(t)
	rec := get(t, a, a.ScriptURL(), nil)
	sum := sha512.Sum384(rec.Body.Bytes())
	want := "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
	if a.Integrity() != want {
		t.Errorf("Integrity() = %q, want %q", a.Integrity(), want)
	}
}

func TestScriptTag(t *testing.T) {
	a := newTestAssets(t)
	base := `<script src="` + a.ScriptURL() + `" integrity="` + a.Integrity() + `" defer`
	tests := []struct {
		name, nonce, want string
	}{
		{name: "no nonce gives no nonce attribute", nonce: "", want: base + `></script>`},
		{name: "a base64 nonce is written", nonce: "r4nd0m+/Ab==", want: base + ` nonce="r4nd0m+/Ab=="></script>`},
		{name: "a base64url nonce is written", nonce: "a-b_c", want: base + ` nonce="a-b_c"></script>`},
		{name: "a quote cannot end the attribute", nonce: `x" onload="alert(1)`, want: base + `></script>`},
		{name: "a closing bracket cannot end the tag", nonce: "x><img src=x>", want: base + `></script>`},
		{name: "a space cannot start another attribute", nonce: "abc def", want: base + `></script>`},
		{name: "an ampersand is not passed through", nonce: "a&amp;b", want: base + `></script>`},
		{name: "more than two padding characters are refused", nonce: "abc===", want: base + `></script>`},
		{name: "padding alone is refused", nonce: "==", want: base + `></script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(a.ScriptTag(tt.nonce)); got != tt.want {
				t.Errorf("ScriptTag(%q)\n got %s\nwant %s", tt.nonce, got, tt.want)
			}
		})
	}
}

func TestScriptTagDoesNotShareItsBuffer(t *testing.T) {
	a := newTestAssets(t)
	first := a.ScriptTag("aaaa")
	a.ScriptTag("bbbb")
	if !bytes.Contains(first, []byte(`nonce="aaaa"`)) {
		t.Errorf("a later call changed an earlier tag: %s", first)
	}
}

func TestNonceFromCSP(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string][]string
		want    string
	}{
		{name: "no policy gives no nonce", headers: nil, want: ""},
		{
			name:    "the nonce of script-src is found",
			headers: map[string][]string{"Content-Security-Policy": {"default-src 'self'; script-src 'self' 'nonce-abc123'"}},
			want:    "abc123",
		},
		{
			name:    "default-src counts when there is no script-src",
			headers: map[string][]string{"Content-Security-Policy": {"default-src 'nonce-dflt'; img-src *"}},
			want:    "dflt",
		},
		{
			name:    "script-src wins over default-src",
			headers: map[string][]string{"Content-Security-Policy": {"default-src 'nonce-dflt'; script-src 'nonce-scr'"}},
			want:    "scr",
		},
		{
			name:    "script-src without a nonce means no nonce even if default-src has one",
			headers: map[string][]string{"Content-Security-Policy": {"default-src 'nonce-dflt'; script-src 'self'"}},
			want:    "",
		},
		{
			name:    "script-src-elem wins over script-src",
			headers: map[string][]string{"Content-Security-Policy": {"script-src 'nonce-scr'; script-src-elem 'nonce-elem'"}},
			want:    "elem",
		},
		{
			name:    "directive names and the nonce keyword are case-insensitive",
			headers: map[string][]string{"Content-Security-Policy": {"SCRIPT-SRC 'NONCE-MiXeD'"}},
			want:    "MiXeD",
		},
		{
			name:    "the first nonce of the directive is taken",
			headers: map[string][]string{"Content-Security-Policy": {"script-src 'nonce-one' 'nonce-two'"}},
			want:    "one",
		},
		{
			name:    "a repeated directive is ignored as browsers do",
			headers: map[string][]string{"Content-Security-Policy": {"script-src 'self'; script-src 'nonce-late'"}},
			want:    "",
		},
		{
			name:    "a later policy in the same header is read",
			headers: map[string][]string{"Content-Security-Policy": {"img-src 'self', script-src 'nonce-second'"}},
			want:    "second",
		},
		{
			name: "a later header is read",
			headers: map[string][]string{"Content-Security-Policy": {
				"frame-ancestors 'none'",
				"script-src 'strict-dynamic' 'nonce-fromsecond'",
			}},
			want: "fromsecond",
		},
		{
			name:    "report-only policies are ignored",
			headers: map[string][]string{"Content-Security-Policy-Report-Only": {"script-src 'nonce-report'"}},
			want:    "",
		},
		{
			name:    "a nonce with characters outside base64 is skipped",
			headers: map[string][]string{"Content-Security-Policy": {`script-src 'nonce-x"><script>' 'nonce-good'`}},
			want:    "good",
		},
		{
			name:    "an empty nonce is skipped",
			headers: map[string][]string{"Content-Security-Policy": {"script-src 'nonce-'"}},
			want:    "",
		},
		{
			name:    "a nonce without its closing quote is skipped",
			headers: map[string][]string{"Content-Security-Policy": {"script-src 'nonce-abc"}},
			want:    "",
		},
		{
			name:    "base64url and padding are accepted",
			headers: map[string][]string{"Content-Security-Policy": {"script-src 'nonce-a-b_c+d/e=='"}},
			want:    "a-b_c+d/e==",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, vs := range tt.headers {
				for _, v := range vs {
					h.Add(k, v)
				}
			}
			if got := NonceFromCSP(h); got != tt.want {
				t.Errorf("NonceFromCSP() = %q, want %q", got, tt.want)
			}
		})
	}
}

func get(t *testing.T, a *Assets, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	return serve(t, a, http.MethodGet, path, header)
}

func serve(t *testing.T, a *Assets, method, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	if !a.ServeHTTP(rec, req) {
		t.Fatalf("%s %s was not handled", method, path)
	}
	return rec
}

func TestServeHTTPHeaders(t *testing.T) {
	a := newTestAssets(t)
	rec := get(t, a, a.ScriptURL(), nil)
	want := map[string]string{
		"Cache-Control":          "public, max-age=31536000, immutable",
		"Content-Type":           "text/javascript; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Vary":                   "Accept-Encoding",
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if etag := rec.Header().Get("ETag"); !regexp.MustCompile(`^"[0-9a-f]{8}"$`).MatchString(etag) {
		t.Errorf("ETag = %q, want a strong quoted hash", etag)
	}
	if !bytes.Equal(rec.Body.Bytes(), script) {
		t.Errorf("the body is not the embedded script")
	}
}

func TestServeHTTPEncoding(t *testing.T) {
	a := newTestAssets(t)
	tests := []struct {
		name           string
		acceptEncoding string
		wantGzip       bool
	}{
		{name: "no Accept-Encoding gets the plain script", acceptEncoding: "", wantGzip: false},
		{name: "gzip among others gets gzip", acceptEncoding: "br, gzip, deflate", wantGzip: true},
		{name: "x-gzip counts as gzip", acceptEncoding: "x-gzip", wantGzip: true},
		{name: "gzip with q=0 gets the plain script", acceptEncoding: "gzip;q=0, br", wantGzip: false},
		{name: "a weighted gzip gets gzip", acceptEncoding: "gzip; q=0.5", wantGzip: true},
		{name: "a wildcard gets gzip", acceptEncoding: "*", wantGzip: true},
		{name: "a wildcard does not override gzip;q=0", acceptEncoding: "gzip;q=0, *", wantGzip: false},
		{name: "only identity gets the plain script", acceptEncoding: "identity", wantGzip: false},
		{name: "an unreadable weight counts as refusal", acceptEncoding: "gzip;q=x", wantGzip: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.acceptEncoding != "" {
				h.Set("Accept-Encoding", tt.acceptEncoding)
			}
			rec := get(t, a, a.ScriptURL(), h)
			body := rec.Body.Bytes()
			if tt.wantGzip {
				if rec.Header().Get("Content-Encoding") != "gzip" {
					t.Fatalf("Content-Encoding = %q, want gzip", rec.Header().Get("Content-Encoding"))
				}
				body = gunzip(t, body)
			} else if ce := rec.Header().Get("Content-Encoding"); ce != "" {
				t.Fatalf("Content-Encoding = %q, want none", ce)
			}
			if !bytes.Equal(body, script) {
				t.Errorf("the decoded body differs from the script")
			}
			if rec.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary = %q", rec.Header().Get("Vary"))
			}
		})
	}
}

func TestGzipVariantHasItsOwnETag(t *testing.T) {
	a := newTestAssets(t)
	plain := get(t, a, a.ScriptURL(), nil).Header().Get("ETag")
	gz := get(t, a, a.ScriptURL(), http.Header{"Accept-Encoding": {"gzip"}}).Header().Get("ETag")
	if plain == gz {
		t.Errorf("both encodings have ETag %s; strong validators must differ", plain)
	}
}

func TestServeHTTPConditional(t *testing.T) {
	a := newTestAssets(t)
	plain := get(t, a, a.ScriptURL(), nil).Header().Get("ETag")
	gz := get(t, a, a.ScriptURL(), http.Header{"Accept-Encoding": {"gzip"}}).Header().Get("ETag")
	tests := []struct {
		name        string
		ifNoneMatch []string
		wantStatus  int
		wantETag    string
	}{
		{name: "the plain ETag gives 304", ifNoneMatch: []string{plain}, wantStatus: 304, wantETag: plain},
		{name: "the gzip ETag gives 304", ifNoneMatch: []string{gz}, wantStatus: 304, wantETag: gz},
		{name: "a weak form of the ETag gives 304", ifNoneMatch: []string{"W/" + plain}, wantStatus: 304, wantETag: plain},
		{name: "the ETag within a list gives 304", ifNoneMatch: []string{`"old", ` + plain}, wantStatus: 304, wantETag: plain},
		{name: "the ETag in a second header gives 304", ifNoneMatch: []string{`"old"`, plain}, wantStatus: 304, wantETag: plain},
		{name: "a wildcard gives 304", ifNoneMatch: []string{"*"}, wantStatus: 304, wantETag: plain},
		{name: "another ETag gives the script", ifNoneMatch: []string{`"deadbeef"`}, wantStatus: 200, wantETag: plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, a, a.ScriptURL(), http.Header{"If-None-Match": tt.ifNoneMatch})
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("ETag"); got != tt.wantETag {
				t.Errorf("ETag = %s, want %s", got, tt.wantETag)
			}
			if tt.wantStatus == 304 {
				if rec.Body.Len() != 0 {
					t.Errorf("a 304 has a body of %d bytes", rec.Body.Len())
				}
				if rec.Header().Get("Cache-Control") == "" || rec.Header().Get("Vary") == "" {
					t.Errorf("a 304 must repeat Cache-Control and Vary: %v", rec.Header())
				}
			}
		})
	}
}

func TestServeHTTPHead(t *testing.T) {
	a := newTestAssets(t)
	for _, acceptEncoding := range []string{"", "gzip"} {
		h := http.Header{}
		if acceptEncoding != "" {
			h.Set("Accept-Encoding", acceptEncoding)
		}
		getRec := get(t, a, a.ScriptURL(), h)
		headRec := serve(t, a, http.MethodHead, a.ScriptURL(), h)
		if headRec.Code != http.StatusOK || headRec.Body.Len() != 0 {
			t.Errorf("HEAD (Accept-Encoding %q): status %d with %d body bytes", acceptEncoding, headRec.Code, headRec.Body.Len())
		}
		for _, k := range []string{"Content-Length", "Content-Type", "Content-Encoding", "ETag", "Cache-Control"} {
			if headRec.Header().Get(k) != getRec.Header().Get(k) {
				t.Errorf("HEAD %s = %q, GET has %q", k, headRec.Header().Get(k), getRec.Header().Get(k))
			}
		}
	}
}

func TestServeHTTPRefuses(t *testing.T) {
	a := newTestAssets(t)
	tests := []struct {
		name, method, path string
		wantStatus         int
	}{
		{name: "an unknown name under the prefix is 404", method: "GET", path: "/_enhance/other.js", wantStatus: 404},
		{name: "an old hash is 404", method: "GET", path: "/_enhance/enhance.00000000.js", wantStatus: 404},
		{name: "the unhashed name is 404", method: "GET", path: "/_enhance/enhance.js", wantStatus: 404},
		{name: "the prefix itself is 404", method: "GET", path: "/_enhance/", wantStatus: 404},
		{name: "a POST to the script is 405", method: "POST", path: a.ScriptURL(), wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, a, tt.method, tt.path, nil)
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if rec.Header().Get("Cache-Control") != "" {
				t.Errorf("an error is cacheable: Cache-Control %q", rec.Header().Get("Cache-Control"))
			}
		})
	}
}

func TestServeHTTPLeavesOtherPaths(t *testing.T) {
	a := newTestAssets(t)
	for _, path := range []string{"/", "/_enhance", "/_enhancements/x.js", "/app/_enhance/" + strings.TrimPrefix(a.ScriptURL(), "/_enhance/")} {
		rec := httptest.NewRecorder()
		if a.ServeHTTP(rec, httptest.NewRequest("GET", path, nil)) {
			t.Errorf("%s was handled", path)
		}
		if rec.Code != 200 || rec.Body.Len() != 0 || len(rec.Header()) != 0 {
			t.Errorf("%s: something was written", path)
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The embedded file is built from enhance.js; this fails when someone edited the source
// without rebuilding. It needs node and the pinned terser (npm ci in inject/).
func TestMinifiedScriptIsUpToDate(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "terser")); err != nil {
		t.Skip("terser is not installed: run npm ci in inject/")
	}
	out, err := exec.Command(node, "minify.mjs", "--check").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}

// The script as it travels, minified and gzipped, must not grow unnoticed: the budget is
// 5 KiB.
func TestGzippedScriptStaysWithinBudget(t *testing.T) {
	a := newTestAssets(t)
	const budget = 5120
	t.Logf("enhance.min.js: %d bytes, %d gzipped", len(a.plain), len(a.gzipped))
	if len(a.gzipped) > budget {
		t.Errorf("the gzipped script is %d bytes, over the %d-byte budget", len(a.gzipped), budget)
	}
}
