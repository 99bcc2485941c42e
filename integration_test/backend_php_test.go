package integration

// A plain PHP 8 app (integration_test/php) behind the gateway, served two
// ways: PHP-FPM behind Caddy's php_fastcgi, and PHP's built-in server behind
// reverse_proxy. The app answers like many PHP apps do: 302s to absolute
// URLs built from Host, a 403 for a failed login, 200 or 422 for validation
// errors, a CSRF token per session and a CSP nonce per response.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// phpDir is the PHP app's document root.
func phpDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("php")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// phpFPMGateway starts PHP-FPM and Caddy in front of it with php_fastcgi, the
// way a PHP site's Caddyfile usually reads.
func phpFPMGateway(t *testing.T) *gateway {
	t.Helper()
	needPrograms(t, "apt-get install -y php-fpm", "php-fpm8.2|php-fpm")
	addr := freeAddr(t)
	cmd := exec.Command(filepath.Join(phpDir(t), "start-fpm.sh"), addr, t.TempDir())
	startProcessGroup(t, cmd, "php-fpm", addr)
	return startCaddy(t, addr, fmt.Sprintf("\troot * %s\n\tencode gzip\n\tenhance\n\tphp_fastcgi {upstream}\n\tfile_server", phpDir(t)))
}

// phpBuiltInGateway starts `php -S` and Caddy in front of it with reverse_proxy.
func phpBuiltInGateway(t *testing.T) *gateway {
	t.Helper()
	needPrograms(t, "apt-get install -y php-cli", "php")
	addr := freeAddr(t)
	cmd := exec.Command("php", "-d", "session.save_path="+t.TempDir(), "-S", addr, "-t", phpDir(t))
	startProcess(t, cmd, "php -S", addr)
	return startCaddy(t, addr, "\tencode gzip\n\tenhance\n\treverse_proxy {upstream}")
}

func TestPHPThroughPHPFastCGI(t *testing.T) {
	testPHPApp(t, phpFPMGateway(t))
}

func TestPHPBuiltInServerThroughReverseProxy(t *testing.T) {
	testPHPApp(t, phpBuiltInGateway(t))
}

// testPHPApp runs every PHP case against one gateway; each case has a visitor of its own.
func testPHPApp(t *testing.T, gw *gateway) {
	cases := []struct {
		name string
		run  func(t *testing.T, v *visitor)
	}{
		{"pages get the script and named actions, and the front controller's ?do=save stays the default action", phpPagesAreRewritten},
		{"the injected script carries the nonce of the page's Content-Security-Policy", phpScriptCarriesTheCSPNonce},
		{"a wrong password answered with 403 is a failure carrying the re-rendered form", phpFailedLoginIsAFailure},
		{"a login's 302 to an absolute URL is an origin-relative redirect with the new session cookie", phpLoginIsARedirectWithTheSessionCookie},
		{"an invalid contact form re-rendered with 200 is a success carrying the errors", phpOldStyleValidationIsASuccess},
		{"an invalid note answered with 422 is a failure carrying the errors", phpInvalidNoteIsAFailure},
		{"a note saved through ?do=save, directly or as a named action of /, redirects back with a flash", phpNoteSavedRedirectsWithAFlash},
		{"the submit button's name in a multipart body decides what the backend does", phpMultipartSubmitterDecides},
		{"a 500 is an error result that shows nothing of the backend's page", phpServerErrorLeaksNothing},
		{"without JavaScript a named action reaches its target and the backend's 302 comes back as is", phpNamedActionWithoutJavaScript},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newVisitor(t, gw)) })
	}
}

// phpToken is the session's CSRF token, read from the login page.
func phpToken(v *visitor) url.Values {
	v.t.Helper()
	_, page := v.get("/login.php")
	return hiddenFields(v.t, page, "/login.php")
}

// phpSignIn logs the demo account in without JavaScript.
func phpSignIn(v *visitor) {
	v.t.Helper()
	resp, _ := v.submit("/login.php", merged(phpToken(v), url.Values{"email": {"demo@example.com"}, "password": {"secret"}}))
	if resp.StatusCode != 302 {
		v.t.Fatalf("signing in: HTTP %d, want 302", resp.StatusCode)
	}
}

func phpPagesAreRewritten(t *testing.T, v *visitor) {
	phpSignIn(v)
	resp, page := v.get("/index.php")
	if resp.StatusCode != 200 || len(scriptTag.FindAllString(page, -1)) != 1 {
		t.Fatalf("HTTP %d, want 200 with exactly one enhance script:\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{
		`<form method="post" action="/index.php?do=save" id="note-form">`,
		`<form method="post" action="/index.php?/logout.php" id="logout-form">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/index.php lacks %s", want)
		}
	}
	// At / the same form posts to another path, so it becomes a named action.
	_, page = v.get("/")
	if want := `<form method="post" action="/?/index.php&amp;do=save" id="note-form">`; !strings.Contains(page, want) {
		t.Errorf("/ lacks %s:\n%s", want, page)
	}
}

var cspNonce = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`)

func phpScriptCarriesTheCSPNonce(t *testing.T, v *visitor) {
	for i := range 2 { // a fresh nonce each time
		resp, page := v.get("/login.php")
		header := cspNonce.FindStringSubmatch(resp.Header.Get("Content-Security-Policy"))
		tag := scriptTag.FindStringSubmatch(page)
		if header == nil || tag == nil {
			t.Fatalf("no nonce in the CSP %q or no script tag", resp.Header.Get("Content-Security-Policy"))
		}
		if want := ` nonce="` + header[1] + `"`; tag[2] != want {
			t.Errorf("load %d: script tag has%q, want%q", i+1, tag[2], want)
		}
	}
}

func phpFailedLoginIsAFailure(t *testing.T, v *visitor) {
	res := v.actionForm("/login.php", merged(phpToken(v), url.Values{"email": {"demo@example.com"}, "password": {"wrong"}}))
	expectResult(t, res, 403, "failure", 403)
	title, body := pageOf(t, res)
	if title != "Log in | PHP app" {
		t.Errorf("title %q", title)
	}
	for _, want := range []string{
		`<span id="password-error" class="error">Invalid email or password.</span>`,
		`value="demo@example.com"`,
		`<form method="post" action="/login.php" id="login-form">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}

func phpLoginIsARedirectWithTheSessionCookie(t *testing.T, v *visitor) {
	fields := phpToken(v)
	anonymous := v.cookie("PHPSESSID")
	res := v.actionForm("/login.php", merged(fields, url.Values{"email": {"Demo@Example.com"}, "password": {"secret"}}))
	expectResult(t, res, 200, "redirect", 302)
	if res.Location != "/index.php" {
		t.Errorf("location %q, want /index.php", res.Location)
	}
	if !strings.HasPrefix(res.Header.Get("Set-Cookie"), "PHPSESSID=") || v.cookie("PHPSESSID") == anonymous {
		t.Fatalf("Set-Cookie %q: the new session id did not come through", res.Header.Get("Set-Cookie"))
	}
	_, page := v.get(res.Location)
	if !strings.Contains(page, `<p id="flash" class="flash" role="status">Signed in as demo@example.com.</p>`) {
		t.Errorf("the next page has no sign-in flash:\n%s", page)
	}
}

func phpOldStyleValidationIsASuccess(t *testing.T, v *visitor) {
	_, page := v.get("/contact.php")
	fields := merged(hiddenFields(t, page, "/contact.php"), url.Values{"name": {""}, "email": {"nope"}, "message": {"short"}})
	res := v.actionForm("/contact.php", fields)
	expectResult(t, res, 200, "success", 200)
	_, body := pageOf(t, res)
	for _, want := range []string{
		"Please correct the errors below.",
		`<span id="name-error" class="error">Please enter your name.</span>`,
		`<span id="email-error" class="error">Please enter a valid email address.</span>`,
		`<span id="message-error" class="error">Message must be at least 10 characters.</span>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s", want)
		}
	}
}

func phpInvalidNoteIsAFailure(t *testing.T, v *visitor) {
	phpSignIn(v)
	_, page := v.get("/index.php")
	res := v.actionForm("/index.php?do=save", merged(hiddenFields(t, page, "/index.php?do=save"), url.Values{"title": {""}, "body": {""}}))
	expectResult(t, res, 422, "failure", 422)
	_, body := pageOf(t, res)
	for _, want := range []string{"The note was not saved.", "Title is required.", "Body is required."} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
}

func phpNoteSavedRedirectsWithAFlash(t *testing.T, v *visitor) {
	phpSignIn(v)
	for _, target := range []struct{ page, action, title string }{
		{"/index.php", "/index.php?do=save", "Saved directly"},
		{"/", "/?/index.php&do=save", "Saved as a named action"},
	} {
		_, page := v.get(target.page)
		token := hiddenFields(t, page, target.action)
		res := v.actionForm(target.action, merged(token, url.Values{"title": {target.title}, "body": {"text"}}))
		expectResult(t, res, 200, "redirect", 302)
		if res.Location != "/index.php" {
			t.Errorf("%s: location %q, want /index.php", target.action, res.Location)
		}
		_, page = v.get(res.Location)
		if want := "Saved: " + target.title; !strings.Contains(page, want) {
			t.Errorf("%s: the next page lacks the flash %q", target.action, want)
		}
	}
	_, page := v.get("/index.php")
	if !strings.Contains(page, "Saved directly") || !strings.Contains(page, "Saved as a named action") {
		t.Errorf("the notes are not both listed:\n%s", page)
	}
}

func phpMultipartSubmitterDecides(t *testing.T, v *visitor) {
	_, page := v.get("/post.php")
	token := hiddenFields(t, page, "/post.php").Get("csrf_token")
	attachment := bytes.Repeat([]byte("multipart through the gateway\n"), 3000)
	sum := sha256.Sum256(attachment)

	tests := []struct {
		name, op, title string
		check           func(t *testing.T, res actionResult)
	}{
		{"Save draft re-renders the form with the draft and its attachment", "draft", "My draft", func(t *testing.T, res actionResult) {
			expectResult(t, res, 200, "success", 200)
			_, body := pageOf(t, res)
			for _, want := range []string{
				`<p id="draft-status">Draft saved: My draft</p>`,
				`<span class="attachment-name">notes.txt</span>`,
				fmt.Sprintf(`<span class="attachment-size">%d</span>`, len(attachment)),
				`<span class="attachment-sha256">` + hex.EncodeToString(sum[:]) + `</span>`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s", want)
				}
			}
		}},
		{"Publish redirects to the post list", "publish", "My post", func(t *testing.T, res actionResult) {
			expectResult(t, res, 200, "redirect", 302)
			if res.Location != "/post.php" {
				t.Errorf("location %q, want /post.php", res.Location)
			}
		}},
		{"Publish without a title is a 422 failure", "publish", "", func(t *testing.T, res actionResult) {
			expectResult(t, res, 422, "failure", 422)
			if _, body := pageOf(t, res); !strings.Contains(body, "A title is required to publish.") {
				t.Errorf("body lacks the title error")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf_token", token)
			mw.WriteField("title", tt.title)
			mw.WriteField("body", "text")
			fw, _ := mw.CreateFormFile("attachment", "notes.txt")
			fw.Write(attachment)
			mw.WriteField("op", tt.op) // the clicked button comes last, as a browser sends it
			mw.Close()
			tt.check(t, v.action("/post.php", mw.FormDataContentType(), body.Bytes()))
		})
	}
}

func phpServerErrorLeaksNothing(t *testing.T, v *visitor) {
	_, page := v.get("/boom.php")
	expectNoLeak(t, v.actionForm("/boom.php", hiddenFields(t, page, "/boom.php")))
}

func phpNamedActionWithoutJavaScript(t *testing.T, v *visitor) {
	phpSignIn(v)
	_, page := v.get("/index.php")
	resp, _ := v.submit("/index.php?/logout.php", hiddenFields(t, page, "/index.php?/logout.php"))
	if want := v.gw.url("/login.php"); resp.StatusCode != 302 || resp.Header.Get("Location") != want {
		t.Fatalf("HTTP %d Location %q, want the backend's 302 to %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if _, page := v.get("/login.php"); !strings.Contains(page, "Signed out.") {
		t.Errorf("the login page lacks the sign-out flash")
	}
}

func TestBrowserWithPHP(t *testing.T) {
	runBackendFlows(t, phpFPMGateway(t), []backendFlow{
		{"a failed login shows the backend's error", func(b *browserTab, m scriptMode) {
			m.open(b, "/login.php")
			b.run(typeInto("#email", "demo@example.com"), typeInto("#password", "wrong"))
			m.submit(b, "#login-form button", "document.getElementById('password-error')", "failure 403")
			b.check("the page is the login page", "location.pathname === '/login.php'")
			b.check("the backend's message is shown", textOf("password-error")+" === 'Invalid email or password.'")
			b.check("the email is kept", "document.getElementById('email').value === 'demo@example.com'")
			b.check("nobody is signed in", "!document.getElementById('current-user')")
		}},
		{"a login lands on the notes with a flash", func(b *browserTab, m scriptMode) {
			phpBrowserSignIn(b, m)
			b.check("the flash is shown", textOf("flash")+" === 'Signed in as demo@example.com.'")
			b.check("the user is signed in", textOf("current-user")+" === 'demo@example.com'")
			b.check("the title is the notes page's", "document.title === 'Notes | PHP app'")
		}},
		{"an invalid note shows the backend's errors", func(b *browserTab, m scriptMode) {
			phpBrowserSignIn(b, m)
			b.run(typeInto("#body", "A body without a title"))
			m.submit(b, "#note-form button", "document.getElementById('title-error')", "failure 422")
			b.check("the title error is shown", textOf("title-error")+" === 'Title is required.'")
			b.check("the form error is shown", textOf("form-error")+" === 'The note was not saved.'")
			b.check("the body is kept", "document.getElementById('body').value === 'A body without a title'")
			b.check("nothing was saved", "document.getElementById('empty')")
		}},
		{"a saved note redirects back to the notes with a flash", func(b *browserTab, m scriptMode) {
			phpBrowserSignIn(b, m)
			b.run(typeInto("#title", "Buy milk"), typeInto("#body", "Two litres"))
			m.submit(b, "#note-form button", textOf("flash")+" === 'Saved: Buy milk'", "redirect 302")
			b.check("the page is the notes page", "location.href === "+strconv.Quote(b.gw.url("/index.php")))
			b.check("the note is listed", "document.querySelector('#notes .title').textContent === 'Buy milk'")
			b.check("the form is empty again", "document.getElementById('title').value === ''")
		}},
	})
}

// phpBrowserSignIn logs the demo account in through the login form.
func phpBrowserSignIn(b *browserTab, m scriptMode) {
	b.t.Helper()
	m.open(b, "/login.php")
	b.run(typeInto("#email", "demo@example.com"), typeInto("#password", "secret"))
	m.submit(b, "#login-form button", "location.pathname === '/index.php' && document.getElementById('note-form')", "redirect 302")
}
