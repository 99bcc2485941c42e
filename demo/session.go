package demo

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// cookieName names the cookie that carries the session id.
const cookieName = "demo_session"

// csrfField names the hidden input that carries the CSRF token.
const csrfField = "csrf_token"

// session is the server-side state behind one demo_session cookie.
type session struct {
	id         string
	csrfToken  string
	userEmail  string
	todos      []todo
	nextTodoID int
	flash      string
}

type user struct {
	name, email  string
	salt, digest []byte
}

type todo struct {
	ID    int
	Title string
	Done  bool
}

// randomToken returns 128 random bits in URL-safe base64, a form that needs
// no escaping in headers, cookies or HTML attributes.
func randomToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(16))
}

// randomBytes never fails: crypto/rand.Read panics rather than return an
// error since Go 1.24.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// sessionFor returns the caller's session, starting one (and setting its
// cookie) when the request carries no known id.
func (a *app) sessionFor(w http.ResponseWriter, r *http.Request) *session {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, err := r.Cookie(cookieName); err == nil {
		if s, ok := a.sessions[c.Value]; ok {
			return s
		}
	}
	return a.startSession(w)
}

// startSession must be called with a.mu held.
func (a *app) startSession(w http.ResponseWriter) *session {
	s := &session{id: randomToken(), csrfToken: randomToken(), nextTodoID: 1}
	a.sessions[s.id] = s
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    s.id,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	return s
}

// renewSession replaces s with a fresh session (new id, new CSRF token, no
// to-dos) signed in as email, or anonymous when email is empty. A new id
// on every change of identity keeps a planted cookie from being promoted.
func (a *app) renewSession(w http.ResponseWriter, s *session, email string) *session {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, s.id)
	next := a.startSession(w)
	next.userEmail = email
	return next
}

func (a *app) validToken(s *session, sent string) bool {
	a.mu.Lock()
	want := s.csrfToken
	a.mu.Unlock()
	return sent != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

func (a *app) setFlash(s *session, message string) {
	a.mu.Lock()
	s.flash = message
	a.mu.Unlock()
}

// currentUser returns the signed-in user of s, or nil.
func (a *app) currentUser(s *session) *user {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s.userEmail == "" {
		return nil
	}
	u, ok := a.users[s.userEmail]
	if !ok {
		return nil
	}
	return &u
}

func (a *app) addUser(name, email, password string) {
	salt := randomBytes(16)
	a.users[normalEmail(email)] = user{name: name, email: email, salt: salt, digest: passwordDigest(salt, password)}
}

func passwordDigest(salt []byte, password string) []byte {
	sum := sha256.Sum256(append(append([]byte{}, salt...), password...))
	return sum[:]
}

func normalEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
