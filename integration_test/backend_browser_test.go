package integration

// Browser flows against the PHP and Rails apps, each run twice: with
// JavaScript, where the enhance script answers submits in place, and without,
// where every submit must still work as a full page load.

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// scriptMode is whether the page's JavaScript runs.
type scriptMode struct {
	name string
	js   bool
}

var scriptModes = []scriptMode{{"with JavaScript", true}, {"without JavaScript", false}}

// disableScripts turns JavaScript off in the tab; DevTools can still read the page.
var disableScripts = chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
	_, err := cdp.Call(ctx, tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	return err
})

// open loads path as the first page of the tab. With JavaScript it waits for
// the enhance script and marks the window; every ActionResult is recorded.
func (m scriptMode) open(b *browserTab, path string) {
	b.t.Helper()
	if m.js {
		b.run(b.visit(path), scriptReadyAndMarked, recordResults)
		return
	}
	b.run(disableScripts, b.visit(path))
	b.check("the enhance script is not running", "typeof window.enhance === 'undefined'")
}

// submit clicks the submit control and waits until cond holds on the page
// that results. With JavaScript that is the same window, updated from an
// ActionResult of type and status want (e.g. "failure 403"); without, it is a
// page the browser loaded anew, which the marked window must not survive.
func (m scriptMode) submit(b *browserTab, button, cond, want string) {
	b.t.Helper()
	if m.js {
		b.run(clickOn(button), waitUntil(cond))
		b.check("no page load happened", windowKept)
		b.check("the enhance script got a "+want+" result",
			"(r => r && r.type + ' ' + r.status)(__results.at(-1)) === "+strconv.Quote(want))
		return
	}
	b.run(inPage("window.__marker = 1"), clickOn(button),
		waitUntil("window.__marker === undefined && ("+cond+")"))
}

// backendFlow is one thing a user does in a backend's app, in a tab of its own.
type backendFlow struct {
	name string
	run  func(b *browserTab, m scriptMode)
}

// runBackendFlows runs every flow with and without JavaScript, each in a fresh browser context.
func runBackendFlows(t *testing.T, gw *gateway, flows []backendFlow) {
	br := startChromium(t)
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			for _, m := range scriptModes {
				t.Run(m.name, func(t *testing.T) { f.run(br.newTab(t, gw), m) })
			}
		})
	}
}
