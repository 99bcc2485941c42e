package result

import (
	"bytes"
	"io"
	"mime"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// HTMLPage is the data of an HTML page: an Object with
//
//	title           the text of the first <title> outside SVG, entities decoded,
//	                whitespace collapsed as document.title does
//	body            the markup inside <body>…</body>, exactly as in the page
//	bodyAttributes  an Object of the <body> tag's attributes, in their order
//
// A page without a <body> tag gives what follows its head: everything after the
// doctype, <html>, <head> and the elements that belong in a head. A page in another
// charset (from contentType, a byte order mark or a <meta>) is converted to UTF-8 first.
func HTMLPage(body []byte, contentType string) (any, error) {
	doc, err := utf8Document(body, contentType)
	if err != nil {
		return nil, err
	}
	p := scanPage(doc)
	return Object{
		{"title", p.title},
		{"body", string(doc[p.bodyStart:p.bodyEnd])},
		{"bodyAttributes", p.bodyAttributes},
	}, nil
}

// pageParts locates what HTMLPage takes from a document.
type pageParts struct {
	title              string
	bodyStart, bodyEnd int
	bodyAttributes     Object
}

// scanPage tokenizes doc once, keeping the byte offset of every token so the body markup
// can be cut from the input unchanged.
func scanPage(doc []byte) pageParts {
	z := html.NewTokenizer(bytes.NewReader(doc))
	p := pageParts{bodyStart: -1, bodyEnd: -1, bodyAttributes: Object{}}
	var (
		offset    int
		headEnd   = -1 // where a page without <body> starts its body
		htmlEnd   = -1
		rawIn     atom.Atom // the element whose text the tokenizer is reading
		titleSeen bool
		inTitle   bool
		svgDepth  int
	)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF: the reader is in memory and has no other way to fail
		}
		start := offset
		offset += len(z.Raw())
		var tag atom.Atom
		if tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken {
			tag = tagAtom(z.Raw())
		}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch {
			case tag == atom.Body && p.bodyStart < 0:
				p.bodyStart = offset
				p.bodyAttributes = tagAttributes(z)
			case tag == atom.Svg && tt == html.StartTagToken:
				svgDepth++
			case tag == atom.Title && svgDepth == 0 && !titleSeen:
				titleSeen, inTitle = true, true
			}
			if tag == atom.Title || tag == atom.Style || tag == atom.Script {
				rawIn = tag
			}
		case html.EndTagToken:
			switch tag {
			case atom.Body:
				p.bodyEnd = start
			case atom.Html:
				htmlEnd = start
			case atom.Svg:
				svgDepth = max(svgDepth-1, 0)
			}
			if tag == rawIn {
				rawIn, inTitle = 0, false
			}
		case html.TextToken:
			if inTitle {
				p.title = strings.Join(strings.Fields(string(z.Text())), " ")
			}
		}
		if headEnd < 0 && !belongsInHead(tt, tag, rawIn, z) {
			headEnd = start
		}
	}
	switch {
	case p.bodyStart >= 0:
	case headEnd >= 0:
		p.bodyStart = headEnd
	default:
		p.bodyStart = len(doc)
	}
	switch {
	case p.bodyEnd >= p.bodyStart:
	case htmlEnd >= p.bodyStart:
		p.bodyEnd = htmlEnd
	default:
		p.bodyEnd = len(doc)
	}
	return p
}

// tagAtom reads the name of a tag from its raw bytes ("<Title ...>", "</body>"). Unlike
// the tokenizer's TagName it does not allocate; names longer than any looked for give 0.
func tagAtom(raw []byte) atom.Atom {
	var name [8]byte
	n := 0
	for _, c := range bytes.TrimPrefix(raw[1:], []byte("/")) {
		switch c {
		case ' ', '\t', '\n', '\f', '\r', '/', '>':
			return atom.Lookup(name[:n])
		}
		if n == len(name) {
			return 0
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		name[n] = c
		n++
	}
	return atom.Lookup(name[:n])
}

// belongsInHead tells whether a token before the body would end up in the document's
// head (or nowhere) rather than start the body, for pages without a <body> tag.
func belongsInHead(tt html.TokenType, tag, rawIn atom.Atom, z *html.Tokenizer) bool {
	switch tt {
	case html.DoctypeToken, html.CommentToken:
		return true
	case html.TextToken:
		return rawIn != 0 || len(bytes.TrimLeft(z.Raw(), " \t\n\f\r")) == 0
	case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		switch tag {
		case atom.Html, atom.Head, atom.Title, atom.Meta, atom.Link, atom.Base, atom.Style, atom.Script:
			return true
		}
	}
	return false
}

// tagAttributes is the current tag's attributes in order; a repeated name keeps its
// first value, as browsers do.
func tagAttributes(z *html.Tokenizer) Object {
	attrs := Object{}
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if k == nil {
			break
		}
		if _, dup := attrs.Get(string(k)); !dup {
			attrs = append(attrs, Member{string(k), string(v)})
		}
	}
	return attrs
}

// utf8Document is an HTML document in UTF-8, converted from the charset its
// Content-Type, byte order mark or <meta> names.
func utf8Document(body []byte, contentType string) ([]byte, error) {
	_, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" {
		return bytes.TrimPrefix(body, utf8BOM), nil
	}
	r, err := charset.NewReaderLabel(name, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// utf8Text is a text body in UTF-8, converted from the charset its Content-Type names.
// Without a charset, or with one nobody knows, the body is taken as UTF-8.
func utf8Text(body []byte, contentType string) (string, error) {
	_, params, _ := mime.ParseMediaType(contentType)
	enc, _ := charset.Lookup(params["charset"])
	if enc == nil {
		return string(bytes.TrimPrefix(body, utf8BOM)), nil
	}
	b, err := enc.NewDecoder().Bytes(body)
	return string(b), err
}
