package inject

import (
	"bytes"
	"net/http"
	"testing"
)

// Both run once for every page the gateway rewrites, while the page's first
// bytes wait.

// BenchmarkScriptTag builds the script element with and without a nonce.
func BenchmarkScriptTag(b *testing.B) {
	a, err := NewAssets("")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, nonce string }{
		{"no nonce", ""},
		{"with a nonce", "r4nd0mN0nce+Value/abc=="},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if tag := a.ScriptTag(bc.nonce); bc.nonce != "" && !bytes.Contains(tag, []byte(bc.nonce)) {
				b.Fatalf("tag %s lacks the nonce", tag)
			}
			b.ReportAllocs()
			for b.Loop() {
				a.ScriptTag(bc.nonce)
			}
		})
	}
}

// BenchmarkNonceFromCSP reads the nonce from the headers of a page: no
// policy at all (most legacy apps), a typical strict policy, and a page
// with two policies where the nonce is in the second one's script-src-elem.
func BenchmarkNonceFromCSP(b *testing.B) {
	for _, bc := range []struct {
		name   string
		policy []string
		want   string
	}{
		{"no policy", nil, ""},
		{"one policy", []string{"default-src 'self'; script-src 'self' 'nonce-r4nd0mN0nce+Value/abc==' 'strict-dynamic'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}, "r4nd0mN0nce+Value/abc=="},
		{"two policies", []string{"upgrade-insecure-requests; frame-ancestors 'self'", "default-src 'self'; script-src 'self'; script-src-elem 'self' 'nonce-Zm9vYmFy'; object-src 'none'"}, "Zm9vYmFy"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := http.Header{
				"Content-Type":  {"text/html; charset=utf-8"},
				"Cache-Control": {"private, no-cache"},
				"Set-Cookie":    {"session=abc; Path=/; HttpOnly"},
			}
			if bc.policy != nil {
				h["Content-Security-Policy"] = bc.policy
			}
			if got := NonceFromCSP(h); got != bc.want {
				b.Fatalf("NonceFromCSP = %q, want %q", got, bc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				NonceFromCSP(h)
			}
		})
	}
}
