package rewrite

import "bytes"

// state is where the scanner is in the page. The states mirror what
// x/net/html's Tokenizer does when it reads a token, cut into steps that can
// stop at any byte, because a page arrives in chunks.
type state uint8

const (
	stData        state = iota // text
	stLT                       // "<"
	stLTSlash                  // "</"
	stTagName                  // "<a" or "</a": the name
	stBeforeAttr               // white space before an attribute or ">"
	stKeyFirst                 // an attribute's first byte
	stKey                      // the rest of its key
	stAfterKey                 // after the key: "=", "/" or the next key
	stBeforeValue              // after "="
	stQuoted                   // in a quoted value
	stUnquoted                 // in an unquoted value
	stMarkup                   // "<!"
	stMarkupDash               // "<!-"
	stBogus                    // "<!x", "<?", "</1": everything up to ">"
	stComment                  // "<!--": up to "-->", "--!>" or "<!-->"
	stRawText                  // in <style>, <textarea>, ...: up to "</style"
	stRawLT                    // "<" in raw text
	stWord                     // matching an end tag name (or "script") in raw text
	stWordDelim                // the byte after it: white space, "/" or ">"
	stScript                   // script data
	stScriptLT
	stScriptEscStart     // "<!"
	stScriptEscStartDash // "<!-"
	stScriptEsc          // inside "<!--" in a script
	stScriptEscDash
	stScriptEscDashDash
	stScriptEscLT
	stScriptDbl // after "<!--<script" in a script: "</script>" does not end it
	stScriptDblDash
	stScriptDblDashDash
	stScriptDblLT
	stPlaintext   // everything to the end is text
	stPassthrough // a UTF-16 page: copied, not read
)

// wordWin is what a matched word means.
type wordWin uint8

const (
	winEndTag      wordWin = iota // "</style" ends the raw text
	winDoubleStart                // "<script" inside "<!--" in a script
	winDoubleEnd                  // "</script" that only ends that
)

// rawTextTags are the elements (other than script and plaintext) whose
// contents the tokenizer reads as text up to their end tag.
var rawTextTags = [...]string{"style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"}

// Character classes for the loops that run over tag bytes.
const (
	space     = 1 << iota // HTML white space
	nameEnds              // ends a tag name: white space, "/", ">"
	keyEnds               // ends an attribute key: those and "="
	valueEnds             // ends an unquoted value: white space, ">"
)

var class = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r\f") {
		t[c] = space | nameEnds | keyEnds | valueEnds
	}
	t['/'] = nameEnds | keyEnds
	t['>'] = nameEnds | keyEnds | valueEnds
	t['='] = keyEnds
	return t
}()

// scan reads chunk p, writing through everything that needs no change and
// holding back the start of a tag that might.
func (w *Writer) scan(p []byte) {
	w.cur, w.from = p, 0
	st := w.st
	i := 0
	for i < len(p) {
		switch st {
		case stData:
			j := indexByte(p[i:], '<')
			if j < 0 {
				j = len(p) - i
			}
			if w.pol.wantsText() {
				w.text(i, i+j)
			}
			i += j
			ns, ne, e, keys, ok := tagSpan(p[i:])
			for ok && nameKind(p[i+ns:i+ne]) == 0 && !w.pol.pending() {
				// Most tags need nothing before, instead of or after them:
				// pass over them and the text between in one loop.
				i += e
				if j = indexByte(p[i:], '<'); j < 0 {
					i = len(p)
					break
				}
				i += j
				ns, ne, e, keys, ok = tagSpan(p[i:])
			}
			if i == len(p) {
				break
			}
			w.hold, w.whole, w.hs = true, false, i
			if ok {
				// The whole tag is in this chunk: read it in one go.
				name, end := p[i+ns:i+ne], ns == 2
				i += e
				kind := nameKind(name)
				cares := w.pol.cares(kind&kindHeld != 0, end)
				if !cares && kind&kindState == 0 {
					// Most tags: nothing to do before, instead of or after them.
					w.hold = false
					break
				}
				w.setName(name, end)
				w.keys = keys
				if cares {
					w.nameDone()
				} else {
					w.hold, w.named = false, true
				}
				st = w.tagEnd(p, i)
				break
			}
			i++
			st = stLT

		case stLT:
			switch c := p[i]; {
			case isLetter(c):
				w.startName(c, false)
				i++
				st = stTagName
			case c == '/':
				i++
				st = stLTSlash
			case c == '!':
				w.release()
				i++
				st = stMarkup
			case c == '?':
				w.release()
				st = stBogus
			default:
				// "<" that starts nothing is text; read c again as text.
				if w.pol.wantsText() {
					w.tok = max(w.hs, 0)
					w.pol.injectScript()
				}
				w.release()
				st = stData
			}

		case stLTSlash:
			switch c := p[i]; {
			case isLetter(c):
				w.startName(c, true)
				i++
				st = stTagName
			case c == '>':
				// "</>" is nothing at all.
				w.release()
				i++
				st = stData
			default:
				w.release()
				st = stBogus
			}

		case stTagName:
			n := w.nameN
			for i < len(p) {
				c := p[i]
				if class[c]&nameEnds != 0 {
					break
				}
				if n < len(w.name) {
					w.name[n] = lowerASCII(c)
				}
				n++
				i++
			}
			w.nameN = n
			if i < len(p) {
				if class[p[i]]&space != 0 {
					i++
				}
				if !w.named {
					w.nameDone()
				}
				st = stBeforeAttr
			} else if n > len(w.name) && !w.named {
				// No name this long matters: decide now rather than hold it.
				w.nameDone()
			}

		case stBeforeAttr:
			i = skipSpace(p, i)
			if i < len(p) {
				if p[i] == '>' {
					i++
					st = w.tagEnd(p, i)
				} else {
					st = stKeyFirst
				}
			}

		case stKeyFirst:
			switch c := p[i]; {
			case c == '=':
				// An "=" that starts a key belongs to the key.
				i++
				st = stKey
			case isSpace(c) || c == '/' || c == '>':
				st = stAfterKey
			default:
				i++
				st = stKey
			}

		case stKey:
			for i < len(p) {
				if class[p[i]]&keyEnds != 0 {
					st = stAfterKey
					break
				}
				i++
			}

		case stAfterKey:
			i = skipSpace(p, i)
			if i < len(p) {
				switch p[i] {
				case '/':
					i++
					st = stBeforeAttr
				case '=':
					i++
					st = stBeforeValue
				default:
					st = stBeforeAttr
				}
			}

		case stBeforeValue:
			i = skipSpace(p, i)
			if i < len(p) {
				switch c := p[i]; c {
				case '>':
					st = stBeforeAttr
				case '"', '\'':
					w.quote = c
					i++
					st = stQuoted
				default:
					i++
					st = stUnquoted
				}
			}

		case stQuoted:
			j := bytes.IndexByte(p[i:], w.quote)
			if j < 0 {
				i = len(p)
			} else {
				i += j + 1
				st = stBeforeAttr
			}

		case stUnquoted:
			for i < len(p) && class[p[i]]&valueEnds == 0 {
				i++
			}
			if i < len(p) {
				if isSpace(p[i]) {
					i++
				}
				st = stBeforeAttr
			}

		case stMarkup:
			if p[i] == '-' {
				i++
				st = stMarkupDash
			} else {
				st = stBogus
			}

		case stMarkupDash:
			if p[i] == '-' {
				i++
				w.cmAll, w.cmN = true, 0
				st = stComment
			} else {
				st = stBogus
			}

		case stBogus:
			if j := bytes.IndexByte(p[i:], '>'); j < 0 {
				i = len(p)
			} else {
				i += j + 1
				st = stData
			}

		case stComment:
			j := bytes.IndexByte(p[i:], '>')
			if j < 0 {
				w.commentFeed(p[i:])
				i = len(p)
				break
			}
			w.commentFeed(p[i : i+j])
			i += j + 1
			if w.commentEnds() {
				st = stData
			} else {
				w.commentFeed(p[i-1 : i])
			}

		case stRawText:
			if j := bytes.IndexByte(p[i:], '<'); j < 0 {
				i = len(p)
			} else {
				i += j + 1
				st = stRawLT
			}

		case stRawLT:
			if p[i] == '/' {
				i++
				st = w.matchWord(w.rawTag, stRawText, winEndTag)
			} else {
				st = stRawText
			}

		case stWord:
			c, want := p[i], w.word[w.wordK]
			if c != want && c != want-('a'-'A') {
				st = w.wordFail
				break
			}
			i++
			if w.wordK++; w.wordK == len(w.word) {
				st = stWordDelim
			}

		case stWordDelim:
			if c := p[i]; !isSpace(c) && c != '/' && c != '>' {
				st = w.wordFail
				break
			}
			switch w.wordWin {
			case winEndTag:
				// The end tag's name has been read; its delimiter is next.
				w.hold = false
				w.nameN = copy(w.name[:], w.word)
				w.end, w.named = true, false
				st = stTagName
			case winDoubleStart:
				i++
				st = stScriptDbl
			case winDoubleEnd:
				i++
				st = stScriptEsc
			}

		case stScript:
			if j := bytes.IndexByte(p[i:], '<'); j < 0 {
				i = len(p)
			} else {
				i += j + 1
				st = stScriptLT
			}

		case stScriptLT:
			switch p[i] {
			case '/':
				i++
				st = w.matchWord("script", stScript, winEndTag)
			case '!':
				i++
				st = stScriptEscStart
			default:
				st = stScript
			}

		case stScriptEscStart:
			st = stScript
			if p[i] == '-' {
				i++
				st = stScriptEscStartDash
			}

		case stScriptEscStartDash:
			st = stScript
			if p[i] == '-' {
				i++
				st = stScriptEscDashDash
			}

		case stScriptEsc, stScriptEscDash, stScriptEscDashDash:
			st = w.scriptEscaped(st, p[i])
			i++

		case stScriptEscLT:
			switch c := p[i]; {
			case c == '/':
				i++
				st = w.matchWord("script", stScriptEsc, winEndTag)
			case isLetter(c):
				st = w.matchWord("script", stScriptEsc, winDoubleStart)
			default:
				st = stScript
			}

		case stScriptDbl, stScriptDblDash, stScriptDblDashDash:
			st = w.scriptDoubleEscaped(st, p[i])
			i++

		case stScriptDblLT:
			if p[i] == '/' {
				i++
				st = w.matchWord("script", stScriptDbl, winDoubleEnd)
			} else {
				st = stScriptDbl
			}

		case stPlaintext, stPassthrough:
			i = len(p)
		}
	}
	w.st = st
	w.chunkEnd(p)
}

// chunkEnd writes what is complete of p and keeps a held token's bytes.
func (w *Writer) chunkEnd(p []byte) {
	if !w.hold {
		w.passTo(len(p))
		w.cur = nil
		return
	}
	if w.hs >= 0 {
		w.passTo(w.hs)
		w.pend = append(w.pend, p[w.hs:]...)
	} else {
		w.pend = append(w.pend, p...)
	}
	w.hs = -1
	w.cur = nil
	if w.whole && len(w.pend) > maxHeldTag {
		// Too big to hold: pass it on as it is, like heldTag would.
		w.tok = 0
		w.pol.before(w.tagName(), false, tagFacts{})
		w.release()
	}
}

// text handles data text cur[a:b] while the script is still pending.
func (w *Writer) text(a, b int) {
	if k := firstNonSpace(w.cur[a:b]); k >= 0 {
		w.tok = a + k
		w.pol.injectScript()
	}
}

func firstNonSpace(b []byte) int {
	for i, c := range b {
		if !isSpace(c) {
			return i
		}
	}
	return -1
}

// release stops holding the token in progress: its bytes are written as
// they are.
func (w *Writer) release() {
	if w.hold && w.hs < 0 {
		w.write(w.pend)
		w.pend = w.pend[:0]
	}
	w.hold, w.whole = false, false
}

// setName records the name of a tag read whole.
func (w *Writer) setName(name []byte, end bool) {
	for k := range min(len(name), len(w.name)) {
		w.name[k] = lowerASCII(name[k])
	}
	w.nameN, w.end, w.named = len(name), end, false
}

// tagSpan reads the tag at the start of p ("<" and a letter, or "</" and a
// letter) by the same rules as the states from stTagName to stUnquoted. It
// returns where the name starts and ends, where the tag ends, and the keys
// of its attributes, or ok=false when p ends first or holds no such tag.
func tagSpan(p []byte) (ns, ne, end int, keys keySet, ok bool) {
	i := 1
	if len(p) > 2 && p[1] == '/' {
		i = 2
	}
	if i >= len(p) || !isLetter(p[i]) {
		return 0, 0, 0, 0, false
	}
	ns = i
	for i < len(p) && class[p[i]]&nameEnds == 0 {
		i++
	}
	ne = i
	if i < len(p) && p[i] == '>' {
		// Most tags have no attributes: "<td>", "</td>".
		return ns, ne, i + 1, keys, true
	}
	for {
		for i < len(p) && class[p[i]]&space != 0 {
			i++
		}
		if i >= len(p) {
			return 0, 0, 0, 0, false
		}
		if p[i] == '>' {
			return ns, ne, i + 1, keys, true
		}
		ks := i
		if p[i] == '=' {
			i++ // an "=" that starts a key belongs to the key
		}
		for i < len(p) && class[p[i]]&keyEnds == 0 {
			i++
		}
		keys |= keyBit(i-ks, p[ks])
		for i < len(p) && class[p[i]]&space != 0 {
			i++
		}
		if i >= len(p) {
			return 0, 0, 0, 0, false
		}
		switch p[i] {
		case '/':
			i++
			continue
		case '=':
			i++
		default:
			continue
		}
		for i < len(p) && class[p[i]]&space != 0 {
			i++
		}
		if i >= len(p) {
			return 0, 0, 0, 0, false
		}
		switch q := p[i]; q {
		case '>':
		case '"', '\'':
			j := indexByte(p[i+1:], q)
			if j < 0 {
				return 0, 0, 0, 0, false
			}
			i += j + 2
		default:
			for i < len(p) && class[p[i]]&valueEnds == 0 {
				i++
			}
			if i < len(p) && class[p[i]]&space != 0 {
				i++
			}
		}
	}
}

func (w *Writer) startName(c byte, end bool) {
	w.name[0] = lowerASCII(c)
	w.nameN, w.end, w.named = 1, end, false
	w.keys = anyKeys // read in steps: its keys are not noted
}

func (w *Writer) tagName() []byte {
	return w.name[:min(w.nameN, len(w.name))]
}

// nameDone tells the policy the tag's name: it either acts before the tag,
// which then passes through, or asks for the whole tag.
func (w *Writer) nameDone() {
	w.named = true
	w.tok = max(w.hs, 0)
	if name := w.tagName(); w.pol.caresAbout(name, w.end) && w.pol.tagName(name, w.end) && w.hold {
		w.whole = true
		return
	}
	w.release()
}

// tagEnd finishes a tag whose ">" ends just before e and returns the state
// after it.
func (w *Writer) tagEnd(p []byte, e int) state {
	name := w.tagName()
	if w.whole {
		w.heldTag(p, e, name)
		w.hold, w.whole = false, false
	}
	if !mayChangeState(name) {
		return stData
	}
	w.pol.tagDone(name, w.end)
	if w.end || w.nameN > len(w.name) {
		return stData
	}
	switch string(name) {
	case "script":
		return stScript
	case "plaintext":
		return stPlaintext
	case "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript":
		w.rawTag = rawTextTag(name)
		return stRawText
	}
	return stData
}

// What a tag name may matter for, by its length and first letter.
const (
	kindHeld  = 1 << iota // the policy may want the whole tag (form, button, input, base, script)
	kindState             // it may open raw text or matter to tagDone (form, template)
)

// nameKinds marks, by length and first letter, the names that may matter,
// so that most tags are passed over after one lookup.
var nameKinds = func() (t [10][26]uint8) {
	for _, name := range []string{"form", "button", "input", "base", "script"} {
		t[len(name)][name[0]-'a'] |= kindHeld
	}
	for _, name := range append(rawTextTags[:], "script", "plaintext", "form", "template") {
		t[len(name)][name[0]-'a'] |= kindState
	}
	return t
}()

// nameKind looks name (in any case) up in nameKinds.
func nameKind(name []byte) uint8 {
	c := name[0] | 0x20 // lower case, for letters
	if len(name) >= len(nameKinds) || c < 'a' || c > 'z' {
		return 0
	}
	return nameKinds[len(name)][c-'a']
}

func mayChangeState(name []byte) bool {
	return nameKind(name)&kindState != 0
}

// rawTextTag returns the constant spelling of a raw text element's name.
func rawTextTag(name []byte) string {
	for _, t := range rawTextTags {
		if string(name) == t {
			return t
		}
	}
	return ""
}

// heldTag hands a complete held tag, ending just before e, to the policy
// and writes it or its replacement.
func (w *Writer) heldTag(p []byte, e int, name []byte) {
	var tag []byte
	if w.hs >= 0 {
		tag = p[w.hs:e]
	} else {
		w.pend = append(w.pend, p[:e]...)
		tag = w.pend
	}
	w.tok = max(w.hs, 0)
	out := w.pol.heldTag(name, tag, w.keys)
	switch {
	case out != nil:
		w.emit(out)
		w.from = e
	case w.hs < 0:
		w.write(w.pend)
		w.from = e
	}
	w.pend = w.pend[:0]
}

// matchWord starts matching "</"+word (the "</" is read) or word itself.
func (w *Writer) matchWord(word string, fail state, win wordWin) state {
	w.word, w.wordK, w.wordFail, w.wordWin = word, 0, fail, win
	return stWord
}

// scriptEscaped steps through "<!-- ... -->" inside a script.
func (w *Writer) scriptEscaped(st state, c byte) state {
	switch {
	case c == '<':
		return stScriptEscLT
	case c == '-' && st == stScriptEsc:
		return stScriptEscDash
	case c == '-':
		return stScriptEscDashDash
	case c == '>' && st == stScriptEscDashDash:
		return stScript
	}
	return stScriptEsc
}

// scriptDoubleEscaped steps through "<!--<script> ... " inside a script.
func (w *Writer) scriptDoubleEscaped(st state, c byte) state {
	switch {
	case c == '<':
		return stScriptDblLT
	case c == '-' && st == stScriptDbl:
		return stScriptDblDash
	case c == '-':
		return stScriptDblDashDash
	case c == '>' && st == stScriptDblDashDash:
		return stScript
	}
	return stScriptDbl
}

// commentFeed notes comment text b (after "<!--").
func (w *Writer) commentFeed(b []byte) {
	if len(b) == 0 {
		return
	}
	if w.cmAll {
		for _, c := range b {
			if c != '-' {
				w.cmAll = false
				break
			}
		}
	}
	if len(b) >= 3 {
		copy(w.cmTail[:], b[len(b)-3:])
		w.cmN = 3
		return
	}
	for _, c := range b {
		w.cmTail[0], w.cmTail[1], w.cmTail[2] = w.cmTail[1], w.cmTail[2], c
	}
	w.cmN = min(w.cmN+len(b), 3)
}

// commentEnds reports whether a ">" now ends the comment: after "--", after
// "--!", or when the comment so far is only dashes ("<!-->", "<!--->").
func (w *Writer) commentEnds() bool {
	t := w.cmTail
	return w.cmAll ||
		w.cmN >= 2 && t[1] == '-' && t[2] == '-' ||
		w.cmN >= 3 && t[0] == '-' && t[1] == '-' && t[2] == '!'
}
