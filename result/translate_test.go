package result

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// reply builds an upstream reply; header is name, value pairs.
func reply(status int, contentType, body string, header ...string) Reply {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	return Reply{Status: status, Header: h, Body: []byte(body)}
}

func TestTranslate(t *testing.T) {
	target := &url.URL{Scheme: "http", Host: "127.0.0.1:3000", Path: "/account/edit", RawQuery: "tab=1"}
	opts := Options{Target: target, UpstreamHost: "127.0.0.1:3000", GatewayHost: "shop.example"}
	exposing := opts
	exposing.ExposeErrors = true
	custom := opts
	custom.HTMLData = func(body []byte, contentType string) (any, error) { return Object{{"len", len(body)}}, nil }

	tests := []struct {
		name       string
		reply      Reply
		opts       Options
		wantStatus int
		wantBody   string
		wantErr    bool
	}{
		{"a 200 JSON body is a success carrying the JSON value", reply(200, "application/json", `{"saved":true,"id":7}`), opts,
			200, `{"type":"success","status":200,"data":"[{\"saved\":1,\"id\":2},true,7]"}`, false},
		{"a JSON type with a suffix is JSON", reply(200, "application/problem+json; charset=utf-8", `[1]`), opts,
			200, `{"type":"success","status":200,"data":"[[1],1]"}`, false},
		{"a 201 with data is a success with status 200", reply(201, "application/json", `"ok"`), opts,
			200, `{"type":"success","status":200,"data":"[\"ok\"]"}`, false},
		{"a 200 HTML body is a success carrying the page", reply(200, "text/html", `<title>Saved</title><body class="x"><p>Done</p></body>`), opts,
			200, `{"type":"success","status":200,"data":"[{\"title\":1,\"body\":2,\"bodyAttributes\":3},\"Saved\",\"\\u003Cp>Done\\u003C/p>\",{\"class\":4},\"x\"]"}`, false},
		{"an HTML body goes through Options.HTMLData when set", reply(200, "text/html", `<p>x</p>`), custom,
			200, `{"type":"success","status":200,"data":"[{\"len\":1},8]"}`, false},
		{"an HTML body without a content type is sniffed", reply(200, "", `<!DOCTYPE html><title>T</title><p>x`), opts,
			200, `{"type":"success","status":200,"data":"[{\"title\":1,\"body\":2,\"bodyAttributes\":3},\"T\",\"\\u003Cp>x\",{}]"}`, false},
		{"an empty 200 is a success without data", reply(200, "text/html", ""), opts,
			200, `{"type":"success","status":204,"data":"-1"}`, false},
		{"a whitespace-only body counts as empty", reply(200, "application/json", " \r\n"), opts,
			200, `{"type":"success","status":204,"data":"-1"}`, false},
		{"a 204 is a success without data even with a stray body", reply(204, "application/json", `{"x":1}`), opts,
			200, `{"type":"success","status":204,"data":"-1"}`, false},
		{"a plain text body is carried as text", reply(200, "text/plain", "Saved.\n"), opts,
			200, `{"type":"success","status":200,"data":"[{\"text\":1},\"Saved.\\n\"]"}`, false},
		{"a Latin-1 text body is converted to UTF-8", reply(200, "text/plain; charset=iso-8859-1", "caf\xe9"), opts,
			200, `{"type":"success","status":200,"data":"[{\"text\":1},\"café\"]"}`, false},
		{"a text body in a charset nobody knows is taken as UTF-8", reply(200, "text/plain; charset=x-unknown", "ok ü"), opts,
			200, `{"type":"success","status":200,"data":"[{\"text\":1},\"ok ü\"]"}`, false},
		{"a binary body is described, not carried", reply(200, "image/png", "\x89PNG\r\n"), opts,
			200, `{"type":"success","status":200,"data":"[{\"contentType\":1,\"size\":2},\"image/png\",6]"}`, false},
		{"a 422 JSON body is a failure with the upstream status", reply(422, "application/json", `{"errors":{"email":"taken"}}`), opts,
			422, `{"type":"failure","status":422,"data":"[{\"errors\":1},{\"email\":2},\"taken\"]"}`, false},
		{"a 400 HTML body is a failure carrying the page", reply(400, "text/html; charset=utf-8", `<body><p>Fix it</p></body>`), opts,
			400, `{"type":"failure","status":400,"data":"[{\"title\":1,\"body\":2,\"bodyAttributes\":3},\"\",\"\\u003Cp>Fix it\\u003C/p>\",{}]"}`, false},
		{"an empty 404 is a failure without data", reply(404, "", ""), opts,
			404, `{"type":"failure","status":404,"data":"-1"}`, false},
		{"a 303 is a redirect with HTTP 200", reply(303, "text/html", "<a>moved</a>", "Location", "/account"), opts,
			200, `{"type":"redirect","status":303,"location":"/account"}`, false},
		{"a 302 to the upstream's own address becomes origin-relative", reply(302, "", "", "Location", "http://127.0.0.1:3000/account?x=1#top"), opts,
			200, `{"type":"redirect","status":302,"location":"/account?x=1#top"}`, false},
		{"a 301 keeps its status", reply(301, "", "", "Location", "https://pay.example/go"), opts,
			200, `{"type":"redirect","status":301,"location":"https://pay.example/go"}`, false},
		{"a 307 keeps its status", reply(307, "", "", "Location", "next"), opts,
			200, `{"type":"redirect","status":307,"location":"/account/next"}`, false},
		{"a 308 keeps its status", reply(308, "", "", "Location", "https://shop.example/cart"), opts,
			200, `{"type":"redirect","status":308,"location":"/cart"}`, false},
		{"a redirect without Location is a 502 error", reply(302, "text/html", "<p>moved</p>"), opts,
			502, `{"type":"error","error":{"message":"Upstream redirect without Location"}}`, true},
		{"a 304 is a redirect without Location", reply(304, "", ""), opts,
			502, `{"type":"error","error":{"message":"Upstream redirect without Location"}}`, true},
		{"a 3xx past 308 is not a redirect SvelteKit knows", reply(399, "", "", "Location", "/x"), opts,
			502, `{"type":"error","error":{"message":"Upstream reply could not be translated"}}`, true},
		{"a redirect to javascript: is refused", reply(302, "", "", "Location", "javascript:alert(1)"), opts,
			502, `{"type":"error","error":{"message":"Upstream redirect to a refused location"}}`, true},
		{"a 500 is an error that hides the upstream body", reply(500, "text/plain", "panic: db password wrong"), opts,
			500, `{"type":"error","error":{"message":"Internal Error"}}`, false},
		{"a 503 keeps its status", reply(503, "text/html", "<title>Down</title>"), opts,
			503, `{"type":"error","error":{"message":"Internal Error"}}`, false},
		{"an exposed 5xx text body becomes the message, trimmed", reply(500, "text/plain", "  database\n is down \n"), exposing,
			500, `{"type":"error","error":{"message":"database is down"}}`, false},
		{"an exposed 5xx JSON body gives its message", reply(500, "application/json", `{"code":9,"message":"Queue full"}`), exposing,
			500, `{"type":"error","error":{"message":"Queue full"}}`, false},
		{"an exposed 5xx HTML body gives its title", reply(502, "text/html", `<title>Bad &amp; broken</title><body>trace</body>`), exposing,
			502, `{"type":"error","error":{"message":"Bad & broken"}}`, false},
		{"an exposed 5xx without a body keeps the generic message", reply(500, "", ""), exposing,
			500, `{"type":"error","error":{"message":"Internal Error"}}`, false},
		{"a JSON body that does not parse is a 502 error", reply(200, "application/json", `{"a":`), opts,
			502, `{"type":"error","error":{"message":"Upstream reply could not be translated"}}`, true},
		{"a status outside 200–599 is a 502 error", reply(101, "", ""), opts,
			502, `{"type":"error","error":{"message":"Upstream reply could not be translated"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Translate(tt.reply, tt.opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("error %v, want error: %v", err, tt.wantErr)
			}
			if got.HTTPStatus != tt.wantStatus {
				t.Errorf("HTTP status %d, want %d", got.HTTPStatus, tt.wantStatus)
			}
			if string(got.Body) != tt.wantBody {
				t.Errorf("body\n got %s\nwant %s", got.Body, tt.wantBody)
			}
			var typ struct{ Type string }
			if err := json.Unmarshal(got.Body, &typ); err != nil || typ.Type != got.Type {
				t.Errorf("Type %q, body's type %q (%v)", got.Type, typ.Type, err)
			}
		})
	}
}

func TestTranslateBoundsAnExposedMessage(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes
	got, _ := Translate(reply(500, "text/plain", long), Options{ExposeErrors: true})
	var body struct{ Error struct{ Message string } }
	if err := json.Unmarshal(got.Body, &body); err != nil {
		t.Fatal(err)
	}
	msg := body.Error.Message
	if len(msg) > maxExposedErrorSize+len("…") || !strings.HasSuffix(msg, "é…") {
		t.Errorf("message of %d bytes ending %q", len(msg), msg[len(msg)-8:])
	}
}

func TestUnreachable(t *testing.T) {
	tests := []struct {
		name   string
		status int
	}{
		{"an upstream that refused the connection is a 502 error", http.StatusBadGateway},
		{"an upstream that timed out is a 504 error", http.StatusGatewayTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unreachable(tt.status)
			want := `{"type":"error","error":{"message":"Internal Error"}}`
			if got.HTTPStatus != tt.status || got.Type != "error" || string(got.Body) != want {
				t.Errorf("got %d %s %s", got.HTTPStatus, got.Type, got.Body)
			}
		})
	}
}

func TestErrorCarriesTheGatewaysMessage(t *testing.T) {
	got := Error(http.StatusRequestEntityTooLarge, `Reply too large: "<10 MB"`)
	want := `{"type":"error","error":{"message":"Reply too large: \"<10 MB\""}}`
	if got.HTTPStatus != 413 || string(got.Body) != want {
		t.Errorf("got %d %s, want 413 %s", got.HTTPStatus, got.Body, want)
	}
}

func TestHeaders(t *testing.T) {
	h := http.Header{}
	h.Add("Set-Cookie", "a=1; Path=/")
	h.Add("Set-Cookie", "b=2; Path=/")
	for _, name := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Etag", "Location", "Cache-Control"} {
		h.Set(name, "upstream")
	}
	Headers(h)
	want := http.Header{
		"Set-Cookie":             {"a=1; Path=/", "b=2; Path=/"},
		"Content-Type":           {"application/json"},
		"Cache-Control":          {"private, no-store"},
		"X-Content-Type-Options": {"nosniff"},
	}
	if len(h) != len(want) {
		t.Errorf("got %v, want %v", h, want)
	}
	for name, values := range want {
		if strings.Join(h.Values(name), "|") != strings.Join(values, "|") {
			t.Errorf("%s: got %q, want %q", name, h.Values(name), values)
		}
	}
}

func TestNormalizeLocation(t *testing.T) {
	target := &url.URL{Scheme: "http", Host: "127.0.0.1:3000", Path: "/account/edit", RawQuery: "tab=1"}
	const upstream, gateway = "127.0.0.1:3000", "shop.example"
	tests := []struct {
		name, in, want string
	}{
		{"an absolute path stays as it is", "/login?next=%2Fa#top", "/login?next=%2Fa#top"},
		{"a relative path is resolved against the target", "next", "/account/next"},
		{"dot segments are resolved", "../orders/./1", "/orders/1"},
		{"a query alone keeps the target's path", "?page=2", "/account/edit?page=2"},
		{"a fragment alone keeps the target's path and query", "#saved", "/account/edit?tab=1#saved"},
		{"the upstream's own address becomes origin-relative", "http://127.0.0.1:3000/account?x=1", "/account?x=1"},
		{"the upstream's address keeps its fragment", "http://127.0.0.1:3000/a#b", "/a#b"},
		{"the upstream's address without a path is the root", "http://127.0.0.1:3000", "/"},
		{"the gateway's host becomes origin-relative", "https://shop.example/cart?x=1#items", "/cart?x=1#items"},
		{"the gateway's host with its default port written out", "https://shop.example:443/cart", "/cart"},
		{"hosts compare without case", "HTTP://SHOP.EXAMPLE/x", "/x"},
		{"a scheme-relative URL to the gateway becomes origin-relative", "//shop.example/x", "/x"},
		{"a foreign origin stays absolute", "https://pay.example/checkout?id=1#f", "https://pay.example/checkout?id=1#f"},
		{"the gateway's host on another port is foreign", "https://shop.example:8443/x", "https://shop.example:8443/x"},
		{"a scheme-relative foreign URL takes the target's scheme", "//pay.example/x", "http://pay.example/x"},
		{"a backslash path is read as browsers read it, another host", `/\pay.example/x`, "http://pay.example/x"},
		{"a path starting with two slashes stays on this origin", "http://127.0.0.1:3000//evil.example/x", "/.//evil.example/x"},
		{"dot segments in the upstream's absolute URL are resolved", "http://127.0.0.1:3000/a/../b/./c", "/b/c"},
		{"spaces around the location are dropped", " /next ", "/next"},
		{"escapes in the path are kept", "/a%2Fb/c%20d", "/a%2Fb/c%20d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeLocation(tt.in, target, upstream, gateway)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeLocationWithoutTargetResolvesAgainstTheRoot(t *testing.T) {
	got, err := NormalizeLocation("next?a=1", nil, "", "")
	if err != nil || got != "/next?a=1" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestNormalizeLocationRefuses(t *testing.T) {
	tests := []struct{ name, in string }{
		{"a host that is not one", "//0::"},
		{"a host with two ports", "//x.example:80:80/a"},
		{"a port out of range", "https://x.example:99999/"},
		{"a javascript: URL", "javascript:alert(1)"},
		{"a javascript: URL in capitals", "JavaScript:alert(1)"},
		{"a data: URL", "data:text/html,<script>x</script>"},
		{"an ftp URL", "ftp://files.example/a"},
		{"CR LF that would split the header", "/next\r\nSet-Cookie: a=b"},
		{"a tab, which browsers strip to hide a scheme", "java\tscript:alert(1)"},
		{"a NUL byte", "/a\x00b"},
		{"an http URL without a host", "http:/next"},
		{"an http URL that is opaque", "http:next"},
		{"an empty location", "   "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := NormalizeLocation(tt.in, nil, "up:1", "gw"); err == nil {
				t.Errorf("got %q and no error", got)
			}
		})
	}
}

// FuzzNormalizeLocation checks that whatever an upstream sends, the client gets either an
// error or a location that stays on this origin or names an http(s) host outright.
func FuzzNormalizeLocation(f *testing.F) {
	for _, s := range []string{"/a", "next", "//x.example", `/\x.example`, "http://up:1//x", "javascript:x", "https://gw/a#b"} {
		f.Add(s)
	}
	target := &url.URL{Scheme: "http", Host: "up:1", Path: "/form/edit"}
	f.Fuzz(func(t *testing.T, loc string) {
		got, err := NormalizeLocation(loc, target, "up:1", "gw")
		if err != nil {
			return
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("%q → %q has a control character", loc, got)
		}
		if strings.HasPrefix(got, "/") {
			if strings.HasPrefix(got, "//") || strings.HasPrefix(got, `/\`) {
				t.Fatalf("%q → %q would be read as another host", loc, got)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("%q → %q is neither origin-relative nor an http(s) URL (%v)", loc, got, err)
		}
		if sameHost(u, "up:1") || sameHost(u, "gw") {
			t.Fatalf("%q → %q names the upstream or gateway outright", loc, got)
		}
	})
}

func TestDecodeBody(t *testing.T) {
	plain := []byte(strings.Repeat("<p>hello</p>", 100))
	tests := []struct {
		name, encoding string
		encode         func([]byte) []byte
	}{
		{"gzip", "gzip", gzipped},
		{"deflate as zlib", "deflate", func(b []byte) []byte {
			var buf bytes.Buffer
			w := zlib.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		}},
		{"deflate sent raw", "deflate", func(b []byte) []byte {
			var buf bytes.Buffer
			w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		}},
		{"brotli", "br", func(b []byte) []byte {
			var buf bytes.Buffer
			w := brotli.NewWriter(&buf)
			w.Write(b)
			w.Close()
			return buf.Bytes()
		}},
		{"zstd", "zstd", func(b []byte) []byte {
			w, _ := zstd.NewWriter(nil)
			defer w.Close()
			return w.EncodeAll(b, nil)
		}},
		{"identity", "identity", func(b []byte) []byte { return b }},
		{"no encoding", "", func(b []byte) []byte { return b }},
		{"two codings undone in reverse order", "gzip, br", func(b []byte) []byte {
			var buf bytes.Buffer
			w := brotli.NewWriter(&buf)
			w.Write(gzipped(b))
			w.Close()
			return buf.Bytes()
		}},
	}
	for _, tt := range tests {
		t.Run("undoes "+tt.name, func(t *testing.T) {
			got, err := DecodeBody(tt.encode(plain), tt.encoding, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Errorf("got %d bytes, want %d", len(got), len(plain))
			}
		})
	}
}

func TestDecodeBodyRefuses(t *testing.T) {
	bomb := gzipped(make([]byte, 1<<20))
	tests := []struct {
		name, encoding string
		body           []byte
		want           error
	}{
		{"a body that decodes past the limit", "gzip", bomb, ErrBodyTooLarge},
		{"an unencoded body past the limit", "", make([]byte, 2000), ErrBodyTooLarge},
		{"an unknown coding", "compress", []byte("x"), nil},
		{"a corrupt gzip body", "gzip", []byte("not gzip"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBody(tt.body, tt.encoding, 1000)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func BenchmarkTranslate(b *testing.B) {
	row := `<tr><td class="id">1042</td><td>Widget &amp; bolt</td><td><form method="post" action="/orders/1042/cancel"><button>Cancel</button></form></td></tr>` + "\n"
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Orders</title><link rel="stylesheet" href="/app.css"></head>` +
		`<body class="orders"><table>` + strings.Repeat(row, 50*1024/len(row)) + `</table></body></html>`
	r := reply(200, "text/html; charset=utf-8", page)
	opts := Options{Target: &url.URL{Path: "/orders"}, UpstreamHost: "127.0.0.1:3000"}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Translate(r, opts); err != nil {
			b.Fatal(err)
		}
	}
}
