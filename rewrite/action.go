package rewrite

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// A form that posts to another path of the page's origin becomes a named
// action of the page it sits on, and the action's name is the target:
//
//	PAGE-PATH "?" KEY [ "&" TARGET-QUERY ] [ "#" FRAGMENT ]
//
// KEY is the target's path as the browser would send it (percent-encoded,
// starting with "/"), escaped once more to be a query key: every byte other
// than A–Z a–z 0–9 - . _ ~ / ! $ ( ) * , ; : @ becomes %XX, so "%" is %25,
// "&" %26, "=" %3D, "+" %2B, "#" %23, "'" %27. The key has no value
// ("?/session", not "?/session="). The target's own query follows verbatim as
// ordinary parameters; the page URL's own query is not carried over.
//
// Reading it back is SvelteKit's rule: the first query parameter whose key,
// decoded as application/x-www-form-urlencoded, starts with "/" names the
// action. Decoded, that key is the target's path on the wire, and the
// parameters after it are the target's query:
//
//	/login?/session&next=/x      → /session?next=/x
//	/login?/a%2520b%2526c        → /a%20b%26c
//	/index.php?/index.php%3Fx    → error: a "?" inside a path is not clean

// ErrActionTarget is returned (wrapped) by ParseActionTarget for an action key
// that is not a clean origin-relative path.
var ErrActionTarget = errors.New("named action is not a clean origin-relative path")

// ParseActionTarget returns the upstream target named by request URL u
// (PAGE?/TARGET&a=b → /TARGET?a=b). ok is false when no query key starts
// with "/". The target is refused, with an error wrapping ErrActionTarget,
// unless its path is clean: only characters allowed in a URL path, valid
// percent-escapes, no empty segment ("//" anywhere, so not "/https://host"
// either), no "/\" at its start, and after decoding no backslash, no control
// character and no "." or ".." segment (%2e and %2f spellings included).
func ParseActionTarget(u *url.URL) (target *url.URL, ok bool, err error) {
	rest := u.RawQuery
	for rest != "" {
		var item string
		item, rest, _ = strings.Cut(rest, "&")
		key, _, _ := strings.Cut(item, "=")
		path := decodeQueryKey(key)
		if !strings.HasPrefix(path, "/") {
			continue
		}
		if problem := wirePathProblem(path); problem != "" {
			return nil, true, fmt.Errorf("%w: %q: %s", ErrActionTarget, path, problem)
		}
		target, err := url.Parse(path)
		if err != nil {
			return nil, true, fmt.Errorf("%w: %q: %v", ErrActionTarget, path, err)
		}
		target.RawQuery = rest
		return target, true, nil
	}
	return nil, false, nil
}

// decodeQueryKey decodes a query key like URLSearchParams does: "+" is a
// space, "%XX" a byte, and a "%" that starts no escape stays.
func decodeQueryKey(key string) string {
	if !strings.ContainsAny(key, "+%") {
		return key
	}
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(key):
			if h, ok := unhex(key[i+1]); ok {
				if l, ok := unhex(key[i+2]); ok {
					c = h<<4 | l
					i += 2
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// wirePathProblem says why a wire path (what follows the method in a request
// line) is not a clean origin-relative path, or "" when it is.
func wirePathProblem[T string | []byte](p T) string {
	if len(p) == 0 || p[0] != '/' {
		return "does not start with /"
	}
	var (
		n       int // decoded bytes so far
		segLen  int // decoded length of the current segment
		segDots int // how many of those are "."
	)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if plainPathChars[c] {
			n++
			segLen++
			continue
		}
		if !isPathChar(c) {
			return fmt.Sprintf("byte %#02x is not allowed in a path", c)
		}
		if c == '%' {
			if i+2 >= len(p) {
				return "broken percent-escape"
			}
			h, ok1 := unhex(p[i+1])
			l, ok2 := unhex(p[i+2])
			if !ok1 || !ok2 {
				return "broken percent-escape"
			}
			c = h<<4 | l
			i += 2
		}
		switch {
		case c < 0x20 || c == 0x7F:
			return "control character"
		case c == '\\':
			return "backslash"
		case c == '/' && n == 1:
			return "starts with //"
		case c == '/' && n > 0 && segLen == 0:
			// An empty segment: no app needs one, and "/https://host"
			// reads like an address elsewhere.
			return "empty segment (//)"
		case c == '/':
			if isDotSegment(segLen, segDots) {
				return "dot segment"
			}
			segLen, segDots = 0, 0
		default:
			segLen++
			if c == '.' {
				segDots++
			}
		}
		n++
	}
	if isDotSegment(segLen, segDots) {
		return "dot segment"
	}
	return ""
}

func isDotSegment(length, dots int) bool {
	return length > 0 && length <= 2 && length == dots
}

// isPathChar reports whether c may appear as such in a request path:
// RFC 3986's pchar, "/" and "%" (which must start an escape).
func isPathChar(c byte) bool {
	return pathChars[c]
}

var pathChars, keyChars = charSet("-._~!$&'()*+,;=:@/%"), charSet("-._~/!$()*,;:@")

// plainPathChars are the path bytes that need no closer look: not "/", "."
// or "%".
var plainPathChars = charSet("-_~!$&'()*+,;=:@")

// charSet returns a table of the ASCII letters and digits and extra.
func charSet(extra string) (t [256]bool) {
	for c := range 256 {
		t[c] = isAlnum(byte(c)) || strings.IndexByte(extra, byte(c)) >= 0
	}
	return t
}

// appendActionKey escapes a wire path into the action key.
func appendActionKey(dst, path []byte) []byte {
	k := 0
	for k < len(path) && keyChars[path[k]] {
		k++
	}
	dst = append(dst, path[:k]...) // mostly the whole path
	for _, c := range path[k:] {
		if keyChars[c] {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}

// appendActionURL writes the named-action URL for target t on the page whose
// wire path is page.
func appendActionURL(dst, page []byte, t target) []byte {
	dst = append(dst, page...)
	dst = append(dst, '?')
	dst = appendActionKey(dst, t.path)
	if len(t.query) > 0 {
		dst = append(dst, '&')
		dst = append(dst, t.query...)
	}
	if t.hasFrag {
		dst = append(dst, '#')
		dst = append(dst, t.frag...)
	}
	return dst
}
