package integration

// End-to-end tests of the enhance client script in headless Chromium, through
// the real Caddy binary in front of the demo app running as its own process.
// A window mark (window.__marker) tells a client-side update from a full page
// load: it survives the first and is gone after the second.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

func TestBrowser(t *testing.T) {
	br := startChromium(t)
	flows := []struct {
		name string
		run  func(*testing.T, *chromium)
	}{
		{"a failed login shows the backend's error in place", browserLoginFailureShowsTheBackendsErrorInPlace},
		{"a login navigates on the client and sets the session", browserLoginSuccessNavigatesClientSideAndSetsTheSession},
		{"to-dos use the default and named actions", browserToDosUseDefaultAndNamedActions},
		{"a server error shows an error view and leaks nothing", browserServerErrorShowsAnErrorViewAndLeaksNothing},
		{"a multipart upload shows the file the backend received", browserMultipartUploadShowsTheFileTheBackendReceived},
		{"GET forms navigate and the back button restores", browserGetFormsNavigateAndTheBackButtonRestores},
		{"reload forms stay native", browserReloadFormsStayNative},
		{"submit and result events customise the flow", browserSubmitAndResultEventsCustomiseTheFlow},
		{"forms work natively without the script", browserFormsWorkNativelyWithoutTheScript},
	}
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) { f.run(t, br) })
	}
}

// demoGateway starts the demo app and Caddy in front of it.
func demoGateway(t *testing.T) *gateway {
	t.Helper()
	return startCaddy(t, startDemoApp(t), demoSiteBody)
}

// recordResults keeps every ActionResult the page sees in window.__results,
// leaving the default handling alone.
var recordResults = inPage(`window.__results = [],
	document.addEventListener('enhance:result', (e) => {
		const r = e.detail.result;
		__results.push({type: r.type, status: r.status, location: r.location || ''});
	})`)

// textOf is the expression for the trimmed text of the element with the id, empty when absent.
func textOf(id string) string {
	return fmt.Sprintf("(document.getElementById(%q)?.textContent.trim() ?? '')", id)
}

func browserLoginFailureShowsTheBackendsErrorInPlace(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	tests := []struct {
		name, email, password string
		invalid, message      string
	}{
		{"an unknown email is marked on the email field", "nobody@example.com", "whatever", "email", "Invalid email or password."},
		{"a wrong password is marked on the password field", "demo@example.com", "wrong", "password", "Invalid email or password."},
		{"a blank email asks for one", "", "secret", "email", "Enter your email."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := br.newTab(t, gw)
			b.run(b.visit("/login"), scriptReadyAndMarked, recordResults,
				typeInto("#email", tt.email),
				typeInto("#password", tt.password),
				clickOn("#login-form button[type=submit]"),
				waitUntil("document.getElementById('"+tt.invalid+"-error')"))
			b.check("no page load happened", windowKept)
			b.check("the page stays /login", "location.pathname === '/login'")
			b.check("the result is a failure with the backend's 403",
				"__results.length === 1 && __results[0].type === 'failure' && __results[0].status === 403")
			b.check("the backend's message is shown", textOf(tt.invalid+"-error")+" === "+strconv.Quote(tt.message))
			b.check("focus is on the invalid field",
				"document.activeElement.id === '"+tt.invalid+"' && document.activeElement.getAttribute('aria-invalid') === 'true'")
			b.check("the typed email is kept", "document.getElementById('email').value === "+strconv.Quote(tt.email))
			b.check("the password is cleared", "document.getElementById('password').value === ''")
			b.check("nobody is signed in", "!document.getElementById('current-user')")
			b.check("the demo's banner says the page is enhanced",
				"document.documentElement.hasAttribute('data-enhanced') && getComputedStyle(document.querySelector('#enhance-status .enhanced-only')).display !== 'none' && getComputedStyle(document.querySelector('#enhance-status .plain-only')).display === 'none'")
		})
	}
}

func browserLoginSuccessNavigatesClientSideAndSetsTheSession(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	b := br.newTab(t, gw)
	b.run(b.visit("/login"), scriptReadyAndMarked, recordResults)
	anonymous := sessionCookie(b)
	if anonymous == nil {
		t.Fatal("the login page set no demo_session cookie")
	}
	b.run(typeInto("#email", "demo@example.com"),
		typeInto("#password", "secret"),
		clickOn("#login-form button[type=submit]"),
		waitUntil("location.pathname === '/todos' && document.getElementById('flash')"))

	b.check("no page load happened", windowKept)
	b.check("the result is a redirect to /todos",
		"__results.length === 1 && __results[0].type === 'redirect' && __results[0].location === '/todos'")
	b.check("the flash is shown", textOf("flash")+" === 'Signed in as demo@example.com.'")
	b.check("the page shows the signed-in user", textOf("current-user")+" === 'demo@example.com'")
	b.check("the title is the to-do page's", "document.title === 'To-dos | Demo'")
	b.check("the to-do page's inline script ran once", "window.demoInline === 1")
	b.check("the session cookie is HttpOnly, out of the page's reach", "!document.cookie.includes('demo_session')")
	signedIn := sessionCookie(b)
	if signedIn == nil || !signedIn.HTTPOnly {
		t.Fatalf("session cookie after login: %+v, want an HttpOnly demo_session", signedIn)
	}
	if signedIn.Value == anonymous.Value {
		t.Error("the login reply's new session cookie did not reach the browser")
	}
}

// sessionCookie is the browser's demo_session cookie for the gateway, nil when there is none.
func sessionCookie(b *browserTab) *network.Cookie {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.gw.url("/")}})
	if err != nil {
		b.t.Fatalf("reading cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "demo_session" {
			return c
		}
	}
	return nil
}

func browserToDosUseDefaultAndNamedActions(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	b := br.newTab(t, gw)
	b.signIn()
	b.check("the add form posts to a named action of /todos",
		"document.getElementById('add-todo').getAttribute('action') === '/todos?/todos/add'")

	for i, title := range []string{"Buy milk", "Walk the dog"} {
		b.run(typeInto("#title", title), clickOn("#add-todo button"),
			waitUntil(textOf("flash")+" === "+strconv.Quote("Added: "+title)))
		b.check("the new to-do is listed", fmt.Sprintf("document.querySelector('#todo-%d .title').textContent === %q", i+1, title))
		// The backend redirected to a fresh /todos whose field is empty, as after a native submit.
		b.check("the field is empty again", "document.getElementById('title').value === ''")
	}
	b.check("each to-do's form posts to the complete action",
		"document.querySelector('#todo-1 form').getAttribute('action') === '/todos?/todos/complete'")
	b.check("the Delete button's formaction is the delete action",
		"document.querySelector('#todo-1 button[formaction]').getAttribute('formaction') === '/todos?/todos/delete'")

	b.run(clickOn("#todo-1 button:not([formaction])"),
		waitUntil(textOf("flash")+" === 'Completed: Buy milk'"))
	b.check("the completed to-do is marked done", "document.getElementById('todo-1').dataset.done === 'true'")

	b.run(clickOn("#todo-2 button[formaction]"),
		waitUntil(textOf("flash")+" === 'Deleted: Walk the dog'"))
	b.check("the deleted to-do is gone", "!document.getElementById('todo-2') && document.getElementById('todo-1')")

	b.check("no page load happened", windowKept)
	b.check("the page stays /todos", "location.pathname === '/todos' && location.search === ''")
	// The inline script entered the page once, at login; re-rendering /todos keeps it
	// in place rather than running it again.
	b.check("the inline script did not run again for the same page", "window.demoInline === 1")

	// Leaving /todos and coming back brings the script in anew: it runs once more.
	b.run(inPage("enhance.goto('/search')"), waitUntil("document.getElementById('search-form')"),
		inPage("history.back()"), waitUntil("location.pathname === '/todos' && document.getElementById('todo-1')"))
	b.check("no page load happened", windowKept)
	b.check("the inline script ran once more on coming back", "window.demoInline === 2")
}

func browserServerErrorShowsAnErrorViewAndLeaksNothing(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	b := br.newTab(t, gw)
	b.run(b.visit("/boom"), scriptReadyAndMarked, recordResults,
		// The demo's form has no field of its own; one added here shows what was typed stays.
		inPage(`document.getElementById('boom-form').insertAdjacentHTML('afterbegin', '<input id=note name=note>')`),
		typeInto("#note", "keep me"),
		clickOn("#boom-form button"),
		waitUntil("document.querySelector('#boom-form [role=alert]')"))

	b.check("no page load happened", windowKept)
	b.check("the result is an error with the backend's 500",
		"__results.length === 1 && __results[0].type === 'error' && __results[0].status === 500")
	b.check("the error view shows the status and the gateway's generic message",
		"document.querySelector('#boom-form [role=alert] p').textContent === 'Error 500: Internal Error'")
	b.check("the form keeps its values", "document.getElementById('note').value === 'keep me'")
	b.check("the page is still /boom", "location.pathname === '/boom' && document.title === 'Boom | Demo'")
	page := evalIn[string](b, "document.documentElement.outerHTML")
	for _, leak := range []string{"LEAKED-STACK-TRACE", "hunter2", "goroutine 42"} {
		if strings.Contains(page, leak) {
			t.Errorf("the page shows the backend's %q", leak)
		}
	}
}

func browserMultipartUploadShowsTheFileTheBackendReceived(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	content := []byte(strings.Repeat("caddy-enhance uploads stream through untouched\n", 64))
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)

	b := br.newTab(t, gw)
	b.run(b.visit("/upload"), scriptReadyAndMarked, recordResults,
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path}),
		typeInto("#caption", "Meeting notes"),
		clickOn("#upload-form button"),
		waitUntil("document.getElementById('upload-result')"))

	b.check("no page load happened", windowKept)
	b.check("the result is a success", "__results.length === 1 && __results[0].type === 'success'")
	b.check("the name is the file's", textOf("upload-name")+" === 'notes.txt'")
	b.check("the size is the file's", textOf("upload-size")+" === "+strconv.Quote(strconv.Itoa(len(content))))
	b.check("the SHA-256 is the file's", textOf("upload-sha256")+" === "+strconv.Quote(hex.EncodeToString(sum[:])))
	b.check("the caption arrived", textOf("upload-caption")+" === 'Meeting notes'")
}

func browserGetFormsNavigateAndTheBackButtonRestores(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	b := br.newTab(t, gw)
	b.run(b.visit("/search"), scriptReadyAndMarked,
		typeInto("#q", "form"), clickOn("#search-form button"),
		waitUntil("location.search === '?q=form' && document.getElementById('results')"))
	b.check("no page load happened", windowKept)
	b.check("the results for 'form' are shown", textOf("result-count")+" === '2 results' && "+
		textOf("results")+".includes('Form actions explained')")

	b.run(inPage("document.getElementById('q').value = ''"),
		typeInto("#q", "upload"), clickOn("#search-form button"),
		waitUntil("location.search === '?q=upload' && "+textOf("result-count")+" === '1 result'"))
	b.check("the results for 'upload' are shown", textOf("results")+" === 'File uploads'")

	b.run(inPage("history.back()"),
		waitUntil("location.search === '?q=form' && "+textOf("result-count")+" === '2 results'"))
	b.check("going back restores the earlier results", textOf("results")+".includes('Getting started with forms')")
	b.check("going back restores the earlier query", "document.getElementById('q').value === 'form'")

	b.run(inPage("history.back()"),
		waitUntil("location.search === '' && !document.getElementById('results')"))
	b.check("no page load happened", windowKept)
}

func browserReloadFormsStayNative(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	tests := []struct {
		name, mark string
		native     bool
	}{
		{"data-sveltekit-reload on the form", `document.getElementById('login-form').setAttribute('data-sveltekit-reload', '')`, true},
		{"data-sveltekit-reload on an ancestor", `document.getElementById('main').setAttribute('data-sveltekit-reload', '')`, true},
		{"data-sveltekit-reload=false on the form under an ancestor that has it",
			`document.getElementById('main').setAttribute('data-sveltekit-reload', ''),
			 document.getElementById('login-form').setAttribute('data-sveltekit-reload', 'false')`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := br.newTab(t, gw)
			b.run(b.visit("/login"), scriptReadyAndMarked, inPage(tt.mark),
				typeInto("#email", "demo@example.com"),
				typeInto("#password", "wrong"),
				clickOn("#login-form button[type=submit]"),
				waitUntil("document.getElementById('password-error')"))
			if tt.native {
				b.check("a full page load happened", "window.__marker === undefined")
			} else {
				b.check("no page load happened", windowKept)
			}
			b.check("the backend's answer is shown either way", textOf("password-error")+" === 'Invalid email or password.'")
			b.check("the page is /login", "location.pathname === '/login'")
		})
	}
}

func browserSubmitAndResultEventsCustomiseTheFlow(t *testing.T, br *chromium) {
	gw := demoGateway(t)

	t.Run("cancel in enhance:submit sends nothing", func(t *testing.T) {
		b := br.newTab(t, gw)
		b.signIn()
		b.run(inPage(`window.__submits = 0,
			document.addEventListener('enhance:submit', (e) => { __submits++; e.detail.cancel() })`),
			typeInto("#title", "Never sent"), clickOn("#add-todo button"),
			waitUntil("window.__submits === 1"),
			chromedp.Sleep(300*time.Millisecond)) // time for a request that should not start
		b.check("no request went out", "!performance.getEntriesByType('resource').some((e) => e.name.includes('?/todos/add'))")
		b.check("the page is unchanged", windowKept+" && document.getElementById('empty') && "+
			"document.getElementById('title').value === 'Never sent' && !document.getElementById('add-todo').hasAttribute('aria-busy')")
		// Ask the backend: it never saw the to-do.
		refetch(b)
		b.check("the backend has no to-do", "document.getElementById('empty') && !document.getElementById('todo-list')")
	})

	t.Run("formData changed in enhance:submit is what the backend receives", func(t *testing.T) {
		b := br.newTab(t, gw)
		b.signIn()
		b.run(inPage(`document.addEventListener('enhance:submit', (e) => e.detail.formData.set('title', 'Changed by the hook'))`),
			typeInto("#title", "Typed title"), clickOn("#add-todo button"),
			waitUntil(textOf("flash")+" === 'Added: Changed by the hook'"))
		b.check("the to-do has the changed title", "document.querySelector('#todo-1 .title').textContent === 'Changed by the hook'")
		b.check("the request went out as a fetch to the named action",
			"performance.getEntriesByType('resource').some((e) => e.name.endsWith('/todos?/todos/add'))")
		b.check("no page load happened", windowKept)
	})

	t.Run("preventDefault in enhance:result skips the default", func(t *testing.T) {
		b := br.newTab(t, gw)
		b.signIn()
		b.run(inPage(`document.addEventListener('enhance:result', (e) => {
				e.preventDefault();
				const r = e.detail.result;
				window.__handled = r.type + ' ' + r.status + ' ' + r.location;
				document.getElementById('main').insertAdjacentHTML('afterbegin', '<p id=custom>handled here</p>');
			})`),
			typeInto("#title", "Quietly added"), clickOn("#add-todo button"),
			waitUntil("window.__handled"))
		b.check("the listener saw the redirect", "window.__handled === 'redirect 303 /todos'")
		b.check("the listener's own handling shows", textOf("custom")+" === 'handled here'")
		b.check("the default navigation did not happen", textOf("flash")+" === 'Signed in as demo@example.com.' && "+
			"document.getElementById('empty') && document.getElementById('title').value === 'Quietly added'")
		b.check("no page load happened", windowKept)
		// The backend did add it: fetching the page again shows it.
		refetch(b)
		b.check("the backend added the to-do", "document.querySelector('#todo-1 .title').textContent === 'Quietly added'")
	})
}

// refetch shows the page as the backend renders it now, without a page load.
func refetch(b *browserTab) {
	b.t.Helper()
	if !evalIn[bool](b, "enhance.invalidateAll().then(() => true)") {
		b.t.Fatal("enhance.invalidateAll did not finish")
	}
}

// Without the script, every form works as the backend wrote it: full page loads.
func browserFormsWorkNativelyWithoutTheScript(t *testing.T, br *chromium) {
	gw := demoGateway(t)
	tests := []struct {
		name       string
		setup      chromedp.Action[chromedp.Void]
		inlineRuns string // what the page's own inline script did on /todos
	}{
		{"JavaScript disabled", chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			_, err := cdp.Call(ctx, tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}), "window.demoInline === undefined"},
		{"the script fails to load", chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tab, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tab, network.SetBlockedURLs, network.SetBlockedURLsParams{
				URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/_enhance/*", Block: true}},
			})
			return err
		}), "window.demoInline === 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := br.newTab(t, gw)
			b.run(tt.setup, b.visit("/login"), inPage("window.__marker = 1"))
			b.check("the script is not running", "typeof window.enhance === 'undefined'")

			b.run(typeInto("#email", "demo@example.com"), typeInto("#password", "wrong"),
				clickOn("#login-form button[type=submit]"),
				waitUntil("window.__marker === undefined && document.getElementById('password-error')"))
			b.check("the failed login re-renders /login", "location.pathname === '/login' && "+
				textOf("password-error")+" === 'Invalid email or password.'")
			b.check("the email is kept by the backend", "document.getElementById('email').value === 'demo@example.com'")

			b.run(inPage("window.__marker = 1"), typeInto("#password", "secret"),
				clickOn("#login-form button[type=submit]"),
				waitUntil("window.__marker === undefined && location.pathname === '/todos'"))
			b.check("the login lands on /todos signed in", textOf("flash")+" === 'Signed in as demo@example.com.' && "+
				textOf("current-user")+" === 'demo@example.com'")

			b.run(inPage("window.__marker = 1"), typeInto("#title", "Native to-do"), clickOn("#add-todo button"),
				waitUntil("window.__marker === undefined && document.getElementById('todo-1')"))
			b.check("the to-do is added after a redirect back to /todos",
				"location.href === "+strconv.Quote(gw.url("/todos"))+" && "+textOf("flash")+" === 'Added: Native to-do'")
			b.check("the to-do is listed", "document.querySelector('#todo-1 .title').textContent === 'Native to-do'")
			b.check("the page's own scripts ran as set up", tt.inlineRuns)
		})
	}
}
