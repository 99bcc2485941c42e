package rewrite

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestIndexByteMatchesBytesIndexByte(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'<', '>', '"', 0x00, 0x01, 0x3b, 0x3c, 0x3d, 0x7f, 0x80, 0xbc, 0xfc, 0xff, 'a'}
	for range 20000 {
		p := make([]byte, rng.IntN(40))
		for i := range p {
			p[i] = alphabet[rng.IntN(len(alphabet))]
		}
		for _, c := range []byte{'<', '"', '\''} {
			if got, want := indexByte(p, c), bytes.IndexByte(p, c); got != want {
				t.Fatalf("indexByte(%q, %q) = %d, want %d", p, c, got, want)
			}
		}
	}
}
