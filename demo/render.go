package demo

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageSet maps a page name to its template: the shared layout plus the
// page's "content" block.
type pageSet map[string]*template.Template

var pageNames = []string{"home", "login", "signup", "todos", "search", "upload", "boom", "crash", "error"}

func parsePages() pageSet {
	layout := template.Must(template.ParseFS(templateFiles, "templates/layout.html"))
	pages := make(pageSet, len(pageNames))
	for _, name := range pageNames {
		t := template.Must(layout.Clone())
		pages[name] = template.Must(t.ParseFS(templateFiles, "templates/"+name+".html"))
	}
	return pages
}

// confirmHandler is the one inline event handler the app uses. Its hash is
// allowed by the CSP ('unsafe-hashes'), so the confirm dialog works under a
// nonce-based policy that blocks every other inline handler.
const confirmHandler = "return confirm('Delete?')"

var confirmHandlerHash = func() string {
	sum := sha256.Sum256([]byte(confirmHandler))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// view is everything a template may show. The layout reads the first group
// of fields; pages read the rest.
type view struct {
	Title     string
	Nonce     string
	CSRFToken string
	User      *user
	Flash     string

	Form    form
	Todos   []todo
	Query   string
	Results []searchResult
	Upload  *uploadResult
	Message string
}

// form holds submitted values to show again and the error of each field.
type form struct {
	Values map[string]string
	Errors map[string]string
}

// UserName and UserEmail let templates read the unexported user fields.
func (v view) UserName() string  { return v.User.name }
func (v view) UserEmail() string { return v.User.email }

// render executes page for s and writes it with status. It takes the
// session's flash, so a flash is shown exactly once.
func (a *app) render(w http.ResponseWriter, r *http.Request, s *session, status int, page string, v view) {
	v.Nonce = randomToken()
	v.User = a.currentUser(s)
	a.mu.Lock()
	v.CSRFToken = s.csrfToken
	v.Flash, s.flash = s.flash, ""
	a.mu.Unlock()

	var body bytes.Buffer
	if err := a.pages[page].ExecuteTemplate(&body, "layout", v); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "script-src 'self' 'nonce-"+v.Nonce+"' 'unsafe-hashes' "+
		confirmHandlerHash+"; object-src 'none'; base-uri 'self'")
	writeBody(w, r, status, body.Bytes())
}

// renderError shows a short error page: the layout with one message.
func (a *app) renderError(w http.ResponseWriter, r *http.Request, s *session, status int, message string) {
	a.render(w, r, s, status, "error", view{Title: http.StatusText(status), Message: message})
}

// writeBody sends body, gzip-compressed when the client accepts it.
func writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		var zipped bytes.Buffer
		zw := gzip.NewWriter(&zipped)
		zw.Write(body)
		zw.Close()
		body = zipped.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// acceptsGzip reads Accept-Encoding: an explicit "gzip" decides by its
// quality; otherwise a "*" does.
func acceptsGzip(headers []string) bool {
	gzipSeen, gzipOK, starSeen, starOK := false, false, false, false
	for _, header := range headers {
		for _, item := range strings.Split(header, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(item), ";")
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipSeen, gzipOK = true, !zeroQuality(params)
			case "*":
				starSeen, starOK = true, !zeroQuality(params)
			}
		}
	}
	if gzipSeen {
		return gzipOK
	}
	return starSeen && starOK
}

func zeroQuality(params string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			return err == nil && q == 0
		}
	}
	return false
}
