package integration

import (
	"net/http"
	"os/exec"
	"testing"
)

// The README's first command: the demo app behind the gateway, with a switch
// that shows the same app without it.
func TestEnhanceProxyDemoAndItsSwitch(t *testing.T) {
	addr := freeAddr(t)
	startProcess(t, exec.Command(caddyBin, "enhance-proxy", "--demo", "--from", addr), "enhance-proxy --demo", addr)
	base := "http://" + addr

	_, page := getPage(t, base+"/login", nil)
	if !scriptTag.Match(page) {
		t.Fatalf("the demo is not enhanced:\n%s", page)
	}
	resp, page := getPage(t, base+"/login?enhance=off", nil)
	if scriptTag.Match(page) {
		t.Errorf("?enhance=off still injects the script")
	}
	var off *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "enhance" && c.Value == "off" {
			off = c
		}
	}
	if off == nil {
		t.Fatalf("?enhance=off set no cookie: %v", resp.Header.Values("Set-Cookie"))
	}
	cookie := map[string]string{"Cookie": "enhance=off"}
	if _, page := getPage(t, base+"/todos", cookie); scriptTag.Match(page) {
		t.Errorf("the enhance=off cookie did not keep the app plain")
	}
	if _, page := getPage(t, base+"/login?enhance=on", cookie); !scriptTag.Match(page) {
		t.Errorf("?enhance=on did not bring enhance back")
	}
}

// The quick start: front any app without writing a Caddyfile.
func TestEnhanceProxyFrontsAnyApp(t *testing.T) {
	up := startLegacyApp(t)
	addr := freeAddr(t)
	startProcess(t, exec.Command(caddyBin, "enhance-proxy", "--from", addr, "--to", up), "enhance-proxy --to", addr)
	_, page := getPage(t, "http://"+addr+"/pages/forms", nil)
	if !scriptTag.Match(page) {
		t.Errorf("the app is not enhanced:\n%s", page)
	}
	out, err := exec.Command(caddyBin, "enhance-proxy").CombinedOutput()
	if err == nil {
		t.Errorf("enhance-proxy without --to or --demo started: %s", out)
	}
}
