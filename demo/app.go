// Package demo is a small classic server-rendered web application: HTML
// pages, POST forms, redirects after POST, cookie sessions and CSRF tokens,
// and no JavaScript of its own. It plays the legacy backend that the enhance
// gateway sits in front of.
package demo

import (
	"errors"
	"net/http"
	"strings"
	"sync"
)

// maxBodyBytes bounds every POST body, uploads included.
const maxBodyBytes = 8 << 20

// maxMemoryBytes is how much of a multipart body is kept in memory before
// file parts spill to disk.
const maxMemoryBytes = 1 << 20

// app holds all state; one mutex guards sessions and users alike because
// every request touches at most a handful of small values.
type app struct {
	mu       sync.Mutex
	sessions map[string]*session
	users    map[string]user
	pages    pageSet
	mux      *http.ServeMux
}

// sessionHandler is a route handler that is given the caller's session.
type sessionHandler func(w http.ResponseWriter, r *http.Request, s *session)

// Handler returns the application with fresh in-memory state: one demo
// account (demo@example.com / secret), no sessions, no to-dos.
func Handler() http.Handler {
	a := &app{
		sessions: make(map[string]*session),
		users:    make(map[string]user),
		pages:    parsePages(),
		mux:      http.NewServeMux(),
	}
	a.addUser("Demo User", "demo@example.com", "secret")
	a.routes()
	return a.mux
}

func (a *app) routes() {
	a.handle("GET /{$}", a.showHome)
	a.handle("GET /login", a.showLogin)
	a.handle("POST /login", a.login)
	a.handle("GET /signup", a.showSignup)
	a.handle("POST /signup", a.signup)
	a.handle("POST /logout", a.logout)
	a.handle("GET /todos", a.requireLogin(a.showTodos))
	a.handle("POST /todos/add", a.requireLogin(a.addTodo))
	a.handle("POST /todos/complete", a.requireLogin(a.completeTodo))
	a.handle("POST /todos/delete", a.requireLogin(a.deleteTodo))
	a.handle("POST /todos/clear", a.requireLogin(a.clearCompleted))
	a.handle("GET /search", a.showSearch)
	a.handle("GET /upload", a.showUpload)
	a.handle("POST /upload", a.upload)
	a.handle("GET /boom", a.showBoom)
	a.handle("POST /boom", a.boom)
}

// handle registers a route that always runs with a session, and, for POST,
// only after the body was parsed and its CSRF token checked.
func (a *app) handle(pattern string, h sessionHandler) {
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s := a.sessionFor(w, r)
		if r.Method == http.MethodPost {
			if !a.parseBody(w, r, s) || !a.checkCSRF(w, r, s) {
				return
			}
		}
		h(w, r, s)
	})
}

// parseBody reads the form, urlencoded or multipart, within maxBodyBytes.
func (a *app) parseBody(w http.ResponseWriter, r *http.Request, s *session) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxMemoryBytes)
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		a.renderError(w, r, s, http.StatusRequestEntityTooLarge, "Request body too large")
	} else {
		a.renderError(w, r, s, http.StatusBadRequest, "Malformed form body")
	}
	return false
}

// checkCSRF accepts the token from the csrf_token field, or from an
// X-CSRF-Token header for scripted clients.
func (a *app) checkCSRF(w http.ResponseWriter, r *http.Request, s *session) bool {
	sent := r.PostForm.Get(csrfField)
	if sent == "" {
		sent = r.Header.Get("X-CSRF-Token")
	}
	if a.validToken(s, sent) {
		return true
	}
	a.renderError(w, r, s, http.StatusForbidden, "Invalid CSRF token")
	return false
}

// requireLogin sends anonymous visitors to the login page: 302 for a page
// view, 303 for a form post so the browser follows with a GET.
func (a *app) requireLogin(h sessionHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if a.currentUser(s) != nil {
			h(w, r, s)
			return
		}
		a.setFlash(s, "Please log in first.")
		status := http.StatusFound
		if r.Method == http.MethodPost {
			status = http.StatusSeeOther
		}
		redirect(w, "/login", status)
	}
}

// redirect answers with an empty body, as most server frameworks do after POST.
func redirect(w http.ResponseWriter, location string, status int) {
	w.Header().Set("Location", location)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
}
