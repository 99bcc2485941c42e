// Package inject holds the client script that enhances a page's forms, serves it under a
// content-hashed URL and writes the tag that loads it.
package inject

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// script is the minified client; enhance.js is its source (see package.json for the build).
//
//go:embed enhance.min.js
var script []byte

// DefaultPrefix is the path under which the script is served when none is configured.
const DefaultPrefix = "/_enhance/"

// cacheForever suits a URL whose name changes whenever its content does.
const cacheForever = "public, max-age=31536000, immutable"

// Assets serves the client script and writes the tag that loads it. It is built once per
// configuration load; everything a request needs, the gzip variant included, is computed
// then.
type Assets struct {
	prefix    string
	name      string // the file name under prefix, with the content hash
	url       string // prefix + name
	etag      string // strong validator of the plain bytes, quoted
	etagGzip  string // strong validator of the gzip bytes, quoted
	integrity string
	tagStart  []byte // the script tag up to where a nonce attribute would go
	plain     []byte
	gzipped   []byte
}

// NewAssets prepares the script to be served under prefix, a URL path such as
// "/_enhance/" ("" means DefaultPrefix; a missing trailing slash is added).
func NewAssets(prefix string) (*Assets, error) {
	prefix, err := cleanPrefix(prefix)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(script)
	hash := hex.EncodeToString(sum[:4])
	gzipped, err := gzipBytes(script)
	if err != nil {
		return nil, fmt.Errorf("compressing the enhance script: %w", err)
	}
	a := &Assets{
		prefix:    prefix,
		name:      "enhance." + hash + ".js",
		etag:      `"` + hash + `"`,
		etagGzip:  `"` + hash + `-gzip"`, // the suffix Caddy's encode handler uses too
		integrity: integrity(script),
		plain:     script,
		gzipped:   gzipped,
	}
	a.url = a.prefix + a.name
	a.tagStart = []byte(`<script src="` + html.EscapeString(a.ScriptURL()) +
		`" integrity="` + a.integrity + `" defer`)
	return a, nil
}

// cleanPrefix accepts a plain absolute URL path: no query, fragment, dot segments,
// characters that need escaping in a URL or an HTML attribute.
func cleanPrefix(prefix string) (string, error) {
	if prefix == "" {
		return DefaultPrefix, nil
	}
	if !strings.HasPrefix(prefix, "/") {
		return "", fmt.Errorf("asset prefix %q must start with /", prefix)
	}
	for _, r := range prefix {
		if !isPathChar(r) {
			return "", fmt.Errorf("asset prefix %q may only contain letters, digits and - . _ ~ /", prefix)
		}
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	for _, segment := range strings.Split(prefix, "/") {
		if segment == "." || segment == ".." {
			return "", fmt.Errorf("asset prefix %q must not contain . or .. segments", prefix)
		}
	}
	if strings.Contains(prefix, "//") {
		return "", fmt.Errorf("asset prefix %q must not contain an empty segment", prefix)
	}
	return prefix, nil
}

func isPathChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-._~/", r)
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func integrity(b []byte) string {
	sum := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Prefix is the normalised path under which the script is served, ending in "/".
func (a *Assets) Prefix() string { return a.prefix }

// ScriptURL is the path of the script, e.g. "/_enhance/enhance.3f2a9c1b.js".
func (a *Assets) ScriptURL() string { return a.url }

// Integrity is the Subresource Integrity value of the bytes served (before any
// Content-Encoding), e.g. "sha384-...".
func (a *Assets) Integrity() string { return a.integrity }

// ScriptTag is the element that loads the script. nonce, the page's CSP nonce, is written
// only when it is a valid CSP nonce (base64 or base64url), so a page cannot make the tag
// carry anything else; any other value is left out.
func (a *Assets) ScriptTag(nonce string) []byte {
	tag := make([]byte, 0, len(a.tagStart)+len(nonce)+20)
	tag = append(tag, a.tagStart...)
	if validNonce(nonce) {
		tag = append(tag, ` nonce="`...)
		tag = append(tag, nonce...)
		tag = append(tag, '"')
	}
	return append(tag, "></script>"...)
}

// ServeHTTP answers a request whose path is under the prefix and reports whether it did;
// other requests are left to the caller. Only the current script name exists: any other
// name, an old hash included, is 404.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) (handled bool) {
	name, ok := strings.CutPrefix(r.URL.Path, a.prefix)
	if !ok {
		return false
	}
	if name != a.name {
		http.NotFound(w, r)
		return true
	}
	h := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return true
	}
	h.Set("Cache-Control", cacheForever)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	// The content never changes under this name, so a client holding either encoding
	// has it; answering with the validator it sent keeps its stored response usable
	// even when a compressing handler in front rewrote If-None-Match.
	if etag := a.matchingETag(r.Header.Values("If-None-Match")); etag != "" {
		h.Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	body, etag := a.plain, a.etag
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		body, etag = a.gzipped, a.etagGzip
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("ETag", etag)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return true
}

// matchingETag is the validator of ours that If-None-Match lists ("*" stands for the
// plain one), or "". Weak comparison applies, as RFC 9110 asks for If-None-Match.
func (a *Assets) matchingETag(headers []string) string {
	for _, header := range headers {
		for _, tag := range strings.Split(header, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			switch tag {
			case "*", a.etag:
				return a.etag
			case a.etagGzip:
				return a.etagGzip
			}
		}
	}
	return ""
}

// acceptsGzip reads Accept-Encoding: gzip (or x-gzip) with a non-zero weight, or "*" with
// a non-zero weight when gzip is not named.
func acceptsGzip(headers []string) bool {
	gzipQ, anyQ := -1.0, -1.0
	for _, header := range headers {
		for _, part := range strings.Split(header, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := weight(params)
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "*":
				anyQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return anyQ > 0
}

// weight is the q parameter of an Accept-Encoding element; 1 when absent, 0 when unreadable.
func weight(params string) float64 {
	for _, param := range strings.Split(params, ";") {
		key, value, _ := strings.Cut(param, "=")
		if strings.EqualFold(strings.TrimSpace(key), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || q < 0 {
				return 0
			}
			return q
		}
	}
	return 1
}
