package integration

import (
	"bytes"
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
	"time"

	"golang.org/x/net/websocket"
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
	mux.HandleFunc("GET /pages/forms", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		page(w, 200, "Forms", formsPageBody)
	})
	mux.HandleFunc("GET /pages/binary", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "blob.bin", time.Time{}, bytes.NewReader(binaryBody()))
	})
	mux.HandleFunc("GET /pages/gzip", func(w http.ResponseWriter, r *http.Request) {
		// Compressed whatever the request asked for, as some apps do.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, "<html><head><title>Zipped</title></head><body><form method=post action=/save></form>")
		fmt.Fprint(zw, strings.Repeat("<p>Long enough for encode to compress it.</p>\n", 40), "</body></html>")
		zw.Close()
	})
	mux.HandleFunc("GET /pages/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
		w.Write(latin1Page)
	})
	mux.HandleFunc("GET /pages/notransform", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-transform")
		page(w, 200, "Untouchable", `<form method="post" action="/save"></form>`)
	})
	mux.HandleFunc("GET /pages/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Slow</title></head><body><p id=first>first chunk</p>\n")
		w.(http.Flusher).Flush()
		time.Sleep(2 * time.Second)
		io.WriteString(w, "<p>second chunk</p></body></html>\n")
	})
	mux.HandleFunc("GET /pages/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Huge</title></head><body>\n")
		chunk := []byte(strings.Repeat(`<div class="row"><form method="post" action="/save"><input name="a" value="x"></form><p>text text text</p></div>`+"\n", 300))
		for written := 0; written < 100<<20; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		io.WriteString(w, "</body></html>\n")
	})
	mux.Handle("/ws", websocket.Handler(func(c *websocket.Conn) { io.Copy(c, c) }))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		page(w, 200, "Page "+html.EscapeString(r.URL.Path), `<form method="post"><button>Go</button></form>`)
	})
	log.Fatal(http.ListenAndServe(addr, mux))
}

// formsPageBody has one form of each kind the rewriter must treat differently.
const formsPageBody = `<form id="named" method="post" action="/session"><button id="plain">Go</button><button id="other" formaction="/session/other">Other</button></form>
<form id="own" method="POST" action="/pages/forms?do=save"></form>
<form id="default" method="post"></form>
<form id="get" action="/search"></form>
<form id="foreign" method="post" action="https://elsewhere.example/x"></form>
<template><form id="templated" method="post" action="/t"></form></template>
<!-- <form method="post" action="/commented"> -->
<script>var s = '<form method="post" action="/scripted">';</script>`

// binaryBody is a fixed megabyte of noise.
func binaryBody() []byte {
	b := make([]byte, 1<<20)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// latin1Page is an ISO-8859-1 page: 0xE9 is é, invalid as UTF-8.
var latin1Page = []byte("<html><head><title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9e</p><form method=post action=/caf\xe9></form></body></html>")
