package integration

// A classic Rails 6.1 app (integration_test/rails) behind reverse_proxy:
// redirect_to's 302 with flash, 403 for a failed login, 422 for an invalid
// model and for a bad authenticity token, per-form CSRF tokens, an encrypted
// cookie session rewritten on most responses, and a debug page on errors.

import (
	"bytes"
	"mime/multipart"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// startRails boots the Rails app and returns its address. Booting takes a
// second or two, so tests start it once and run their cases as subtests.
func startRails(t *testing.T) string {
	t.Helper()
	needPrograms(t, "apt-get install -y ruby-rails", "ruby", "rackup")
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	dir, err := filepath.Abs("rails")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(dir, "start.sh"))
	cmd.Env = append(cmd.Environ(), "HOST="+host, "PORT="+port)
	logs := startProcess(t, cmd, "rails", addr)
	waitFor200(t, "http://"+addr+"/login", "rails", logs)
	return addr
}

// railsGateway is the Rails app behind the gateway.
func railsGateway(t *testing.T) *gateway {
	t.Helper()
	return startCaddy(t, startRails(t), "\tencode gzip\n\tenhance\n\treverse_proxy {upstream}")
}

func TestRailsThroughReverseProxy(t *testing.T) {
	gw := railsGateway(t)
	cases := []struct {
		name string
		run  func(t *testing.T, v *visitor)
	}{
		{"a wrong password answered with 403 is a failure carrying the re-rendered form", railsFailedLoginIsAFailure},
		{"a login's 302 is an origin-relative redirect with the new session cookie and a flash", railsLoginIsARedirectWithCookieAndFlash},
		{"an invalid to-do answered with 422 is a failure carrying the validation errors", railsInvalidToDoIsAFailure},
		{"a created to-do is a redirect, and the next page has the flash and the to-do", railsCreatedToDoRedirectsWithAFlash},
		{"authenticity tokens reach Rails byte for byte, a changed one is still refused", railsAuthenticityTokensPassUnchanged},
		{"a 500 is an error result that shows nothing of Rails' debug page", railsServerErrorLeaksNothing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newVisitor(t, gw)) })
	}
}

// railsLogin is the login form's fields with the credentials.
func railsLogin(v *visitor, email, password string) url.Values {
	v.t.Helper()
	_, page := v.get("/login")
	return merged(hiddenFields(v.t, page, "/login"), url.Values{"email": {email}, "password": {password}, "commit": {"Log in"}})
}

// railsSignIn logs the demo account in without JavaScript.
func railsSignIn(v *visitor) {
	v.t.Helper()
	resp, _ := v.submit("/login", railsLogin(v, "demo@example.com", "secret"))
	if resp.StatusCode != 302 {
		v.t.Fatalf("signing in: HTTP %d, want 302", resp.StatusCode)
	}
}

// railsAddFields is the add form's fields on the to-do page.
func railsAddFields(v *visitor, title string) url.Values {
	v.t.Helper()
	_, page := v.get("/todos")
	return merged(hiddenFields(v.t, page, "/todos"), url.Values{"todo[title]": {title}, "commit": {"Add"}})
}

const railsSession = "_rails_demo_session"

func railsFailedLoginIsAFailure(t *testing.T, v *visitor) {
	res := v.actionForm("/login", railsLogin(v, "demo@example.com", "wrong"))
	expectResult(t, res, 403, "failure", 403)
	title, body := pageOf(t, res)
	if title != "Log in | Rails app" {
		t.Errorf("title %q", title)
	}
	for _, want := range []string{
		`<span id="password-error" class="error">Invalid email or password.</span>`,
		`value="demo@example.com"`,
		`<form id="login-form" action="/login"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}

func railsLoginIsARedirectWithCookieAndFlash(t *testing.T, v *visitor) {
	fields := railsLogin(v, "demo@example.com", "secret")
	before := v.cookie(railsSession)
	res := v.actionForm("/login", fields)
	expectResult(t, res, 200, "redirect", 302)
	if res.Location != "/todos" {
		t.Errorf("location %q, want /todos", res.Location)
	}
	if !strings.HasPrefix(res.Header.Get("Set-Cookie"), railsSession+"=") || v.cookie(railsSession) == before {
		t.Fatalf("Set-Cookie %q: the new session did not come through", res.Header.Get("Set-Cookie"))
	}
	resp, page := v.get(res.Location)
	if resp.StatusCode != 200 || !strings.Contains(page, `<p id="flash" class="flash" role="status">Signed in as demo@example.com.</p>`) {
		t.Errorf("HTTP %d; the next page has no sign-in flash:\n%s", resp.StatusCode, page)
	}
}

func railsInvalidToDoIsAFailure(t *testing.T, v *visitor) {
	railsSignIn(v)
	tests := []struct{ name, title, message string }{
		{"a blank title", "", "Title can't be blank"},
		{"a title over 100 characters", strings.Repeat("x", 101), "Title is too long (maximum is 100 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.actionForm("/todos", railsAddFields(v, tt.title))
			expectResult(t, res, 422, "failure", 422)
			_, body := pageOf(t, res)
			for _, want := range []string{
				"1 error prohibited this to-do from being saved:",
				`<span id="title-error" class="error">` + strings.ReplaceAll(tt.message, "'", "&#39;") + `</span>`,
				`<div class="field_with_errors">`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s:\n%s", want, body)
				}
			}
		})
	}
}

func railsCreatedToDoRedirectsWithAFlash(t *testing.T, v *visitor) {
	railsSignIn(v)
	res := v.actionForm("/todos", railsAddFields(v, "Buy milk"))
	expectResult(t, res, 200, "redirect", 302)
	if res.Location != "/todos" {
		t.Errorf("location %q, want /todos", res.Location)
	}
	_, page := v.get(res.Location)
	for _, want := range []string{
		`<p id="flash" class="flash" role="status">Added: Buy milk</p>`,
		`<span class="title">Buy milk</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the next page lacks %s:\n%s", want, page)
		}
	}
}

// todoAction finds the named action of the first to-do's Complete form.
var todoAction = regexp.MustCompile(`<form class="button_to" method="post" action="(/todos\?/todos/\d+)"><input type="hidden" name="_method" value="patch"`)

func railsAuthenticityTokensPassUnchanged(t *testing.T, v *visitor) {
	railsSignIn(v)
	if res := v.actionForm("/todos", railsAddFields(v, "Check tokens")); res.Type != "redirect" {
		t.Fatalf("adding a to-do: %s", res.Raw)
	}

	t.Run("a per-form token reaches its own form's target through a named action", func(t *testing.T) {
		_, page := v.get("/todos")
		m := todoAction.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no Complete form posting to a named action:\n%s", page)
		}
		// The token is valid only for PATCH /todos/ID: the gateway must send exactly that.
		res := v.actionForm(m[1], hiddenFields(t, page, m[1]))
		expectResult(t, res, 200, "redirect", 302)
		if _, page := v.get(res.Location); !strings.Contains(page, "Completed: Check tokens") {
			t.Errorf("the next page lacks the Completed flash")
		}
	})

	t.Run("a token in a multipart body is accepted", func(t *testing.T) {
		fields := railsAddFields(v, "Sent as multipart")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, k := range []string{"authenticity_token", "todo[title]", "commit"} {
			mw.WriteField(k, fields.Get(k))
		}
		mw.Close()
		res := v.action("/todos", mw.FormDataContentType(), body.Bytes())
		expectResult(t, res, 200, "redirect", 302)
	})

	t.Run("a token changed by one character is refused with Rails' 422", func(t *testing.T) {
		fields := railsAddFields(v, "Never added")
		token := []byte(fields.Get("authenticity_token"))
		i := len(token) / 2
		token[i] = map[bool]byte{true: 'B', false: 'A'}[token[i] == 'A'] // still URL-safe base64
		fields.Set("authenticity_token", string(token))
		res := v.actionForm("/todos", fields)
		expectResult(t, res, 422, "failure", 422)
		if _, body := pageOf(t, res); !strings.Contains(body, "Invalid authenticity token") {
			t.Errorf("body lacks Rails' refusal:\n%s", body)
		}
	})
}

func railsServerErrorLeaksNothing(t *testing.T, v *visitor) {
	_, page := v.get("/boom")
	expectNoLeak(t, v.actionForm("/boom", hiddenFields(t, page, "/boom")))
}

func TestBrowserWithRails(t *testing.T) {
	runBackendFlows(t, railsGateway(t), []backendFlow{
		{"a failed login shows the backend's error", func(b *browserTab, m scriptMode) {
			m.open(b, "/login")
			b.run(typeInto("#email", "demo@example.com"), typeInto("#password", "wrong"))
			m.submit(b, "#login-form input[type=submit]", "document.getElementById('password-error')", "failure 403")
			b.check("the page is the login page", "location.pathname === '/login'")
			b.check("the backend's message is shown", textOf("password-error")+" === 'Invalid email or password.'")
			b.check("the email is kept", "document.getElementById('email').value === 'demo@example.com'")
			b.check("nobody is signed in", "!document.getElementById('current-user')")
		}},
		{"a login lands on the to-dos with a flash", func(b *browserTab, m scriptMode) {
			railsBrowserSignIn(b, m)
			b.check("the flash is shown", textOf("flash")+" === 'Signed in as demo@example.com.'")
			b.check("the user is signed in", textOf("current-user")+" === 'demo@example.com'")
			b.check("the title is the to-do page's", "document.title === 'To-dos | Rails app'")
		}},
		{"an invalid to-do shows the validation errors", func(b *browserTab, m scriptMode) {
			railsBrowserSignIn(b, m)
			m.submit(b, "#add-todo input[type=submit]", "document.getElementById('title-error')", "failure 422")
			b.check("the field error is shown", textOf("title-error")+" === \"Title can't be blank\"")
			b.check("the error summary is shown", "document.getElementById('error-explanation')")
			b.check("the field is marked", "document.getElementById('todo_title').getAttribute('aria-invalid') === 'true'")
			b.check("the page is the to-do page", "location.pathname === '/todos'")
			b.check("nothing was added", "document.getElementById('empty')")
		}},
		{"a created to-do redirects back with a flash, and completing it uses a named action", func(b *browserTab, m scriptMode) {
			railsBrowserSignIn(b, m)
			b.run(typeInto("#todo_title", "Buy milk"))
			m.submit(b, "#add-todo input[type=submit]", textOf("flash")+" === 'Added: Buy milk'", "redirect 302")
			b.check("the page is the to-do page", "location.href === "+strconv.Quote(b.gw.url("/todos")))
			b.check("the to-do is listed", "document.querySelector('#todo-list .title').textContent === 'Buy milk'")
			b.check("the field is empty again", "document.getElementById('todo_title').value === ''")
			b.check("the Complete form posts to a named action",
				"/^\\/todos\\?\\/todos\\/\\d+$/.test(document.querySelector('#todo-list form').getAttribute('action'))")

			m.submit(b, "#todo-list input[value=Complete]", textOf("flash")+" === 'Completed: Buy milk'", "redirect 302")
			b.check("the to-do is done", "document.querySelector('#todo-list li').dataset.done === 'true'")
			b.check("the page is the to-do page", "location.href === "+strconv.Quote(b.gw.url("/todos")))
		}},
	})
}

// railsBrowserSignIn logs the demo account in through the login form.
func railsBrowserSignIn(b *browserTab, m scriptMode) {
	b.t.Helper()
	m.open(b, "/login")
	b.run(typeInto("#email", "demo@example.com"), typeInto("#password", "secret"))
	m.submit(b, "#login-form input[type=submit]", "location.pathname === '/todos' && document.getElementById('add-todo')", "redirect 302")
}
