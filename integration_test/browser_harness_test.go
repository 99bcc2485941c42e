package integration

// TestBrowser drives one headless Chromium, started for it and closed when its
// subtests are done. Each subtest gets a browser context of its own, so cookies
// and storage never leak from one into the next.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caddy-enhance/enhance/internal/browsertest"
)

// demoSiteBody is the Caddyfile site body the browser tests put in front of the demo app.
const demoSiteBody = "\tencode gzip\n\tenhance\n\treverse_proxy {upstream}"

// chromium is a running headless browser.
type chromium struct {
	ctx context.Context
}

// startChromium starts a browser with a fresh profile for the rest of the test.
func startChromium(t *testing.T) *chromium {
	t.Helper()
	ctx, stop, err := browsertest.Start(browsertest.ExecPath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return &chromium{ctx: ctx}
}

// browserTab is a tab in a fresh browser context, pointed at one gateway.
type browserTab struct {
	t   *testing.T
	ctx context.Context
	gw  *gateway
}

// newTab opens a tab in a browser context of its own, pointed at gw. When the
// test fails, the page's URL and markup are logged and a screenshot is saved.
func (br *chromium) newTab(t *testing.T, gw *gateway) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(br.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancelTimeout)
	b := &browserTab{t: t, ctx: ctx, gw: gw}
	t.Cleanup(b.recordFailure) // runs before the cancels above
	return b
}

// recordFailure shows what the browser showed when the test failed.
func (b *browserTab) recordFailure() {
	if !b.t.Failed() || b.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	page, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("location.href + '\\n' + document.documentElement.outerHTML"))
	b.t.Logf("the page when the test failed: %s", page)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return
	}
	dir := os.Getenv("ENHANCE_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "enhance-browser-failures")
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(b.t.Name()) + ".png"
	if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(filepath.Join(dir, name), shot, 0o644) == nil {
		b.t.Logf("screenshot: %s", filepath.Join(dir, name))
	}
}

// run runs the steps in the tab and stops the test on the first error.
func (b *browserTab) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// evalIn returns the value of a JavaScript expression in the tab.
func evalIn[T any](b *browserTab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// check fails the test, with what, when the JavaScript condition is false.
func (b *browserTab) check(what, expr string) {
	b.t.Helper()
	if !evalIn[bool](b, "!!("+expr+")") {
		b.t.Errorf("%s: %s is false", what, expr)
	}
}

// visit loads a page of the gateway with a full browser navigation.
func (b *browserTab) visit(path string) chromedp.Action[chromedp.Void] {
	return chromedp.Navigate(b.gw.url(path))
}

// scriptReadyAndMarked waits until the client script has set itself up, then marks the
// window: the mark survives only as long as no full page load happens.
var scriptReadyAndMarked = chromedp.Steps(
	waitUntil("window.enhance && window.enhance.version"),
	inPage("window.__marker = 1"),
)

// windowKept holds while the window that was marked is still the one shown.
const windowKept = "window.__marker === 1"

// waitUntil waits for a JavaScript condition, through native page loads.
func waitUntil(expr string) chromedp.Action[chromedp.Void] {
	return browsertest.Until(expr, 10*time.Second)
}

// inPage runs a statement in the page.
func inPage(statement string) chromedp.Action[chromedp.Void] { return browsertest.Do(statement) }

// typeInto types text into the field the CSS selector names.
func typeInto(selector, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(selector), text)
}

// clickOn clicks the element the CSS selector names, as a user would.
func clickOn(selector string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(selector))
}

// signIn logs the demo account in through the login form and waits for the to-do page.
func (b *browserTab) signIn() {
	b.t.Helper()
	b.run(b.visit("/login"), scriptReadyAndMarked,
		typeInto("#email", "demo@example.com"),
		typeInto("#password", "secret"),
		clickOn("#login-form button[type=submit]"),
		waitUntil("location.pathname === '/todos' && document.getElementById('add-todo')"))
}
