package rewrite

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

const fuzzScript = `<script src="/_enhance.js" defer></script>`

// fuzzOptions are the page set-ups the fuzz targets rewrite with: a plain
// page and a page rendered for another path (mapped).
var fuzzOptions = []Options{
	{
		PageURL:   mustURL("https://example.com/login"),
		Script:    []byte(fuzzScript),
		ScriptSrc: "/_enhance.js",
	},
	{
		PageURL:     mustURL("https://example.com/login"),
		DocumentURL: mustURL("https://example.com/account/settings?tab=1"),
		Script:      []byte(fuzzScript),
		ScriptSrc:   "/_enhance.js",
	},
}

// FuzzRewrite checks, for any input: no panic; the streaming Writer gives
// the reference's bytes, written whole or in chunks; the script appears at
// most once more than in the input; and the output has the input's tokens.
func FuzzRewrite(f *testing.F) {
	for i, s := range trickyPages {
		f.Add([]byte(s), uint64(i), uint8(i))
	}
	f.Fuzz(func(t *testing.T, page []byte, seed uint64, mode uint8) {
		checkRewrite(t, page, seed, fuzzOptions[int(mode)%len(fuzzOptions)])
	})
}

// checkRewrite runs every property of the rewriter on one page.
func checkRewrite(t *testing.T, page []byte, seed uint64, o Options) {
	t.Helper()
	whole := rewriteWhole(t, page, o)
	var ref bytes.Buffer
	if err := rewriteReference(&ref, bytes.NewReader(page), o); err != nil {
		t.Fatalf("reference: %v", err)
	}
	if !bytes.Equal(whole, ref.Bytes()) {
		t.Fatalf("Writer and reference differ on %q\nwriter:    %q\nreference: %q", page, whole, ref.Bytes())
	}
	chunks := randomChunks(page, seed)
	if chunked := rewriteChunks(t, chunks, o); !bytes.Equal(chunked, whole) {
		t.Fatalf("chunks %q give %q, the whole page %q", chunks, chunked, whole)
	}
	if n, was := bytes.Count(whole, o.Script), bytes.Count(page, o.Script); len(o.Script) > 0 && n > was+1 {
		t.Fatalf("script %d times in %q", n, whole)
	}
	if got, want := tokenShape(whole, o), tokenShape(page, o); got != want {
		t.Fatalf("tokens of the output differ from the input's\ninput:  %q\noutput: %q\ninput tokens:  %s\noutput tokens: %s", page, whole, want, got)
	}
}

// tokenShape describes a page by its tokens, leaving out attribute values
// (which the rewriter changes) and the tags it injects.
func tokenShape(page []byte, o Options) string {
	var b strings.Builder
	var text bytes.Buffer
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		raw := z.Raw()
		switch tt {
		case html.ErrorToken:
			b.WriteString("text:" + text.String() + " rest:" + string(raw))
			return b.String()
		case html.TextToken:
			text.Write(raw)
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
			if injected(raw, o) {
				continue
			}
			name, more := z.TagName()
			b.WriteString(tt.String() + ":" + string(name))
			for more {
				var key []byte
				key, _, more = z.TagAttr()
				if string(name) == "form" && string(key) == "action" {
					continue // a form without action may get one
				}
				b.WriteString(" " + string(key))
			}
		case html.EndTagToken:
			if string(raw) == "</script>" {
				continue
			}
			b.WriteString(tt.String() + ":" + string(raw))
		default:
			b.WriteString(tt.String() + ":" + string(raw))
		}
		b.WriteString("\n")
	}
}

// injected reports whether a start tag is one the rewriter may add (any
// <base>, since the page's own may get another href).
func injected(raw []byte, o Options) bool {
	script, _, _ := bytes.Cut(o.Script, []byte(">"))
	return bytes.Equal(raw, append(script, '>')) || bytes.HasPrefix(bytes.ToLower(raw), []byte("<base"))
}

func rewriteWhole(t testing.TB, page []byte, o Options) []byte {
	t.Helper()
	return rewriteChunks(t, [][]byte{page}, o)
}

func rewriteChunks(t testing.TB, chunks [][]byte, o Options) []byte {
	t.Helper()
	var out bytes.Buffer
	w := NewWriter(&out, o)
	for _, c := range chunks {
		if n, err := w.Write(c); n != len(c) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return out.Bytes()
}

// randomChunks cuts page into pieces of random sizes, from single bytes up.
func randomChunks(page []byte, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var chunks [][]byte
	for len(page) > 0 {
		n := 1 + r.IntN(min(len(page), 1+r.IntN(40)))
		chunks = append(chunks, page[:n])
		page = page[n:]
	}
	return chunks
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// trickyPages are inputs where finding tokens is easy to get wrong; they
// seed the fuzz targets and the differential tests.
var trickyPages = []string{
	``,
	`<`,
	`</`,
	`<!`,
	`<!-`,
	`<!--`,
	`<!-->`,
	`<!--->`,
	`<!---->`,
	`<!--!>`,
	`<!-- a --!> <form method=post action=/a>`,
	`<!-- a --!- b --> <form method=post action=/a>`,
	`<!-- <form method=post action=/x> -->`,
	`<!DOCTYPE html><html><head><title>t</title></head><body></body></html>`,
	`<?xml version="1.0"?><p>`,
	`</>x`,
	`</1 form>`,
	`<a title="<form method=post action=/x>">`,
	`<form method=post title="a>b" action=/session>`,
	`<form method=post action='/a"b'>`,
	`<form method=post action=/a?b=c/>`,
	`<form method=post action/>`,
	`<form method=post action= >`,
	`<form method=post action=>`,
	`<FORM METHOD=POST ACTION="/S?A=1&amp;B=2">`,
	`<form method=post action="/s?a&copy=1&amp;b&lt;c">`,
	`<form method=post action="/s?&eacute;&notit;&#x41;&#0;&#128;">`,
	`<form method=post =action=/x action=/y>`,
	`<form method=post action="/x" action="/y">`,
	`<form method="post" action="/session"><button formaction="/other">Go</button></form><button formaction="/third">`,
	`<form method=get><button formaction=/a formmethod=post><input type=submit formaction=/b><input type=image formaction=/c formmethod=POST></form>`,
	`<script>document.write("<form method=post action=/x>")</script><form method=post action=/y>`,
	`<script></form><form method=post action=/x></script>`,
	`<script><!--<script>--></script><form method=post action=/x></script>-->`,
	`<script><!--<script></script><form method=post action=/x></script>`,
	`<script><!-- --!></script><form method=post action=/x>`,
	`<script></script ><form method=post action=/x>`,
	`<script></script foo=">"><form method=post action=/x>`,
	`<script></SCRIPT/><form method=post action=/x>`,
	`<script/><form method=post action=/x></script>`,
	`<style><form method=post action=/x></style><form method=post action=/y>`,
	`<textarea><form method=post action=/x></textarea ><form method=post action=/y>`,
	`<title></title><form method=post action=/x>`,
	`<noscript><form method=post action=/x></form></noscript><form method=post action=/y>`,
	`<xmp></xm</xmp><form method=post action=/x>`,
	`<plaintext><form method=post action=/x>`,
	`<template><form method=post action=/x></form><template></template><form method=post action=/y></template><form method=post action=/z>`,
	`<template><template><form method=post action=/x></template></template>`,
	`</template><form method=post action=/x>`,
	`<template/><form method=post action=/x>`,
	`<base href="/app/"><form method=post action="save"></form><base href="/other/"><form method=post action="save">`,
	`<base href="https://cdn.example/"><form method=post action="save">`,
	`<head><base href="../"><link href=a.css></head><form method=post>`,
	`<head><meta charset=utf-8><title>x</title><script src="/_enhance.js" defer></script></head>`,
	"\xEF\xBB\xBF<form method=post action=/x>caf\xE9",
	"\xEF\xBBx",
	"\xFE\xFF\x00<\x00f",
	"<p>\x82\xA0\x83\x65\x83\x58\x83\x67</p><form method=post action=\"/\x82\xA0\">",
	"<form method=post action=\"/a b/%41/\xC3\xA9?q=\xE9#f\">",
	"<form method=post action=\"http://example.com:443/x\"><form method=post action=\"https://EXAMPLE.com:443/y\">",
	`<form method=post action="\\evil.example\x"><form method=post action="//evil.example/x"><form method=post action="javascript:alert(1)">`,
	`<form method=post action="/a/%2e%2e/b"><form method=post action="/a/../../b"><form method=post action="/a/..%2fb">`,
	`<form method=post action=" /session	"><form method=post action="/ses
sion">`,
	`<div class="x`,
	`<form method=post action=/x`,
	`<meta charset=utf-8`,
	`<html><head><!-- c --><meta name=x>   <link rel=x href=y>`,
	`<html>   text`,
	`<input type=submit formaction=/x formmethod=post value="` + strings.Repeat("v", 100) + `">`,
	`<a href=x<form method=post action=/x>`,
	"<form\tmethod=post\naction=/x\f>",
	"<form method=post action=\"/x\x00y\">",
	"<form method=post action=\"/x\ry\">",
}

// html5libPages reads the documents of the html5lib tree-construction tests
// shipped with golang.org/x/net/html, a corpus of malformed HTML. It returns
// nil when they cannot be found.
func html5libPages(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/net").Output()
	if err != nil {
		return nil
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "html/testdata/html5lib-tests/tree-construction")
	files, _ := filepath.Glob(filepath.Join(dir, "*.dat"))
	var pages []string
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		for _, block := range strings.Split(string(data), "#data\n")[1:] {
			page, _, _ := strings.Cut(block, "\n#errors")
			pages = append(pages, page)
		}
	}
	return pages
}
