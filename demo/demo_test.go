package demo

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is a cookie-keeping client that does not follow redirects, so
// each test sees the exact status and Location the app sends.
type browser struct {
	t      *testing.T
	server *httptest.Server
	client *http.Client
}

type reply struct {
	status int
	header http.Header
	body   string
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handler())
	t.Cleanup(srv.Close)
	return srv
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, server: srv, client: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) do(req *http.Request) reply {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) reply {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.server.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, fields url.Values) reply {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.server.URL+path, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token loads page and returns the CSRF token its forms carry.
func (b *browser) token(page string) string {
	b.t.Helper()
	m := csrfInput.FindStringSubmatch(b.get(page).body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", page)
	}
	return m[1]
}

// submit posts fields to action the way the form on page would: with the
// token that page carried.
func (b *browser) submit(page, action string, fields url.Values) reply {
	b.t.Helper()
	fields.Set("csrf_token", b.token(page))
	return b.post(action, fields)
}

func (b *browser) logIn() {
	b.t.Helper()
	r := b.submit("/login", "/login", url.Values{"email": {"demo@example.com"}, "password": {"secret"}})
	if r.status != http.StatusFound {
		b.t.Fatalf("log in: status %d", r.status)
	}
}

func (b *browser) addTodo(title string) {
	b.t.Helper()
	if r := b.submit("/todos", "/todos/add", url.Values{"title": {title}}); r.status != http.StatusSeeOther {
		b.t.Fatalf("add %q: status %d", title, r.status)
	}
}

func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.server.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == cookieName {
			return c.Value
		}
	}
	return ""
}

func assertStatus(t *testing.T, r reply, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body:\n%s", r.status, want, r.body)
	}
}

func assertLocation(t *testing.T, r reply, want string) {
	t.Helper()
	if got := r.header.Get("Location"); got != want {
		t.Fatalf("Location = %q, want %q", got, want)
	}
}

func assertContains(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func assertLacks(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("body has %q:\n%s", u, body)
		}
	}
}

var postForm = regexp.MustCompile(`(?s)<form method="post"[^>]*>.*?</form>`)

func TestEveryPageRendersWithBannerAndTokenInEveryPostForm(t *testing.T) {
	srv := newServer(t)
	pages := []struct {
		name   string
		path   string
		login  bool
		marker string
	}{
		{"home shows the intro", "/", false, `id="intro"`},
		{"login shows its form", "/login", false, `id="login-form"`},
		{"signup shows its form", "/signup", false, `id="signup-form"`},
		{"search shows its GET form", "/search", false, `<form method="get" action="/search"`},
		{"upload shows a multipart form", "/upload", false, `enctype="multipart/form-data"`},
		{"boom shows its form", "/boom", false, `id="boom-form"`},
		{"todos shows the add form when logged in", "/todos", true, `action="/todos/add"`},
		{"home shows a logout form when logged in", "/", true, `action="/logout"`},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			if tc.login {
				b.logIn()
			}
			r := b.get(tc.path)
			assertStatus(t, r, http.StatusOK)
			assertContains(t, r.body, tc.marker, `<p id="enhance-status">`, `href="?enhance=off"`)
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			for _, f := range postForm.FindAllString(r.body, -1) {
				if !csrfInput.MatchString(f) {
					t.Errorf("POST form without CSRF token:\n%s", f)
				}
			}
		})
	}
}

func TestLogin(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name        string
		email       string
		password    string
		invalid     string // field expected to carry aria-invalid
		message     string
		wantsStatus int
	}{
		{"a wrong password is refused with 403 and blames the password", "demo@example.com", "nope", "password", "Invalid email or password.", http.StatusForbidden},
		{"an unknown email is refused with 403 and blames the email", "who@example.com", "secret", "email", "Invalid email or password.", http.StatusForbidden},
		{"a blank email is refused with 403 and asks for it", "", "secret", "email", "Enter your email.", http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			r := b.submit("/login", "/login", url.Values{"email": {tc.email}, "password": {tc.password}})
			assertStatus(t, r, tc.wantsStatus)
			assertContains(t, r.body,
				`id="login-form"`,
				`name="email" type="email" autocomplete="username" value="`+tc.email+`"`,
				`name="password" type="password" autocomplete="current-password" value=""`,
				`id="`+tc.invalid+`-error" class="error">`+tc.message,
				`aria-invalid="true" aria-describedby="`+tc.invalid+`-error"`,
			)
			if n := strings.Count(r.body, ` aria-invalid="true"`); n != 1 {
				t.Errorf("%d fields marked invalid, want 1", n)
			}
		})
	}

	t.Run("the right password redirects with 302 to an absolute URL from the Host header", func(t *testing.T) {
		b := newBrowser(t, srv)
		before := b.token("/login") // also starts an anonymous session
		oldID := b.sessionCookie()
		r := b.post("/login", url.Values{"email": {"Demo@Example.com"}, "password": {"secret"}, "csrf_token": {before}})
		assertStatus(t, r, http.StatusFound)
		assertLocation(t, r, "http://"+strings.TrimPrefix(srv.URL, "http://")+"/todos")
		if b.sessionCookie() == oldID || b.sessionCookie() == "" {
			t.Errorf("session id not renewed on login")
		}
		page := b.get("/todos")
		assertStatus(t, page, http.StatusOK)
		assertContains(t, page.body, `<p id="flash" class="flash" role="status">Signed in as demo@example.com.</p>`, `<span id="current-user">demo@example.com</span>`)
	})

	t.Run("the Location follows whatever Host the request names", func(t *testing.T) {
		b := newBrowser(t, srv)
		tok := b.token("/login")
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{
			"email": {"demo@example.com"}, "password": {"secret"}, "csrf_token": {tok},
		}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "gateway.test:8080"
		// The jar files cookies under req.Host, so hand the session over.
		req.AddCookie(&http.Cookie{Name: cookieName, Value: b.sessionCookie()})
		r := b.do(req)
		assertStatus(t, r, http.StatusFound)
		assertLocation(t, r, "http://gateway.test:8080/todos")
	})
}

func TestCSRF(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name  string
		token func(b *browser) (field, header string)
		want  int
	}{
		{"a POST without a token is refused with 403",
			func(b *browser) (string, string) { b.get("/"); return "", "" }, http.StatusForbidden},
		{"a POST with a made-up token is refused with 403",
			func(b *browser) (string, string) { b.get("/"); return "forged", "" }, http.StatusForbidden},
		{"a POST with another session's token is refused with 403",
			func(b *browser) (string, string) { b.get("/"); return newBrowser(t, srv).token("/login"), "" }, http.StatusForbidden},
		{"a POST without any session cookie is refused with 403",
			func(b *browser) (string, string) { return "anything", "" }, http.StatusForbidden},
		{"a POST with its own token in the form field passes",
			func(b *browser) (string, string) { return b.token("/boom"), "" }, http.StatusInternalServerError},
		{"a POST with its own token in the X-CSRF-Token header passes",
			func(b *browser) (string, string) { return "", b.token("/boom") }, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			field, header := tc.token(b)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/boom", strings.NewReader(url.Values{"csrf_token": {field}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if header != "" {
				req.Header.Set("X-CSRF-Token", header)
			}
			r := b.do(req)
			assertStatus(t, r, tc.want)
			if tc.want == http.StatusForbidden {
				assertContains(t, r.body, `<p id="error-message">Invalid CSRF token</p>`)
			}
		})
	}

	t.Run("a multipart POST is checked too", func(t *testing.T) {
		b := newBrowser(t, srv)
		b.get("/upload")
		body, ct := multipartBody(t, map[string]string{"csrf_token": "forged"}, "a.txt", []byte("x"))
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", body)
		req.Header.Set("Content-Type", ct)
		assertStatus(t, b.do(req), http.StatusForbidden)
	})
}

func TestTodosNeedALogin(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name   string
		method string
		path   string
		want   int
	}{
		{"viewing the list redirects with 302 to /login", http.MethodGet, "/todos", http.StatusFound},
		{"adding redirects with 303 to /login", http.MethodPost, "/todos/add", http.StatusSeeOther},
		{"completing redirects with 303 to /login", http.MethodPost, "/todos/complete", http.StatusSeeOther},
		{"deleting redirects with 303 to /login", http.MethodPost, "/todos/delete", http.StatusSeeOther},
		{"clearing redirects with 303 to /login", http.MethodPost, "/todos/clear", http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			var r reply
			if tc.method == http.MethodGet {
				r = b.get(tc.path)
			} else {
				r = b.submit("/login", tc.path, url.Values{"title": {"x"}, "id": {"1"}})
			}
			assertStatus(t, r, tc.want)
			assertLocation(t, r, "/login")
			assertContains(t, b.get("/login").body, "Please log in first.")
		})
	}
}

func TestTodos(t *testing.T) {
	srv := newServer(t)

	t.Run("adding redirects with 303 and the list shows the flash once", func(t *testing.T) {
		b := newBrowser(t, srv)
		b.logIn()
		b.get("/todos") // takes the login flash
		r := b.submit("/todos", "/todos/add", url.Values{"title": {"  Buy milk  "}})
		assertStatus(t, r, http.StatusSeeOther)
		assertLocation(t, r, "/todos")
		page := b.get("/todos")
		assertContains(t, page.body, `<p id="flash" class="flash" role="status">Added: Buy milk</p>`,
			`<li id="todo-1" class="todo" data-done="false">`, `<span class="title">Buy milk</span>`)
		assertLacks(t, b.get("/todos").body, `id="flash"`)
	})

	invalid := []struct {
		name    string
		title   string
		message string
	}{
		{"a blank title is answered with 422 and the form again", "   ", "Title can&#39;t be blank."},
		{"a title over 200 characters is answered with 422", strings.Repeat("a", 201), "Title is too long (maximum 200 characters)."},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			b.logIn()
			r := b.submit("/todos", "/todos/add", url.Values{"title": {tc.title}})
			assertStatus(t, r, http.StatusUnprocessableEntity)
			assertContains(t, r.body, `name="title" type="text" value="`+tc.title+`" aria-invalid="true" aria-describedby="title-error"`,
				`<span id="title-error" class="error">`+tc.message+`</span>`)
			assertContains(t, b.get("/todos").body, `<p id="empty">No to-dos yet.</p>`)
		})
	}

	t.Run("completing marks the item done", func(t *testing.T) {
		b := newBrowser(t, srv)
		b.logIn()
		b.addTodo("Walk dog")
		r := b.submit("/todos", "/todos/complete", url.Values{"id": {"1"}})
		assertStatus(t, r, http.StatusSeeOther)
		assertLocation(t, r, "/todos")
		assertContains(t, b.get("/todos").body, "Completed: Walk dog", `<li id="todo-1" class="todo done" data-done="true">`, `<span class="status">(done)</span>`)
	})

	t.Run("deleting through the formaction button removes the item", func(t *testing.T) {
		b := newBrowser(t, srv)
		b.logIn()
		b.addTodo("Keep")
		b.addTodo("Drop")
		page := b.get("/todos").body
		assertContains(t, page, `<button type="submit" formaction="/todos/delete">Delete</button>`)
		r := b.submit("/todos", "/todos/delete", url.Values{"id": {"2"}})
		assertStatus(t, r, http.StatusSeeOther)
		after := b.get("/todos").body
		assertContains(t, after, "Deleted: Drop", `id="todo-1"`)
		assertLacks(t, after, `id="todo-2"`)
	})

	t.Run("clearing deletes only completed items", func(t *testing.T) {
		b := newBrowser(t, srv)
		b.logIn()
		b.addTodo("Done one")
		b.addTodo("Open one")
		b.submit("/todos", "/todos/complete", url.Values{"id": {"1"}})
		assertContains(t, b.get("/todos").body, `<form method="post" action="/todos/clear" id="clear-completed" onsubmit="return confirm('Delete?')">`)
		r := b.submit("/todos", "/todos/clear", url.Values{})
		assertStatus(t, r, http.StatusSeeOther)
		after := b.get("/todos").body
		assertContains(t, after, "Deleted 1 completed to-dos.", "Open one")
		assertLacks(t, after, `id="todo-1"`)
	})

	for _, id := range []string{"99", "abc", ""} {
		t.Run("completing an unknown id "+strconvQuote(id)+" answers 404", func(t *testing.T) {
			b := newBrowser(t, srv)
			b.logIn()
			r := b.submit("/todos", "/todos/complete", url.Values{"id": {id}})
			assertStatus(t, r, http.StatusNotFound)
			assertContains(t, r.body, "No such to-do.")
		})
	}

	t.Run("each session keeps its own list", func(t *testing.T) {
		alice, bob := newBrowser(t, srv), newBrowser(t, srv)
		alice.logIn()
		bob.logIn()
		alice.addTodo("Alice's secret")
		assertLacks(t, bob.get("/todos").body, "secret")
	})

	t.Run("an inline script carries the nonce of the response's CSP", func(t *testing.T) {
		b := newBrowser(t, srv)
		b.logIn()
		r := b.get("/todos")
		nonce := cspNonce(t, r)
		assertContains(t, r.body, `<script nonce="`+nonce+`">window.demoInline = (window.demoInline||0)+1</script>`)
	})
}

func strconvQuote(s string) string { return `"` + s + `"` }

var nonceSource = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`)

func cspNonce(t *testing.T, r reply) string {
	t.Helper()
	m := nonceSource.FindStringSubmatch(r.header.Get("Content-Security-Policy"))
	if m == nil {
		t.Fatalf("no nonce in CSP %q", r.header.Get("Content-Security-Policy"))
	}
	return m[1]
}

func TestContentSecurityPolicy(t *testing.T) {
	srv := newServer(t)
	b := newBrowser(t, srv)

	t.Run("every response gets a fresh nonce", func(t *testing.T) {
		if cspNonce(t, b.get("/")) == cspNonce(t, b.get("/")) {
			t.Error("nonce repeated")
		}
	})
	t.Run("the policy allows the confirm handler by its hash", func(t *testing.T) {
		sum := sha256.Sum256([]byte(`return confirm('Delete?')`))
		want := "'unsafe-hashes' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		assertContains(t, b.get("/").header.Get("Content-Security-Policy"), "script-src 'self' 'nonce-", want)
	})
}

func TestSignup(t *testing.T) {
	srv := newServer(t)
	invalid := []struct {
		name   string
		fields url.Values
		errors map[string]string
	}{
		{"blank fields are each reported", url.Values{},
			map[string]string{"name": "Name can&#39;t be blank.", "email": "Email can&#39;t be blank.", "password": "Password is too short (minimum 6 characters)."}},
		{"an email without @ is invalid", url.Values{"name": {"Ann"}, "email": {"ann.example.com"}, "password": {"longenough"}},
			map[string]string{"email": "Email is invalid."}},
		{"an email in use is taken, whatever its case", url.Values{"name": {"Ann"}, "email": {"DEMO@example.com"}, "password": {"longenough"}},
			map[string]string{"email": "Email has already been taken."}},
		{"a short password is refused", url.Values{"name": {"Ann"}, "email": {"ann@example.com"}, "password": {"12345"}},
			map[string]string{"password": "Password is too short (minimum 6 characters)."}},
	}
	for _, tc := range invalid {
		t.Run(tc.name+" with 422", func(t *testing.T) {
			b := newBrowser(t, srv)
			r := b.submit("/signup", "/signup", tc.fields)
			assertStatus(t, r, http.StatusUnprocessableEntity)
			assertContains(t, r.body, `id="form-error"`, `value="`+tc.fields.Get("name")+`"`, `value="`+tc.fields.Get("email")+`"`)
			for field, message := range tc.errors {
				assertContains(t, r.body, `aria-describedby="`+field+`-error"`, `<span id="`+field+`-error" class="error">`+message+`</span>`)
			}
			if n := strings.Count(r.body, ` aria-invalid="true"`); n != len(tc.errors) {
				t.Errorf("%d fields marked invalid, want %d", n, len(tc.errors))
			}
		})
	}

	t.Run("a valid signup redirects with 303 and signs the account in", func(t *testing.T) {
		b := newBrowser(t, srv)
		r := b.submit("/signup", "/signup", url.Values{"name": {"Ann"}, "email": {"ann@example.com"}, "password": {"longenough"}})
		assertStatus(t, r, http.StatusSeeOther)
		assertLocation(t, r, "/todos")
		assertContains(t, b.get("/todos").body, "Welcome, Ann!")

		other := newBrowser(t, srv)
		assertStatus(t, other.submit("/login", "/login", url.Values{"email": {"ann@example.com"}, "password": {"longenough"}}), http.StatusFound)
	})
}

func TestLogout(t *testing.T) {
	b := newBrowser(t, newServer(t))
	b.logIn()
	r := b.submit("/todos", "/logout", url.Values{})
	assertStatus(t, r, http.StatusSeeOther)
	assertLocation(t, r, "/")
	assertContains(t, b.get("/").body, "Signed out.", `href="/login"`)
	assertStatus(t, b.get("/todos"), http.StatusFound)
}

func TestSearch(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name  string
		login bool
		query string
		want  []string
		lacks []string
	}{
		{"an empty query shows the form alone", false, "", []string{`id="search-form"`}, []string{`id="results"`}},
		{"a query matches catalog titles case-insensitively", false, "FORM",
			[]string{`<p id="result-count">2 results</p>`, `<li class="catalog">Getting started with forms</li>`, `<li class="catalog">Form actions explained</li>`, `value="FORM"`}, nil},
		{"a query with no match says 0 results", false, "zebra", []string{`<p id="result-count">0 results</p>`}, []string{"<li"}},
		{"a logged-in query matches the visitor's to-dos first", true, "milk",
			[]string{`<p id="result-count">1 result</p>`, `<li class="todo">Buy milk</li>`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			if tc.login {
				b.logIn()
				b.addTodo("Buy milk")
			}
			r := b.get("/search?q=" + url.QueryEscape(tc.query))
			assertStatus(t, r, http.StatusOK)
			assertContains(t, r.body, tc.want...)
			main := r.body[strings.Index(r.body, "<main"):]
			assertLacks(t, main, tc.lacks...)
		})
	}
}

func multipartBody(t *testing.T, fields map[string]string, filename string, content []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "-" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestUpload(t *testing.T) {
	srv := newServer(t)
	content := []byte("hello, upload\n")
	sum := sha256.Sum256(content)
	tests := []struct {
		name     string
		filename string
		content  []byte
		want     int
		markers  []string
	}{
		{"a file is answered with 200 and its name, size and SHA-256", "hello.txt", content, http.StatusOK, []string{
			`<dd id="upload-name">hello.txt</dd>`, `<dd id="upload-size">14</dd>`,
			`<dd id="upload-sha256">` + hex.EncodeToString(sum[:]) + `</dd>`, `<dd id="upload-caption">A caption</dd>`,
		}},
		{"an empty file part without a name counts as no file: 422", "", nil, http.StatusUnprocessableEntity, []string{
			`aria-invalid="true" aria-describedby="file-error"`, `Choose a file to upload.`, `value="A caption"`,
		}},
		{"a form without a file part is answered with 422", "-", nil, http.StatusUnprocessableEntity, []string{`Choose a file to upload.`}},
		{"a body over 8 MiB is answered with 413", "big.bin", make([]byte, maxBodyBytes+1), http.StatusRequestEntityTooLarge, []string{"Request body too large"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			body, ct := multipartBody(t, map[string]string{"csrf_token": b.token("/upload"), "caption": "A caption"}, tc.filename, tc.content)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", body)
			req.Header.Set("Content-Type", ct)
			r := b.do(req)
			assertStatus(t, r, tc.want)
			assertContains(t, r.body, tc.markers...)
		})
	}
}

func TestBoom(t *testing.T) {
	b := newBrowser(t, newServer(t))
	assertStatus(t, b.get("/boom"), http.StatusOK)
	r := b.submit("/boom", "/boom", url.Values{})
	assertStatus(t, r, http.StatusInternalServerError)
	assertContains(t, r.body, "LEAKED-STACK-TRACE", "goroutine 42 [running]:", "hunter2")
}

func TestGzip(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name           string
		acceptEncoding string
		wantGzip       bool
	}{
		{"gzip is used when accepted", "gzip, deflate, br", true},
		{"gzip with a quality is used", "br;q=1.0, gzip;q=0.5", true},
		{"a wildcard accepts gzip", "*", true},
		{"gzip refused with q=0 is not used", "gzip;q=0, *", false},
		{"no Accept-Encoding gets identity", "", false},
		{"an unrelated coding gets identity", "br", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
			if tc.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tc.acceptEncoding)
			}
			r := b.do(req)
			assertStatus(t, r, http.StatusOK)
			if !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary = %q", r.header.Get("Vary"))
			}
			body := r.body
			if tc.wantGzip {
				if r.header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("Content-Encoding = %q, want gzip", r.header.Get("Content-Encoding"))
				}
				zr, err := gzip.NewReader(strings.NewReader(r.body))
				if err != nil {
					t.Fatal(err)
				}
				plain, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				body = string(plain)
			} else if ce := r.header.Get("Content-Encoding"); ce != "" {
				t.Fatalf("Content-Encoding = %q, want none", ce)
			}
			assertContains(t, body, `<p id="enhance-status">`)
		})
	}
}

func TestUnknownRoutes(t *testing.T) {
	srv := newServer(t)
	b := newBrowser(t, srv)
	tests := []struct {
		name      string
		method    string
		path      string
		want      int
		wantAllow string
	}{
		{"an unknown path is 404", http.MethodGet, "/nope", http.StatusNotFound, ""},
		{"GET on a POST-only route is 405", http.MethodGet, "/logout", http.StatusMethodNotAllowed, "POST"},
		{"DELETE on a page is 405", http.MethodDelete, "/todos", http.StatusMethodNotAllowed, "GET, HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			r := b.do(req)
			assertStatus(t, r, tc.want)
			if r.header.Get("Allow") != tc.wantAllow {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tc.wantAllow)
			}
		})
	}
}
