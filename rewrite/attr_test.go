package rewrite

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"golang.org/x/net/html"
)

// readerAttrs lists a start tag's attributes as attrReader and attrDecoder
// read them, keeping the first of repeated keys and dropping empty ones,
// which is what html.Tokenizer hands out.
func readerAttrs(tag []byte) []string {
	var list, seen []string
	var d attrDecoder
	r := newAttrReader(tag)
	for {
		a, ok := r.next()
		if !ok {
			return list
		}
		key := string(asciiLower(tag[a.key[0]:a.key[1]]))
		if key == "" || slices.Contains(seen, key) {
			continue
		}
		seen = append(seen, key)
		shown := bytes.ReplaceAll([]byte(key), []byte{0}, []byte("\uFFFD"))
		list = append(list, fmt.Sprintf("%s=%q", shown, d.value(tag, a, key)))
	}
}

// tokenizerAttrs lists the attributes html.Tokenizer reads from a start tag.
func tokenizerAttrs(z *html.Tokenizer) []string {
	var list []string
	_, more := z.TagName()
	for more {
		var key, val []byte
		key, val, more = z.TagAttr()
		list = append(list, fmt.Sprintf("%s=%q", key, val))
	}
	return list
}

// checkAttributes compares both readings for every start tag of page.
func checkAttributes(t *testing.T, page []byte) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tag := slices.Clone(z.Raw())
			if bytes.ContainsAny(tag[:nameEnd(tag)], "\x00") {
				continue // keys are compared as the tokenizer spells them
			}
			want := tokenizerAttrs(z)
			if got := readerAttrs(tag); !slices.Equal(got, want) {
				t.Fatalf("tag %q\nread as   %q\ntokenizer %q", tag, got, want)
			}
		}
	}
}

func TestAttributesAreReadLikeTheTokenizerReadsThem(t *testing.T) {
	pages := append(append(html5libPages(t), trickyPages...), randomPages(2000, 5, append(postPieces, pagePieces...))...)
	pages = append(pages,
		`<a b c=d e = "f" g='h' i=j/ k/l =m n==o p=>`,
		`<a x="&amp;&amp=&ampx&lt&gt;&quot&apos;&apos&#65;&#x42;&#X43&#;&#x;&#1114112;&#128;&#0;">`,
		`<a x="&copy=1&copy;&copy &notit; &eacute &AMP;">`,
		"<a x=\"a\r\nb\rc\x00d\">",
		`<a X=1 x=2 X=3>`,
	)
	for _, page := range pages {
		checkAttributes(t, []byte(page))
	}
}

// FuzzAttributes checks the attribute reader against html.Tokenizer.
func FuzzAttributes(f *testing.F) {
	for _, page := range trickyPages {
		f.Add([]byte(page))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		checkAttributes(t, page)
	})
}

// firstAttr is the plain lookup attrIndex must agree with: read the tag from
// its start to the first attribute named key.
func firstAttr(tag []byte, key string) (attrSpan, bool) {
	r := newAttrReader(tag)
	for {
		a, ok := r.next()
		if !ok || keyIs(tag, a, key) {
			return a, ok
		}
	}
}

func TestAttrIndexFindsWhatAFreshReadFinds(t *testing.T) {
	var many bytes.Buffer
	many.WriteString("<input")
	for k := range 20 {
		fmt.Fprintf(&many, " a%d=%d", k, k)
	}
	many.WriteString(` type=submit a3=again formaction="/late">`)
	tests := []struct {
		name string
		tag  string
		keys []string
	}{
		{"a button asked for three attributes in turn", `<button type="submit" formaction="/x" formmethod=post>`, []string{"formaction", "type", "formmethod"}},
		{"a key asked for twice", `<form method=post action=/a>`, []string{"action", "action", "method"}},
		{"a repeated key gives its first value", `<input type=text TYPE=submit formaction=/x>`, []string{"formaction", "type"}},
		{"a missing key, then present ones", `<input name=q type=image>`, []string{"formaction", "type", "name"}},
		{"keys past the sixteenth attribute", many.String(), []string{"formaction", "a3", "type", "a19", "a0", "missing", "a15", "a16"}},
		{"a tag without attributes", `<button>`, []string{"type", "formaction"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag := []byte(tt.tag)
			var x attrIndex
			x.reset(tag, anyKeys)
			for _, key := range tt.keys {
				got, gotOK := x.find(key)
				want, wantOK := firstAttr(tag, key)
				if gotOK != wantOK || gotOK && got != want {
					t.Errorf("find(%q) = %+v, %v; want %+v, %v", key, got, gotOK, want, wantOK)
				}
			}
		})
	}
}
