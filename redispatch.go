package enhance

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/caddy-enhance/enhance/rewrite"
)

// A named action (`POST /login?/session`) is sent upstream as `POST /session`.
// It is not a URL rewrite inside this handler: basic_auth, forward_auth, method,
// request_body and redir all run before enhance, so a rewrite here would let
// `/?/admin/delete` slip past `basic_auth /admin/*`. Instead the mapped request
// goes through the server's routes again from the top, exactly as a direct POST
// to /session would, and enhance lets it pass on that second trip.

type redispatchKey struct{}

func isRedispatched(r *http.Request) bool {
	return r.Context().Value(redispatchKey{}) != nil
}

// browserURL is the absolute URL the browser asked for, before handle_path
// or uri directives changed it: named actions belong to the page the browser
// shows, and its origin tells which form targets are ours.
func browserURL(r *http.Request) *url.URL {
	u := *r.URL
	if orig, ok := r.Context().Value(caddyhttp.OriginalRequestCtxKey).(http.Request); ok && orig.URL != nil {
		u = *orig.URL
	}
	u.Scheme = requestScheme(r)
	u.Host = r.Host
	return &u
}

// requestScheme is the scheme the browser used, trusting X-Forwarded-Proto
// only from a trusted proxy.
func requestScheme(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if trusted, _ := caddyhttp.GetVar(r.Context(), caddyhttp.TrustedProxyVarKey).(bool); trusted {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
	}
	return scheme
}

// actionTarget reads the named action of a POST URL: the upstream target, and
// whether the URL names one at all.
func actionTarget(page *url.URL) (*url.URL, bool, error) {
	return rewrite.ParseActionTarget(page)
}

// redispatch runs the site's routes again for the mapped request.
func (e *Enhance) redispatch(w http.ResponseWriter, r *http.Request, target *url.URL) error {
	srv, ok := r.Context().Value(caddyhttp.ServerCtxKey).(*caddyhttp.Server)
	if !ok || srv == nil {
		return caddyhttp.Error(http.StatusInternalServerError, errors.New("enhance: no HTTP server in the request context"))
	}
	routes := e.compiledRoutes(srv)

	ctx := context.WithValue(r.Context(), redispatchKey{}, true)
	inner := r.Clone(ctx)
	inner.URL = &url.URL{Path: target.Path, RawPath: target.RawPath, RawQuery: target.RawQuery}
	inner.RequestURI = inner.URL.RequestURI()
	// The outer pass already sits inside encode; a second encode would
	// compress the body twice.
	inner.Header.Del("Accept-Encoding")
	inner = caddyhttp.PrepareRequest(inner, caddy.NewReplacer(), w, srv)
	// PrepareRequest gave the inner request a fresh context; keep the guard.
	inner = inner.WithContext(context.WithValue(inner.Context(), redispatchKey{}, true))

	iw := &innerWriter{ResponseWriterWrapper: &caddyhttp.ResponseWriterWrapper{ResponseWriter: w}, header: make(http.Header)}
	err := routes.ServeHTTP(iw, inner)
	if !iw.wroteHeader {
		// A handler that refused the request (basic_auth's challenge) set
		// headers for the error response the server is about to write.
		iw.copyHeader()
	}
	// The upstream's address is recorded in the inner replacer; copy it out
	// for the Location normaliser.
	if v, ok := inner.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
		if hp, ok := v.Get("http.reverse_proxy.upstream.hostport"); ok {
			if outer, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
				outer.Set("http.reverse_proxy.upstream.hostport", hp)
			}
		}
	}
	return err
}

func (e *Enhance) compiledRoutes(srv *caddyhttp.Server) caddyhttp.Handler {
	if h, ok := e.routes.Load(srv); ok {
		return h.(caddyhttp.Handler)
	}
	h := srv.Routes.Compile(caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil }))
	actual, _ := e.routes.LoadOrStore(srv, h)
	return actual.(caddyhttp.Handler)
}

// innerWriter gives the inner pass its own response header map: the site's
// `header` directives run on both passes, and a shared map would get their
// `+Name` values twice. The inner headers replace the outer ones at WriteHeader.
type innerWriter struct {
	*caddyhttp.ResponseWriterWrapper
	header      http.Header
	wroteHeader bool
}

func (iw *innerWriter) Header() http.Header { return iw.header }

func (iw *innerWriter) WriteHeader(status int) {
	if iw.wroteHeader {
		return
	}
	iw.copyHeader()
	if status >= 200 {
		iw.wroteHeader = true
	}
	iw.ResponseWriterWrapper.WriteHeader(status)
}

func (iw *innerWriter) copyHeader() {
	out := iw.ResponseWriterWrapper.Header()
	for k, v := range iw.header {
		out[k] = v
	}
}

func (iw *innerWriter) Write(p []byte) (int, error) {
	if !iw.wroteHeader {
		iw.WriteHeader(http.StatusOK)
	}
	return iw.ResponseWriterWrapper.Write(p)
}

func (iw *innerWriter) ReadFrom(src io.Reader) (int64, error) {
	if !iw.wroteHeader {
		iw.WriteHeader(http.StatusOK)
	}
	return iw.ResponseWriterWrapper.ReadFrom(src)
}

func (iw *innerWriter) Unwrap() http.ResponseWriter { return iw.ResponseWriterWrapper.ResponseWriter }
