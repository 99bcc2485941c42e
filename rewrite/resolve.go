package rewrite

import (
	"bytes"
	"strings"
)

// origin is the scheme, host and port that decide whether a form target is
// ours to rewrite.
type origin struct {
	scheme string // "http" or "https"; anything else matches nothing
	host   []byte // host name as written, with brackets for IPv6
	port   int    // 0 for the scheme's default port
}

// set fills o from a URL's scheme and host (host[:port]); ok is false
// when they cannot name an HTTP origin.
func (o *origin) set(scheme string, hostport []byte) bool {
	o.scheme = ""
	switch {
	case strings.EqualFold(scheme, "http"):
		o.scheme = "http"
	case strings.EqualFold(scheme, "https"):
		o.scheme = "https"
	}
	o.host = o.host[:0]
	host, port, ok := splitHostPort(hostport)
	if !ok || o.scheme == "" {
		return false
	}
	o.host = append(o.host, host...)
	o.port, ok = portNumber(port, o.scheme)
	return ok
}

// httpScheme returns "http" or "https" for those schemes in any case, and ""
// for every other one.
func httpScheme(s []byte) string {
	switch {
	case equalFold(s, "http"):
		return "http"
	case equalFold(s, "https"):
		return "https"
	}
	return ""
}

// splitHostPort splits an authority's host[:port], dropping user info.
func splitHostPort(auth []byte) (host, port []byte, ok bool) {
	if at := bytes.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	host = auth
	if len(auth) > 0 && auth[0] == '[' {
		end := bytes.IndexByte(auth, ']')
		if end < 0 {
			return nil, nil, false
		}
		host, auth = auth[:end+1], auth[end+1:]
		if len(auth) > 0 && auth[0] != ':' {
			return nil, nil, false
		}
		if len(auth) > 0 {
			port = auth[1:]
		}
	} else if c := bytes.IndexByte(auth, ':'); c >= 0 {
		host, port = auth[:c], auth[c+1:]
	}
	return host, port, len(host) > 0
}

// portNumber reads a port, mapping the scheme's default to 0 as browsers do.
func portNumber(port []byte, scheme string) (int, bool) {
	if len(port) == 0 {
		return 0, true
	}
	n := 0
	for _, c := range port {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, false
		}
	}
	if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
		n = 0
	}
	return n, true
}

// sameOrigin reports whether scheme plus authority names origin o.
func (o *origin) sameOrigin(scheme string, auth []byte) bool {
	host, port, ok := splitHostPort(auth)
	if !ok || scheme == "" || scheme != o.scheme || !bytes.EqualFold(host, o.host) {
		return false
	}
	n, ok := portNumber(port, scheme)
	return ok && n == o.port
}

// baseURL is what relative references resolve against: the document's URL or
// the page's <base href>.
type baseURL struct {
	cross    bool // on another origin (or not HTTP): nothing resolves to ours
	scheme   string
	path     []byte // wire form, starting with "/"
	query    []byte
	hasQuery bool
}

// set copies path and query into b's own buffers.
func (b *baseURL) set(scheme string, path, query []byte, hasQuery bool) {
	b.cross = false
	b.scheme = scheme
	b.path = append(b.path[:0], path...)
	b.query = append(b.query[:0], query...)
	b.hasQuery = hasQuery
}

// target is a resolved same-origin URL, as the browser would send it.
type target struct {
	path     []byte // percent-encoded, starting with "/"
	query    []byte // as written
	hasQuery bool
	frag     []byte
	hasFrag  bool
	fromBase bool // the result depends on the base's path (relative path, "?q", "#f", "")
}

// resolver resolves references like a browser's URL parser does for http(s):
// it strips surrounding control characters and space, drops tabs and
// newlines, reads "\" as "/", removes dot segments (also "%2e" ones) and
// percent-encodes the path. It owns the buffers the results point into.
type resolver struct {
	clean []byte
	path  []byte
}

// resolve returns where ref leads from base, and ok=false when that is not on
// origin o (or not a URL we understand, which we then leave alone).
func (r *resolver) resolve(ref []byte, base *baseURL, o *origin) (t target, ok bool) {
	ref = r.cleanRef(ref)
	if n := schemeLen(ref); n > 0 {
		scheme, rest := httpScheme(ref[:n]), ref[n+1:]
		if scheme == "" {
			return t, false
		}
		if scheme == base.scheme && !base.cross {
			// "http:x" on an http page is the relative "x".
			return r.relative(rest, base, o)
		}
		return r.authority(trimSlashes(rest), scheme, o)
	}
	return r.relative(ref, base, o)
}

// cleanRef trims what browsers trim around a URL and drops tabs and newlines
// inside it.
func (r *resolver) cleanRef(ref []byte) []byte {
	for len(ref) > 0 && ref[0] <= ' ' {
		ref = ref[1:]
	}
	for len(ref) > 0 && ref[len(ref)-1] <= ' ' {
		ref = ref[:len(ref)-1]
	}
	if !hasTabOrNewline(ref) {
		return ref
	}
	r.clean = r.clean[:0]
	for _, c := range ref {
		if c != '\t' && c != '\n' && c != '\r' {
			r.clean = append(r.clean, c)
		}
	}
	return r.clean
}

func hasTabOrNewline(b []byte) bool {
	for _, c := range b {
		if c == '\t' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

// schemeLen returns the length of ref's scheme (before ":"), or 0.
func schemeLen(ref []byte) int {
	if len(ref) == 0 || !isLetter(ref[0]) {
		return 0
	}
	for i := 1; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c == ':':
			return i
		case isAlnum(c) || c == '+' || c == '-' || c == '.':
		default:
			return 0
		}
	}
	return 0
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }

func trimSlashes(b []byte) []byte {
	for len(b) > 0 && isSlash(b[0]) {
		b = b[1:]
	}
	return b
}

// relative resolves a reference without a scheme against base.
func (r *resolver) relative(ref []byte, base *baseURL, o *origin) (t target, ok bool) {
	if len(ref) >= 2 && isSlash(ref[0]) && isSlash(ref[1]) {
		return r.authority(trimSlashes(ref), base.scheme, o)
	}
	if base.cross {
		return t, false
	}
	switch {
	case len(ref) == 0:
		t.path, t.query, t.hasQuery = base.path, base.query, base.hasQuery
		t.fromBase = true
		return t, true
	case isSlash(ref[0]):
		r.path = r.path[:0]
		return r.parsePath(ref[1:]), true
	case ref[0] == '?' || ref[0] == '#':
		t = splitQueryFragment(ref)
		t.path = base.path
		if ref[0] == '#' {
			t.query, t.hasQuery = base.query, base.hasQuery
		}
		t.fromBase = true
		return t, true
	}
	// The path's directory: everything up to its last "/".
	dir := max(bytes.LastIndexByte(base.path, '/'), 0)
	r.path = append(r.path[:0], base.path[:dir]...)
	t = r.parsePath(ref)
	t.fromBase = true
	return t, true
}

// authority resolves "host[:port]/path?query#fragment" for scheme.
func (r *resolver) authority(rest []byte, scheme string, o *origin) (t target, ok bool) {
	end := len(rest)
	for i, c := range rest {
		if isSlash(c) || c == '?' || c == '#' {
			end = i
			break
		}
	}
	if !o.sameOrigin(scheme, rest[:end]) {
		return t, false
	}
	rest = rest[end:]
	r.path = r.path[:0]
	if len(rest) > 0 && isSlash(rest[0]) {
		rest = rest[1:]
	}
	return r.parsePath(rest), true
}

// parsePath appends the path segments of s (up to "?" or "#") to r.path,
// which holds "/"-prefixed segments, and splits off query and fragment.
func (r *resolver) parsePath(s []byte) target {
	i := 0
	for {
		j := i
		for j < len(s) && !segmentEnds[s[j]] {
			j++
		}
		seg := s[i:j]
		last := j == len(s) || !isSlash(s[j])
		switch {
		case isDoubleDot(seg):
			r.path = r.path[:max(bytes.LastIndexByte(r.path, '/'), 0)]
			if last {
				r.path = append(r.path, '/')
			}
		case isSingleDot(seg):
			if last {
				r.path = append(r.path, '/')
			}
		default:
			r.path = append(r.path, '/')
			r.path = appendPathEscaped(r.path, seg)
		}
		if last {
			t := splitQueryFragment(s[j:])
			if len(r.path) == 0 {
				r.path = append(r.path, '/')
			}
			t.path = r.path
			return t
		}
		i = j + 1
	}
}

// splitQueryFragment reads "?query#fragment" (each part optional).
func splitQueryFragment(s []byte) (t target) {
	if len(s) > 0 && s[0] == '?' {
		s = s[1:]
		t.hasQuery = true
		t.query = s
		if h := bytes.IndexByte(s, '#'); h >= 0 {
			t.query, s = s[:h], s[h:]
		} else {
			s = nil
		}
	}
	if len(s) > 0 && s[0] == '#' {
		t.frag, t.hasFrag = s[1:], true
	}
	return t
}

func isSingleDot(seg []byte) bool {
	return string(seg) == "." || equalFold(seg, "%2e")
}

func isDoubleDot(seg []byte) bool {
	switch len(seg) {
	case 2:
		return string(seg) == ".."
	case 4:
		return equalFold(seg, ".%2e") || equalFold(seg, "%2e.")
	case 6:
		return equalFold(seg, "%2e%2e")
	}
	return false
}

const upperHex = "0123456789ABCDEF"

// segmentEnds are the bytes that end a path segment in a reference.
var segmentEnds = func() (t [256]bool) {
	for _, c := range []byte("/\\?#") {
		t[c] = true
	}
	return t
}()

// pathEscaped are the bytes browsers percent-encode in a path.
var pathEscaped = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c <= ' ' || c >= 0x7F || strings.IndexByte("\"#<>?`{}", byte(c)) >= 0
	}
	return t
}()

// appendPathEscaped percent-encodes what browsers encode in a path; "%"
// stays, so what was already escaped is not escaped twice.
func appendPathEscaped(dst, seg []byte) []byte {
	k := 0
	for k < len(seg) && !pathEscaped[seg[k]] {
		k++
	}
	dst = append(dst, seg[:k]...) // mostly the whole segment
	for _, c := range seg[k:] {
		if pathEscaped[c] {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// samePath reports whether two wire paths name the same path once
// percent-escapes are decoded.
func samePath(a, b []byte) bool {
	if bytes.IndexByte(a, '%') < 0 && bytes.IndexByte(b, '%') < 0 {
		return bytes.Equal(a, b)
	}
	for len(a) > 0 && len(b) > 0 {
		ca, na := pathByte(a)
		cb, nb := pathByte(b)
		if ca != cb {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) == 0 && len(b) == 0
}

// pathByte decodes the first byte of a wire path: "%41" is "A".
func pathByte(s []byte) (byte, int) {
	if s[0] == '%' && len(s) >= 3 {
		if h, ok := unhex(s[1]); ok {
			if l, ok := unhex(s[2]); ok {
				return h<<4 | l, 3
			}
		}
	}
	return s[0], 1
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendTargetURL writes t origin-relative: path, "?query", "#fragment".
func appendTargetURL(dst []byte, t target) []byte {
	dst = append(dst, t.path...)
	if t.hasQuery {
		dst = append(dst, '?')
		dst = append(dst, t.query...)
	}
	if t.hasFrag {
		dst = append(dst, '#')
		dst = append(dst, t.frag...)
	}
	return dst
}
