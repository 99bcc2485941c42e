package integration

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// seenRequest is what the legacy app records about a request it served, so
// tests can check exactly what reached the backend.
type seenRequest struct {
	Method   string      `json:"method"`
	Path     string      `json:"path"`
	RawQuery string      `json:"raw_query"`
	Header   http.Header `json:"header"`
	BodySHA  string      `json:"body_sha256"`
	BodyLen  int         `json:"body_len"`
}

// serveLegacyApp runs a small app that behaves like a classic server-rendered
// backend: it renders HTML, answers form posts with 303s and re-rendered pages,
// and never speaks JSON unless asked for it on purpose.
func serveLegacyApp(addr string) {
	var mu sync.Mutex
	seen := map[string]seenRequest{}
	hits := map[string]int{}

	record := func(r *http.Request) []byte {
		body, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(body)
		mu.Lock()
		seen[r.URL.Path] = seenRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header, hex.EncodeToString(sum[:]), len(body)}
		hits[r.URL.Path]++
		mu.Unlock()
		return body
	}
	page := func(w http.ResponseWriter, status int, title, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body>%s</body></html>\n", title, body)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /_seen", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"request": seen[r.URL.Query().Get("path")], "hits": hits[r.URL.Query().Get("path")]})
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		page(w, 200, "Log in", `<form method="post" action="/session"><input name="email"><input type="password" name="password"><button>Log in</button><button formaction="/session/remember">Remember me</button></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		body := record(r)
		form, _ := url.ParseQuery(string(body))
		if form.Get("password") == "right" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Path: "/", HttpOnly: true})
			http.SetCookie(w, &http.Cookie{Name: "flash", Value: "Welcome", Path: "/"})
			w.Header().Set("Location", "http://"+r.Host+"/account?x=1#top")
			w.WriteHeader(http.StatusSeeOther)
			return
		}
		page(w, http.StatusUnprocessableEntity, "Log in &amp; retry",
			`<p class="error">Wrong password for `+html.EscapeString(form.Get("email"))+`</p><form method="post" action="/login"><input name="email"></form>`)
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		page(w, 200, "Echo", "<p>ok</p>")
	})
	mux.HandleFunc("POST /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		code, _ := strconv.Atoi(r.PathValue("code"))
		page(w, code, fmt.Sprintf("Status %d SECRET", code), "<pre>SECRET stack trace at db.go:42</pre>")
	})
	mux.HandleFunc("POST /json", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"b":1,"a":["x","y"],"big":12345678901234567890,"s":"<\u2028"}`)
	})
	mux.HandleFunc("POST /empty", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /redirect/{kind}", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		switch r.PathValue("kind") {
		case "relative":
			w.Header().Set("Location", "done?ok=1#msg")
		case "upstream":
			w.Header().Set("Location", "http://"+addr+"/account")
		case "foreign":
			w.Header().Set("Location", "https://other.example/welcome")
		case "none":
		}
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("POST /gzip", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, "<html><head><title>Zipped</title></head><body><p>compressed page</p></body></html>")
		zw.Close()
	})
	mux.HandleFunc("POST /big", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.Header().Set("Content-Type", "text/html")
		chunk := strings.Repeat("<p>filler</p>\n", 1000)
		for i := 0; i < 200; i++ { // about 2.8 MB
			io.WriteString(w, chunk)
		}
	})
	mux.HandleFunc("POST /admin/delete", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		page(w, 200, "Deleted", "<p>deleted everything</p>")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		page(w, 200, "Page "+html.EscapeString(r.URL.Path), `<form method="post"><button>Go</button></form>`)
	})
	log.Fatal(http.ListenAndServe(addr, mux))
}
