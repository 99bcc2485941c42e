package result

import (
	"reflect"
	"testing"
)

func TestHTMLPage(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		in          string
		title       string
		body        string
		attrs       Object
	}{
		{"the title has its entities decoded", "text/html",
			`<html><head><title>Tom &amp; Jerry &lt;3 &eacute;</title></head><body></body></html>`,
			"Tom & Jerry <3 é", "", Object{}},
		{"the title's whitespace is collapsed", "text/html",
			"<title>\n  Orders\t list  </title><body>x</body>", "Orders list", "x", Object{}},
		{"a title inside SVG is not the page's", "text/html",
			`<head></head><body><svg><title>icon</title></svg></body>`, "", `<svg><title>icon</title></svg>`, Object{}},
		{"the body markup is cut out byte for byte", "text/html; charset=utf-8",
			"<!DOCTYPE html>\r\n<html><head><title>t</title></head><body class=a>\r\n<p>A &amp; B &nbsp;<br/>\n<!-- </body> -->" +
				`<script>if (a < b) document.write("</body>")</script><textarea></body></textarea>` + "\n<P CLASS='x'>y</P>\r\n</body></html>",
			"t", "\r\n<p>A &amp; B &nbsp;<br/>\n<!-- </body> -->" +
				`<script>if (a < b) document.write("</body>")</script><textarea></body></textarea>` + "\n<P CLASS='x'>y</P>\r\n",
			Object{{"class", "a"}}},
		{"body attributes keep their order, first of a repeated name wins, entities decoded", "text/html",
			`<body data-page="orders" class="a &amp; b" onload=init() class="c" hidden>x</body>`, "", "x",
			Object{{"data-page", "orders"}, {"class", "a & b"}, {"onload", "init()"}, {"hidden", ""}}},
		{"markup after the closing body tag is left out", "text/html",
			"<body><main>m</main></body>\n<script>late()</script></html>", "", "<main>m</main>", Object{}},
		{"without a body tag the body follows the head", "text/html",
			"<!doctype html><html><head><title>t</title><link rel=stylesheet href=a.css></head>\n<p>x</p></html>",
			"t", "<p>x</p>", Object{}},
		{"without head or body tags the head elements are skipped", "text/html",
			"<!doctype html>\n<meta charset=utf-8><title>t</title><script>s()</script><style>p{}</style>\n<p>x", "t", "<p>x", Object{}},
		{"a fragment is its own body", "text/html", `<div class="flash">Saved</div>`, "", `<div class="flash">Saved</div>`, Object{}},
		{"a document with only a head has an empty body", "text/html", `<title>only</title>`, "only", "", Object{}},
		{"a Latin-1 page named by its content type is converted to UTF-8", "text/html; charset=ISO-8859-1",
			"<title>Caf\xe9</title><body>d\xe9j\xe0 vu</body>", "Café", "déjà vu", Object{}},
		{"a Latin-1 page named by its meta tag is converted to UTF-8", "text/html",
			"<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><title>\xc9t\xe9</title></head><body>\xbd</body>",
			"Été", "½", Object{}},
		{"a UTF-8 byte order mark is dropped", "text/html", "\ufeff<title>b</title><body>x</body>", "b", "x", Object{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HTMLPage([]byte(tt.in), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			want := Object{{"title", tt.title}, {"body", tt.body}, {"bodyAttributes", tt.attrs}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}
