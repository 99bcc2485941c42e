package result

import (
	"bytes"
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

// ErrBodyTooLarge is returned by DecodeBody for a body that decodes to more than the limit.
var ErrBodyTooLarge = errors.New("decoded body exceeds the limit")

// DecodeBody undoes a Content-Encoding (gzip, deflate, br, zstd, identity, or a
// comma-separated list of them, applied in order) and returns at most limit bytes of the
// decoded body; more is ErrBodyTooLarge, so a small compressed reply cannot grow without
// bound.
func DecodeBody(body []byte, contentEncoding string, limit int) ([]byte, error) {
	codings := strings.Split(contentEncoding, ",")
	for i := len(codings) - 1; i >= 0; i-- {
		coding := strings.ToLower(strings.TrimSpace(codings[i]))
		if coding == "" || coding == "identity" {
			continue
		}
		decoded, err := decodeOne(body, coding, limit)
		if err != nil {
			return nil, fmt.Errorf("content-encoding %s: %w", coding, err)
		}
		body = decoded
	}
	if len(body) > limit {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

func decodeOne(body []byte, coding string, limit int) ([]byte, error) {
	var r io.Reader
	switch coding {
	case "gzip", "x-gzip":
		gr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r = gr
	case "deflate":
		// "deflate" means zlib-wrapped, yet some servers send it raw.
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			r = flate.NewReader(bytes.NewReader(body))
		} else {
			r = zr
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(uint64(limit)+1))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	default:
		return nil, errors.New("unsupported coding")
	}
	decoded, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(decoded) > limit {
		return nil, ErrBodyTooLarge
	}
	return decoded, nil
}
