package enhance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/caddy-enhance/enhance/result"
	"github.com/caddy-enhance/enhance/rewrite"
)

// isActionRequest reports whether r was sent by an enhanced form (or any
// client speaking SvelteKit's protocol) and wants an ActionResult back.
func isActionRequest(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("X-Sveltekit-Action") == "true"
}

type actionInfo struct {
	page   *url.URL // the URL the browser posted to
	target *url.URL // what the upstream is asked for
	name   string   // "default" or the named action's target path
	start  time.Time
}

// serveAction forwards an action request as the browser form post the backend
// expects and answers with the ActionResult its reply translates to.
func (e *Enhance) serveAction(w http.ResponseWriter, r *http.Request, forward caddyhttp.Handler, info actionInfo) error {
	if !e.originAllowed(r) {
		e.logger.Warn("refused a cross-site action request; add the origin to trusted_origins if it is yours",
			zap.String("origin", r.Header.Get("Origin")), zap.String("host", r.Host), zap.String("action", info.name))
		observeAction("error", 0, 0)
		return e.writeResult(w, nil, result.Error(http.StatusForbidden, "Cross-site POST form submissions are forbidden"))
	}

	r = r.Clone(r.Context())
	asBrowserFormPost(r.Header)
	upload := watchUpload(r)
	reply := &replyCapture{header: make(http.Header), limit: e.ReplyLimit}
	err, aborted := serveCapturing(forward, reply, r)

	upstreamDone := time.Now()
	var res result.Result
	switch {
	case upload.failed() != nil || r.Context().Err() != nil:
		// A closed tab, not an upstream failure; Caddy logs those at debug too.
		e.logger.Debug("the client of an action request went away", zap.String("action", info.name),
			zap.NamedError("upload", upload.failed()), zap.NamedError("cause", context.Cause(r.Context())))
		res = result.Error(http.StatusBadRequest, "Incomplete request")
	case reply.tooLarge:
		e.logger.Error("upstream reply to an action request is larger than reply_limit; raise reply_limit or make the reply smaller",
			zap.String("action", info.name), zap.Int64("reply_limit", e.ReplyLimit))
		res = result.Error(http.StatusBadGateway, "Internal Error")
	case aborted:
		e.logger.Error("upstream reply to an action request broke off", zap.String("action", info.name))
		res = result.Error(http.StatusBadGateway, "Internal Error")
	case err != nil && reply.status == 0:
		res = e.errorResult(err, info)
	default:
		res = e.translate(r, reply, info)
	}

	observeAction(res.Type, reply.status, time.Since(upstreamDone))
	if c := e.logger.Check(zapcore.DebugLevel, "action"); c != nil {
		c.Write(zap.String("action", info.name), zap.Int("upstream_status", reply.status),
			zap.String("result", res.Type), zap.Duration("duration", time.Since(info.start)))
	}
	return e.writeResult(w, reply.header, res)
}

// errorResult answers for a request that the site's routes refused or could
// not forward: an auth or size rule (4xx) is a failure, no upstream (5xx) an error.
func (e *Enhance) errorResult(err error, info actionInfo) result.Result {
	status := http.StatusBadGateway
	var he caddyhttp.HandlerError
	if errors.As(err, &he) && he.StatusCode != 0 {
		status = he.StatusCode
	}
	if status >= 500 {
		e.logger.Error("action request got no upstream reply", zap.String("action", info.name), zap.Int("status", status), zap.Error(err))
		return result.Unreachable(status)
	}
	e.logger.Warn("action request refused by the site's rules", zap.String("action", info.name), zap.Int("status", status), zap.Error(err))
	res, _ := result.Translate(result.Reply{Status: status, Header: http.Header{}}, result.Options{Target: info.target})
	return res
}

func (e *Enhance) translate(r *http.Request, reply *replyCapture, info actionInfo) result.Result {
	body, err := result.DecodeBody(reply.body.Bytes(), reply.header.Get("Content-Encoding"), int(e.ReplyLimit))
	if err != nil {
		e.logger.Error("could not decode the upstream reply to an action request", zap.String("action", info.name), zap.Error(err))
		return result.Error(http.StatusBadGateway, "Internal Error")
	}
	upstream := ""
	if repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
		upstream = repl.ReplaceAll("{http.reverse_proxy.upstream.hostport}", "")
	}
	res, err := result.Translate(result.Reply{Status: reply.status, Header: reply.header, Body: body}, result.Options{
		Target:       info.target,
		UpstreamHost: upstream,
		GatewayHost:  r.Host,
		ExposeErrors: e.ExposeErrors,
		HTMLData: func(body []byte, contentType string) (any, error) {
			// The page's forms must be enhanced too, like any page the gateway serves.
			var rewritten bytes.Buffer
			rewritten.Grow(len(body) + len(body)/8)
			rw := rewriterPool.Get().(*rewrite.Writer)
			defer func() {
				rw.Reset(nil, rewrite.Options{})
				rewriterPool.Put(rw)
			}()
			rw.Reset(&rewritten, rewrite.Options{PageURL: info.page, DocumentURL: info.target})
			if _, err := rw.Write(body); err != nil {
				return nil, err
			}
			if err := rw.Close(); err != nil {
				return nil, err
			}
			return result.HTMLPage(rewritten.Bytes(), contentType)
		},
	})
	if err != nil {
		// res is still a safe error result to send.
		e.logger.Error("could not translate the upstream reply to an action request", zap.String("action", info.name),
			zap.Int("upstream_status", reply.status), zap.Error(err))
	}
	return res
}

// writeResult sends an ActionResult, with every cookie the upstream set.
func (e *Enhance) writeResult(w http.ResponseWriter, upstream http.Header, res result.Result) error {
	h := w.Header()
	for _, c := range upstream.Values("Set-Cookie") {
		h.Add("Set-Cookie", c)
	}
	result.Headers(h)
	w.WriteHeader(res.HTTPStatus)
	_, err := w.Write(res.Body)
	return err
}

// uploadWatch remembers how reading the client's request body failed.
type uploadWatch struct {
	io.ReadCloser
	err error
}

// watchUpload puts an uploadWatch on r's body; nil when there is no body.
func watchUpload(r *http.Request) *uploadWatch {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	u := &uploadWatch{ReadCloser: r.Body}
	r.Body = u
	return u
}

// failed is how reading the body failed, nil when it did not (or there is none).
func (u *uploadWatch) failed() error {
	if u == nil {
		return nil
	}
	return u.err
}

func (u *uploadWatch) Read(p []byte) (int, error) {
	n, err := u.ReadCloser.Read(p)
	// A body over request_body's max_size is the site's rule, not a client gone.
	var tooLarge *http.MaxBytesError
	if err != nil && err != io.EOF && !errors.As(err, &tooLarge) {
		u.err = err
	}
	return n, err
}

// asBrowserFormPost makes an action request look like the native form post it
// stands for. Many frameworks (Laravel, Rails) answer JSON or a bare 422 to
// requests that look like fetch/XHR, where a browser would get the re-rendered page.
func asBrowserFormPost(h http.Header) {
	h.Del("X-Sveltekit-Action")
	h.Del("X-Requested-With")
	h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	h.Set("Sec-Fetch-Mode", "navigate")
	h.Set("Sec-Fetch-Dest", "document")
	h.Set("Sec-Fetch-User", "?1")
	// Without Accept-Encoding, reverse_proxy asks the upstream for gzip
	// itself and hands us the decoded body.
	h.Del("Accept-Encoding")
}

// originAllowed is SvelteKit's cross-site check: an Origin that is present
// must be the site's own or a trusted one. Browsers always send it on POST.
func (e *Enhance) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o := normalizeOrigin(origin)
	return o == normalizeOrigin(requestScheme(r)+"://"+r.Host) || e.trusted[o]
}

func normalizeOrigin(o string) string {
	o = strings.ToLower(strings.TrimSuffix(o, "/"))
	o = strings.TrimSuffix(o, ":80")
	if strings.HasPrefix(o, "https://") {
		o = strings.TrimSuffix(o, ":443")
	}
	return o
}

// serveCapturing runs next into the capture. reverse_proxy panics with
// http.ErrAbortHandler when a reply breaks off after its headers: for an action
// request that is a clean error result, not a dropped connection.
func serveCapturing(next caddyhttp.Handler, reply *replyCapture, r *http.Request) (err error, aborted bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			aborted = true
		}
	}()
	return next.ServeHTTP(reply, r), false
}

var errReplyTooLarge = errors.New("enhance: upstream reply exceeds reply_limit")

// replyCapture holds the upstream's reply to an action request, up to a limit.
type replyCapture struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	limit    int64
	tooLarge bool
}

func (c *replyCapture) Header() http.Header { return c.header }

func (c *replyCapture) WriteHeader(status int) {
	if status >= 200 && c.status == 0 {
		c.status = status
		// Size the buffer once when the upstream says how much comes.
		if n, err := strconv.ParseInt(c.header.Get("Content-Length"), 10, 64); err == nil && n > 0 && n <= c.limit {
			c.body.Grow(int(n))
		}
	}
}

func (c *replyCapture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if int64(c.body.Len()+len(p)) > c.limit {
		c.tooLarge = true
		return 0, errReplyTooLarge
	}
	return c.body.Write(p)
}

func (c *replyCapture) ReadFrom(src io.Reader) (int64, error) {
	return io.Copy(writerOnly{c}, src)
}

// FlushError lets streaming upstreams flush into the capture: there is nothing
// to send yet.
func (c *replyCapture) FlushError() error { return nil }

// writerOnly hides every method but Write, so io.Copy cannot loop back into ReadFrom.
type writerOnly struct{ io.Writer }
