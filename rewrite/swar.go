package rewrite

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Tags are short and close together, so the searches for the next "<" and
// for a closing quote mostly end within a few bytes, where bytes.IndexByte
// costs more to set up than it saves. Reading eight bytes at a time as one
// word finds such a near byte first.

const (
	ones  = 0x0101010101010101 // 0x01 in every byte
	highs = 0x8080808080808080 // 0x80 in every byte
)

// word reads p[i:i+8] as a little-endian word: byte k of p is byte k of it.
func word(p []byte, i int) uint64 { return binary.LittleEndian.Uint64(p[i:]) }

// below marks bytes of x less than n (n ≤ 0x80) with 0x80. A borrow may
// mark bytes above a marked one, so only the lowest mark is sure.
func below(x uint64, n byte) uint64 { return (x - ones*uint64(n)) &^ x & highs }

// equal marks bytes of x equal to c, with the same caveat.
func equal(x uint64, c byte) uint64 { return below(x^ones*uint64(c), 1) }

// first is the index of the lowest marked byte of a non-zero mark.
func first(mark uint64) int { return bits.TrailingZeros64(mark) >> 3 }

// indexByte is bytes.IndexByte, quicker when c is near.
func indexByte(p []byte, c byte) int {
	if len(p) >= 16 {
		if m := equal(word(p, 0), c); m != 0 {
			return first(m)
		}
		if m := equal(word(p, 8), c); m != 0 {
			return 8 + first(m)
		}
		if j := bytes.IndexByte(p[16:], c); j >= 0 {
			return 16 + j
		}
		return -1
	}
	return bytes.IndexByte(p, c)
}
