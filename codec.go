package enhance

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// The gateway asks for identity where it needs to read a body, but an
// upstream may compress anyway (php's ob_gzhandler, precompressed files).

func canDecode(encoding string) bool {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity", "gzip", "x-gzip", "deflate", "br", "zstd":
		return true
	}
	return false
}

func newDecoder(encoding string, src io.Reader) (io.ReadCloser, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return io.NopCloser(src), nil
	case "gzip", "x-gzip":
		return gzip.NewReader(src)
	case "deflate":
		// HTTP "deflate" is zlib-wrapped, but some servers send raw deflate.
		br := bufio.NewReader(src)
		if head, err := br.Peek(2); err == nil && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 && head[0]&0x0f == 8 {
			return zlib.NewReader(br)
		}
		return flate.NewReader(br), nil
	case "br":
		return io.NopCloser(brotli.NewReader(src)), nil
	case "zstd":
		d, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}
	return nil, fmt.Errorf("unsupported content-encoding %q", encoding)
}

// streamDecoder decodes a compressed body as it is written, into dst.
// Decoders pull from a reader, so one runs behind a pipe.
type streamDecoder struct {
	pw   *io.PipeWriter
	done chan error
}

func newStreamDecoder(encoding string, dst io.Writer) *streamDecoder {
	pr, pw := io.Pipe()
	sd := &streamDecoder{pw: pw, done: make(chan error, 1)}
	go func() {
		d, err := newDecoder(encoding, pr)
		if err == nil {
			_, err = io.Copy(dst, d)
			d.Close()
		}
		// Unblock the writer if decoding stopped early.
		pr.CloseWithError(err)
		sd.done <- err
	}()
	return sd
}

func (sd *streamDecoder) Write(p []byte) (int, error) { return sd.pw.Write(p) }

func (sd *streamDecoder) Close() error {
	sd.pw.Close()
	return <-sd.done
}

func (sd *streamDecoder) abort() {
	sd.pw.CloseWithError(errors.New("reply broke off"))
	<-sd.done
}
