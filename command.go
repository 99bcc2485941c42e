package enhance

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/caddy-enhance/enhance/demo"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "enhance-proxy",
		Usage: "[--from <addr>] (--to <addr> | --demo) [--debug]",
		Short: "Front an app with enhanced forms, no Caddyfile needed",
		Long: `
Serves --from (default localhost:8080) as a reverse proxy to --to with the
enhance handler in front, like 'caddy reverse-proxy' plus enhanced forms.

With --demo, the upstream is a classic server-rendered demo app built into
this binary: open http://localhost:8080 and try its forms, then add
?enhance=off to any address to see the same app without the gateway's script.`,
		CobraFunc: func(cmd *cobra.Command) {
			cmd.Flags().String("from", "localhost:8080", "Address on which to receive traffic")
			cmd.Flags().String("to", "", "Upstream address of the app to front")
			cmd.Flags().Bool("demo", false, "Front the built-in demo app")
			cmd.Flags().Bool("debug", false, "Log every action request")
			cmd.RunE = caddycmd.WrapCommandFuncForCobra(cmdEnhanceProxy)
		},
	})
}

func cmdEnhanceProxy(fl caddycmd.Flags) (int, error) {
	from, to, runDemo := fl.String("from"), fl.String("to"), fl.Bool("demo")
	if (to == "") == !runDemo {
		return caddy.ExitCodeFailedStartup, errors.New("give either --to <addr> (your app) or --demo (the built-in demo app)")
	}
	if runDemo {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return caddy.ExitCodeFailedStartup, fmt.Errorf("starting the demo app: %v", err)
		}
		go http.Serve(ln, demo.Handler())
		to = ln.Addr().String()
	}
	if !strings.Contains(from, "://") {
		from = "http://" + from
	}
	level := "INFO"
	if fl.Bool("debug") {
		level = "DEBUG"
	}
	caddyfile := fmt.Sprintf(`{
	admin off
	persist_config off
	log {
		level %s
	}
}

%s {
	encode zstd gzip
%s}
`, level, from, siteRoutes(to, runDemo))
	cfg, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": "enhance-proxy"})
	if err != nil {
		return caddy.ExitCodeFailedStartup, fmt.Errorf("building the config: %v", err)
	}
	for _, w := range warnings {
		caddy.Log().Warn(w.String())
	}
	if err := caddy.Load(cfg, true); err != nil {
		return caddy.ExitCodeFailedStartup, err
	}
	caddy.Log().Info("enhance-proxy is serving", zap.String("from", from), zap.String("to", to), zap.Bool("demo", runDemo))
	select {}
}

// siteRoutes is the site body: the gateway in front of the app, and for the
// demo a switch (?enhance=off, kept in a cookie until ?enhance=on) that shows
// the same app without it.
func siteRoutes(to string, withSwitch bool) string {
	if !withSwitch {
		return fmt.Sprintf("\tenhance\n\treverse_proxy %s\n", to)
	}
	return fmt.Sprintf(`	@off query enhance=off
	header @off Set-Cookie "enhance=off; Path=/; SameSite=Lax"
	@on query enhance=on
	header @on Set-Cookie "enhance=; Path=/; Max-Age=0"
	@plain expression `+"`"+`{http.request.uri.query.enhance} == "off" || ({http.request.cookie.enhance} == "off" && {http.request.uri.query.enhance} != "on")`+"`"+`
	handle @plain {
		reverse_proxy %[1]s
	}
	handle {
		enhance
		reverse_proxy %[1]s
	}
`, to)
}
