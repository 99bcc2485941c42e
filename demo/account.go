package demo

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

const minPasswordLen = 6

func (a *app) showLogin(w http.ResponseWriter, r *http.Request, s *session) {
	a.render(w, r, s, http.StatusOK, "login", view{Title: "Log in"})
}

// login answers a failed attempt with 403 and the form again, the email kept
// and the password cleared; success renews the session and redirects to an
// absolute URL built from the Host header, as many older apps do.
func (a *app) login(w http.ResponseWriter, r *http.Request, s *session) {
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	if badField, message := a.checkCredentials(email, password); badField != "" {
		a.render(w, r, s, http.StatusForbidden, "login", view{
			Title: "Log in",
			Form: form{
				Values: map[string]string{"email": email},
				Errors: map[string]string{badField: message},
			},
		})
		return
	}
	next := a.renewSession(w, s, normalEmail(email))
	a.setFlash(next, "Signed in as "+normalEmail(email)+".")
	redirect(w, absoluteURL(r, "/todos"), http.StatusFound)
}

// checkCredentials returns the field to blame and the message to show, or
// "" when email and password match an account.
func (a *app) checkCredentials(email, password string) (field, message string) {
	if email == "" {
		return "email", "Enter your email."
	}
	a.mu.Lock()
	u, ok := a.users[normalEmail(email)]
	a.mu.Unlock()
	if !ok {
		return "email", "Invalid email or password."
	}
	if subtle.ConstantTimeCompare(passwordDigest(u.salt, password), u.digest) != 1 {
		return "password", "Invalid email or password."
	}
	return "", ""
}

func absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func (a *app) showSignup(w http.ResponseWriter, r *http.Request, s *session) {
	a.render(w, r, s, http.StatusOK, "signup", view{Title: "Sign up"})
}

// signup validates like a model would and answers errors with 422; success
// signs the new account in and redirects with 303.
func (a *app) signup(w http.ResponseWriter, r *http.Request, s *session) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")

	a.mu.Lock()
	errs := signupErrors(name, email, password, a.users)
	if len(errs) == 0 {
		a.addUser(name, email, password)
	}
	a.mu.Unlock()

	if len(errs) > 0 {
		a.render(w, r, s, http.StatusUnprocessableEntity, "signup", view{
			Title: "Sign up",
			Form: form{
				Values: map[string]string{"name": name, "email": email},
				Errors: errs,
			},
		})
		return
	}
	next := a.renewSession(w, s, normalEmail(email))
	a.setFlash(next, "Welcome, "+name+"!")
	redirect(w, "/todos", http.StatusSeeOther)
}

// signupErrors maps each invalid field to its message.
func signupErrors(name, email, password string, users map[string]user) map[string]string {
	errs := map[string]string{}
	if name == "" {
		errs["name"] = "Name can't be blank."
	}
	switch {
	case email == "":
		errs["email"] = "Email can't be blank."
	case !strings.Contains(email, "@") || strings.ContainsAny(email, " \t"):
		errs["email"] = "Email is invalid."
	default:
		if _, taken := users[normalEmail(email)]; taken {
			errs["email"] = "Email has already been taken."
		}
	}
	if len(password) < minPasswordLen {
		errs["password"] = "Password is too short (minimum 6 characters)."
	}
	return errs
}

// logout drops the session and starts an anonymous one.
func (a *app) logout(w http.ResponseWriter, r *http.Request, s *session) {
	next := a.renewSession(w, s, "")
	a.setFlash(next, "Signed out.")
	redirect(w, "/", http.StatusSeeOther)
}
