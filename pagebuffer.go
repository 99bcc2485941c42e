package enhance

import (
	"net/http"
	"strconv"
	"sync"
)

// pageBufferSize is how much of a rewritten page is gathered before any of
// it is sent. Most server-rendered pages fit, so they go out whole, with a
// Content-Length, in as few writes as the plain proxy makes; a chunked
// reply would split every write in two at the connection's buffer and
// cost the client a chunk parser.
const pageBufferSize = 64 << 10

var pageBufferPool = sync.Pool{New: func() any {
	b := make([]byte, 0, pageBufferSize)
	return &b
}}

// pageBuffer gathers the rewriter's many small writes and holds back the
// response header until the page is complete, the buffer is full, or the
// upstream flushes. A page complete in the buffer gets its real
// Content-Length; a longer or streaming one is sent chunked as it comes.
// The buffer is taken from the pool at the first write and given back at
// each flush, so a page that streams slowly holds none while it waits.
type pageBuffer struct {
	w      http.ResponseWriter
	status int
	sent   bool    // the header has gone to w
	buf    *[]byte // nil until written to
}

func newPageBuffer(w http.ResponseWriter, status int) *pageBuffer {
	return &pageBuffer{w: w, status: status}
}

func (pb *pageBuffer) Write(p []byte) (int, error) {
	if pb.buf == nil {
		pb.buf = pageBufferPool.Get().(*[]byte)
	}
	buf := *pb.buf
	if len(buf)+len(p) <= cap(buf) {
		*pb.buf = append(buf, p...)
		return len(p), nil
	}
	// Full: fill it up and send it in one write, then go on.
	n := cap(buf) - len(buf)
	*pb.buf = append(buf, p[:n]...)
	if err := pb.send(); err != nil {
		return n, err
	}
	rest := p[n:]
	if len(rest) >= cap(buf) {
		m, err := pb.w.Write(rest)
		return n + m, err
	}
	*pb.buf = append(*pb.buf, rest...)
	return len(p), nil
}

// send writes the header, if it is still held, and what is buffered.
func (pb *pageBuffer) send() error {
	if !pb.sent {
		pb.sent = true
		pb.w.WriteHeader(pb.status)
	}
	if pb.buf == nil || len(*pb.buf) == 0 {
		return nil
	}
	buf := *pb.buf
	*pb.buf = buf[:0]
	_, err := pb.w.Write(buf)
	return err
}

// Flush sends what is buffered and gives the buffer back; the caller
// flushes the connection.
func (pb *pageBuffer) Flush() error {
	err := pb.send()
	pb.release()
	return err
}

// finish sends a page that ended well: with its length when the whole page
// is still in the buffer. Trailers need a chunked reply, so a reply that
// announces them keeps one.
func (pb *pageBuffer) finish() error {
	if !pb.sent && pb.w.Header().Get("Trailer") == "" {
		n := 0
		if pb.buf != nil {
			n = len(*pb.buf)
		}
		pb.w.Header().Set("Content-Length", strconv.Itoa(n))
	}
	return pb.send()
}

// release returns the buffer, if it holds one, to the pool.
func (pb *pageBuffer) release() {
	if pb.buf == nil {
		return
	}
	*pb.buf = (*pb.buf)[:0]
	pageBufferPool.Put(pb.buf)
	pb.buf = nil
}
