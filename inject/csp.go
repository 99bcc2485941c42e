package inject

import (
	"net/http"
	"strings"
)

// NonceFromCSP is the nonce a page's Content-Security-Policy headers let a <script src>
// carry: the first valid 'nonce-…' source of the directive that governs script elements
// (script-src-elem, else script-src, else default-src), taken from the first policy that
// has one. A header may hold several policies separated by commas and there may be
// several headers. "" when no policy names a nonce. Content-Security-Policy-Report-Only
// blocks nothing, so it is not read.
func NonceFromCSP(h http.Header) string {
	for _, header := range h.Values("Content-Security-Policy") {
		for _, policy := range strings.Split(header, ",") {
			if nonce := policyNonce(policy); nonce != "" {
				return nonce
			}
		}
	}
	return ""
}

// scriptDirectives are the directives that govern a <script> element, in order of
// precedence: the first present is the one a browser applies.
var scriptDirectives = []string{"script-src-elem", "script-src", "default-src"}

func policyNonce(policy string) string {
	directives := make(map[string][]string)
	for _, directive := range strings.Split(policy, ";") {
		fields := strings.Fields(directive)
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		if _, seen := directives[name]; !seen { // browsers ignore a repeated directive
			directives[name] = fields[1:]
		}
	}
	for _, name := range scriptDirectives {
		if sources, ok := directives[name]; ok {
			return firstNonce(sources)
		}
	}
	return ""
}

func firstNonce(sources []string) string {
	for _, source := range sources {
		if len(source) < len("'nonce-'") || !strings.EqualFold(source[:len("'nonce-")], "'nonce-") ||
			!strings.HasSuffix(source, "'") {
			continue
		}
		// An invalid nonce source is one a browser ignores, so the next one may count.
		if nonce := source[len("'nonce-") : len(source)-1]; validNonce(nonce) {
			return nonce
		}
	}
	return ""
}

// validNonce reports whether s matches CSP's base64-value: base64 or base64url characters
// followed by at most two "=". Such a value needs no escaping inside an HTML attribute.
func validNonce(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" || len(s)-len(body) > 2 {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '+' || c == '/' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
