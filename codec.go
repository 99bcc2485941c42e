package enhance

import (
	"errors"
	"io"

	"github.com/caddy-enhance/enhance/result"
)

// streamDecoder decodes a compressed page as it is written, into dst. The
// gateway asks for identity, but an upstream may compress anyway (PHP's
// ob_gzhandler, precompressed files). Decoders pull from a reader, so one
// runs behind a pipe.
type streamDecoder struct {
	pw   *io.PipeWriter
	done chan error
}

func newStreamDecoder(encoding string, dst io.Writer) *streamDecoder {
	pr, pw := io.Pipe()
	sd := &streamDecoder{pw: pw, done: make(chan error, 1)}
	go func() {
		d, err := result.NewDecoder(encoding, pr)
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
