package integration

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// enhance needs no `order` line: it sits right after encode, so it wraps the
// proxy even inside handle, handle_path and route blocks.
func TestEnhanceWrapsHandlersInsideBlocks(t *testing.T) {
	tests := []struct {
		name       string
		site       string
		post       string
		wantTarget string
	}{
		{"inside a handle block", "\tenhance\n\thandle /app/* {\n\t\treverse_proxy {upstream}\n\t}\n\thandle {\n\t\trespond 404\n\t}", "/app/login?/app/echo", "/app/echo"},
		{"inside a route block", "\troute {\n\t\treverse_proxy {upstream}\n\t}\n\tenhance", "/login?/echo", "/echo"},
		{"inside handle_path, where the page path is the browser's", "\tenhance\n\thandle_path /app/* {\n\t\treverse_proxy {upstream}\n\t}", "/app/login?/app/echo", "/echo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := startLegacyApp(t)
			gw := startCaddy(t, up, tt.site)
			res := postAction(t, gw, tt.post, form, strings.NewReader("a=1"), nil)
			if res.Type != "success" {
				t.Fatalf("HTTP %d %s", res.HTTPStatus, res.Raw)
			}
			if got, hits := seen(t, up, tt.wantTarget); hits != 1 || got.Method != "POST" {
				t.Errorf("upstream saw %d POST(s) at %s", hits, tt.wantTarget)
			}
		})
	}
}

// The site's routes run twice for a named action; `header` values must not double.
func TestNamedActionsDoNotDoubleResponseHeaders(t *testing.T) {
	up := startLegacyApp(t)
	gw := startCaddy(t, up, "\tenhance\n\theader +X-Site one\n\treverse_proxy {upstream}")
	resp, err := noRedirects.Post(gw.url("/page?/echo"), form, strings.NewReader("a=1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Values("X-Site"); len(got) != 1 {
		t.Errorf("X-Site %q, want one value", got)
	}
}

func TestCaddyAdaptShowsTheEnhanceHandler(t *testing.T) {
	out, err := exec.Command(caddyBin, "adapt", "--config", "../caddyfile.example", "--adapter", "caddyfile").CombinedOutput()
	if err != nil {
		t.Fatalf("caddy adapt caddyfile.example: %v\n%s", err, out)
	}
	var cfg any
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatalf("adapt output is not JSON: %v", err)
	}
	for _, want := range []string{`"handler":"enhance"`, `"reply_limit":`, `"trusted_origins":`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("adapted config lacks %s:\n%s", want, out)
		}
	}
	// enhance must come after encode and before the proxy.
	s := string(out)
	enc, enh, rp := strings.Index(s, `"handler":"encode"`), strings.Index(s, `"handler":"enhance"`), strings.Index(s, `"handler":"reverse_proxy"`)
	if !(enc >= 0 && enc < enh && enh < rp) {
		t.Errorf("handler order encode=%d enhance=%d reverse_proxy=%d, want encode < enhance < reverse_proxy", enc, enh, rp)
	}
}

func TestCaddyfileOptionErrorsSayWhatIsWrong(t *testing.T) {
	tests := []struct{ name, site, want string }{
		{"an unknown option", "enhance {\n\tbogus 1\n}", "unknown enhance option"},
		{"a bad size", "enhance {\n\treply_limit lots\n}", "reply_limit"},
		{"a bad trusted origin", "enhance {\n\ttrusted_origins evil\n}\nrespond ok", "trusted origin"},
		{"an asset prefix of /", "enhance {\n\tasset_prefix /\n}\nrespond ok", "asset_prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := dir + "/Caddyfile"
			writeFile(t, path, ":0 {\n"+tt.site+"\n}\n")
			out, err := exec.Command(caddyBin, "validate", "--config", path, "--adapter", "caddyfile").CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.want) {
				t.Errorf("caddy validate: err=%v, output lacks %q:\n%s", err, tt.want, out)
			}
		})
	}
}
