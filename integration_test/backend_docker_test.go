package integration

// Docker cannot run here, so docker/ is checked the way Caddy and compose
// would read it: the Caddyfile is adapted and validated by the built binary,
// and compose.yaml must agree with it.

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const dockerCaddyfile = "../docker/Caddyfile"

// adaptedHandler is one handler of an adapted config, in the order requests meet them.
type adaptedHandler struct {
	Handler   string `json:"handler"`
	Root      string `json:"root"` // vars: the site's root
	Transport struct {
		Protocol string `json:"protocol"`
	} `json:"transport"`
	Upstreams []struct {
		Dial string `json:"dial"`
	} `json:"upstreams"`
	Routes []adaptedRoute `json:"routes"` // subroute
}

type adaptedRoute struct {
	Handle []adaptedHandler `json:"handle"`
}

// handlersInOrder flattens routes, subroutes included, into the order handlers run in.
func handlersInOrder(routes []adaptedRoute) []adaptedHandler {
	var out []adaptedHandler
	for _, r := range routes {
		for _, h := range r.Handle {
			out = append(out, h)
			out = append(out, handlersInOrder(h.Routes)...)
		}
	}
	return out
}

// adaptDockerCaddyfile returns each site of docker/Caddyfile by its listen address.
func adaptDockerCaddyfile(t *testing.T) map[string][]adaptedHandler {
	t.Helper()
	out, err := exec.Command(caddyBin, "adapt", "--config", dockerCaddyfile, "--adapter", "caddyfile").Output()
	if err != nil {
		t.Fatalf("caddy adapt %s: %v\n%s", dockerCaddyfile, err, exitOutput(err))
	}
	var cfg struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Listen []string       `json:"listen"`
					Routes []adaptedRoute `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatalf("adapted config: %v\n%s", err, out)
	}
	sites := map[string][]adaptedHandler{}
	for _, srv := range cfg.Apps.HTTP.Servers {
		for _, l := range srv.Listen {
			sites[l] = handlersInOrder(srv.Routes)
		}
	}
	return sites
}

func exitOutput(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// dockerSites is what each site of docker/Caddyfile must hand requests to.
var dockerSites = []struct {
	listen, dial, protocol string
}{
	{":8080", "php:9000", "fastcgi"},
	{":8081", "rails:3000", ""},
}

func TestDockerCaddyfilePutsEnhanceBeforeTheBackends(t *testing.T) {
	sites := adaptDockerCaddyfile(t)
	for _, want := range dockerSites {
		t.Run("the site on "+want.listen, func(t *testing.T) {
			handlers, ok := sites[want.listen]
			if !ok {
				t.Fatalf("no site listens on %s", want.listen)
			}
			names := make([]string, len(handlers))
			for i, h := range handlers {
				names[i] = h.Handler
			}
			enhance := slices.Index(names, "enhance")
			backend := slices.IndexFunc(handlers, func(h adaptedHandler) bool {
				return h.Handler == "reverse_proxy" && len(h.Upstreams) == 1 && h.Upstreams[0].Dial == want.dial
			})
			if enhance < 0 || backend < 0 {
				t.Fatalf("handlers %v lack enhance or a reverse_proxy to %s", names, want.dial)
			}
			if p := handlers[backend].Transport.Protocol; p != want.protocol {
				t.Errorf("the proxy to %s speaks %q, want %q", want.dial, p, want.protocol)
			}
			if encode := slices.Index(names, "encode"); !(encode >= 0 && encode < enhance) {
				t.Errorf("handlers %v: encode must come before enhance", names)
			}
			// Every handler that produces the app's pages must run inside enhance.
			for i, name := range names {
				if (name == "reverse_proxy" || name == "file_server") && i < enhance {
					t.Errorf("handlers %v: %s comes before enhance", names, name)
				}
			}
		})
	}

	t.Run("the file is valid and formatted", func(t *testing.T) {
		if out, err := exec.Command(caddyBin, "validate", "--config", dockerCaddyfile, "--adapter", "caddyfile").CombinedOutput(); err != nil {
			t.Errorf("caddy validate: %v\n%s", err, out)
		}
		formatted, err := exec.Command(caddyBin, "fmt", dockerCaddyfile).Output()
		if err != nil {
			t.Fatalf("caddy fmt: %v", err)
		}
		if original, _ := os.ReadFile(dockerCaddyfile); string(formatted) != string(original) {
			t.Errorf("docker/Caddyfile is not formatted; caddy fmt gives:\n%s", formatted)
		}
	})
}

// composeFile is the part of compose.yaml these checks read.
type composeFile struct {
	Services map[string]struct {
		Image string `yaml:"image"`
		Build *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		Environment map[string]string `yaml:"environment"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// mount finds the source of a short-syntax volume mounted at target.
func mount(volumes []string, target string) (source string, ok bool) {
	for _, v := range volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == target {
			return parts[0], true
		}
	}
	return "", false
}

func TestDockerComposeAgreesWithItsCaddyfile(t *testing.T) {
	raw, err := os.ReadFile("../docker/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose composeFile
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	gateway, ok := compose.Services["gateway"]
	if !ok {
		t.Fatal("compose.yaml has no gateway service")
	}
	sites := adaptDockerCaddyfile(t)

	t.Run("the gateway gets the Caddyfile and keeps /data and /config in volumes", func(t *testing.T) {
		if src, _ := mount(gateway.Volumes, "/etc/caddy/Caddyfile"); src != "./Caddyfile" {
			t.Errorf("/etc/caddy/Caddyfile comes from %q, want ./Caddyfile", src)
		}
		for _, target := range []string{"/data", "/config"} {
			src, ok := mount(gateway.Volumes, target)
			if _, named := compose.Volumes[src]; !ok || !named {
				t.Errorf("%s is mounted from %q, want a named volume", target, src)
			}
		}
	})

	t.Run("each site's port is published", func(t *testing.T) {
		for _, site := range dockerSites {
			_, port, _ := net.SplitHostPort(site.listen)
			if !slices.Contains(gateway.Ports, port+":"+port) {
				t.Errorf("ports %v do not publish %s", gateway.Ports, port)
			}
		}
	})

	t.Run("the PHP root is the app, mounted at the same path in the gateway and in PHP-FPM", func(t *testing.T) {
		i := slices.IndexFunc(sites[":8080"], func(h adaptedHandler) bool { return h.Root != "" })
		if i < 0 {
			t.Fatal("the PHP site has no root")
		}
		root := sites[":8080"][i].Root
		for _, service := range []string{"gateway", "php"} {
			src, ok := mount(compose.Services[service].Volumes, root)
			if !ok {
				t.Errorf("the %s service does not mount anything at %s", service, root)
				continue
			}
			if _, err := os.Stat(filepath.Join("../docker", src, "index.php")); err != nil {
				t.Errorf("the %s service mounts %q at %s, which is not the PHP app: %v", service, src, root, err)
			}
		}
		if img := compose.Services["php"].Image; !strings.HasPrefix(img, "php:") || !strings.HasSuffix(img, "-fpm") {
			t.Errorf("the php service runs %q, want an official php:*-fpm image (it listens on 9000)", img)
		}
	})

	t.Run("the upstreams are compose services, Rails on the port it is told", func(t *testing.T) {
		for _, site := range dockerSites {
			host, port, _ := net.SplitHostPort(site.dial)
			if _, ok := compose.Services[host]; !ok {
				t.Errorf("the Caddyfile dials %s, but compose has no service %q", site.dial, host)
			}
			if host == "rails" && compose.Services[host].Environment["PORT"] != port {
				t.Errorf("rails is started with PORT=%q, the Caddyfile dials %s", compose.Services[host].Environment["PORT"], port)
			}
		}
	})

	t.Run("every build's context and Dockerfile exist", func(t *testing.T) {
		for name, s := range compose.Services {
			if s.Build == nil {
				continue
			}
			context := filepath.Join("../docker", s.Build.Context)
			if _, err := os.Stat(filepath.Join(context, s.Build.Dockerfile)); err != nil {
				t.Errorf("service %s: %v", name, err)
			}
		}
	})
}
