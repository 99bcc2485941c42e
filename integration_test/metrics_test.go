package integration

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsAppearOnTheAdminEndpoint(t *testing.T) {
	up := startLegacyApp(t)
	admin := freeAddr(t)
	gw := startCaddyWithAdmin(t, admin, up, "\tenhance\n\treverse_proxy {upstream}")

	getPage(t, gw.url("/pages/forms"), nil)
	getPage(t, gw.url("/pages/binary"), nil)
	postAction(t, gw, "/login", form, strings.NewReader("password=wrong"), nil)
	postAction(t, gw, "/login", form, strings.NewReader("password=right"), nil)

	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`caddy_enhance_pages_total{outcome="rewritten"} 1`,
		`caddy_enhance_pages_total{outcome="not_html"} 1`,
		`caddy_enhance_actions_total{result="failure",upstream="4xx"} 1`,
		`caddy_enhance_actions_total{result="redirect",upstream="3xx"} 1`,
		`caddy_enhance_added_seconds_count{kind="page"} 1`,
		`caddy_enhance_added_seconds_count{kind="action"} 2`,
		`caddy_enhance_rewritten_bytes_total `,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
