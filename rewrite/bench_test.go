package rewrite

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"golang.org/x/net/html"
)

// benchmarkPage builds a server-rendered page of about 200 KB, the kind a
// legacy app sends: a head with styles and scripts, navigation, tables,
// articles, and forms POSTing to n item paths, each with a second button
// posting elsewhere.
func benchmarkPage(forms int) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Inventory &mdash; Acme Admin</title>\n")
	for i := range 4 {
		fmt.Fprintf(&b, "<link rel=\"stylesheet\" href=\"/assets/css/app-%d.css?v=1739\">\n", i)
	}
	b.WriteString("<style>\nbody { font: 14px/1.4 sans-serif; }\n.table td > a { color: #333; }\n.btn:hover { opacity: .8 }\n</style>\n")
	b.WriteString("<script>\nwindow.App = {user: 42, csrf: \"a1b2c3\"};\nfunction check(a, b) { return a < b && b > 0; }\n</script>\n</head>\n<body class=\"admin\">\n")
	b.WriteString("<nav id=\"top\"><ul>\n")
	for i := range 30 {
		fmt.Fprintf(&b, "  <li class=\"nav-item\"><a href=\"/section/%d\" title=\"Section %d\">Section %d</a></li>\n", i, i, i)
	}
	b.WriteString("</ul>\n<form action=\"/search\" method=\"get\" class=\"search\"><input type=\"search\" name=\"q\" placeholder=\"Search&hellip;\"><button>Go</button></form>\n</nav>\n")
	for i := range forms {
		fmt.Fprintf(&b, "<section class=\"item\" id=\"item-%d\" data-meta='{\"id\":%d,\"tags\":[\"a\",\"b\"]}'>\n<h2>Item %d</h2>\n", i, i, i)
		b.WriteString("<table class=\"table\">\n<tr><th>Name</th><th>Value</th><th>Updated</th></tr>\n")
		for r := range 30 {
			fmt.Fprintf(&b, "<tr><td><a href=\"/items/%d/fields/%d\">Field %d</a></td><td>%d &times; 3 &lt; %d</td><td><time datetime=\"2024-01-%02d\">Jan %d</time></td></tr>\n", i, r, r, r, r*4, r+1, r+1)
		}
		b.WriteString("</table>\n<!-- edit form -->\n")
		fmt.Fprintf(&b, "<form method=\"post\" action=\"/items/%d/update?return=list&amp;page=2\" class=\"edit\" enctype=\"multipart/form-data\">\n", i)
		b.WriteString("<input type=\"hidden\" name=\"csrf_token\" value=\"7f3e9c1d2b4a58e6f0a1b2c3d4e5f60718293a4b\">\n")
		fmt.Fprintf(&b, "<label>Name <input type=\"text\" name=\"name\" value=\"Item %d\" required></label>\n", i)
		b.WriteString("<select name=\"status\"><option value=\"draft\">Draft</option><option value=\"live\" selected>Live</option><option value=\"gone\">Gone</option></select>\n")
		b.WriteString("<textarea name=\"notes\" rows=\"3\">Notes with <b>markup</b> &amp; entities</textarea>\n")
		fmt.Fprintf(&b, "<button type=\"submit\">Save</button> <button type=\"submit\" formaction=\"/items/%d/delete\" class=\"danger\">Delete</button>\n</form>\n", i)
		for p := range 16 {
			fmt.Fprintf(&b, "<p>Paragraph %d of item %d. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua &mdash; <em>ut enim</em> ad minim veniam, <a href=\"/docs/%d#p%d\">quis nostrud</a> exercitation ullamco laboris.</p>\n", p, i, i, p)
		}
		b.WriteString("<img src=\"/img/placeholder.png\" alt=\"\" width=\"120\" height=\"80\" loading=\"lazy\">\n</section>\n")
	}
	b.WriteString("<footer><p>&copy; 2024 Acme</p></footer>\n<script src=\"/assets/js/app.js\" defer></script>\n<script>\nif (document.readyState !== \"loading\" && 1 < 2) { console.log(\"</p> is not a tag here\"); }\n</script>\n</body>\n</html>\n")
	return b.Bytes()
}

var benchOptions = Options{
	PageURL:   mustURL("https://example.com/items"),
	Script:    []byte(`<script src="/_enhance/client.js" defer></script>`),
	ScriptSrc: "/_enhance/client.js",
}

func TestBenchmarkPageIsRealistic(t *testing.T) {
	page := benchmarkPage(20)
	if len(page) < 150_000 || len(page) > 260_000 {
		t.Errorf("page is %d bytes, want about 200 KB", len(page))
	}
	out := rewriteWhole(t, page, benchOptions)
	if n := bytes.Count(out, []byte(` action="/items?/items/`)); n != 20 {
		t.Errorf("%d forms rewritten, want 20", n)
	}
	if n := bytes.Count(out, []byte(` formaction="/items?/items/`)); n != 20 {
		t.Errorf("%d buttons rewritten, want 20", n)
	}
}

// BenchmarkRewrite streams the page through a reused Writer in 32 KB chunks,
// as a response body arrives.
func BenchmarkRewrite(b *testing.B) {
	benchmarkRewrite(b, benchmarkPage(20))
}

// BenchmarkRewriteSmallPage is the same for a page of about 50 KB, where the
// head and navigation weigh more.
func BenchmarkRewriteSmallPage(b *testing.B) {
	benchmarkRewrite(b, benchmarkPage(5))
}

func benchmarkRewrite(b *testing.B, page []byte) {
	w := NewWriter(io.Discard, benchOptions)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		w.Reset(io.Discard, benchOptions)
		for rest := page; len(rest) > 0; {
			n := min(len(rest), 32<<10)
			w.Write(rest[:n])
			rest = rest[n:]
		}
		w.Close()
	}
}

// BenchmarkTokenizerOnly is the floor to compare with: one plain pass of
// html.Tokenizer over the same page, reading nothing but token types.
func BenchmarkTokenizerOnly(b *testing.B) {
	page := benchmarkPage(20)
	r := bytes.NewReader(page)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(page)
		z := html.NewTokenizer(r)
		for z.Next() != html.ErrorToken {
		}
	}
}

// BenchmarkReference is the whole-page reference rewriter, for comparison.
func BenchmarkReference(b *testing.B) {
	page := benchmarkPage(20)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		rewriteReference(io.Discard, bytes.NewReader(page), benchOptions)
	}
}
