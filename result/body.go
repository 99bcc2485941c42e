package result

import (
	"bufio"
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
	r, err := NewDecoder(coding, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	decoded, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(decoded) > limit {
		return nil, ErrBodyTooLarge
	}
	return decoded, nil
}

// CanDecode reports whether NewDecoder undoes coding.
func CanDecode(coding string) bool {
	switch strings.ToLower(strings.TrimSpace(coding)) {
	case "", "identity", "gzip", "x-gzip", "deflate", "br", "zstd":
		return true
	}
	return false
}

// NewDecoder returns src with one content coding undone, as it is read.
func NewDecoder(coding string, src io.Reader) (io.ReadCloser, error) {
	switch strings.ToLower(strings.TrimSpace(coding)) {
	case "", "identity":
		return io.NopCloser(src), nil
	case "gzip", "x-gzip":
		return gzip.NewReader(src)
	case "deflate":
		// "deflate" means zlib-wrapped, yet some servers send it raw.
		br := bufio.NewReader(src)
		if head, err := br.Peek(2); err == nil && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
			return zlib.NewReader(br)
		}
		return flate.NewReader(br), nil
	case "br":
		return io.NopCloser(brotli.NewReader(src)), nil
	case "zstd":
		// A bounded window, so a crafted frame cannot claim huge buffers.
		d, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}
	return nil, fmt.Errorf("unsupported content coding %q", coding)
}
