package enhance

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-enhance/enhance/bench/upstream"
)

// These benchmarks run the handler's real ServeHTTP in process, with a next
// handler that plays the upstream's fixed reply, so they show the CPU time
// and allocations enhance itself adds. BenchmarkPlainNext is the floor: the
// same replies written by next alone. `go run ./bench` measures the whole
// Caddy over the network.

// benchEnhance is a provisioned handler with production logging (nothing
// below INFO is written, as in a default Caddy).
func benchEnhance(b *testing.B) *Enhance {
	b.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	b.Cleanup(cancel)
	e := new(Enhance)
	if err := e.Provision(ctx); err != nil {
		b.Fatal(err)
	}
	if err := e.Validate(); err != nil {
		b.Fatal(err)
	}
	e.logger = zap.NewNop()
	return e
}

// upstreamReply is what next writes: the way reverse_proxy copies a reply,
// headers first, then the body in chunks of its 32 KB buffer.
type upstreamReply struct {
	status int
	header http.Header
	body   []byte
}

func (u upstreamReply) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	for k, v := range u.header {
		h[k] = v
	}
	if len(u.body) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(u.body)))
	}
	w.WriteHeader(u.status)
	for rest := u.body; len(rest) > 0; {
		n := min(len(rest), 32<<10)
		if _, err := w.Write(rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

var (
	binaryReply = upstreamReply{http.StatusOK, http.Header{"Content-Type": {"application/octet-stream"}}, upstream.Binary(upstream.BinarySize)}
	jsonReply   = upstreamReply{http.StatusOK, http.Header{"Content-Type": {"application/json"}}, []byte(upstream.JSON)}
	pageReply   = upstreamReply{http.StatusOK, http.Header{
		"Content-Type":            {"text/html; charset=utf-8"},
		"Content-Security-Policy": {upstream.CSP},
		"Cache-Control":           {"private, no-cache"},
	}, upstream.Page(upstream.PageForms)}
	redirectReply = upstreamReply{http.StatusSeeOther, http.Header{
		"Location":   {upstream.RedirectTo},
		"Set-Cookie": {upstream.FlashCookie},
	}, nil}
	renderedReply = upstreamReply{http.StatusOK, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, upstream.Rendered()}
	failureReply  = upstreamReply{http.StatusUnprocessableEntity, http.Header{"Content-Type": {"application/json"}},
		[]byte(`{"errors":{"price":"must be a number"},"values":{"name":"Item 3","price":"x"}}`)}
)

// discardWriter is a ResponseWriter that keeps only the status and the
// byte count, and is reused across iterations so that only the handler's
// own work is measured.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) WriteHeader(status int)      { d.status = status }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func (d *discardWriter) reset() {
	clear(d.header)
	d.status, d.n = 0, 0
}

func navigation(path string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://example.com"+path, nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	return r
}

func download(path string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://example.com"+path, nil)
	r.Header.Set("Accept", "*/*")
	return r
}

// actionRequest is an enhanced form's submission. The body is not read:
// next plays the upstream, and enhance streams the body without touching it.
func actionRequest(path string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://example.com"+path, strings.NewReader(upstream.FormBody))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Origin", "http://example.com")
	r.Header.Set("X-Sveltekit-Action", "true")
	return r
}

// serveOnce runs the handler once into a recorder, to check that a
// benchmark measures the path it claims to.
func serveOnce(b *testing.B, e *Enhance, r *http.Request, next caddyhttp.Handler) *httptest.ResponseRecorder {
	b.Helper()
	rec := httptest.NewRecorder()
	if err := e.ServeHTTP(rec, r, next); err != nil {
		b.Fatal(err)
	}
	return rec
}

func benchServe(b *testing.B, e *Enhance, r *http.Request, next caddyhttp.Handler, size int) {
	w := &discardWriter{header: make(http.Header)}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		if err := e.ServeHTTP(w, r, next); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainNext is the floor for the benchmarks below: the same
// replies written by next straight into the writer.
func BenchmarkPlainNext(b *testing.B) {
	for _, bc := range []struct {
		name  string
		reply upstreamReply
	}{
		{"binary 1 MB", binaryReply},
		{"small JSON", jsonReply},
		{"page 50 KB", pageReply},
		{"redirect", redirectReply},
		{"rendered page", renderedReply},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := &discardWriter{header: make(http.Header)}
			r := download("/x")
			b.SetBytes(int64(len(bc.reply.body)))
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				bc.reply.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkPagePassThrough sends replies that are not pages through
// ServeHTTP: enhance looks at the headers and steps aside.
func BenchmarkPagePassThrough(b *testing.B) {
	e := benchEnhance(b)
	for _, bc := range []struct {
		name  string
		req   *http.Request
		reply upstreamReply
	}{
		{"binary 1 MB", download("/bin"), binaryReply},
		{"small JSON", download("/json"), jsonReply},
		// A browser navigation that gets JSON: enhance prepares to rewrite
		// (Accept says html) and then sees the Content-Type.
		{"small JSON to a navigation", navigation("/json"), jsonReply},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if got := serveOnce(b, e, bc.req, bc.reply).Body.Bytes(); !bytes.Equal(got, bc.reply.body) {
				b.Fatalf("the reply changed on its way through: %d bytes, want %d", len(got), len(bc.reply.body))
			}
			benchServe(b, e, bc.req, bc.reply, len(bc.reply.body))
		})
	}
}

// BenchmarkPageRewrite streams the 50 KB page with 20 forms through
// ServeHTTP: every form becomes a named action and the script goes in.
func BenchmarkPageRewrite(b *testing.B) {
	e := benchEnhance(b)
	r := navigation("/page")
	out := serveOnce(b, e, r, pageReply).Body.Bytes()
	if n := bytes.Count(out, []byte(` action="/page?/items/`)); n != upstream.PageForms {
		b.Fatalf("%d forms rewritten, want %d", n, upstream.PageForms)
	}
	if !bytes.Contains(out, []byte(`nonce="`+upstream.Nonce+`"></script>`)) {
		b.Fatal("no enhance script carrying the page's nonce")
	}
	benchServe(b, e, r, pageReply, len(pageReply.body))
}

// BenchmarkActionTranslate answers an enhanced submission: the request is
// made a browser form post, the upstream's reply captured and translated
// into an ActionResult. (A named action also goes through the site's routes
// again; that needs a running Caddy server and is measured by ./bench.)
func BenchmarkActionTranslate(b *testing.B) {
	e := benchEnhance(b)
	for _, bc := range []struct {
		name  string
		path  string
		reply upstreamReply
		want  string
	}{
		{"redirect", "/action", redirectReply, `"type":"redirect"`},
		{"rendered page", "/action/render", renderedReply, `"type":"success"`},
		{"JSON failure", "/action", failureReply, `"type":"failure"`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := actionRequest(bc.path)
			if got := serveOnce(b, e, r, bc.reply).Body.String(); !strings.Contains(got, bc.want) {
				b.Fatalf("result %.200s, want %s", got, bc.want)
			}
			benchServe(b, e, r, bc.reply, 0)
		})
	}
}
