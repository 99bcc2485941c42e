package integration

// What the backend tests (PHP, Rails) share: finding the backend's programs,
// and a visitor that keeps its cookies across pages and form submits the way
// a browser does, so session and CSRF checks of the real backends pass.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// needPrograms skips the test when one of the programs is not installed, or
// fails it under CI=true, where everything the suite needs must be there.
// A program may name alternatives: "php-fpm8.2|php-fpm".
func needPrograms(t *testing.T, install string, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if !installed(strings.Split(p, "|")) {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found (%s)", p, install)
			}
			t.Skipf("%s not found (%s)", p, install)
		}
	}
}

func installed(alternatives []string) bool {
	for _, name := range alternatives {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return false
}

// startProcessGroup is startProcess for a server with worker processes
// (php-fpm): killing only the master leaves the workers running, holding its
// output open. At the end the master is asked to stop, which lets it reap its
// workers, then whatever is left of the process group is killed.
func startProcessGroup(t *testing.T, cmd *exec.Cmd, name, addr string) *lockedBuffer {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = time.Second // no worker may hold up Wait
	stop := func() {
		if cmd.Process == nil {
			return
		}
		pid := cmd.Process.Pid
		if syscall.Kill(pid, syscall.SIGTERM) == nil {
			for deadline := time.Now().Add(2 * time.Second); running(pid) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
		}
		syscall.Kill(-pid, syscall.SIGKILL)
	}
	t.Cleanup(stop) // runs after startProcess's own cleanup: catches a failed start
	out := startProcess(t, cmd, name, addr)
	t.Cleanup(stop) // runs before it
	return out
}

// running tells whether pid is alive and not yet a zombie waiting to be reaped.
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// waitFor200 polls url until it answers 200: a server may accept
// connections before it can answer them.
func waitFor200(t *testing.T, url, what string, logs *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := noRedirects.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 at %s; output:\n%s", what, url, logs)
}

// visitor is one browser session on a gateway: cookies persist between its requests.
type visitor struct {
	t   *testing.T
	gw  *gateway
	jar *cookiejar.Jar
}

func newVisitor(t *testing.T, gw *gateway) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, gw: gw, jar: jar}
}

// do sends req with the visitor's cookies and keeps the ones it gets back.
func (v *visitor) do(req *http.Request) (*http.Response, string) {
	v.t.Helper()
	for _, c := range v.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	v.jar.SetCookies(req.URL, resp.Cookies())
	return resp, string(body)
}

// get loads a page as a navigation does.
func (v *visitor) get(path string) (*http.Response, string) {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, v.gw.url(path), nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	return v.do(req)
}

// submit posts a form natively, as a browser without JavaScript does.
func (v *visitor) submit(path string, fields url.Values) (*http.Response, string) {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, v.gw.url(path), strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", form)
	req.Header.Set("Origin", "http://"+v.gw.addr)
	return v.do(req)
}

// action sends a form the way the enhance script does and keeps the cookies
// the result carries.
func (v *visitor) action(path, contentType string, body []byte) actionResult {
	v.t.Helper()
	u, _ := url.Parse(v.gw.url(path))
	var cookies []string
	for _, c := range v.jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	extra := map[string]string{}
	if len(cookies) > 0 {
		extra["Cookie"] = strings.Join(cookies, "; ")
	}
	res := postAction(v.t, v.gw, path, contentType, bytes.NewReader(body), extra)
	v.jar.SetCookies(u, (&http.Response{Header: res.Header}).Cookies())
	return res
}

// actionForm is action with a urlencoded body.
func (v *visitor) actionForm(path string, fields url.Values) actionResult {
	v.t.Helper()
	return v.action(path, form, []byte(fields.Encode()))
}

// cookie is the visitor's cookie called name, empty when it has none.
func (v *visitor) cookie(name string) string {
	u, _ := url.Parse(v.gw.url("/"))
	for _, c := range v.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// hiddenFields returns the hidden inputs of the first form in page whose
// action attribute is action, as the browser would submit them.
func hiddenFields(t *testing.T, page, action string) url.Values {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	inForm, found := false, false
	fields := url.Values{}
	for {
		switch z.Next() {
		case html.ErrorToken:
			if !found {
				t.Fatalf("no form with action %q in:\n%s", action, page)
			}
			return fields
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch {
			case tok.Data == "form" && !found && attr(tok, "action") == action:
				inForm, found = true, true
			case tok.Data == "input" && inForm && attr(tok, "type") == "hidden":
				fields.Add(attr(tok, "name"), attr(tok, "value"))
			}
		case html.EndTagToken:
			if inForm && z.Token().Data == "form" {
				return fields
			}
		}
	}
}

func attr(tok html.Token, name string) string {
	for _, a := range tok.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// merged returns the fields of a and b together.
func merged(a url.Values, b url.Values) url.Values {
	out := url.Values{}
	for _, vs := range []url.Values{a, b} {
		for k, v := range vs {
			out[k] = append(out[k], v...)
		}
	}
	return out
}

// pageOf returns the title and body markup an action result carries for an HTML reply.
func pageOf(t *testing.T, res actionResult) (title, body string) {
	t.Helper()
	title, _ = dataField(t, res, "title").(string)
	body, _ = dataField(t, res, "body").(string)
	return title, body
}

// expectResult fails the test unless res has the HTTP status, type and result status.
func expectResult(t *testing.T, res actionResult, httpStatus int, typ string, status int) {
	t.Helper()
	if res.HTTPStatus != httpStatus || res.Type != typ || (status != 0 && res.Status != status) {
		t.Fatalf("got HTTP %d %s, want HTTP %d type %q status %d", res.HTTPStatus, res.Raw, httpStatus, typ, status)
	}
}

// leakMarkers are strings the backends put in their 500 pages on purpose.
var leakMarkers = []string{"LEAKED-STACK-TRACE", "hunter2", "Stack trace:"}

// expectNoLeak fails the test when the 500 result is not the generic error or
// shows anything of the backend's page.
func expectNoLeak(t *testing.T, res actionResult) {
	t.Helper()
	expectResult(t, res, 500, "error", 0)
	if res.Error["message"] != "Internal Error" {
		t.Errorf("error %v, want the message Internal Error", res.Error)
	}
	for _, m := range leakMarkers {
		if strings.Contains(res.Raw, m) {
			t.Errorf("the result shows the backend's %q: %s", m, res.Raw)
		}
	}
}
