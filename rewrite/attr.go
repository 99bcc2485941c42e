package rewrite

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// valueKind says how an attribute's value is written in the tag, which decides
// how a new value takes its place.
type valueKind uint8

const (
	valueNone     valueKind = iota // `action`: no "=" at all
	valueEmpty                     // `action=` directly followed by ">"
	valueUnquoted                  // action=/x
	valueQuoted                    // action="/x" or action='/x'
)

// attrSpan locates one attribute inside the raw bytes of a tag.
type attrSpan struct {
	key   [2]int // the key's bytes
	val   [2]int // the value's bytes, without quotes
	at    int    // where a value goes for valueNone and valueEmpty
	kind  valueKind
	quote byte
}

// attrReader walks the attributes of a complete start tag the way
// x/net/html's readTag does, but hands out byte positions instead of copies,
// so a value can be replaced without touching anything else in the tag.
type attrReader struct {
	b []byte
	i int
}

// newAttrReader positions a reader after the tag name of tag, which starts
// with "<" and a letter.
func newAttrReader(tag []byte) attrReader {
	i := nameEnd(tag)
	if i < len(tag) && isSpace(tag[i]) {
		i++
	}
	return attrReader{b: tag, i: skipSpace(tag, i)}
}

// nameEnd returns the index just past the tag name of a tag starting with
// "<" or "</" and a letter.
func nameEnd(tag []byte) int {
	i := 2
	if len(tag) > 1 && tag[1] == '/' {
		i = 3
	}
	for i < len(tag) && !isSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	return min(i, len(tag))
}

// next returns the next attribute, including ones the tokenizer would drop
// (empty keys, repeated keys); lookups take the first match, as it does.
func (r *attrReader) next() (a attrSpan, ok bool) {
	b, i := r.b, r.i
	if i >= len(b) || b[i] == '>' {
		return a, false
	}
	k0 := i
	for i < len(b) {
		c := b[i]
		if c == '=' && i == k0 {
			// An "=" that starts a key belongs to the key.
			i++
			continue
		}
		if c == '=' || c == '/' || c == '>' || isSpace(c) {
			break
		}
		i++
	}
	a.key = [2]int{k0, i}
	a.val = [2]int{i, i}
	a.at = i
	i = skipSpace(b, i)
	if i < len(b) {
		switch b[i] {
		case '/':
			i++
		case '=':
			i = r.value(&a, skipSpace(b, i+1))
		}
	}
	r.i = skipSpace(b, i)
	return a, true
}

// value reads the value that starts at i, after "=" and white space.
func (r *attrReader) value(a *attrSpan, i int) int {
	b := r.b
	if i >= len(b) {
		a.kind, a.at = valueEmpty, i
		return i
	}
	switch q := b[i]; q {
	case '>':
		a.kind, a.at = valueEmpty, i
		return i
	case '"', '\'':
		a.kind, a.quote = valueQuoted, q
		j := bytes.IndexByte(b[i+1:], q)
		if j < 0 {
			a.val = [2]int{i + 1, len(b)}
			return len(b)
		}
		a.val = [2]int{i + 1, i + 1 + j}
		return i + 2 + j
	}
	a.kind = valueUnquoted
	j := i + 1
	for j < len(b) && !isSpace(b[j]) && b[j] != '>' {
		j++
	}
	a.val = [2]int{i, j}
	if j < len(b) && isSpace(b[j]) {
		j++
	}
	return j
}

// keyIs reports whether the key of a, lower-cased like the tokenizer does,
// equals want (lower case).
func keyIs(tag []byte, a attrSpan, want string) bool {
	k := tag[a.key[0]:a.key[1]]
	if len(k) != len(want) {
		return false
	}
	for i := range len(k) {
		if lowerASCII(k[i]) != want[i] {
			return false
		}
	}
	return true
}

// attrDecoder turns raw attribute bytes into the value the tokenizer reports.
// Values without character references cost nothing; the common references
// are decoded here; anything rarer asks x/net/html itself, so the result is
// always exactly the tokenizer's.
type attrDecoder struct {
	buf []byte
}

// value returns the decoded value of attribute a (with key) of tag. The
// result is valid until the next call.
func (d *attrDecoder) value(tag []byte, a attrSpan, key string) []byte {
	v := tag[a.val[0]:a.val[1]]
	if !needsDecoding(v) {
		return v
	}
	if out, ok := decodeCommon(d.buf[:0], v); ok {
		d.buf = out
		return out
	}
	d.buf = tokenizerValue(d.buf[:0], tag, key)
	return d.buf
}

func needsDecoding(v []byte) bool {
	for _, c := range v {
		if c == '&' || c == '\r' || c == 0 {
			return true
		}
	}
	return false
}

// tokenizerValue appends the value of key in tag as html.Tokenizer reads it.
func tokenizerValue(dst, tag []byte, key string) []byte {
	z := html.NewTokenizer(bytes.NewReader(tag))
	z.Next()
	key = strings.ReplaceAll(key, "\x00", "\uFFFD") // as TagAttr spells it
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if string(k) == key {
			return append(dst, v...)
		}
	}
	return dst
}

// decodeCommon decodes numeric references and the named references a URL is
// likely to hold (&amp; &lt; &gt; &quot; &apos;), with the tokenizer's rules
// for attribute values. ok is false when v needs anything else.
func decodeCommon(dst, v []byte) (out []byte, ok bool) {
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '\r' || c == 0:
			return dst, false
		case c != '&':
			dst = append(dst, c)
			i++
			continue
		}
		r, n, known := charRef(v[i:])
		if !known {
			return dst, false
		}
		if n == 0 {
			dst = append(dst, '&')
			i++
			continue
		}
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst, true
}

// charRef reads the character reference at the start of s (s[0] == '&').
// n == 0 means the "&" is literal; known is false for a named reference
// outside the small set handled here.
func charRef(s []byte) (r rune, n int, known bool) {
	if len(s) > 1 && s[1] == '#' {
		r, n = numericRef(s)
		return r, n, true
	}
	i := 1
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	if i < len(s) && s[i] == ';' {
		i++
	}
	name := s[1:i]
	switch {
	case len(name) == 0:
		return 0, 0, true
	case name[len(name)-1] != ';' && i < len(s) && s[i] == '=':
		// In attributes "&copy=" stays as written: it is a query parameter.
		return 0, 0, true
	}
	switch string(name) {
	case "amp", "amp;":
		return '&', i, true
	case "lt", "lt;":
		return '<', i, true
	case "gt", "gt;":
		return '>', i, true
	case "quot", "quot;":
		return '"', i, true
	case "apos;":
		return '\'', i, true
	}
	return 0, 0, false
}

// numericRef reads "&#123;" or "&#x7b;" like the tokenizer: Windows-1252
// meanings for 0x80–0x9F, U+FFFD for what cannot be a character.
func numericRef(s []byte) (rune, int) {
	i := 2
	if len(s) <= i {
		return 0, 0
	}
	hex := s[i] == 'x' || s[i] == 'X'
	if hex {
		i++
	}
	i0 := i
	var x rune
	for ; i < len(s); i++ {
		d, ok := digitValue(s[i], hex)
		if !ok {
			break
		}
		if x <= 0x10FFFF {
			if hex {
				x = 16*x + d
			} else {
				x = 10*x + d
			}
		}
	}
	if i == i0 {
		return 0, 0
	}
	if i < len(s) && s[i] == ';' {
		i++
	}
	switch {
	case 0x80 <= x && x <= 0x9F:
		x = windows1252[x-0x80]
	case x == 0 || 0xD800 <= x && x <= 0xDFFF || x > 0x10FFFF:
		x = utf8.RuneError
	}
	return x, i
}

func digitValue(c byte, hex bool) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case hex && 'a' <= c && c <= 'f':
		return rune(c-'a') + 10, true
	case hex && 'A' <= c && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

// windows1252 gives what "&#128;" to "&#159;" mean in HTML: old pages wrote
// Windows-1252 code points where Unicode has C1 controls.
var windows1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

// isSpace is HTML's white space as the tokenizer sees it.
func isSpace(c byte) bool {
	return class[c]&space != 0
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isAlnum(c byte) bool { return isLetter(c) || '0' <= c && c <= '9' }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold compares b with a lower-case ASCII word, ignoring ASCII case.
func equalFold(b []byte, word string) bool {
	if len(b) != len(word) {
		return false
	}
	for i := range len(b) {
		if lowerASCII(b[i]) != word[i] {
			return false
		}
	}
	return true
}
