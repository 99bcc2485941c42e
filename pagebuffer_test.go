package enhance

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPageBufferSendsAWholePageWithItsLength(t *testing.T) {
	rec := httptest.NewRecorder()
	pb := newPageBuffer(rec, http.StatusTeapot)
	defer pb.release()
	for _, s := range []string{"<p>", "one", "</p>"} {
		pb.Write([]byte(s))
	}
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("the header or body went out before the page was complete: %d %q", rec.Code, rec.Body)
	}
	if err := pb.finish(); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusTeapot || rec.Body.String() != "<p>one</p>" || rec.Header().Get("Content-Length") != "10" {
		t.Errorf("got %d %q Content-Length %q", rec.Code, rec.Body, rec.Header().Get("Content-Length"))
	}
}

func TestPageBufferStreamsALongPageWithoutALength(t *testing.T) {
	rec := httptest.NewRecorder()
	pb := newPageBuffer(rec, http.StatusOK)
	defer pb.release()
	var want bytes.Buffer
	for i := range 3000 {
		// Writes of odd sizes, one larger than the buffer.
		s := strings.Repeat("x", i%97)
		if i == 1500 {
			s = strings.Repeat("y", pageBufferSize+5)
		}
		want.WriteString(s)
		if n, err := pb.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if rec.Body.Len() == 0 {
		t.Fatal("nothing went out though the buffer overflowed")
	}
	if err := pb.finish(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rec.Body.Bytes(), want.Bytes()) {
		t.Errorf("body differs: %d bytes, want %d", rec.Body.Len(), want.Len())
	}
	if cl := rec.Header().Get("Content-Length"); cl != "" {
		t.Errorf("a page sent in parts came with Content-Length %s", cl)
	}
}

func TestPageBufferFlushSendsTheHeaderAndWhatCame(t *testing.T) {
	rec := httptest.NewRecorder()
	pb := newPageBuffer(rec, http.StatusOK)
	defer pb.release()
	pb.Write([]byte("<head>"))
	pb.Flush()
	if rec.Body.String() != "<head>" {
		t.Fatalf("flush sent %q", rec.Body)
	}
	pb.Write([]byte("<body>"))
	pb.finish()
	if rec.Body.String() != "<head><body>" || rec.Header().Get("Content-Length") != "" {
		t.Errorf("got %q with Content-Length %q", rec.Body, rec.Header().Get("Content-Length"))
	}
}

func TestPageBufferKeepsAChunkedReplyForTrailers(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Trailer", "Server-Timing")
	pb := newPageBuffer(rec, http.StatusOK)
	defer pb.release()
	pb.Write([]byte("<p>x</p>"))
	pb.finish()
	if cl := rec.Header().Get("Content-Length"); cl != "" {
		t.Errorf("a reply announcing trailers got Content-Length %s", cl)
	}
}

func TestPageBufferHoldsNoBufferBetweenFlushes(t *testing.T) {
	rec := httptest.NewRecorder()
	pb := newPageBuffer(rec, http.StatusOK)
	defer pb.release()
	if pb.buf != nil {
		t.Fatal("a buffer was taken before anything was written")
	}
	pb.Write([]byte("<p>first</p>"))
	pb.Flush()
	if pb.buf != nil {
		t.Error("the buffer was kept after a flush")
	}
	pb.Write([]byte("<p>second</p>"))
	if err := pb.finish(); err != nil {
		t.Fatal(err)
	}
	if rec.Body.String() != "<p>first</p><p>second</p>" {
		t.Errorf("got %q", rec.Body)
	}
}

func TestPageBufferSendsAnEmptyPageWithLengthZero(t *testing.T) {
	rec := httptest.NewRecorder()
	pb := newPageBuffer(rec, http.StatusOK)
	if err := pb.finish(); err != nil {
		t.Fatal(err)
	}
	pb.release()
	if rec.Header().Get("Content-Length") != "0" || rec.Body.Len() != 0 {
		t.Errorf("got Content-Length %q and %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
	}
}
