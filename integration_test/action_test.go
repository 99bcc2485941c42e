package integration

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
)

// actionResult is an ActionResult as the client reads it.
type actionResult struct {
	HTTPStatus   int
	Header       http.Header
	Type         string         `json:"type"`
	Status       int            `json:"status"`
	Location     string         `json:"location"`
	RawData      *string        `json:"data"`
	Error        map[string]any `json:"error"`
	Data         any
	DataIsAbsent bool
	Raw          string
}

// postAction sends what the enhance script sends for a form submit.
func postAction(t *testing.T, gw *gateway, path, contentType string, body io.Reader, extra map[string]string) actionResult {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, gw.url(path), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Sveltekit-Action", "true")
	req.Header.Set("Origin", "http://"+gw.addr)
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := actionResult{HTTPStatus: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("POST %s: content-type %q, want application/json; body %s", path, ct, raw)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("POST %s: cache-control %q, want private, no-store", path, cc)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("POST %s: result is not JSON: %v: %s", path, err, raw)
	}
	if res.RawData == nil {
		res.DataIsAbsent = true
	} else if res.Data, err = parseDevalue(*res.RawData); err != nil {
		t.Fatalf("POST %s: data: %v", path, err)
	}
	return res
}

const form = "application/x-www-form-urlencoded"

// seen asks the legacy app what it last received at path.
func seen(t *testing.T, upstream, path string) (seenRequest, int) {
	t.Helper()
	resp, err := http.Get("http://" + upstream + "/_seen?path=" + url.QueryEscape(path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Request seenRequest `json:"request"`
		Hits    int         `json:"hits"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Request, out.Hits
}

func dataField(t *testing.T, res actionResult, key string) any {
	t.Helper()
	m, ok := res.Data.(map[string]any)
	if !ok {
		t.Fatalf("data is %T (%s), want an object", res.Data, res.Raw)
	}
	return m[key]
}

// Each row of the PROTOCOL's result table, through a real Caddy and a real backend.
func TestActionRequestsBecomeActionResults(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	tests := []struct {
		name       string
		path, body string
		wantHTTP   int
		wantType   string
		check      func(t *testing.T, res actionResult)
	}{
		{"a failed login re-rendered with 422 is a failure carrying the page's title and body",
			"/login", "email=a%40b.c&password=wrong", 422, "failure", func(t *testing.T, res actionResult) {
				if res.Status != 422 {
					t.Errorf("status %d, want 422", res.Status)
				}
				if got := dataField(t, res, "title"); got != "Log in & retry" {
					t.Errorf("title %q", got)
				}
				if body, _ := dataField(t, res, "body").(string); !strings.Contains(body, `<p class="error">Wrong password for a@b.c</p>`) {
					t.Errorf("body %q lacks the backend's error", body)
				}
			}},
		{"a successful login's 303 is a redirect made origin-relative with its hash and every cookie",
			"/login", "email=a%40b.c&password=right", 200, "redirect", func(t *testing.T, res actionResult) {
				if res.Status != 303 || res.Location != "/account?x=1#top" {
					t.Errorf("status %d location %q, want 303 /account?x=1#top", res.Status, res.Location)
				}
				if !res.DataIsAbsent {
					t.Errorf("a redirect carries no data: %s", res.Raw)
				}
				cookies := res.Header.Values("Set-Cookie")
				if len(cookies) != 2 || !strings.HasPrefix(cookies[0], "session=abc") || !strings.HasPrefix(cookies[1], "flash=Welcome") {
					t.Errorf("cookies %q, want session and flash unchanged", cookies)
				}
			}},
		{"a relative Location resolves against the target",
			"/redirect/relative", "", 200, "redirect", func(t *testing.T, res actionResult) {
				if res.Status != 302 || res.Location != "/redirect/done?ok=1#msg" {
					t.Errorf("status %d location %q", res.Status, res.Location)
				}
			}},
		{"a Location at the upstream's own address becomes origin-relative",
			"/redirect/upstream", "", 200, "redirect", func(t *testing.T, res actionResult) {
				if res.Location != "/account" {
					t.Errorf("location %q, want /account", res.Location)
				}
			}},
		{"a Location on a foreign origin stays absolute",
			"/redirect/foreign", "", 200, "redirect", func(t *testing.T, res actionResult) {
				if res.Location != "https://other.example/welcome" {
					t.Errorf("location %q", res.Location)
				}
			}},
		{"a 3xx without Location is an error",
			"/redirect/none", "", 502, "error", nil},
		{"a 500 is an error that never leaks the backend's page",
			"/status/500", "", 500, "error", func(t *testing.T, res actionResult) {
				if strings.Contains(res.Raw, "SECRET") {
					t.Errorf("5xx body leaked: %s", res.Raw)
				}
				if res.Error["message"] != "Internal Error" {
					t.Errorf("error %v, want message Internal Error", res.Error)
				}
			}},
		{"a 404 is a failure with the upstream status",
			"/status/404", "", 404, "failure", func(t *testing.T, res actionResult) {
				if res.Status != 404 {
					t.Errorf("status %d", res.Status)
				}
			}},
		{"a 200 re-render is a success with the page",
			"/echo", "a=1", 200, "success", func(t *testing.T, res actionResult) {
				if res.Status != 200 || dataField(t, res, "title") != "Echo" {
					t.Errorf("status %d data %v", res.Status, res.Data)
				}
			}},
		{"a JSON reply's value is the data",
			"/json", "", 200, "success", func(t *testing.T, res actionResult) {
				if dataField(t, res, "b") != float64(1) || dataField(t, res, "s") != "<\u2028" {
					t.Errorf("data %v", res.Data)
				}
				if a, _ := dataField(t, res, "a").([]any); len(a) != 2 || a[0] != "x" || a[1] != "y" {
					t.Errorf("data.a %v", a)
				}
			}},
		{"an empty reply is a success without data",
			"/empty", "", 200, "success", func(t *testing.T, res actionResult) {
				if res.Status != 204 || res.RawData == nil || *res.RawData != "-1" {
					t.Errorf("got %s, want status 204 data -1", res.Raw)
				}
			}},
		{"a gzip-encoded reply is decoded",
			"/gzip", "", 200, "success", func(t *testing.T, res actionResult) {
				if dataField(t, res, "title") != "Zipped" {
					t.Errorf("data %v", res.Data)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := postAction(t, gw, tt.path, form, strings.NewReader(tt.body), nil)
			if res.HTTPStatus != tt.wantHTTP || res.Type != tt.wantType {
				t.Fatalf("HTTP %d type %q, want HTTP %d type %q: %s", res.HTTPStatus, res.Type, tt.wantHTTP, tt.wantType, res.Raw)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestActionRequestReachesTheUpstreamAsABrowserFormPost(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	res := postAction(t, gw, "/login?/echo&keep=1", form, strings.NewReader("a=1"),
		map[string]string{"X-Requested-With": "XMLHttpRequest"})
	if res.Type != "success" {
		t.Fatalf("result %s", res.Raw)
	}
	got, hits := seen(t, up, "/echo")
	if hits != 1 || got.Method != "POST" || got.RawQuery != "keep=1" {
		t.Fatalf("upstream saw %d request(s), last %s %s?%s; want one POST /echo?keep=1", hits, got.Method, got.Path, got.RawQuery)
	}
	h := got.Header
	if !strings.HasPrefix(h.Get("Accept"), "text/html") {
		t.Errorf("Accept %q, want a browser's HTML accept", h.Get("Accept"))
	}
	if h.Get("Sec-Fetch-Mode") != "navigate" || h.Get("Sec-Fetch-Dest") != "document" {
		t.Errorf("Sec-Fetch-Mode %q Sec-Fetch-Dest %q", h.Get("Sec-Fetch-Mode"), h.Get("Sec-Fetch-Dest"))
	}
	for _, name := range []string{"X-Sveltekit-Action", "X-Requested-With"} {
		if h.Get(name) != "" {
			t.Errorf("%s reached the upstream", name)
		}
	}
}

func TestNamedActionsWithoutJavaScriptReachTheTarget(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	resp, err := noRedirects.Post(gw.url("/login?/login"), form, strings.NewReader("email=x&password=right"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "http://"+gw.addr+"/account?x=1#top" {
		t.Errorf("got %d %q, want the backend's own 303", resp.StatusCode, resp.Header.Get("Location"))
	}

	resp, err = noRedirects.Post(gw.url("/account?/echo&n=2"), form, strings.NewReader("b=2"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>Echo</title>") {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
	if got, _ := seen(t, up, "/echo"); got.RawQuery != "n=2" {
		t.Errorf("upstream query %q, want n=2", got.RawQuery)
	}

	resp, err = noRedirects.Post(gw.url("/echo?x=1"), form, strings.NewReader("c=3"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, _ := seen(t, up, "/echo"); resp.StatusCode != 200 || got.RawQuery != "x=1" {
		t.Errorf("a default action went to %s?%s (%d)", got.Path, got.RawQuery, resp.StatusCode)
	}
}

func TestBadNamedActionTargetsAreRefused(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	for _, path := range []string{
		"/?//evil.example/x",
		"/?/https://evil.example/",
		"/?/..%2f..%2fetc/passwd",
		"/?/a/../../b",
		"/?/%2e%2e/x",
		"/?/a%00b",
		"/?/%5cevil.example",
	} {
		t.Run(path, func(t *testing.T) {
			res := postAction(t, gw, path, form, strings.NewReader("a=1"), nil)
			if res.HTTPStatus != 400 || res.Type != "error" {
				t.Errorf("with the action header: HTTP %d %s, want a 400 error result", res.HTTPStatus, res.Raw)
			}
			resp, err := noRedirects.Post(gw.url(path), form, strings.NewReader("a=1"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Errorf("without JavaScript: HTTP %d, want 400", resp.StatusCode)
			}
		})
	}
	if _, hits := seen(t, up, "/"); hits != 0 {
		t.Errorf("the upstream received %d refused request(s)", hits)
	}
}

func TestCrossSiteActionRequestsAreForbidden(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance {\n\t\ttrusted_origins https://partner.example\n\t}\n\treverse_proxy {upstream}")

	res := postAction(t, gw, "/echo", form, strings.NewReader("a=1"), map[string]string{"Origin": "http://evil.example"})
	if res.HTTPStatus != 403 || res.Type != "error" {
		t.Errorf("cross-site: HTTP %d %s, want 403 error", res.HTTPStatus, res.Raw)
	}
	if _, hits := seen(t, up, "/echo"); hits != 0 {
		t.Errorf("a cross-site action reached the upstream")
	}
	res = postAction(t, gw, "/echo", form, strings.NewReader("a=1"), map[string]string{"Origin": "https://partner.example"})
	if res.HTTPStatus != 200 || res.Type != "success" {
		t.Errorf("trusted origin: HTTP %d %s", res.HTTPStatus, res.Raw)
	}
	if !waitLog(gw.logs, "cross-site") {
		t.Errorf("no log line about the refusal")
	}
}

func TestUnreachableUpstreamIsA502ErrorResult(t *testing.T) {
	gw := startCaddy(t, freeAddr(t), "\tenhance\n\treverse_proxy {upstream}")
	res := postAction(t, gw, "/login", form, strings.NewReader("a=1"), nil)
	if res.HTTPStatus != 502 || res.Type != "error" || res.Error["message"] != "Internal Error" {
		t.Errorf("HTTP %d %s, want a 502 error result", res.HTTPStatus, res.Raw)
	}
}

func TestOptionsExposeErrorsAndReplyLimit(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance {\n\t\texpose_errors\n\t\treply_limit 1MB\n\t}\n\treverse_proxy {upstream}")

	res := postAction(t, gw, "/status/503", form, nil, nil)
	if msg, _ := res.Error["message"].(string); res.HTTPStatus != 503 || !strings.Contains(msg, "Status 503 SECRET") {
		t.Errorf("expose_errors: HTTP %d %s", res.HTTPStatus, res.Raw)
	}
	res = postAction(t, gw, "/big", form, nil, nil)
	if res.Type != "error" || res.HTTPStatus != 502 {
		t.Errorf("reply over the limit: HTTP %d %s", res.HTTPStatus, res.Raw)
	}
	if !waitLog(gw.logs, "reply_limit") {
		t.Errorf("no log line names reply_limit")
	}
}

// The request body must reach the backend byte for byte, whichever way it comes.
func TestMultipartBodiesArriveByteIdentical(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\treverse_proxy {upstream}")

	file := make([]byte, 3<<20)
	rand.Read(file)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("caption", "héllo \x00 wörld")
	fw, _ := mw.CreateFormFile("upload", "blob.bin")
	fw.Write(file)
	mw.Close()
	sum := sha256.Sum256(body.Bytes())
	want := hex.EncodeToString(sum[:])

	for _, path := range []string{"/echo", "/page?/echo"} {
		res := postAction(t, gw, path, mw.FormDataContentType(), bytes.NewReader(body.Bytes()), nil)
		if res.Type != "success" {
			t.Fatalf("%s: %s", path, res.Raw)
		}
		if got, _ := seen(t, up, "/echo"); got.BodySHA != want || got.Header.Get("Content-Type") != mw.FormDataContentType() {
			t.Errorf("%s with the action header: upstream got sha256 %s (%d bytes), want %s", path, got.BodySHA, got.BodyLen, want)
		}
		resp, err := noRedirects.Post(gw.url(path), mw.FormDataContentType(), bytes.NewReader(body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, _ := seen(t, up, "/echo"); got.BodySHA != want {
			t.Errorf("%s without JavaScript: upstream got sha256 %s, want %s", path, got.BodySHA, want)
		}
	}
}

// A named action must meet every rule a direct request to its target meets.
func TestNamedActionsCannotBypassPathScopedAuth(t *testing.T) {
	out, err := exec.Command(caddyBin, "hash-password", "--plaintext", "letmein").Output()
	if err != nil {
		t.Fatal(err)
	}
	hash := strings.TrimSpace(string(out))
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\tbasic_auth /admin/* {\n\t\tadmin "+hash+"\n\t}\n\treverse_proxy {upstream}")

	res := postAction(t, gw, "/?/admin/delete", form, strings.NewReader("all=1"), nil)
	if res.HTTPStatus != 401 || res.Type != "failure" {
		t.Errorf("with the action header: HTTP %d %s, want a 401 failure", res.HTTPStatus, res.Raw)
	}
	resp, err := noRedirects.Post(gw.url("/?/admin/delete"), form, strings.NewReader("all=1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Www-Authenticate") == "" {
		t.Errorf("without JavaScript: HTTP %d, want 401 with a challenge", resp.StatusCode)
	}
	if _, hits := seen(t, up, "/admin/delete"); hits != 0 {
		t.Fatalf("a named action got past basic_auth %d time(s)", hits)
	}

	req, _ := http.NewRequest("POST", gw.url("/?/admin/delete"), strings.NewReader("all=1"))
	req.Header.Set("Content-Type", form)
	req.SetBasicAuth("admin", "letmein")
	resp, err = noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, hits := seen(t, up, "/admin/delete"); resp.StatusCode != 200 || hits != 1 {
		t.Errorf("with credentials: HTTP %d and %d upstream hit(s), want 200 and 1", resp.StatusCode, hits)
	}
}
