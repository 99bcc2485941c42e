package rewrite

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// rewriteTest is one page rewritten with some options. Every case is also
// run through checkRewrite: chunked, against the reference, and so on.
type rewriteTest struct {
	name string
	in   string
	want string
}

func runRewriteTests(t *testing.T, o Options, tests []rewriteTest) {
	t.Helper()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(rewriteWhole(t, []byte(tt.in), o))
			if got != tt.want {
				t.Errorf("rewrite(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
			checkRewrite(t, []byte(tt.in), uint64(i), o)
		})
	}
}

// loginPage is a page at https://example.com/login, without script injection
// so that the cases show only what happens to forms.
var loginPage = Options{PageURL: mustURL("https://example.com/login")}

func TestPostFormsBecomeNamedActionsOfThePage(t *testing.T) {
	runRewriteTests(t, loginPage, []rewriteTest{
		{"a POST form to another path becomes a named action of the page",
			`<form method="post" action="/session">`,
			`<form method="post" action="/login?/session">`},
		{"the method is read without regard to case",
			`<form method="PoSt" action="/session">`,
			`<form method="PoSt" action="/login?/session">`},
		{"upper-case tag and attribute names are read and kept",
			`<FORM METHOD=POST ACTION="/session">`,
			`<FORM METHOD=POST ACTION="/login?/session">`},
		{"the target's own query follows the action key",
			`<form method=post action="/session?next=/x">`,
			`<form method=post action="/login?/session&amp;next=/x">`},
		{"entities in the action are decoded and the new value escaped again",
			`<form method=post action="/session?a=1&amp;b=2&#38;c=3">`,
			`<form method=post action="/login?/session&amp;a=1&amp;b=2&amp;c=3">`},
		{"a query parameter that looks like an entity stays what it is",
			`<form method=post action="/session?a=1&copy=2">`,
			`<form method=post action="/login?/session&amp;a=1&amp;copy=2">`},
		{"a rarer named entity is decoded like the tokenizer does",
			`<form method=post action="/s?x=&eacute;&notin;">`,
			"<form method=post action=\"/login?/s&amp;x=\u00e9\u2209\">"},
		{"a fragment is kept after the query",
			`<form method=post action="/session?a=b#top">`,
			`<form method=post action="/login?/session&amp;a=b#top">`},
		{"a relative target resolves against the page's URL",
			`<form method=post action="session">`,
			`<form method=post action="/login?/session">`},
		{"dot segments are resolved, also percent-encoded ones",
			`<form method=post action="/a/b/../%2e%2E/c/./session">`,
			`<form method=post action="/login?/c/session">`},
		{"a target on the page's origin written as an absolute URL is ours",
			`<form method=post action="https://EXAMPLE.com:443/session">`,
			`<form method=post action="/login?/session">`},
		{"white space, tabs and newlines around and inside a URL are dropped like browsers do",
			"<form method=post action=\" /ses\n\tsion \">",
			`<form method=post action="/login?/session">`},
		{"a path with spaces, &, =, % and non-ASCII is escaped into the key",
			"<form method=post action=\"/a b/c&d=e/%41/caf\xc3\xa9\">",
			`<form method=post action="/login?/a%2520b/c%26d%3De/%2541/caf%25C3%25A9">`},
		{"other attributes, their order and quoting survive",
			`<form class="x y" action='/session' data-a=1 id=f METHOD="post" novalidate>`,
			`<form class="x y" action='/login?/session' data-a=1 id=f METHOD="post" novalidate>`},
		{"an unquoted action stays unquoted when it can",
			`<form method=post action=/session>`,
			`<form method=post action=/login?/session>`},
		{"an unquoted action gets quotes when its new value needs them",
			`<form method=post action=/session?a=b>`,
			`<form method=post action="/login?/session&amp;a=b">`},
		{"a single-quoted action escapes a single quote",
			`<form method=post action='/session?q=it"s&x=a%27b'>`,
			`<form method=post action='/login?/session&amp;q=it"s&amp;x=a%27b'>`},
		{"a double quote in a new double-quoted value is escaped",
			`<form method=post action='/s?q="x"'><form method=post action=/t>`,
			`<form method=post action='/login?/s&amp;q="x"'><form method=post action=/login?/t>`},
		{"an action without a value posts to the page itself and stays",
			`<form method=post action>`,
			`<form method=post action>`},
		{"an unquoted action ending in a slash before > is kept whole",
			`<form method=post action=/a/>`,
			`<form method=post action=/login?/a/>`},
		{"a > inside a quoted value does not end the tag",
			`<form method=post title="a>b" action=/session>`,
			`<form method=post title="a>b" action=/login?/session>`},
		{"only the first of repeated action attributes counts, like in the tokenizer",
			`<form method=post action=/a action=/b>`,
			`<form method=post action=/login?/a action=/b>`},
		{"white space of all kinds separates attributes",
			"<form\tmethod=post\naction=/s\f>",
			"<form\tmethod=post\naction=/login?/s\f>"},
	})
}

func TestFormsThatStayAsWritten(t *testing.T) {
	runRewriteTests(t, loginPage, []rewriteTest{
		{"a form without method is a GET form",
			`<form action="/search">`, `<form action="/search">`},
		{"a GET form is a navigation, not an action",
			`<form method=get action="/search">`, `<form method=get action="/search">`},
		{"a dialog form posts nothing",
			`<form method=dialog action="/x">`, `<form method=dialog action="/x">`},
		{"a target on the page's own path is its default action, whatever its query",
			`<form method=post action="/login?tab=2">`, `<form method=post action="/login?tab=2">`},
		{"a form without action posts to the page itself",
			`<form method=post>`, `<form method=post>`},
		{"an empty action posts to the page itself",
			`<form method=post action="">`, `<form method=post action="">`},
		{"an already named action of the page is its own path",
			`<form method=post action="/login?/session">`, `<form method=post action="/login?/session">`},
		{"a cross-origin target",
			`<form method=post action="https://pay.example/checkout">`, `<form method=post action="https://pay.example/checkout">`},
		{"another port is another origin",
			`<form method=post action="https://example.com:8443/x">`, `<form method=post action="https://example.com:8443/x">`},
		{"another scheme is another origin",
			`<form method=post action="http://example.com/x">`, `<form method=post action="http://example.com/x">`},
		{"a scheme-relative target on another host",
			`<form method=post action="//evil.example/x">`, `<form method=post action="//evil.example/x">`},
		{"backslashes that browsers read as another host",
			`<form method=post action="\\evil.example\x">`, `<form method=post action="\\evil.example\x">`},
		{"a javascript: URL",
			`<form method=post action="javascript:void(0)">`, `<form method=post action="javascript:void(0)">`},
		{"a target the gateway would refuse",
			`<form method=post action="/a%00b">`, `<form method=post action="/a%00b">`},
		{"a form inside a template",
			`<template><form method=post action=/x></form></template>`, `<template><form method=post action=/x></form></template>`},
		{"forms inside nested templates, until the outer one closes",
			`<template><template></template><form method=post action=/x></template><form method=post action=/y>`,
			`<template><template></template><form method=post action=/x></template><form method=post action=/login?/y>`},
		{"a form in a comment",
			`<!-- <form method=post action=/x> --><!--><form method=post action=/y>`,
			`<!-- <form method=post action=/x> --><!--><form method=post action=/login?/y>`},
		{"a form in a script's text",
			`<script>document.write('<form method=post action=/x>')</script>`,
			`<script>document.write('<form method=post action=/x>')</script>`},
		{"a form in an escaped script's text, past a </script> inside <!--<script>",
			`<script><!--<script></script><form method=post action=/x></script>`,
			`<script><!--<script></script><form method=post action=/x></script>`},
		{"a form in a style, textarea or title",
			`<style><form method=post action=/a></style><textarea><form method=post action=/b></textarea><title><form method=post action=/c></title>`,
			`<style><form method=post action=/a></style><textarea><form method=post action=/b></textarea><title><form method=post action=/c></title>`},
		{"a form inside noscript, which is posted by browsers without scripts",
			`<noscript><form method=post action=/x></form></noscript>`,
			`<noscript><form method=post action=/x></form></noscript>`},
		{"a form in a quoted attribute value",
			`<div title="<form method=post action=/x>">`, `<div title="<form method=post action=/x>">`},
		{"a form cut off by the end of the page",
			`<form method=post action=/x`, `<form method=post action=/x`},
	})
}

func TestSubmitButtonsFormaction(t *testing.T) {
	runRewriteTests(t, loginPage, []rewriteTest{
		{"a button's formaction in a POST form is rewritten",
			`<form method=post><button formaction="/other">`,
			`<form method=post><button formaction="/login?/other">`},
		{"submit and image inputs are rewritten, text inputs not",
			`<form method=post><input type=submit formaction=/a><input type=IMAGE formaction=/b><input formaction=/c><input type=text formaction=/d>`,
			`<form method=post><input type=submit formaction=/login?/a><input type=IMAGE formaction=/login?/b><input formaction=/c><input type=text formaction=/d>`},
		{"reset and plain buttons are not submitters",
			`<form method=post><button type=reset formaction=/a><button type=button formaction=/b><button type=bogus formaction=/c>`,
			`<form method=post><button type=reset formaction=/a><button type=button formaction=/b><button type=bogus formaction=/login?/c>`},
		{"a formaction in a GET form stays",
			`<form><button formaction=/a></form>`,
			`<form><button formaction=/a></form>`},
		{"formmethod=post makes a button post, in a GET form or none",
			`<form><button formaction=/a formmethod=POST></form><input type=submit formaction=/b formmethod=post>`,
			`<form><button formaction=/login?/a formmethod=POST></form><input type=submit formaction=/login?/b formmethod=post>`},
		{"formmethod=get makes a button in a POST form navigate",
			`<form method=post><button formaction=/a formmethod=get>`,
			`<form method=post><button formaction=/a formmethod=get>`},
		{"after </form> a button no longer belongs to the POST form",
			`<form method=post></form><button formaction=/a>`,
			`<form method=post></form><button formaction=/a>`},
		{"a </form> inside script text does not close the form",
			`<form method=post><script>"</form>"</script><button formaction=/a>`,
			`<form method=post><script>"</form>"</script><button formaction=/login?/a>`},
		{"a form inside a form does not replace it, as in the HTML parser",
			`<form method=post><form method=get></form><button formaction=/a>`,
			`<form method=post><form method=get></form><button formaction=/a>`},
		{"a button without formaction is left alone",
			`<form method=post action=/x><button name=go>`,
			`<form method=post action=/login?/x><button name=go>`},
		{"an empty formaction submits to the page itself",
			`<form method=post action=/x><button formaction="">`,
			`<form method=post action=/login?/x><button formaction="">`},
		{"a button inside a template inside a POST form stays",
			`<form method=post><template><button formaction=/a></template>`,
			`<form method=post><template><button formaction=/a></template>`},
	})
}

func TestBaseHrefChangesRelativeTargets(t *testing.T) {
	runRewriteTests(t, loginPage, []rewriteTest{
		{"a <base href> seen earlier is what relative targets resolve against",
			`<base href="/app/"><form method=post action="save">`,
			`<base href="/app/"><form method=post action="/login?/app/save">`},
		{"a relative <base href> resolves against the page",
			`<base href="shop/"><form method=post action="cart?x=1">`,
			`<base href="shop/"><form method=post action="/login?/shop/cart&amp;x=1">`},
		{"only the first <base href> counts",
			`<base target=_blank><base href="/a/"><base href="/b/"><form method=post action="save">`,
			`<base target=_blank><base href="/a/"><base href="/b/"><form method=post action="/login?/a/save">`},
		{"a cross-origin base makes relative targets cross-origin",
			`<base href="https://cdn.example/"><form method=post action="save"><form method=post action="/x"><form method=post action="https://example.com/y">`,
			`<base href="https://cdn.example/"><form method=post action="save"><form method=post action="/x"><form method=post action="/login?/y">`},
		{"a <base> inside a template does not count",
			`<template><base href="/t/"></template><form method=post action="save">`,
			`<template><base href="/t/"></template><form method=post action="/login?/save">`},
		{"a missing action still means the document URL, not the base",
			`<base href="/app/"><form method=post>`,
			`<base href="/app/"><form method=post>`},
	})
}

func TestCharsetsPassUntouched(t *testing.T) {
	runRewriteTests(t, loginPage, []rewriteTest{
		{"a byte order mark and Latin-1 text around a rewritten form",
			"\xEF\xBB\xBF<p>caf\xE9</p><form method=post action=/s>na\xEFve",
			"\xEF\xBB\xBF<p>caf\xE9</p><form method=post action=/login?/s>na\xEFve"},
		{"Windows-1252 quotes in text and attributes",
			"<p title=\"\x93q\x94\">\x93hi\x94</p><form method=post title=\"\x93\" action=/s>",
			"<p title=\"\x93q\x94\">\x93hi\x94</p><form method=post title=\"\x93\" action=/login?/s>"},
		{"Shift_JIS text with bytes that look like < and >",
			"<p>\x82\xa0\x83\x3c\x83\x3e</p><form method=post action=/s>",
			"<p>\x82\xa0\x83\x3c\x83\x3e</p><form method=post action=/login?/s>"},
		{"invalid UTF-8 and NUL bytes",
			"<p>\xff\xfe\x00\xc3</p><form method=post action=/s>\x80",
			"<p>\xff\xfe\x00\xc3</p><form method=post action=/login?/s>\x80"},
		{"a UTF-16 page is copied as it is",
			"\xFF\xFE<\x00f\x00o\x00r\x00m\x00",
			"\xFF\xFE<\x00f\x00o\x00r\x00m\x00"},
	})
}

// withScript is loginPage with the client script to inject.
var withScript = Options{
	PageURL:   mustURL("https://example.com/login"),
	Script:    []byte(`<script src="/_e.js"></script>`),
	ScriptSrc: "/_e.js",
}

const script = `<script src="/_e.js"></script>`

func TestScriptInjection(t *testing.T) {
	runRewriteTests(t, withScript, []rewriteTest{
		{"the script goes right after <head>",
			`<!DOCTYPE html><html><head><title>t</title></head>`,
			`<!DOCTYPE html><html><head>` + script + `<title>t</title></head>`},
		{"the script goes after <head>'s leading meta tags, keeping <meta charset> early",
			"<html>\n<head>\n<meta charset=utf-8>\n<meta name=viewport content=x>\n<link rel=stylesheet href=a.css>",
			"<html>\n<head>\n<meta charset=utf-8>\n<meta name=viewport content=x>\n" + script + "<link rel=stylesheet href=a.css>"},
		{"upper-case tags are read",
			`<HTML><HEAD><TITLE>t</TITLE>`,
			`<HTML><HEAD>` + script + `<TITLE>t</TITLE>`},
		{"a page without <head> gets it before its first element",
			`<!doctype html><html lang=en><!-- hi --><body><p>x`,
			`<!doctype html><html lang=en><!-- hi -->` + script + `<body><p>x`},
		{"a page of text gets it before the text, after leading white space",
			" \n hello",
			" \n " + script + "hello"},
		{"a byte order mark stays first",
			"\xEF\xBB\xBFhello",
			"\xEF\xBB\xBF" + script + "hello"},
		{"a < that starts no tag is text",
			"<3 <!x>",
			script + "<3 <!x>"},
		{"an empty page gets just the script",
			``, script},
		{"a page of only a doctype and comments gets it at the end",
			`<!DOCTYPE html><!-- nothing -->`,
			`<!DOCTYPE html><!-- nothing -->` + script},
		{"a page ending inside a comment gets none",
			`<!DOCTYPE html><!-- nothing`,
			`<!DOCTYPE html><!-- nothing`},
		{"a page ending inside a <head> tag gets none",
			`<html><head class="x`,
			`<html><head class="x`},
		{"a page ending inside another tag gets it before that tag",
			`<html><div class="x`,
			`<html>` + script + `<div class="x`},
		{"a page that has the script already does not get it twice",
			`<html><head><script src="/_e.js"></script><title>t</title>`,
			`<html><head><script src="/_e.js"></script><title>t</title>`},
		{"the script goes before a template, never inside",
			`<template><p>x</p></template>`,
			script + `<template><p>x</p></template>`},
		{"the script goes before noscript, never inside",
			`<head><noscript><style>x</style></noscript>`,
			`<head>` + script + `<noscript><style>x</style></noscript>`},
		{"the script goes before a page's own <base>, so a cross-origin base cannot move it",
			`<head><base href="https://cdn.example/">`,
			`<head>` + script + `<base href="https://cdn.example/">`},
		{"it is injected only once",
			`<head></head><body><head><p>`,
			`<head>` + script + `</head><body><head><p>`},
	})
}

// mappedPage is the reply to /login?/account/settings: shown at /login,
// rendered by the backend for /account/settings?tab=1.
var mappedPage = Options{
	PageURL:     mustURL("https://example.com/login"),
	DocumentURL: mustURL("https://example.com/account/settings?tab=1"),
}

func TestPageRenderedForAnotherPath(t *testing.T) {
	runRewriteTests(t, mappedPage, []rewriteTest{
		{"a <base> pointing at the document goes before the first element that may carry a URL",
			`<html><head><meta charset=utf-8><title>Settings</title><link rel=stylesheet href=s.css>`,
			`<html><head><meta charset=utf-8><title>Settings</title><base href="/account/settings?tab=1"><link rel=stylesheet href=s.css>`},
		{"a page without head gets the <base> before its first element",
			`<p><a href=profile>`,
			`<base href="/account/settings?tab=1"><p><a href=profile>`},
		{"the page's own <base> comes first: no second one, and its relative href resolves against the document",
			`<head><base href="../shop/" target=_top><link href=s.css>`,
			`<head><base href="/shop/" target=_top><link href=s.css>`},
		{"the page's own absolute <base> is kept",
			`<head><base href="/app/"><link href=s.css>`,
			`<head><base href="/app/"><link href=s.css>`},
		{"a later <base> of the page does not change what we injected",
			`<link href=s.css><base href="x/"><form method=post action=save>`,
			`<base href="/account/settings?tab=1"><link href=s.css><base href="x/"><form method=post action=/login?/account/save>`},
		{"a form without action posts to the document: a named action of the page",
			`<form method=post>`,
			`<base href="/account/settings?tab=1"><form action="/login?/account/settings&amp;tab=1" method=post>`},
		{"an empty action posts to the document too",
			`<form method=post action="">`,
			`<base href="/account/settings?tab=1"><form method=post action="/login?/account/settings&amp;tab=1">`},
		{"an action without a value gets one",
			`<form method=post action/>`,
			`<base href="/account/settings?tab=1"><form method=post action="/login?/account/settings&amp;tab=1"/>`},
		{"an action with an = but no value gets one",
			`<form method=post action= >`,
			`<base href="/account/settings?tab=1"><form method=post action= "/login?/account/settings&amp;tab=1">`},
		{"relative targets resolve against the document",
			`<form method=post action="password">`,
			`<base href="/account/settings?tab=1"><form method=post action="/login?/account/password">`},
		{"a target on the browser's page path is that page's default action",
			`<form method=post action="/login">`,
			`<base href="/account/settings?tab=1"><form method=post action="/login">`},
	})
}

func TestFormsAreLeftAloneWithoutPageURL(t *testing.T) {
	o := Options{Script: []byte(script), ScriptSrc: "/_e.js"}
	got := string(rewriteWhole(t, []byte(`<form method=post action=/x>`), o))
	if want := script + `<form method=post action=/x>`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRewrittenTargetsParseBack reads every action the Writer wrote back
// with ParseActionTarget, the gateway's side of the encoding.
func TestRewrittenTargetsParseBack(t *testing.T) {
	tests := []struct {
		name, action, want string
	}{
		{"a plain path", "/session", "/session"},
		{"a query", "/session?next=/x&a=1", "/session?next=/x&a=1"},
		{"escapes and reserved characters", "/a b/c&d=e+f/%41/caf\xc3\xa9?q=1", "/a%20b/c&d=e+f/%41/caf%C3%A9?q=1"},
		{"an escaped slash", "/a%2Fb", "/a%2Fb"},
		{"a relative path", "../x/./y", "/x/y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := rewriteWhole(t, []byte(`<form method=post action="`+tt.action+`">`), loginPage)
			value, _ := strings.CutPrefix(string(out), `<form method=post action="`)
			value, _ = strings.CutSuffix(value, `">`)
			value = strings.ReplaceAll(value, "&amp;", "&")
			target, ok, err := ParseActionTarget(mustURL(value))
			if err != nil || !ok {
				t.Fatalf("%q: %v %v", value, ok, err)
			}
			if target.RequestURI() != tt.want {
				t.Errorf("%q parses back to %q, want %q", value, target.RequestURI(), tt.want)
			}
		})
	}
}

func TestWriterPassesOnCompleteTokensAtOnce(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, withScript)
	first := `<!DOCTYPE html><html><head><title>Hi</title></head><body><p>text`
	w.Write([]byte(first + `<form method=post act`))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `<!DOCTYPE html><html><head>` + script + `<title>Hi</title></head><body><p>text`
	if out.String() != want {
		t.Fatalf("after Flush: %q, want %q", out.String(), want)
	}
	w.Write([]byte(`ion=/s>rest`))
	w.Close()
	if want += `<form method=post action=/login?/s>rest`; out.String() != want {
		t.Errorf("after Close: %q, want %q", out.String(), want)
	}
}

// flushRecorder counts Flush calls.
type flushRecorder struct {
	bytes.Buffer
	flushes int
}

func (f *flushRecorder) Flush() { f.flushes++ }

func TestFlushFlushesTheDestination(t *testing.T) {
	var dst flushRecorder
	w := NewWriter(&dst, loginPage)
	w.Write([]byte(`<p>`))
	w.Flush()
	if dst.flushes != 1 || dst.String() != `<p>` {
		t.Errorf("flushes %d, written %q", dst.flushes, dst.String())
	}
}

func TestPageWrittenByteByByteIsTheSame(t *testing.T) {
	page := benchmarkPage(20)
	whole := rewriteWhole(t, page, withScript)
	var bytewise [][]byte
	for i := range page {
		bytewise = append(bytewise, page[i:i+1])
	}
	if got := rewriteChunks(t, bytewise, withScript); !bytes.Equal(got, whole) {
		t.Error("byte by byte differs from whole")
	}
	for seed := range uint64(20) {
		if got := rewriteChunks(t, randomChunks(page, seed), withScript); !bytes.Equal(got, whole) {
			t.Fatalf("chunks with seed %d differ from whole", seed)
		}
	}
	if n := bytes.Count(whole, []byte("?/")); n != 20+20 {
		t.Errorf("%d named actions, want 40 (20 forms and 20 buttons)", n)
	}
}

func TestWriterIsReusable(t *testing.T) {
	var a, b bytes.Buffer
	w := NewWriter(&a, withScript)
	w.Write([]byte(`<form method=post action=/x><template>`))
	w.Close()
	w.Reset(&b, mappedPage)
	w.Write([]byte(`<form method=post action=/y>`))
	w.Close()
	want := `<base href="/account/settings?tab=1"><form method=post action=/login?/y>`
	if b.String() != want {
		t.Errorf("second page: %q, want %q", b.String(), want)
	}
}

func TestWriteAfterCloseFails(t *testing.T) {
	w := NewWriter(&bytes.Buffer{}, loginPage)
	w.Close()
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("no error")
	}
}

// TestPagesWithoutPostFormsComeOutUnchanged: without a POST form, and
// without "post" anywhere, a page comes out as it went in but for the script.
func TestPagesWithoutPostFormsComeOutUnchanged(t *testing.T) {
	pages := append(html5libPages(t), randomPages(2000, 7, pagePieces)...)
	checked := 0
	for _, page := range pages {
		if strings.Contains(strings.ToLower(page), "post") {
			continue
		}
		checked++
		out := rewriteWhole(t, []byte(page), withScript)
		if !equalButOneScript(out, []byte(page)) {
			t.Fatalf("page %q\ncame out as %q", page, out)
		}
	}
	if checked < 2000 {
		t.Errorf("only %d pages checked", checked)
	}
}

// equalButOneScript reports whether out is page with the script inserted
// once, or page itself.
func equalButOneScript(out, page []byte) bool {
	if bytes.Equal(out, page) {
		return true
	}
	for i := 0; ; {
		k := bytes.Index(out[i:], []byte(script))
		if k < 0 {
			return false
		}
		i += k
		if bytes.Equal(append(out[:i:i], out[i+len(script):]...), page) {
			return true
		}
		i++
	}
}

// pagePieces are what randomPages are made of: markup without POST forms,
// with the constructs that change how the rest is read.
var pagePieces = []string{
	"hello", " ", "\n", "a < b", "x > y", "&amp;", "&lt;form", "caf\xc3\xa9", "\xff\xfe", "<3", "<",
	"<!DOCTYPE html>", "<html lang=en>", "<head>", "</head>", "<meta charset=utf-8>", "<title>", "</title>",
	"<body class='b'>", "</body>", "</html>", "<div class=\"a b\">", "</div>", "<p>", "</p>", "<br/>",
	"<a href=\"/x?a=1&amp;b=2\">", "</a>", "<img src=x alt=\"a>b\">", "<a title='<form method=get>'>",
	"<form action=/search>", "<form method=get action=\"/find\">", "</form>", "<FORM ACTION=/x>",
	"<input type=submit formaction=/z>", "<button formaction=/w>", "<button>", "</button>",
	"<base href=\"/b/\">", "<base target=_top>", "<template>", "</template>", "<template/>",
	"<script>", "</script>", "<script src=\"/app.js\">", "</script >", "<!--<script>", "-->",
	"<style>", "</style>", "<textarea>", "</textarea>", "<noscript>", "</noscript>", "<xmp>", "</xmp>",
	"<iframe>", "</iframe>", "<plaintext>", "<!-- comment -->", "<!--", "<!-->", "--!>", "<!x>", "<?php ?>",
	"</>", "</1>", "<div", " class=\"q", "\"", "'", "=", ">", "/", "\xef\xbb\xbf",
}

// postPieces add what the rewriter changes.
var postPieces = []string{
	"<form method=post action=/a>", "<form method=POST>", "<form method=post action=\"https://example.com/d?x=1&amp;y#f\">",
	"<button formaction=/b formmethod=post>", "<input type=image formaction=c>", "<form method='post' action='../e'>",
	"<base href=\"sub/\">", "<script src=\"/_enhance.js\" defer></script>",
}

// randomPages builds n pages of up to 40 random pieces each.
func randomPages(n int, seed uint64, pieces []string) []string {
	r := rand.New(rand.NewPCG(seed, 2))
	pages := make([]string, n)
	for i := range pages {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		pages[i] = b.String()
	}
	return pages
}

func TestWriterAgreesWithReferenceOnRandomPages(t *testing.T) {
	for i, page := range randomPages(3000, 11, append(postPieces, pagePieces...)) {
		for _, o := range fuzzOptions {
			checkRewrite(t, []byte(page), uint64(i), o)
		}
	}
}
