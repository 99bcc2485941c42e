package enhance

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"golang.org/x/net/html/charset"

	"github.com/caddy-enhance/enhance/inject"
	"github.com/caddy-enhance/enhance/result"
	"github.com/caddy-enhance/enhance/rewrite"
)

// servePage forwards a request and rewrites the reply as it streams when it
// is an HTML page.
func (e *Enhance) servePage(w http.ResponseWriter, r *http.Request, forward caddyhttp.Handler, page, target *url.URL) error {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return forward.ServeHTTP(w, r)
	}
	// A legacy page's own scripts fetch fragments, and plain values served
	// as text/html; a script tag added to them would break those scripts.
	if sentByPageScript(r) {
		metrics.pages.WithLabelValues("script_request").Inc()
		return forward.ServeHTTP(w, r)
	}
	if acceptsHTML(r) {
		// Ask for identity so the page can be rewritten as it streams;
		// reverse_proxy still asks the upstream for gzip on the wire and
		// decodes it, and encode (before enhance) compresses our output.
		r = r.WithContext(r.Context())
		r.Header = r.Header.Clone()
		r.Header.Del("Accept-Encoding")
	}
	pw := &pageWriter{
		ResponseWriterWrapper: &caddyhttp.ResponseWriterWrapper{ResponseWriter: w},
		method:                r.Method,
		assets:                e.assets,
		options:               rewrite.Options{PageURL: page},
	}
	if target != page {
		pw.options.DocumentURL = target
	}
	defer func() {
		// A reply that breaks off must reach the client as broken, not
		// completed: stop without writing the tail, and let Caddy abort.
		if v := recover(); v != nil {
			pw.abort()
			panic(v)
		}
	}()
	if err := forward.ServeHTTP(pw, r); err != nil {
		pw.abort()
		return err
	}
	return pw.Close()
}

// acceptsHTML tells requests that may get an HTML page (navigations, form
// posts) from those for assets, whose compressed replies pass untouched.
func acceptsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "html") || r.Header.Get("Sec-Fetch-Dest") == "document"
}

// sentByPageScript tells the XHR and fetch requests of a page's scripts from
// navigations. The enhance client fetches the pages it shows with an Accept of
// text/html, so those are rewritten like navigations.
func sentByPageScript(r *http.Request) bool {
	if r.Header.Get("X-Requested-With") != "" {
		return true
	}
	return r.Header.Get("Sec-Fetch-Dest") == "empty" && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// pageWriter decides at WriteHeader whether a reply is a page to rewrite;
// anything else passes straight through.
type pageWriter struct {
	*caddyhttp.ResponseWriterWrapper
	method  string
	assets  *inject.Assets
	options rewrite.Options

	decided bool
	body    io.Writer       // where the reply body goes once decided
	rw      *rewrite.Writer // nil when passing through
	out     *pageBuffer     // gathers the rewriter's output, holding the header back
	size    int             // bytes of HTML rewritten
	spent   time.Duration   // time inside the rewriter (and its writes on)
	decoder *streamDecoder  // non-nil when the upstream compressed the page anyway
}

var rewriterPool = sync.Pool{New: func() any { return rewrite.NewWriter(nil, rewrite.Options{}) }}

func (pw *pageWriter) WriteHeader(status int) {
	if pw.decided {
		return
	}
	// 1xx (103 Early Hints) go out as they come; the real status follows.
	if status < 200 {
		pw.ResponseWriterWrapper.WriteHeader(status)
		return
	}
	pw.decided = true
	pw.body = pw.ResponseWriterWrapper
	if pw.options.DocumentURL != nil {
		resolveLocation(pw.Header(), pw.options.DocumentURL)
	}
	if reason := pw.skipReason(status); reason != "" {
		metrics.pages.WithLabelValues(reason).Inc()
		pw.ResponseWriterWrapper.WriteHeader(status)
		return
	}
	metrics.pages.WithLabelValues("rewritten").Inc()
	pw.startRewrite(status) // the header goes out with the page's first bytes
}

// resolveLocation resolves a relative Location of a reply to PAGE?/TARGET
// against TARGET, as the backend meant it; the browser would resolve it
// against PAGE. The result is origin-relative, so it keeps the browser's scheme.
func resolveLocation(h http.Header, target *url.URL) {
	loc := h.Get("Location")
	if loc == "" || strings.HasPrefix(loc, "/") || strings.ContainsAny(loc, "\\\x00\r\n\t") {
		return
	}
	ref, err := url.Parse(loc)
	if err != nil || ref.Scheme != "" || ref.Host != "" {
		return
	}
	u := target.ResolveReference(ref)
	if strings.HasPrefix(u.Path, "//") {
		return // written origin-relative it would name a host; the browser's own resolution stays on ours
	}
	h.Set("Location", (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment, RawFragment: u.RawFragment}).String())
}

// skipReason says why a reply passes untouched, or "" for a page to rewrite.
func (pw *pageWriter) skipReason(status int) string {
	if pw.method == http.MethodHead || status == http.StatusNoContent ||
		status == http.StatusNotModified || status == http.StatusPartialContent {
		return "no_body"
	}
	h := pw.Header()
	if !isHTML(h.Get("Content-Type")) {
		return "not_html"
	}
	if isAttachment(h.Get("Content-Disposition")) {
		return "attachment"
	}
	if !asciiCompatible(h.Get("Content-Type")) {
		return "charset"
	}
	if strings.Contains(strings.ToLower(strings.Join(h.Values("Cache-Control"), ",")), "no-transform") {
		return "no_transform"
	}
	if !result.CanDecode(h.Get("Content-Encoding")) {
		return "unknown_encoding"
	}
	return ""
}

func isHTML(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	return strings.EqualFold(mt, "text/html") || strings.EqualFold(mt, "application/xhtml+xml")
}

// isAttachment tells a download, which the browser saves and never shows;
// legacy apps often send theirs (CSV exports) with PHP's default text/html.
func isAttachment(disposition string) bool {
	kind, _, _ := strings.Cut(disposition, ";")
	return strings.EqualFold(strings.TrimSpace(kind), "attachment")
}

// asciiCompatible reports whether a page's declared charset keeps ASCII
// bytes as they are, as the rewriter needs: in UTF-16 or UTF-32 an inserted
// ASCII tag would corrupt the text.
func asciiCompatible(contentType string) bool {
	_, params, _ := mime.ParseMediaType(contentType)
	label := strings.ToLower(strings.TrimSpace(params["charset"]))
	if strings.HasPrefix(label, "utf-32") || strings.HasPrefix(label, "ucs-4") {
		return false
	}
	_, name := charset.Lookup(label)
	return !strings.HasPrefix(name, "utf-16")
}

func (pw *pageWriter) startRewrite(status int) {
	h := pw.Header()
	// The body changes length, so ranges and strong validators no longer hold.
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	if etag := h.Get("Etag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		h.Del("Etag")
	}
	pw.options.Script = pw.assets.ScriptTag(inject.NonceFromCSP(h))
	pw.options.ScriptSrc = pw.assets.ScriptURL()
	pw.out = newPageBuffer(pw.ResponseWriterWrapper, status)
	pw.rw = rewriterPool.Get().(*rewrite.Writer)
	pw.rw.Reset(pw.out, pw.options)
	pw.body = pw.rw
	if enc := h.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		h.Del("Content-Encoding")
		pw.decoder = newStreamDecoder(enc, pw.rw)
		pw.body = pw.decoder
	}
}

func (pw *pageWriter) Write(p []byte) (int, error) {
	if !pw.decided {
		pw.WriteHeader(http.StatusOK)
	}
	if pw.rw == nil {
		return pw.body.Write(p)
	}
	start := time.Now()
	n, err := pw.body.Write(p)
	pw.spent += time.Since(start)
	pw.size += n
	return n, err
}

// ReadFrom must be overridden too: file_server writes with io.Copy, which
// would otherwise reach the wrapped writer's ReadFrom and skip the rewrite.
func (pw *pageWriter) ReadFrom(src io.Reader) (int64, error) {
	if !pw.decided {
		pw.WriteHeader(http.StatusOK)
	}
	if pw.rw == nil {
		return pw.ResponseWriterWrapper.ReadFrom(src)
	}
	return io.Copy(writerOnly{pw.body}, src)
}

// FlushError sends what has been rewritten so far when the upstream flushes,
// so a slow page's first bytes reach the browser early.
func (pw *pageWriter) FlushError() error {
	if !pw.decided {
		// A flush sends the header: decide now, as the wrapped writer would.
		pw.WriteHeader(http.StatusOK)
	}
	if pw.decoder != nil {
		// The decoder goroutine writes on its own schedule; flushing
		// underneath it would race.
		return nil
	}
	if pw.rw != nil {
		// The rewriter flushes what it can write into out, and out sends it.
		if err := pw.rw.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(pw.ResponseWriterWrapper.ResponseWriter).Flush()
}

func (pw *pageWriter) Flush() { _ = pw.FlushError() }

// Close writes what the rewriter still holds.
func (pw *pageWriter) Close() error {
	if pw.rw == nil {
		return nil
	}
	var err error
	if pw.decoder != nil {
		err = pw.decoder.Close()
	}
	if err == nil {
		err = pw.rw.Close()
	}
	if err == nil {
		err = pw.out.finish()
	} else {
		pw.out.send() // broken: what came goes out, without a length
	}
	metrics.bytes.Add(float64(pw.size))
	metrics.gatewayIn.WithLabelValues("page").Observe(pw.spent.Seconds())
	pw.release()
	return err
}

// abort ends a reply that broke off: what was rewritten goes out, without a
// length and without what the rewriter still holds, so the client sees it
// broken, as through a plain proxy.
func (pw *pageWriter) abort() {
	if pw.decoder != nil {
		pw.decoder.abort()
	}
	if pw.rw != nil {
		pw.out.send()
		pw.release()
	}
}

// release returns the buffers to their pools; the writer is done.
func (pw *pageWriter) release() {
	pw.rw.Reset(nil, rewrite.Options{})
	rewriterPool.Put(pw.rw)
	pw.out.release()
	pw.rw, pw.out, pw.body = nil, nil, io.Discard
}

func (pw *pageWriter) Unwrap() http.ResponseWriter { return pw.ResponseWriterWrapper.ResponseWriter }
