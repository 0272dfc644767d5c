package gcmsiv

import (
	"encoding/binary"
	"math/bits"
)

// fieldElement is an element of GF(2^128) as POLYVAL represents it (RFC 8452
// section 3): bit i of the 128-bit little-endian integer lo + hi·2^64 is the
// coefficient of x^i.
type fieldElement struct {
	lo, hi uint64
}

func loadElement(b []byte) fieldElement {
	return fieldElement{
		lo: binary.LittleEndian.Uint64(b[0:8]),
		hi: binary.LittleEndian.Uint64(b[8:16]),
	}
}

func (e fieldElement) put(b []byte) {
	binary.LittleEndian.PutUint64(b[0:8], e.lo)
	binary.LittleEndian.PutUint64(b[8:16], e.hi)
}

// clmulLow returns the low 64 bits of the carry-less product of x and y.
// Each operand is split into four masks that keep every fourth bit, so the
// integer products of masked words cannot carry into a bit that is kept: the
// carries land at least four positions apart and are masked away. No branch
// or memory access depends on x or y.
func clmulLow(x, y uint64) uint64 {
	const (
		m0 = 0x1111111111111111
		m1 = 0x2222222222222222
		m2 = 0x4444444444444444
		m3 = 0x8888888888888888
	)
	x0, x1, x2, x3 := x&m0, x&m1, x&m2, x&m3
	y0, y1, y2, y3 := y&m0, y&m1, y&m2, y&m3
	z0 := (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1)
	z1 := (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2)
	z2 := (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3)
	z3 := (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0)
	return (z0 & m0) | (z1 & m1) | (z2 & m2) | (z3 & m3)
}

// clmul returns the 128-bit carry-less product of x and y. The high half is
// the low half of the product of the bit-reversed operands, reversed again
// and shifted by one because the full product has only 127 bits.
func clmul(x, y uint64) (hi, lo uint64) {
	lo = clmulLow(x, y)
	hi = bits.Reverse64(clmulLow(bits.Reverse64(x), bits.Reverse64(y))) >> 1
	return hi, lo
}

// dot returns a·b·x^-128 modulo x^128 + x^127 + x^126 + x^121 + 1, the
// POLYVAL multiplication of RFC 8452 section 3.
func dot(a, b fieldElement) fieldElement {
	// Karatsuba: three 64×64 products give the 256-bit product d3:d2:d1:d0.
	h1, h0 := clmul(a.hi, b.hi)
	l1, l0 := clmul(a.lo, b.lo)
	m1, m0 := clmul(a.lo^a.hi, b.lo^b.hi)
	m1 ^= l1 ^ h1
	m0 ^= l0 ^ h0
	d0 := l0
	d1 := l1 ^ m0
	d2 := h0 ^ m1
	d3 := h1

	// Montgomery reduction, one 64-bit word at a time. The polynomial's
	// low word is 1, so adding w·P clears word w and adds w·(x^63 + x^62 +
	// x^57) one word up and w one more word up (the x^128 term, which is
	// the x^64 term of that shifted word). After two steps the low 128 bits
	// are zero and the high 128 bits are the product times x^-128.
	d1 ^= (d0 << 63) ^ (d0 << 62) ^ (d0 << 57)
	d2 ^= d0 ^ (d0 >> 1) ^ (d0 >> 2) ^ (d0 >> 7)
	d2 ^= (d1 << 63) ^ (d1 << 62) ^ (d1 << 57)
	d3 ^= d1 ^ (d1 >> 1) ^ (d1 >> 2) ^ (d1 >> 7)
	return fieldElement{lo: d2, hi: d3}
}

// polyval is the running state of POLYVAL(H, X_1, ..., X_s) from RFC 8452
// section 3.
type polyval struct {
	h fieldElement
	s fieldElement
}

func newPolyval(key []byte) polyval {
	return polyval{h: loadElement(key)}
}

// update absorbs b, zero-padded to a multiple of 16 bytes.
func (p *polyval) update(b []byte) {
	for len(b) >= blockSize {
		x := loadElement(b)
		p.s = dot(fieldElement{lo: p.s.lo ^ x.lo, hi: p.s.hi ^ x.hi}, p.h)
		b = b[blockSize:]
	}
	if len(b) > 0 {
		var last [blockSize]byte
		copy(last[:], b)
		x := loadElement(last[:])
		p.s = dot(fieldElement{lo: p.s.lo ^ x.lo, hi: p.s.hi ^ x.hi}, p.h)
	}
}

func (p *polyval) sum(out []byte) {
	p.s.put(out)
}
