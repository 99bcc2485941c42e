package rewrite

import (
	"net/url"
)

// maxHeldTag bounds how much of one tag is kept to be rewritten. A bigger
// form, button, input, base or script tag passes through as it is.
const maxHeldTag = 1 << 20

// sink receives the bytes the policy adds or replaces; the driver places them
// just before the token being looked at.
type sink interface {
	emit(b []byte)
}

// policy decides, token by token, what the rewritten page holds. The streaming
// Writer and the whole-page reference drive the same policy, so they can only
// differ in where they find tokens.
//
// A driver calls, for each token:
//   - data text (not raw text): when wantsText says so, injectScript right
//     before its first byte that is not white space;
//   - a tag: tagName once its name is known; if that returns true, heldTag
//     with the complete tag, else the driver copies the tag itself; then
//     tagDone;
//   - a tag cut off by the end of input: unterminated;
//   - at the end: finish.
type policy struct {
	out sink

	// What Options said, prepared once per page.
	script      []byte
	scriptSrc   string
	forms       bool // PageURL is known: forms may be rewritten
	page        origin
	pagePath    []byte
	docBase     baseURL
	baseElement []byte // <base href="document URL"> for mapped pages

	// Where we are in the page.
	depth         int  // open <template> elements
	scriptPending bool // the script is still to be injected
	basePending   bool // a mapped page's <base> is still to be injected
	formOpen      bool // the parser's form element pointer is set...
	formPost      bool // ...to a form whose method is POST
	baseSeen      bool // the first <base href> (or ours) fixed the base URL
	base          baseURL

	// Scratch space, reused from page to page.
	res   resolver
	dec   attrDecoder
	attrs attrIndex
	value []byte
	tag   []byte
	host  []byte
}

// reset prepares p for a new page.
func (p *policy) reset(o Options) {
	*p = policy{
		out:         p.out,
		res:         p.res,
		dec:         p.dec,
		value:       p.value[:0],
		tag:         p.tag[:0],
		host:        p.host[:0],
		page:        origin{host: p.page.host[:0]},
		pagePath:    p.pagePath[:0],
		docBase:     baseURL{path: p.docBase.path[:0], query: p.docBase.query[:0]},
		base:        baseURL{path: p.base.path[:0], query: p.base.query[:0]},
		baseElement: p.baseElement[:0],
		script:      o.Script,
		scriptSrc:   o.ScriptSrc,
	}
	p.scriptPending = len(o.Script) > 0
	if o.PageURL == nil {
		return
	}
	p.forms = true
	p.host = append(p.host[:0], o.PageURL.Host...)
	p.page.set(o.PageURL.Scheme, p.host)
	p.pagePath = appendWirePath(p.pagePath, o.PageURL)

	doc := o.DocumentURL
	if doc == nil {
		doc = o.PageURL
	}
	p.docBase.scheme = p.page.scheme
	p.docBase.path = appendWirePath(p.docBase.path[:0], doc)
	p.docBase.query = append(p.docBase.query[:0], doc.RawQuery...)
	p.docBase.hasQuery = doc.RawQuery != "" || doc.ForceQuery
	p.base.set(p.docBase.scheme, p.docBase.path, p.docBase.query, p.docBase.hasQuery)

	if !samePath(p.docBase.path, p.pagePath) {
		// The page is shown at PageURL but was rendered for DocumentURL:
		// relative URLs must keep resolving as they would there.
		p.basePending = true
		p.baseElement = append(p.baseElement, `<base href="`...)
		p.tag = appendTargetURL(p.tag[:0], target{path: p.docBase.path, query: p.docBase.query, hasQuery: p.docBase.hasQuery})
		p.baseElement = appendEscaped(p.baseElement, p.tag, '"')
		p.baseElement = append(p.baseElement, `">`...)
	}
}

// appendWirePath appends u's path as sent on the wire, "/" when empty.
func appendWirePath(dst []byte, u *url.URL) []byte {
	path := u.EscapedPath()
	if path == "" || path[0] != '/' {
		dst = append(dst, '/')
	}
	return append(dst, path...)
}

// wantsText reports whether data text must be searched for the place where
// the script goes: its first byte that is not white space.
func (p *policy) wantsText() bool {
	return p.scriptPending && p.depth == 0
}

func (p *policy) injectScript() {
	p.scriptPending = false
	p.out.emit(p.script)
}

func (p *policy) injectBase() {
	p.basePending = false
	p.baseSeen = true
	p.base.set(p.docBase.scheme, p.docBase.path, p.docBase.query, p.docBase.hasQuery)
	p.out.emit(p.baseElement)
}

// caresAbout is a quick filter in front of tagName, for a name in any case:
// false means tagName would do nothing and return false.
func (p *policy) caresAbout(name []byte, end bool) bool {
	return p.cares(nameKind(name)&kindHeld != 0, end)
}

// pending reports whether something is still to be injected before the
// next tag, whatever its name.
func (p *policy) pending() bool {
	return p.scriptPending || p.basePending
}

// cares is caresAbout for a name whose kind is known: held tells whether
// tagName may ask for the whole tag.
func (p *policy) cares(held, end bool) bool {
	return p.scriptPending || p.basePending || !end && p.depth == 0 && held
}

// tagName is told the lower-cased name of a tag and whether it is an end tag.
// It returns true when the policy needs the whole tag (heldTag); otherwise it
// has done what it had to before the tag.
func (p *policy) tagName(name []byte, end bool) (hold bool) {
	if p.depth > 0 {
		return false
	}
	if !end {
		switch string(name) {
		case "form", "button", "input", "base":
			return true
		case "script":
			if p.scriptPending {
				return true
			}
		}
	}
	p.before(name, end, tagFacts{})
	return false
}

// tagFacts is what the attributes of a tag say about injection.
type tagFacts struct {
	ourScript bool // a <script> whose src is Options.ScriptSrc
	baseHref  bool // a <base> with an href
}

// before injects what must come before the tag: the script before anything
// but <html>, <head>, <meta> (and text that is white space, comments and
// doctypes, which never get here); a mapped page's <base> before the first
// element that may carry a URL.
func (p *policy) before(name []byte, end bool, f tagFacts) {
	if p.depth > 0 {
		return
	}
	if p.scriptPending && (end || !isOneOf(name, "html", "head", "meta")) {
		if f.ourScript {
			p.scriptPending = false
		} else {
			p.injectScript()
		}
	}
	if p.basePending && !end && !isOneOf(name, "html", "head", "meta", "title") {
		if string(name) != "base" {
			p.injectBase()
		} else if f.baseHref {
			// The page's own <base> comes first; baseTag adjusts it.
			p.basePending = false
		}
	}
}

func isOneOf(name []byte, words ...string) bool {
	for _, w := range words {
		if string(name) == w {
			return true
		}
	}
	return false
}

// heldTag handles a complete start tag for which tagName returned true and
// returns its replacement, or nil to keep it as it is. keys holds at least
// the keys of its attributes (anyKeys when they were not noted).
func (p *policy) heldTag(name, tag []byte, keys keySet) []byte {
	if len(tag) > maxHeldTag {
		p.before(name, false, tagFacts{})
		return nil
	}
	p.attrs.reset(tag, keys)
	out := p.heldElement(name, tag)
	p.attrs.reset(nil, anyKeys) // the tag is the caller's buffer: do not keep it
	return out
}

func (p *policy) heldElement(name, tag []byte) []byte {
	switch string(name) {
	case "form":
		return p.form(name, tag)
	case "button", "input":
		return p.submitter(name, tag)
	case "base":
		return p.baseTag(name, tag)
	}
	src, ok := p.attrs.find("src")
	ours := ok && p.scriptSrc != "" && string(p.dec.value(tag, src, "src")) == p.scriptSrc
	p.before(name, false, tagFacts{ourScript: ours})
	return nil
}

// tagDone updates what a tag changes once it has been written.
func (p *policy) tagDone(name []byte, end bool) {
	if len(name) != len("form") && len(name) != len("template") {
		return
	}
	switch {
	case string(name) == "template" && !end:
		p.depth++
	case string(name) == "template" && p.depth > 0:
		p.depth--
	case string(name) == "form" && end && p.depth == 0:
		p.formOpen = false
	}
}

// unterminated handles a tag cut off by the end of the input: its name
// alone decides what goes before it.
func (p *policy) unterminated(name []byte, end bool) {
	p.before(name, end, tagFacts{})
}

// finish ends the page. A script still pending goes at the very end, unless
// the input stopped inside a comment, tag or raw text where it would not be
// a tag at all.
func (p *policy) finish(terminated bool) {
	if p.scriptPending && terminated {
		p.injectScript()
	}
}

// form rewrites the action of a POST form, and remembers the form for the
// buttons inside it.
func (p *policy) form(name, tag []byte) []byte {
	p.before(name, false, tagFacts{})
	method, hasMethod := p.attrs.find("method")
	post := hasMethod && equalFold(p.dec.value(tag, method, "method"), "post")
	if !p.formOpen {
		// Like the HTML parser, a form inside a form does not replace it.
		p.formOpen, p.formPost = true, post
	}
	if !post {
		return nil
	}
	action, hasAction := p.attrs.find("action")
	return p.retarget(tag, "action", action, hasAction)
}

// submitter rewrites the formaction of a submit button whose method,
// its own formmethod or its form's, is POST.
func (p *policy) submitter(name, tag []byte) []byte {
	p.before(name, false, tagFacts{})
	action, ok := p.attrs.find("formaction")
	if !ok {
		return nil
	}
	typ, hasType := p.attrs.find("type")
	kind := p.dec.value(tag, typ, "type")
	if string(name) == "input" && !(hasType && (equalFold(kind, "submit") || equalFold(kind, "image"))) {
		return nil
	}
	if string(name) == "button" && hasType && (equalFold(kind, "reset") || equalFold(kind, "button")) {
		return nil
	}
	post := p.formOpen && p.formPost
	if method, ok := p.attrs.find("formmethod"); ok {
		post = equalFold(p.dec.value(tag, method, "formmethod"), "post")
	}
	if !post {
		return nil
	}
	return p.retarget(tag, "formaction", action, true)
}

// retarget turns the target in attribute key (a; absent when !present) into
// a named action of the page, when it is another path of the page's origin.
func (p *policy) retarget(tag []byte, key string, a attrSpan, present bool) []byte {
	if !p.forms {
		return nil
	}
	var t target
	ref := []byte(nil)
	if present {
		ref = p.dec.value(tag, a, key)
	}
	if len(ref) == 0 {
		// No action, or an empty one, submits to the document's own URL.
		t = target{path: p.docBase.path, query: p.docBase.query, hasQuery: p.docBase.hasQuery}
	} else {
		var ok bool
		if t, ok = p.res.resolve(ref, &p.base, &p.page); !ok {
			return nil
		}
	}
	if samePath(t.path, p.pagePath) || wirePathProblem(t.path) != "" {
		// The page's own path is its default action; a path the gateway
		// would refuse is better left to fail where it points.
		return nil
	}
	p.value = appendActionURL(p.value[:0], p.pagePath, t)
	return p.replaceValue(tag, key, a, present, p.value)
}

// baseTag fixes the base URL from the first <base href>. On a mapped page
// whose own <base> comes before anything else, a relative href is made to
// resolve as it would have at the document URL.
func (p *policy) baseTag(name, tag []byte) []byte {
	href, ok := p.attrs.find("href")
	p.before(name, false, tagFacts{baseHref: ok})
	if !ok || p.baseSeen {
		return nil
	}
	p.baseSeen = true
	ref := p.dec.value(tag, href, "href")
	t, same := p.res.resolve(ref, &p.docBase, &p.page)
	if !same {
		p.base.cross = true
		return nil
	}
	p.base.set(p.page.scheme, t.path, t.query, t.hasQuery)
	if !p.basePending && len(p.baseElement) > 0 && t.fromBase {
		p.value = appendTargetURL(p.value[:0], t)
		return p.replaceValue(tag, "href", href, true, p.value)
	}
	return nil
}

// attrIndex finds attributes of one tag, reading the tag at most once for
// the first few attributes however many lookups there are: a submit button
// is asked for its formaction, type and formmethod.
type attrIndex struct {
	tag  []byte
	keys keySet     // a key not in it is not in tag
	r    attrReader // reads on after the attributes seen so far
	seen [16]attrSpan
	n    int  // how many of seen are set
	done bool // r has reached the end of the tag
}

func (x *attrIndex) reset(tag []byte, keys keySet) {
	// Field by field: seen needs no clearing, n says what of it counts.
	x.tag, x.keys, x.r, x.n, x.done = tag, keys, newAttrReader(tag), 0, false
}

// find returns the first attribute named key (lower case).
func (x *attrIndex) find(key string) (attrSpan, bool) {
	if x.keys&keyBit(len(key), key[0]) == 0 {
		// Most inputs and buttons have no formaction: no need to read them.
		return attrSpan{}, false
	}
	for _, a := range x.seen[:x.n] {
		if keyIs(x.tag, a, key) {
			return a, true
		}
	}
	if x.done {
		return attrSpan{}, false
	}
	r := x.r
	for {
		a, ok := r.next()
		if !ok {
			if x.n < len(x.seen) {
				x.done = true
			}
			return attrSpan{}, false
		}
		if x.n < len(x.seen) {
			// Remember it, and read on from after it next time.
			x.seen[x.n] = a
			x.n++
			x.r = r
		}
		if keyIs(x.tag, a, key) {
			return a, true
		}
	}
}

// keySet is a small Bloom filter of attribute keys, by length and first
// letter: a key whose bit is clear is surely absent.
type keySet uint64

const anyKeys = ^keySet(0)

// keyBit is the bit of a key of n bytes starting with first, in any case.
// The factor keeps the keys looked up (formaction, formmethod, type, method,
// action, href, src) apart from the common ones (name, value, maxlength,
// class, required, ...).
func keyBit(n int, first byte) keySet {
	return 1 << ((uint(n)*24 + uint(first|0x20)) & 63)
}

// replaceValue returns tag with the value of attribute a (or a new attribute
// key, when !present) set to v. Only the value's bytes change, keeping its
// quotes; an unquoted value that would not survive unquoted gets double
// quotes.
func (p *policy) replaceValue(tag []byte, key string, a attrSpan, present bool, v []byte) []byte {
	out := p.tag[:0]
	switch {
	case !present:
		at := nameEnd(tag)
		out = append(out, tag[:at]...)
		out = append(out, ' ')
		out = append(out, key...)
		out = append(out, `="`...)
		out = appendEscaped(out, v, '"')
		out = append(out, '"')
		out = append(out, tag[at:]...)
	case a.kind == valueNone || a.kind == valueEmpty:
		out = append(out, tag[:a.at]...)
		if a.kind == valueNone {
			out = append(out, '=')
		}
		out = append(out, '"')
		out = appendEscaped(out, v, '"')
		out = append(out, '"')
		out = append(out, tag[a.at:]...)
	case a.kind == valueQuoted:
		out = append(out, tag[:a.val[0]]...)
		out = appendEscaped(out, v, a.quote)
		out = append(out, tag[a.val[1]:]...)
	case safeUnquoted(v):
		out = append(out, tag[:a.val[0]]...)
		out = appendEscaped(out, v, 0)
		out = append(out, tag[a.val[1]:]...)
	default:
		out = append(out, tag[:a.val[0]]...)
		out = append(out, '"')
		out = appendEscaped(out, v, '"')
		out = append(out, '"')
		out = append(out, tag[a.val[1]:]...)
	}
	p.tag = out
	return out
}

// appendEscaped writes v as an attribute value inside quote (0: unquoted).
func appendEscaped(dst, v []byte, quote byte) []byte {
	k := 0
	for k < len(v) && v[k] != '&' && v[k] != '"' && v[k] != '\'' {
		k++
	}
	dst = append(dst, v[:k]...) // mostly the whole value
	for _, c := range v[k:] {
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '"' && quote == '"':
			dst = append(dst, "&quot;"...)
		case c == '\'' && quote == '\'':
			dst = append(dst, "&#39;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// safeUnquoted reports whether v can stand as an unquoted attribute value.
func safeUnquoted(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if isSpace(c) || c == '"' || c == '\'' || c == '=' || c == '<' || c == '>' || c == '`' {
			return false
		}
	}
	return true
}
