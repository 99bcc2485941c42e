package enhance

import (
	"math"
	"strconv"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("enhance", parseCaddyfile)
	// Right after encode, as templates sits: encode compresses what enhance
	// writes, and enhance wraps every handler of the site, including those
	// inside handle and route blocks. No `order` line is needed.
	httpcaddyfile.RegisterDirectiveOrder("enhance", httpcaddyfile.After, "encode")
}

// parseCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	enhance [<matcher>] {
//	    asset_prefix    <path>
//	    reply_limit     <size>
//	    expose_errors
//	    trusted_origins <origins...>
//	}
func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	e := new(Enhance)
	err := e.UnmarshalCaddyfile(h.Dispenser)
	return e, err
}

// UnmarshalCaddyfile reads the enhance directive.
func (e *Enhance) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "asset_prefix":
			if !d.AllArgs(&e.AssetPrefix) {
				return d.ArgErr()
			}
		case "reply_limit":
			var size string
			if !d.AllArgs(&size) {
				return d.ArgErr()
			}
			n, err := humanize.ParseBytes(size)
			if err != nil {
				if n2, err2 := strconv.ParseInt(size, 10, 64); err2 == nil && n2 <= 0 {
					n = 0
				} else {
					return d.Errf("reply_limit %q is not a size such as 8MB: %v", size, err)
				}
			}
			if n == 0 {
				return d.Errf("reply_limit must be larger than 0")
			}
			// Sizes past what an int64 holds would wrap around to negative.
			if n > math.MaxInt64 {
				return d.Errf("reply_limit %q is too large", size)
			}
			e.ReplyLimit = int64(n)
		case "expose_errors":
			if d.NextArg() {
				return d.ArgErr()
			}
			e.ExposeErrors = true
		case "trusted_origins":
			origins := d.RemainingArgs()
			if len(origins) == 0 {
				return d.ArgErr()
			}
			e.TrustedOrigins = append(e.TrustedOrigins, origins...)
		default:
			return d.Errf("unknown enhance option %q (known: asset_prefix, reply_limit, expose_errors, trusted_origins)", d.Val())
		}
	}
	return nil
}

var _ caddyfile.Unmarshaler = (*Enhance)(nil)
