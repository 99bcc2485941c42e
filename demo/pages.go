package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
)

func (a *app) showHome(w http.ResponseWriter, r *http.Request, s *session) {
	a.render(w, r, s, http.StatusOK, "home", view{Title: "Home"})
}

// catalog is the fixed list /search looks through besides the visitor's to-dos.
var catalog = []string{
	"Getting started with forms",
	"Form actions explained",
	"Progressive enhancement",
	"Server-rendered HTML",
	"Cross-site request forgery",
	"File uploads",
	"Redirect after POST",
	"Error pages",
}

type searchResult struct {
	Kind  string // "todo" or "catalog"
	Title string
}

// showSearch matches q, case-insensitively, against the visitor's to-dos
// and then the catalog. An empty q shows the form alone.
func (a *app) showSearch(w http.ResponseWriter, r *http.Request, s *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := view{Title: "Search", Query: q}
	if q != "" {
		v.Results = []searchResult{}
		a.mu.Lock()
		for _, t := range s.todos {
			if containsFold(t.Title, q) {
				v.Results = append(v.Results, searchResult{Kind: "todo", Title: t.Title})
			}
		}
		a.mu.Unlock()
		for _, title := range catalog {
			if containsFold(title, q) {
				v.Results = append(v.Results, searchResult{Kind: "catalog", Title: title})
			}
		}
	}
	a.render(w, r, s, http.StatusOK, "search", v)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

type uploadResult struct {
	Name        string
	Size        int64
	SHA256      string
	ContentType string
	Caption     string
}

func (a *app) showUpload(w http.ResponseWriter, r *http.Request, s *session) {
	a.render(w, r, s, http.StatusOK, "upload", view{Title: "Upload"})
}

// upload reports the file's name, size and SHA-256 on the page it
// re-renders; no file chosen is a 422.
func (a *app) upload(w http.ResponseWriter, r *http.Request, s *session) {
	caption := r.PostForm.Get("caption")
	result, err := digestUpload(r)
	if err != nil {
		a.render(w, r, s, http.StatusUnprocessableEntity, "upload", view{
			Title: "Upload",
			Form: form{
				Values: map[string]string{"caption": caption},
				Errors: map[string]string{"file": "Choose a file to upload."},
			},
		})
		return
	}
	result.Caption = caption
	a.render(w, r, s, http.StatusOK, "upload", view{Title: "Upload", Upload: result})
}

var errNoFile = errors.New("no file chosen")

func digestUpload(r *http.Request) (*uploadResult, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return nil, errNoFile
	}
	header := r.MultipartForm.File["file"][0]
	// A browser sends an empty part with no filename when nothing was chosen.
	if header.Filename == "" {
		return nil, errNoFile
	}
	f, err := header.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return nil, err
	}
	return &uploadResult{
		Name:        header.Filename,
		Size:        size,
		SHA256:      hex.EncodeToString(h.Sum(nil)),
		ContentType: header.Header.Get("Content-Type"),
	}, nil
}

func (a *app) showBoom(w http.ResponseWriter, r *http.Request, s *session) {
	a.render(w, r, s, http.StatusOK, "boom", view{Title: "Boom"})
}

// boom answers 500 with a debug page full of internals, the kind of body a
// gateway must never pass on to a script.
func (a *app) boom(w http.ResponseWriter, r *http.Request, s *session) {
	a.render(w, r, s, http.StatusInternalServerError, "crash", view{Title: "Internal Server Error"})
}
