package rewrite

import (
	"bufio"
	"bytes"
	"io"
	"slices"

	"golang.org/x/net/html"
)

// rewriteReference rewrites a whole page the plain way: html.Tokenizer finds
// every token and the policy is asked about each one. The streaming Writer
// must produce exactly the same bytes; where the two could disagree is in
// finding tokens, which is what the differential tests exercise.
func rewriteReference(dst io.Writer, src io.Reader, o Options) error {
	out := &referenceSink{w: dst}
	var p policy
	p.out = out
	p.reset(o)

	br := bufio.NewReader(src)
	if head, _ := br.Peek(2); len(head) == 2 && (head[0] == 0xFE && head[1] == 0xFF || head[0] == 0xFF && head[1] == 0xFE) {
		_, err := io.Copy(dst, br)
		return err
	}

	z := html.NewTokenizer(br)
	first := true
	rawOpen := false   // the last start tag opened raw text
	terminated := true // the last token was complete
	for {
		tt := z.Next()
		raw := z.Raw()
		switch tt {
		case html.ErrorToken:
			if len(raw) > 0 {
				// A tag cut off by the end of the input.
				p.unterminated(unterminatedName(raw))
				out.emit(raw)
				terminated = false
			}
			if z.Err() != io.EOF {
				return z.Err()
			}
			p.finish(terminated)
			return out.err

		case html.TextToken:
			if !rawOpen && p.wantsText() {
				skip := 0
				if first && bytes.HasPrefix(raw, utf8BOM) {
					skip = len(utf8BOM)
				}
				if k := firstNonSpace(raw[skip:]); k >= 0 {
					out.emit(raw[:skip+k])
					p.injectScript()
					raw = raw[skip+k:]
				}
			}
			out.emit(raw)
			terminated = !rawOpen

		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			end := tt == html.EndTagToken
			name, _ := z.TagName()
			name = slices.Clone(name)
			tag := raw
			if p.tagName(name, end) {
				if rewritten := p.heldTag(name, raw, anyKeys); rewritten != nil {
					tag = rewritten
				}
			}
			out.emit(tag)
			p.tagDone(name, end)
			rawOpen = !end && opensRawText(name)
			terminated = !rawOpen
			first = false
			continue

		case html.CommentToken, html.DoctypeToken:
			out.emit(raw)
			terminated = commentTerminated(raw)
		}
		rawOpen = rawOpen && tt == html.TextToken
		first = false
	}
}

type referenceSink struct {
	w   io.Writer
	err error
}

func (s *referenceSink) emit(b []byte) {
	if s.err == nil && len(b) > 0 {
		_, s.err = s.w.Write(b)
	}
}

// unterminatedName reads the name of a tag cut off at the end of the input.
func unterminatedName(raw []byte) ([]byte, bool) {
	end := raw[1] == '/'
	name := raw[1:nameEnd(raw)]
	if end {
		name = name[1:]
	}
	return asciiLower(name), end
}

func opensRawText(name []byte) bool {
	return string(name) == "script" || string(name) == "plaintext" || slices.Contains(rawTextTags[:], string(name))
}

// commentTerminated reports whether a comment or doctype token ended
// properly rather than at the end of the input.
func commentTerminated(raw []byte) bool {
	if bytes.HasPrefix(raw, []byte("<!--")) {
		body := raw[4:]
		return bytes.HasSuffix(body, []byte("-->")) || bytes.HasSuffix(body, []byte("--!>")) ||
			len(body) > 0 && body[len(body)-1] == '>' && len(bytes.Trim(body[:len(body)-1], "-")) == 0
	}
	return bytes.HasSuffix(raw, []byte(">"))
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lowerASCII(c)
	}
	return out
}
