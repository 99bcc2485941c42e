// Package rewrite streams an HTML page from a legacy backend to the browser
// and changes just enough of it for SvelteKit-style form actions:
//
//   - A POST form whose target is another path of the page's origin gets a
//     named action of the page it sits on: action="/session" on /login
//     becomes action="/login?/session" (see ParseActionTarget for the
//     encoding). A target on the page's own path, whatever its query, is the
//     page's default action and stays as written. Cross-origin targets, GET
//     forms and forms inside <template> stay as written too. The formaction
//     of a submit button (<button>, <input type=submit|image>) is treated the
//     same way when its formmethod, or else its form's method, is POST.
//     A button tied to a form elsewhere by form="id" only counts when it
//     carries formmethod=post itself.
//   - The client script (Options.Script) is injected once, before the first
//     token after the document's start that is not white space, a comment, a
//     doctype, <html>, <head> or <meta>: normally right after <head> and its
//     leading <meta> tags, which keeps <meta charset> within the first bytes
//     browsers look at. A <script> with src Options.ScriptSrc found at that
//     point means the page already has it (a page rewritten twice). A page
//     with nothing else gets the script at its end, unless it ends inside a
//     comment or tag.
//   - A page rendered for another path than the one the browser shows (the
//     reply to PAGE?/TARGET) gets <base href="TARGET"> before its first
//     element that may carry a URL, unless the page has its own <base href>
//     before that; then a relative href of that <base> is resolved against
//     TARGET instead. (As on any page with a <base>, a link to "#top" then
//     leads to TARGET#top.)
//
// Everything else is copied byte for byte: the page's charset does not matter
// (Latin-1, Shift_JIS, invalid UTF-8 all pass), a UTF-8 byte order mark stays
// first, and a page starting with a UTF-16 byte order mark passes through
// untouched. Where a tag starts and ends is decided exactly as
// golang.org/x/net/html's Tokenizer decides it: the contents of <script>,
// <style>, <textarea>, <title>, <xmp>, <iframe>, <noembed>, <noframes>,
// <noscript> and <plaintext> are text, so forms inside <noscript> (meant for
// browsers without JavaScript, which post them as they are) stay as written.
//
// Rewritten values are percent-encoded ASCII, except a target's own query and
// fragment, which keep their bytes. A URL written with a character reference
// to a non-ASCII character (&eacute;) is written back as UTF-8, and a path
// written in a legacy charset is percent-encoded byte for byte where a browser
// would first convert it to UTF-8.
package rewrite

import (
	"bytes"
	"errors"
	"io"
	"net/url"
)

// Options describe the page being rewritten.
type Options struct {
	// PageURL is the URL the browser shows, with scheme and host: its origin
	// decides which targets are ours and its path owns the named actions.
	// Without a host only targets without one are on the page's origin.
	// Nil means no form is rewritten.
	PageURL *url.URL
	// DocumentURL is what relative URLs resolve against: the upstream target
	// the page was rendered for. Nil means PageURL.
	DocumentURL *url.URL
	// Script is the complete tag to inject once; nil means no injection.
	Script []byte
	// ScriptSrc is the src of Script, to recognise a page that has it already.
	ScriptSrc string
}

var errClosed = errors.New("rewrite: write after Close")

// Writer rewrites the HTML written to it and passes it on to its
// destination as soon as each token is complete. Only a tag that may need
// rewriting is held back until its ">" (at most maxHeldTag bytes). A Writer
// can be reused for another page with Reset, which keeps its buffers: pool
// Writers and a page costs no allocations.
type Writer struct {
	dst    io.Writer
	err    error
	closed bool
	pol    policy

	st    state
	cur   []byte // the chunk being scanned
	from  int    // cur[from:] is not written yet
	tok   int    // where in cur the policy's output goes
	start bool   // nothing scanned yet: a byte order mark may be arriving
	lead  [3]byte

	hold  bool   // the token in progress is held back...
	whole bool   // ...until its end, because the policy wants the whole tag
	hs    int    // where the held token starts in cur; -1: before cur, in pend
	pend  []byte // held bytes from earlier chunks

	name  [16]byte // the tag's name, lower-cased; longer names are cut
	nameN int      // its full length
	end   bool     // an end tag
	named bool     // the policy has been told the name
	quote byte     // the quote of the attribute value being read
	keys  keySet   // the keys of the tag's attributes, when read whole

	rawTag   string // the element whose raw text we are in
	word     string // what stWord is matching
	wordK    int
	wordFail state
	wordWin  wordWin

	cmAll  bool    // the comment so far is only dashes
	cmTail [3]byte // its last bytes...
	cmN    int     // ...and how many of them there are
}

// NewWriter returns a Writer that writes the rewritten page to dst.
func NewWriter(dst io.Writer, o Options) *Writer {
	w := &Writer{}
	w.pol.out = w
	w.Reset(dst, o)
	return w
}

// Reset makes w rewrite a new page into dst, keeping its buffers.
func (w *Writer) Reset(dst io.Writer, o Options) {
	pend := w.pend[:0]
	if cap(pend) > 64<<10 {
		pend = nil // let one huge tag's buffer go
	}
	*w = Writer{dst: dst, pol: w.pol, pend: pend, start: true, hs: -1}
	w.pol.out = w
	w.pol.reset(o)
}

// Write rewrites p and writes all of it that is complete to the destination.
func (w *Writer) Write(p []byte) (int, error) {
	switch {
	case w.err != nil:
		return 0, w.err
	case w.closed:
		return 0, errClosed
	}
	if w.start {
		w.scan(w.begin(p, false))
	} else {
		w.scan(p)
	}
	return len(p), w.err
}

// Flush flushes the destination, if it can be flushed. Everything written
// so far has been passed on already, except the start of a tag that may be
// rewritten (or of a byte order mark).
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	switch f := w.dst.(type) {
	case interface{ Flush() error }:
		w.err = f.Flush()
	case interface{ Flush() }:
		f.Flush()
	}
	return w.err
}

// Close writes what is left and, if the page had no place for it, the
// script. It does not close the destination.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.start {
		w.scan(w.begin(nil, true))
	}
	w.cur, w.from, w.tok = nil, 0, 0
	switch st := w.st; {
	case st == stData:
		w.pol.finish(true)
	case st == stLT || st == stLTSlash:
		// "<" or "</" at the very end is text.
		if w.pol.wantsText() {
			w.pol.injectScript()
		}
		w.release()
		w.pol.finish(true)
	case st >= stTagName && st <= stUnquoted:
		if w.hold {
			w.pol.unterminated(w.tagName(), w.end)
			w.release()
		}
		w.pol.finish(false)
	case st == stPassthrough:
	default:
		w.pol.finish(false)
	}
	return w.err
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// begin looks at the first bytes of the page: a UTF-8 byte order mark stays
// in front of everything, a UTF-16 one turns the Writer into a plain copy.
// It returns what is left of p to scan, holding the first bytes until they
// tell.
func (w *Writer) begin(p []byte, final bool) []byte {
	head := &w.lead
	held := copy(head[:], w.pend)
	h := head[:held+copy(head[held:], p)]
	if !final && len(h) < 3 && (bytes.HasPrefix(utf8BOM, h) || len(h) == 1 && (h[0] == 0xFE || h[0] == 0xFF)) {
		w.pend = append(w.pend, p...)
		return nil
	}
	w.start = false
	w.pend = w.pend[:0]
	switch {
	case len(h) >= 2 && (h[0] == 0xFE && h[1] == 0xFF || h[0] == 0xFF && h[1] == 0xFE):
		w.st = stPassthrough
		w.write(head[:held])
		return p
	case bytes.HasPrefix(h, utf8BOM):
		w.write(utf8BOM)
		return p[3-held:]
	}
	w.scan(head[:held])
	return p
}

// emit writes b where the policy asked for it: before the current token.
func (w *Writer) emit(b []byte) {
	w.passTo(w.tok)
	w.write(b)
}

// passTo writes the unwritten part of the chunk up to k.
func (w *Writer) passTo(k int) {
	if k > w.from {
		w.write(w.cur[w.from:k])
		w.from = k
	}
}

func (w *Writer) write(b []byte) {
	if w.err != nil || len(b) == 0 {
		return
	}
	n, err := w.dst.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	w.err = err
}
