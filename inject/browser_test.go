package inject

// These tests run the client script in headless Chromium against a small Go server that
// serves pages with the script tag, records every request, and answers action requests
// with fixed ActionResults, the way the gateway would. They prove the script's behaviour
// on its own; the tests through the real gateway live in integration_test/.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caddy-enhance/enhance/internal/browsertest"
)

var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// newTab opens a tab in the shared headless browser, started on first use.
func newTab(t *testing.T) context.Context {
	t.Helper()
	path := browsertest.ExecPath(t)
	browser.once.Do(func() {
		browser.ctx, browser.cancel, browser.err = browsertest.Start(path)
	})
	if browser.err != nil {
		t.Fatalf("starting Chromium: %v", browser.err)
	}
	tab, cancel := chromedp.NewContext(browser.ctx)
	t.Cleanup(cancel)
	tab, cancelTimeout := context.WithTimeout(tab, 30*time.Second)
	t.Cleanup(cancelTimeout)
	return tab
}

// recorded is what the test server saw of one request.
type recorded struct {
	Method, Path, Query, Accept, Action, ContentType, Body string
}

// site is a test server: pages carry the script tag, and every request is recorded.
type site struct {
	t      *testing.T
	mux    *http.ServeMux
	server *httptest.Server
	assets *Assets
	nonce  string // when set, pages carry a CSP with this script nonce

	mu       sync.Mutex
	requests []recorded
}

func newSite(t *testing.T) *site {
	s := &site{t: t, mux: http.NewServeMux(), assets: newTestAssets(t)}
	s.server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.server.Close)
	return s
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, recorded{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Accept: r.Header.Get("Accept"), Action: r.Header.Get("X-Sveltekit-Action"),
		ContentType: r.Header.Get("Content-Type"), Body: string(body),
	})
	s.mu.Unlock()
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	if s.assets.ServeHTTP(w, r) {
		return
	}
	// A form that the script leaves to the browser lands on a page of its own.
	if _, pattern := s.mux.Handler(r); pattern == "" && r.Method == http.MethodPost {
		s.writePage(w, http.StatusOK, "native", "<p id=native>native submission</p>")
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *site) url(path string) string { return s.server.URL + path }

func (s *site) writePage(w http.ResponseWriter, status int, title, body string) {
	if s.nonce != "" {
		w.Header().Set("Content-Security-Policy", "script-src 'nonce-"+s.nonce+"'")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=utf-8><title>%s</title>%s</head><body>%s</body></html>",
		title, s.assets.ScriptTag(s.nonce), body)
}

// page serves a fixed page at path.
func (s *site) page(path, title, body string) {
	s.pageFunc(path, func(*http.Request) (string, string) { return title, body })
}

func (s *site) pageFunc(path string, render func(*http.Request) (title, body string)) {
	s.mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		title, body := render(r)
		s.writePage(w, http.StatusOK, title, body)
	})
}

// action answers action requests to path with reply; other POSTs to it are native.
func (s *site) action(path string, reply func(r *http.Request) (status int, json string)) {
	s.mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Sveltekit-Action") != "true" {
			s.writePage(w, http.StatusOK, "native", "<p id=native>native submission</p>")
			return
		}
		status, body := reply(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

func (s *site) fixedAction(path string, status int, json string) {
	s.action(path, func(*http.Request) (int, string) { return status, json })
}

func (s *site) recorded(method, path string) []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recorded
	for _, r := range s.requests {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// run runs the steps in the tab; on failure it shows the page and the requests seen.
func (s *site) run(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("location.href + '\\n' + document.documentElement.outerHTML"))
		s.mu.Lock()
		defer s.mu.Unlock()
		s.t.Fatalf("%v\npage: %s\nrequests: %+v", err, html, s.requests)
	}
}

// eval returns the value of a JavaScript expression in the tab.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// until waits for a JavaScript condition to hold, through native page loads.
func until(expr string) chromedp.Action[chromedp.Void] { return browsertest.Until(expr, 5*time.Second) }

// js runs a statement in the page.
func js(statement string) chromedp.Action[chromedp.Void] { return browsertest.Do(statement) }

// open loads a page and marks its window, so that a later check can tell that no full
// page load happened in between.
func open(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(url),
		until("window.enhance && window.enhance.version"),
		js("window.sameDocument = true"),
		js("window.startLength = history.length"),
	)
}

const stillSameDocument = "window.sameDocument === true"

// devaluePage is the devalue text of {title, body}, the data of an HTML reply.
func devaluePage(title, body string) string {
	b, _ := json.Marshal([]any{map[string]int{"title": 1, "body": 2}, title, body})
	return string(b)
}

func resultJSON(fields map[string]any) string {
	b, _ := json.Marshal(fields)
	return string(b)
}

func pageResult(kind string, status int, title, body string) string {
	return resultJSON(map[string]any{"type": kind, "status": status, "data": devaluePage(title, body)})
}

const loginForm = `<form id=login method=post action="/login?/session">
  <label>Email <input id=email name=email type=email value=""></label>
  <label>Password <input id=password name=password type=password></label>
  <input id=csrf type=hidden name=csrf_token value=t1>
  <button id=save name=intent value=save>Save</button>
  <button id=other name=intent value=other formaction="/login?/other">Other</button>
</form>`

func TestBrowserDevalueDecoding(t *testing.T) {
	s := newSite(t)
	s.page("/", "home", "<p>home</p>")
	ctx := newTab(t)
	s.run(ctx, open(s.url("/")))
	// The data strings are what devalue 6.0.3's stringify writes for the value named,
	// except the __proto__ case, which devalue refuses to write but a gateway may send.
	tests := []struct {
		name, data, check string
	}{
		{name: "objects and arrays are rebuilt from slots", data: `[{"items":1,"tags":5},[2],{"id":3,"name":4},1,"a",[6,7,6],"x","y"]`,
			check: `JSON.stringify(v) === '{"items":[{"id":1,"name":"a"}],"tags":["x","y","x"]}'`},
		{name: "a bare -1 is undefined", data: `-1`, check: `v === undefined`},
		{name: "a wrapped string root is the string", data: `["hi"]`, check: `v === 'hi'`},
		{name: "a wrapped null root is null", data: `[null]`, check: `v === null`},
		{name: "escaped characters come back", data: `["a\u003Cb\u2028\"\\"]`, check: `v === 'a<b\u2028"\\'`},
		{name: "a Date comes back as a Date", data: `[["Date","2024-01-02T03:04:05.678Z"]]`,
			check: `v instanceof Date && v.toISOString() === '2024-01-02T03:04:05.678Z'`},
		{name: "a BigInt keeps every digit", data: `[["BigInt","12345678901234567890"]]`, check: `v === 12345678901234567890n`},
		{name: "a Set keeps its members", data: `[["Set",1,2],1,"a"]`, check: `v instanceof Set && v.has(1) && v.has('a') && v.size === 2`},
		{name: "a Map keeps keys and values", data: `[["Map",1,2],"k",{"v":3},2]`, check: `v instanceof Map && v.get('k').v === 2`},
		{name: "a RegExp keeps its flags", data: `[["RegExp","ab+c","gi"]]`, check: `v instanceof RegExp && v.source === 'ab+c' && v.flags === 'gi'`},
		{name: "a URL comes back as a URL", data: `[["URL","https://x.test/p?q=1"]]`, check: `v instanceof URL && v.searchParams.get('q') === '1'`},
		{name: "URLSearchParams come back", data: `[["URLSearchParams","a=1&b=2"]]`, check: `v instanceof URLSearchParams && v.get('b') === '2'`},
		{name: "a boxed primitive stays boxed", data: `[["Object",1],"s"]`, check: `typeof v === 'object' && v.valueOf() === 's'`},
		{name: "a prototype-less object stays prototype-less", data: `[["null","a",1],1]`, check: `Object.getPrototypeOf(v) === null && v.a === 1`},
		{name: "holes stay holes", data: `[[1,-2,2],1,3]`, check: `v.length === 3 && !(1 in v) && v[2] === 3`},
		{name: "a sparse array keeps its length and entries", data: `[[-7,6,5,1],"z"]`, check: `v.length === 6 && v[5] === 'z' && !(0 in v)`},
		{name: "special numbers come back", data: `[[-1,-3,-4,-5,-6]]`,
			check: `v[0] === undefined && 0 in v && Number.isNaN(v[1]) && v[2] === Infinity && v[3] === -Infinity && Object.is(v[4], -0)`},
		{name: "a cycle points back to its object", data: `[{"self":0}]`, check: `v.self === v`},
		{name: "a shared slot is one object", data: `[{"a":1,"b":1},{"n":2},1]`, check: `v.a === v.b && v.a.n === 1`},
		{name: "a __proto__ key stays data", data: `[{"__proto__":1},1]`,
			check: `Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).includes('__proto__')`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := resultJSON(map[string]any{"type": "success", "status": 200, "data": tt.data})
			expr := fmt.Sprintf(`(() => { const v = enhance.deserialize(%q).data; return %s })()`, reply, tt.check)
			if !eval[bool](t, ctx, expr) {
				t.Errorf("decoding %s: %s does not hold", tt.data, tt.check)
			}
		})
	}
	t.Run("an unknown type is refused", func(t *testing.T) {
		reply := resultJSON(map[string]any{"type": "success", "status": 200, "data": `[["Nope",1]]`})
		if !eval[bool](t, ctx, fmt.Sprintf(`(() => { try { enhance.deserialize(%q); return false } catch { return true } })()`, reply)) {
			t.Error("an unknown type was accepted")
		}
	})
}

func TestBrowserBuildsActionRequests(t *testing.T) {
	tests := []struct {
		name, form, click     string
		wantPath, wantQuery   string
		wantType              string
		wantBody, wantMissing []string
	}{
		{
			name: "fields and the submitter's name=value are sent urlencoded", form: loginForm, click: "#save",
			wantPath: "/login", wantQuery: "/session", wantType: "application/x-www-form-urlencoded",
			wantBody: []string{"email=a%40b.test", "password=pw", "csrf_token=t1", "intent=save"},
		},
		{
			name: "the submitter's formaction picks the target", form: loginForm, click: "#other",
			wantPath: "/login", wantQuery: "/other", wantType: "application/x-www-form-urlencoded",
			wantBody: []string{"intent=other"}, wantMissing: []string{"intent=save"},
		},
		{
			name: "a multipart form sends multipart",
			form: `<form method=post action="/upload" enctype="multipart/form-data"><input id=email name=email>
				<input id=password name=password><button id=go name=intent value=up>Go</button></form>`,
			click: "#go", wantPath: "/upload", wantType: "multipart/form-data",
			wantBody: []string{`name="email"`, "a@b.test", `name="intent"`},
		},
		{
			name: "the submitter's formenctype overrides the form's",
			form: `<form method=post action="/upload"><input id=email name=email><input id=password name=password>
				<button id=go formenctype="multipart/form-data">Go</button></form>`,
			click: "#go", wantPath: "/upload", wantType: "multipart/form-data",
		},
		{
			name: "a form without action posts to its own page", form: `<form method=post><input id=email name=email>
				<input id=password name=password><button id=go>Go</button></form>`,
			click: "#go", wantPath: "/", wantType: "application/x-www-form-urlencoded", wantBody: []string{"email=a%40b.test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			s.page("/", "form", tt.form)
			s.fixedAction(tt.wantPath, 200, pageResult("success", 200, "done", "<p id=done>done</p>"))
			ctx := newTab(t)
			s.run(ctx, open(s.url("/")),
				chromedp.SendKeys(chromedp.CSS("#email"), "a@b.test"),
				chromedp.SendKeys(chromedp.CSS("#password"), "pw"),
				chromedp.Click(chromedp.CSS(tt.click)),
				until("document.title === 'done'"), until(stillSameDocument))
			posts := s.recorded("POST", tt.wantPath)
			if len(posts) != 1 {
				t.Fatalf("%d POSTs to %s, want 1", len(posts), tt.wantPath)
			}
			r := posts[0]
			if r.Accept != "application/json" || r.Action != "true" {
				t.Errorf("accept %q, x-sveltekit-action %q: not an action request", r.Accept, r.Action)
			}
			if r.Query != tt.wantQuery {
				t.Errorf("query %q, want %q", r.Query, tt.wantQuery)
			}
			if !strings.HasPrefix(r.ContentType, tt.wantType) {
				t.Errorf("content type %q, want %s", r.ContentType, tt.wantType)
			}
			for _, want := range tt.wantBody {
				if !strings.Contains(r.Body, want) {
					t.Errorf("body %q lacks %q", r.Body, want)
				}
			}
			for _, unwanted := range tt.wantMissing {
				if strings.Contains(r.Body, unwanted) {
					t.Errorf("body %q has %q", r.Body, unwanted)
				}
			}
		})
	}
}

func TestBrowserLeavesFormsToTheBrowser(t *testing.T) {
	tests := []struct{ name, page string }{
		{name: "data-enhance=false on the form", page: `<form method=post action=/a data-enhance="false"><button id=go>Go</button></form>`},
		{name: "data-sveltekit-reload on an ancestor", page: `<div data-sveltekit-reload><form method=post action=/a><button id=go>Go</button></form></div>`},
		{name: "a Rails UJS remote form", page: `<form method=post action=/a data-remote="true"><button id=go>Go</button></form>`},
		{name: "an htmx form", page: `<form method=post action=/a hx-post="/a"><button id=go>Go</button></form>`},
		{name: "an htmx submitter", page: `<form method=post action=/a><button id=go hx-post="/a">Go</button></form>`},
		{name: "a Turbo-driven form", page: `<div data-turbo="true"><form method=post action=/a><button id=go>Go</button></form></div>`},
		{name: "a text/plain form", page: `<form method=post action=/a enctype="text/plain"><input name=x value=1><button id=go>Go</button></form>`},
		{name: "a form posting to another origin", page: `<form method=post action="{other}/a"><button id=go>Go</button></form>`},
		{name: "a page where building form data fails",
			page: `<script>window.FormData = function () { throw new Error('broken') }</script>` +
				`<form method=post action=/a><button id=go>Go</button></form>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := newSite(t)
			s := newSite(t)
			s.page("/", "form", strings.ReplaceAll(tt.page, "{other}", other.server.URL))
			s.fixedAction("/a", 200, pageResult("success", 200, "enhanced", "<p>enhanced</p>"))
			ctx := newTab(t)
			s.run(ctx, open(s.url("/")), chromedp.Click(chromedp.CSS("#go")),
				until("document.title === 'native' && window.sameDocument !== true"))
			for _, r := range s.recorded("POST", "/a") {
				if r.Action != "" {
					t.Errorf("an action request was sent: %+v", r)
				}
			}
		})
	}
}

func TestBrowserSubmitPrevented(t *testing.T) {
	tests := []struct{ name, page string }{
		{name: "an inline onsubmit returning false stops everything",
			page: `<form method=post action=/a onsubmit="return false"><button id=go>Go</button></form>`},
		{name: "cancel() in enhance:submit stops the submission",
			page: `<form method=post action=/a><button id=go>Go</button></form>
				<script>addEventListener('enhance:submit', e => e.detail.cancel())</script>`},
		{name: "preventDefault() in enhance:submit stops the submission",
			page: `<form method=post action=/a><button id=go>Go</button></form>
				<script>addEventListener('enhance:submit', e => e.preventDefault())</script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			s.page("/", "form", tt.page)
			s.fixedAction("/a", 200, pageResult("success", 200, "enhanced", "<p>enhanced</p>"))
			ctx := newTab(t)
			s.run(ctx, open(s.url("/")), chromedp.Click(chromedp.CSS("#go")), chromedp.Sleep(500*time.Millisecond))
			if n := len(s.recorded("POST", "/a")); n != 0 {
				t.Errorf("%d POSTs were sent", n)
			}
			if !eval[bool](t, ctx, stillSameDocument+" && document.title === 'form'") {
				t.Error("the page changed")
			}
		})
	}
}

func TestBrowserAppliesResults(t *testing.T) {
	t.Run("a success resets the form and shows the page the backend rendered", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		s.fixedAction("/login", 200, pageResult("success", 200, "Saved", `<h1 id=done>Saved</h1>`+loginForm))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.SendKeys(chromedp.CSS("#email"), "a@b.test"),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.title === 'Saved' && document.getElementById('done')"),
			until(stillSameDocument),
			until("document.getElementById('email').value === ''"),
			until("location.pathname === '/login'"))
	})

	t.Run("a failure keeps what was typed and focuses the invalid field", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		failed := strings.NewReplacer(`type=email value=""`, `type=email value="" aria-invalid="true"`, "value=t1", "value=t2").
			Replace(`<p id=err>Email taken</p>` + loginForm)
		s.fixedAction("/login", 422, pageResult("failure", 422, "login", failed))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.SendKeys(chromedp.CSS("#email"), "taken@b.test"),
			chromedp.SendKeys(chromedp.CSS("#password"), "secret"),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('err')"), until(stillSameDocument))
		tests := []struct{ name, check string }{
			{name: "the typed email stays", check: "document.getElementById('email').value === 'taken@b.test'"},
			{name: "the password takes the server's empty value", check: "document.getElementById('password').value === ''"},
			{name: "the CSRF token takes the server's value", check: "document.getElementById('csrf').value === 't2'"},
			{name: "the invalid field has focus", check: "document.activeElement.id === 'email'"},
			{name: "the form is no longer busy", check: "!document.getElementById('login').hasAttribute('aria-busy')"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if !eval[bool](t, ctx, tt.check) {
					t.Errorf("%s does not hold", tt.check)
				}
			})
		}
	})

	t.Run("the body takes the attributes of the page the backend rendered", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		data := `[{"title":1,"body":2,"bodyAttributes":3},"Saved","<h1 id=done>Saved</h1>",{"class":4},"signed-in"]`
		s.fixedAction("/login", 200, resultJSON(map[string]any{"type": "success", "status": 200, "data": data}))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			js("document.body.setAttribute('data-old', '1')"),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('done')"),
			until("document.body.className === 'signed-in' && !document.body.hasAttribute('data-old')"))
	})

	t.Run("focus after a success", func(t *testing.T) {
		tests := []struct{ name, body, check string }{
			{name: "goes to the new page's autofocus element", body: `<input id=first><input id=focusme autofocus>`,
				check: "document.activeElement.id === 'focusme'"},
			{name: "goes to the body when nothing asks for it", body: `<input id=first>`,
				check: "document.activeElement === document.body"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := newSite(t)
				s.page("/login", "login", loginForm)
				s.fixedAction("/login", 200, pageResult("success", 200, "Saved", "<h1 id=done>Saved</h1>"+tt.body))
				ctx := newTab(t)
				s.run(ctx, open(s.url("/login")),
					chromedp.Click(chromedp.CSS("#save")),
					until("document.getElementById('done')"),
					until(tt.check))
			})
		}
	})

	t.Run("a failure restores values into a form the server rebuilt", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		// The server wraps the field in a new element, so the old input cannot be kept.
		failed := strings.Replace(loginForm, `<label>Email <input id=email name=email type=email value=""></label>`,
			`<div class=field-error><label>Email <input id=email name=email type=email value=""></label></div>`, 1)
		s.fixedAction("/login", 422, pageResult("failure", 422, "login", failed))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.SendKeys(chromedp.CSS("#email"), "kept@b.test"),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.querySelector('.field-error')"),
			until("document.getElementById('email').value === 'kept@b.test'"))
	})

	t.Run("a redirect navigates on the client to the location and its fragment", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		s.page("/next", "Next", `<div style="height:3000px">top</div><h2 id=sec>Section</h2><div style="height:3000px"></div>`)
		s.fixedAction("/login", 200, resultJSON(map[string]any{"type": "redirect", "status": 303, "location": "/next#sec"}))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.title === 'Next' && location.pathname === '/next' && location.hash === '#sec'"),
			until(stillSameDocument),
			until("scrollY > 2000"),
			until("history.length === startLength + 1"))
		gets := s.recorded("GET", "/next")
		if len(gets) != 1 || !strings.HasPrefix(gets[0].Accept, "text/html") {
			t.Errorf("the redirect target was fetched as %+v, want one GET accepting text/html", gets)
		}
	})

	t.Run("a redirect to a page answering 404 shows that page", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		s.mux.HandleFunc("GET /gone", func(w http.ResponseWriter, r *http.Request) {
			s.writePage(w, http.StatusNotFound, "Not found", "<h1 id=missing>Not found</h1>")
		})
		s.fixedAction("/login", 200, resultJSON(map[string]any{"type": "redirect", "status": 303, "location": "/gone"}))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('missing') && location.pathname === '/gone'"),
			until(stillSameDocument))
	})

	t.Run("a redirect to another origin is a full navigation", func(t *testing.T) {
		other := newSite(t)
		other.page("/elsewhere", "Elsewhere", "<p>elsewhere</p>")
		s := newSite(t)
		s.page("/login", "login", loginForm)
		s.fixedAction("/login", 200, resultJSON(map[string]any{"type": "redirect", "status": 303, "location": other.url("/elsewhere")}))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.title === 'Elsewhere' && window.sameDocument !== true"))
	})

	t.Run("an error shows an alert and keeps the form", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		s.fixedAction("/login", 502, resultJSON(map[string]any{"type": "error", "error": map[string]string{"message": "Bad Gateway"}}))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.SendKeys(chromedp.CSS("#email"), "a@b.test"),
			chromedp.Click(chromedp.CSS("#save")),
			until(`(document.querySelector('#login [role=alert]')?.textContent || '').includes('502')`),
			until(`document.querySelector('[role=alert]').textContent.includes('Bad Gateway')`),
			until("document.getElementById('email').value === 'a@b.test'"),
			chromedp.Click(chromedp.CSS("[role=alert] button")),
			until("!document.querySelector('[role=alert]')"),
			until(stillSameDocument))
	})

	t.Run("a success without data resets the form and fetches the page again", func(t *testing.T) {
		s := newSite(t)
		var renders int
		var mu sync.Mutex
		s.pageFunc("/login", func(*http.Request) (string, string) {
			mu.Lock()
			defer mu.Unlock()
			renders++
			return "login", fmt.Sprintf("<p id=render>%d</p>%s", renders, loginForm)
		})
		s.fixedAction("/login", 200, resultJSON(map[string]any{"type": "success", "status": 204, "data": "-1"}))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.SendKeys(chromedp.CSS("#email"), "a@b.test"),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('render').textContent === '2'"),
			until("document.getElementById('email').value === ''"),
			until(stillSameDocument))
	})

	t.Run("scripts the new content brings run once", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm)
		var n int
		var mu sync.Mutex
		s.action("/login", func(*http.Request) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			n++
			body := fmt.Sprintf(`<p id=n>%d</p><script>window.runs = (window.runs || 0) + 1</script>%s`, n, loginForm)
			return 200, pageResult("success", 200, "login", body)
		})
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('n')?.textContent === '1'"),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('n').textContent === '2'"),
			until("window.runs === 1"))
	})

	t.Run("under a nonce CSP only scripts the reply marked as its own run", func(t *testing.T) {
		s := newSite(t)
		s.nonce = "pageNonce123"
		s.page("/login", "login", loginForm)
		s.fixedAction("/login", 200, pageResult("success", 200, "login",
			`<p id=shown>shown</p><script nonce="replyNonce">window.marked = true</script><script>window.unmarked = true</script>`+loginForm))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('shown')"),
			until("window.marked === true"),
			chromedp.Sleep(200*time.Millisecond))
		if eval[bool](t, ctx, "window.unmarked === true") {
			t.Error("a script without a nonce ran under the page's CSP")
		}
	})

	t.Run("a listener that prevents enhance:result skips the default", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm+
			`<script>addEventListener('enhance:result', e => { e.preventDefault(); window.seen = e.detail.result.type })</script>`)
		s.fixedAction("/login", 200, pageResult("success", 200, "Saved", "<h1 id=done>Saved</h1>"))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.SendKeys(chromedp.CSS("#email"), "a@b.test"),
			chromedp.Click(chromedp.CSS("#save")),
			until("window.seen === 'success'"), chromedp.Sleep(200*time.Millisecond))
		if !eval[bool](t, ctx, "!document.getElementById('done') && document.getElementById('email').value === 'a@b.test'") {
			t.Error("the default behaviour ran")
		}
	})

	t.Run("update() runs the default from a listener that took over", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm+
			`<script>addEventListener('enhance:result', e => { e.preventDefault(); e.detail.update() })</script>`)
		s.fixedAction("/login", 200, pageResult("success", 200, "Saved", "<h1 id=done>Saved</h1>"))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('done')"))
	})

	t.Run("enhance:submit listeners can change the form data", func(t *testing.T) {
		s := newSite(t)
		s.page("/login", "login", loginForm+
			`<script>addEventListener('enhance:submit', e => e.detail.formData.set('extra', 'yes'))</script>`)
		s.fixedAction("/login", 200, pageResult("success", 200, "Saved", "<h1 id=done>Saved</h1>"))
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")), chromedp.Click(chromedp.CSS("#save")), until("document.getElementById('done')"))
		if posts := s.recorded("POST", "/login"); len(posts) != 1 || !strings.Contains(posts[0].Body, "extra=yes") {
			t.Errorf("posts %+v, want one carrying extra=yes", posts)
		}
	})
}

func TestBrowserWhileInFlight(t *testing.T) {
	t.Run("the form is busy and its submitter stays focusable", func(t *testing.T) {
		s := newSite(t)
		release := make(chan struct{})
		s.page("/login", "login", loginForm)
		s.action("/login", func(*http.Request) (int, string) {
			<-release
			return 200, pageResult("success", 200, "Saved", "<h1 id=done>Saved</h1>")
		})
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('login').getAttribute('aria-busy') === 'true'"),
			until("document.getElementById('save').getAttribute('aria-disabled') === 'true'"),
			until("!document.getElementById('save').disabled"),
			until("document.querySelector('.enhance-progress')"))
		close(release)
		s.run(ctx, until("document.getElementById('done')"), until("!document.querySelector('.enhance-progress')"))
	})

	t.Run("a second submit replaces the first", func(t *testing.T) {
		s := newSite(t)
		release := make(chan struct{})
		var n int
		var mu sync.Mutex
		s.page("/login", "login", loginForm)
		s.action("/login", func(r *http.Request) (int, string) {
			mu.Lock()
			n++
			first := n == 1
			mu.Unlock()
			if first {
				<-release
				return 200, pageResult("success", 200, "first", "<h1>first</h1>")
			}
			return 200, pageResult("success", 200, "second", "<h1>second</h1>")
		})
		ctx := newTab(t)
		s.run(ctx, open(s.url("/login")),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.getElementById('login').getAttribute('aria-busy') === 'true'"),
			chromedp.Click(chromedp.CSS("#save")),
			until("document.title === 'second'"))
		close(release)
		s.run(ctx, chromedp.Sleep(300*time.Millisecond))
		if title := eval[string](t, ctx, "document.title"); title != "second" {
			t.Errorf("title %q: the first, aborted submission was shown", title)
		}
	})

	t.Run("an upload reports its progress", func(t *testing.T) {
		s := newSite(t)
		s.page("/", "upload", `<form method=post action=/upload enctype="multipart/form-data">
			<input id=file type=file name=file><button id=go>Go</button></form>
			<script>addEventListener('enhance:progress', e => { window.progress = e.detail })</script>`)
		s.fixedAction("/upload", 200, pageResult("success", 200, "uploaded", "<p>uploaded</p>"))
		file := filepath.Join(t.TempDir(), "data.bin")
		if err := os.WriteFile(file, make([]byte, 256<<10), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := newTab(t)
		s.run(ctx, open(s.url("/")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
			chromedp.Click(chromedp.CSS("#go")),
			until("document.title === 'uploaded'"),
			until("window.progress && window.progress.loaded > 0 && window.progress.total >= 262144"))
		if posts := s.recorded("POST", "/upload"); len(posts) != 1 || !strings.Contains(posts[0].Body, `filename="data.bin"`) {
			t.Errorf("the upload was not sent as multipart with its file")
		}
	})
}

func TestBrowserNavigates(t *testing.T) {
	searchForm := func(attrs, value string) string {
		return `<form id=search action="/search"` + attrs + `><input id=q name=q value="` + value + `"><button id=go>Go</button></form>`
	}
	results := func(r *http.Request) (string, string) {
		q := r.URL.Query().Get("q")
		return "results", `<p id=where>results for ` + q + `</p>` + searchForm("", q)
	}

	t.Run("a GET form becomes a client-side navigation", func(t *testing.T) {
		s := newSite(t)
		s.page("/", "home", `<p id=where>home</p>`+searchForm("", ""))
		s.pageFunc("/search", results)
		ctx := newTab(t)
		s.run(ctx, open(s.url("/")),
			chromedp.SendKeys(chromedp.CSS("#q"), "cats"),
			chromedp.Click(chromedp.CSS("#go")),
			until("location.pathname + location.search === '/search?q=cats'"),
			until("document.getElementById('where').textContent === 'results for cats'"),
			until("document.title === 'results' && history.length === startLength + 1"),
			until(stillSameDocument))
		if gets := s.recorded("GET", "/search"); len(gets) != 1 || !strings.HasPrefix(gets[0].Accept, "text/html") {
			t.Errorf("the results were fetched as %+v", gets)
		}
	})

	t.Run("going back fetches the page again and restores its scroll position", func(t *testing.T) {
		s := newSite(t)
		s.page("/", "home", `<div style="height:4000px"><p id=where>home</p>`+searchForm("", "")+`</div>`)
		s.pageFunc("/search", results)
		ctx := newTab(t)
		s.run(ctx, open(s.url("/")),
			js("scrollTo(0, 1200)"), until("scrollY === 1200"), chromedp.Sleep(300*time.Millisecond),
			js("document.getElementById('q').value = 'dogs'"),
			js("document.getElementById('search').requestSubmit()"),
			until("document.getElementById('where').textContent === 'results for dogs'"),
			until("scrollY === 0"),
			js("history.back()"),
			until("location.pathname === '/' && document.getElementById('where').textContent === 'home'"),
			until("scrollY === 1200"),
			until(stillSameDocument))
		if gets := s.recorded("GET", "/"); len(gets) != 2 {
			t.Errorf("%d GETs of /, want the first load and one after going back", len(gets))
		}
	})

	t.Run("replacestate, keepfocus and noscroll are honoured", func(t *testing.T) {
		s := newSite(t)
		attrs := ` data-sveltekit-replacestate data-sveltekit-keepfocus data-sveltekit-noscroll`
		s.page("/", "home", `<div style="height:4000px">`+searchForm(attrs, "")+`</div>`)
		s.pageFunc("/search", func(r *http.Request) (string, string) {
			q := r.URL.Query().Get("q")
			return "results", `<div style="height:4000px">` + searchForm(attrs, q) + `<p id=where>results for ` + q + `</p></div>`
		})
		ctx := newTab(t)
		s.run(ctx, open(s.url("/")),
			chromedp.SendKeys(chromedp.CSS("#q"), "hello"),
			js("scrollTo(0, 300)"), until("scrollY === 300"),
			js("(window.input = document.getElementById('q')).setSelectionRange(2, 2)"),
			js("document.getElementById('search').requestSubmit()"),
			until("document.getElementById('where')?.textContent === 'results for hello'"))
		tests := []struct{ name, check string }{
			{name: "the history entry is replaced", check: "history.length === startLength && location.search === '?q=hello'"},
			{name: "the same input keeps focus", check: "document.activeElement === window.input"},
			{name: "the caret stays where it was", check: "window.input.selectionStart === 2 && window.input.selectionEnd === 2"},
			{name: "the scroll position stays", check: "scrollY === 300"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if !eval[bool](t, ctx, tt.check) {
					t.Errorf("%s does not hold", tt.check)
				}
			})
		}
	})

	t.Run("data-sveltekit-reload keeps a GET form native", func(t *testing.T) {
		s := newSite(t)
		s.page("/", "home", `<p id=where>home</p>`+searchForm(" data-sveltekit-reload", ""))
		s.pageFunc("/search", results)
		ctx := newTab(t)
		s.run(ctx, open(s.url("/")),
			chromedp.Click(chromedp.CSS("#go")),
			until("document.title === 'results' && window.sameDocument !== true"))
	})
}
