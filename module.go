// Package enhance is a Caddy HTTP handler that gives a legacy server-rendered app
// SvelteKit-style form actions and use:enhance without changing the app: HTML pages
// are stream-rewritten and get the enhance script, and action requests sent by that
// script are answered with SvelteKit ActionResult JSON.
package enhance

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-enhance/enhance/inject"
	"github.com/caddy-enhance/enhance/result"
)

func init() {
	caddy.RegisterModule(Enhance{})
}

// Defaults for the options below.
const (
	DefaultAssetPrefix = "/_enhance/"
	DefaultReplyLimit  = 8 << 20
)

// Enhance puts SvelteKit-style form actions in front of a legacy backend.
//
// Every HTML response that passes through it is rewritten as it streams: each
// same-origin POST form target (and submit button formaction) becomes a named
// action of the page it is on (`/login?/session`), and the enhance script is
// injected. A POST carrying `x-sveltekit-action: true` is forwarded to the
// backend as an ordinary browser form post and its reply is answered as a
// SvelteKit ActionResult. Without JavaScript, the app works as it always did.
type Enhance struct {
	// The path prefix under which the enhance script is served. Default: `/_enhance/`.
	AssetPrefix string `json:"asset_prefix,omitempty"`

	// The largest upstream reply to an action request that is translated into an
	// ActionResult, in bytes. A larger reply becomes an error result. Default: 8 MiB.
	ReplyLimit int64 `json:"reply_limit,omitempty"`

	// Pass the message of an upstream 5xx reply on to the client in the error result.
	// By default the client sees only "Internal Error", so a backend's stack traces
	// never leak. Enable only for development.
	ExposeErrors bool `json:"expose_errors,omitempty"`

	// Origins (scheme://host[:port]) besides the site's own that may send action
	// requests. An action request whose Origin header names any other origin is
	// refused with 403, as SvelteKit refuses cross-site form posts.
	TrustedOrigins []string `json:"trusted_origins,omitempty"`

	assets  *inject.Assets
	trusted map[string]bool
	routes  *sync.Map // *caddyhttp.Server → caddyhttp.Handler, compiled once per config load
	logger  *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Enhance) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.enhance",
		New: func() caddy.Module { return new(Enhance) },
	}
}

// Provision fills in defaults and builds the script assets once.
func (e *Enhance) Provision(ctx caddy.Context) error {
	e.logger = ctx.Logger()
	e.routes = new(sync.Map)
	if e.AssetPrefix == "" {
		e.AssetPrefix = DefaultAssetPrefix
	}
	if !strings.HasSuffix(e.AssetPrefix, "/") {
		e.AssetPrefix += "/"
	}
	if e.ReplyLimit == 0 {
		e.ReplyLimit = DefaultReplyLimit
	}
	e.trusted = make(map[string]bool, len(e.TrustedOrigins))
	for _, o := range e.TrustedOrigins {
		e.trusted[normalizeOrigin(o)] = true
	}
	if err := initMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("registering metrics: %v", err)
	}
	assets, err := inject.NewAssets(e.AssetPrefix)
	if err != nil {
		return fmt.Errorf("building the enhance script assets: %v", err)
	}
	e.assets = assets
	return nil
}

// Validate refuses a configuration that cannot work.
func (e *Enhance) Validate() error {
	if !strings.HasPrefix(e.AssetPrefix, "/") || strings.ContainsAny(e.AssetPrefix, "?#*{} \t") {
		return fmt.Errorf("asset_prefix %q must be a plain absolute path such as /_enhance/", e.AssetPrefix)
	}
	if e.AssetPrefix == "/" {
		return fmt.Errorf("asset_prefix must not be / (it would hide every page of the site); use e.g. /_enhance/")
	}
	if e.ReplyLimit < 0 {
		return fmt.Errorf("reply_limit must be positive, got %d", e.ReplyLimit)
	}
	for _, o := range e.TrustedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("trusted origin %q must be scheme://host[:port], e.g. https://app.example.com", o)
		}
	}
	return nil
}

// ServeHTTP routes a request to the right job: the script assets, an action
// request, a named-action form post, or a page to rewrite.
func (e *Enhance) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	// The inner pass of a named action was prepared by the outer pass.
	if isRedispatched(r) {
		return next.ServeHTTP(w, r)
	}
	if strings.HasPrefix(r.URL.Path, e.assets.Prefix()) && e.assets.ServeHTTP(w, r) {
		return nil
	}
	// WebSockets and other upgrades must reach the backend untouched.
	if r.Header.Get("Upgrade") != "" {
		return next.ServeHTTP(w, r)
	}

	page := browserURL(r)
	forward := next
	target := page
	name := "default"
	if r.Method == http.MethodPost {
		mapped, named, err := actionTarget(page)
		if err != nil {
			e.logger.Warn("refused a named action with a bad target",
				zap.String("uri", page.RequestURI()), zap.Error(err))
			if isActionRequest(r) {
				return e.writeResult(w, nil, result.Error(http.StatusBadRequest, "Bad action target"))
			}
			return caddyhttp.Error(http.StatusBadRequest, fmt.Errorf("bad named action target: %v", err))
		}
		if named {
			mapped.Scheme, mapped.Host = page.Scheme, page.Host
			target = mapped
			name = mapped.Path
			forward = caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				return e.redispatch(w, r, mapped)
			})
		}
	}

	if isActionRequest(r) {
		return e.serveAction(w, r, forward, actionInfo{page: page, target: target, name: name, start: time.Now()})
	}
	return e.servePage(w, r, forward, page, target)
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Enhance)(nil)
	_ caddy.Validator             = (*Enhance)(nil)
	_ caddyhttp.MiddlewareHandler = (*Enhance)(nil)
)
