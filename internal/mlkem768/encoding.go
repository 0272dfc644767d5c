package mlkem768

import (
	"crypto/sha3"
)

// byteEncode12 appends ByteEncode_12(f) (FIPS 203, Algorithm 5), 384
// bytes, to b.
func byteEncode12[T ~[n]fieldElement](b []byte, f *T) []byte {
	for i := 0; i < n; i += 2 {
		x, y := uint16((*f)[i]), uint16((*f)[i+1])
		b = append(b, byte(x), byte(x>>8)|byte(y<<4), byte(y>>4))
	}
	return b
}

// byteDecode12 decodes 384 bytes with ByteDecode_12 (FIPS 203,
// Algorithm 6). It reports false if a 12-bit value is not below q, which
// is the modulus check on encapsulation keys (FIPS 203, section 7.2).
func byteDecode12(b []byte) (nttElement, bool) {
	var f nttElement
	ok := true
	for i := 0; i < n; i += 2 {
		c := b[3*i/2 : 3*i/2+3]
		x := uint16(c[0]) | uint16(c[1]&0x0F)<<8
		y := uint16(c[1]>>4) | uint16(c[2])<<4
		if x >= q || y >= q {
			ok = false
		}
		f[i] = fieldElement(x % q)
		f[i+1] = fieldElement(y % q)
	}
	return f, ok
}

// compressEncode appends ByteEncode_d(Compress_d(f)) (FIPS 203,
// Algorithms 5 and equation 4.7), 32·d bytes, to b. Bits are packed
// least significant first.
func compressEncode(b []byte, f *ringElement, d uint) []byte {
	var acc uint32
	var bits uint
	for _, x := range f {
		acc |= uint32(compress(x, d)) << bits
		bits += d
		for bits >= 8 {
			b = append(b, byte(acc))
			acc >>= 8
			bits -= 8
		}
	}
	return b
}

// decodeDecompress reads 32·d bytes with Decompress_d(ByteDecode_d(b))
// (FIPS 203, Algorithm 6 and equation 4.8).
func decodeDecompress(b []byte, d uint) ringElement {
	var f ringElement
	var acc uint32
	var bits uint
	j := 0
	for i := range f {
		for bits < d {
			acc |= uint32(b[j]) << bits
			j++
			bits += 8
		}
		f[i] = decompress(uint16(acc&(1<<d-1)), d)
		acc >>= d
		bits -= d
	}
	return f
}

// sampleNTT samples Â[i][j] uniformly from the XOF SHAKE128(ρ ‖ j ‖ i)
// by rejection (FIPS 203, Algorithm 7).
func sampleNTT(rho *[32]byte, j, i byte) nttElement {
	x := sha3.NewSHAKE128()
	x.Write(rho[:])
	x.Write([]byte{j, i})

	var f nttElement
	var buf [168]byte // one SHAKE128 block
	off := len(buf)
	for c := 0; c < n; {
		if off == len(buf) {
			x.Read(buf[:])
			off = 0
		}
		d1 := uint16(buf[off]) | uint16(buf[off+1]&0x0F)<<8
		d2 := uint16(buf[off+1]>>4) | uint16(buf[off+2])<<4
		off += 3
		if d1 < q {
			f[c] = fieldElement(d1)
			c++
		}
		if d2 < q && c < n {
			f[c] = fieldElement(d2)
			c++
		}
	}
	return f
}

// sampleCBD2 samples a polynomial from the centered binomial
// distribution with η = 2, reading PRF_2(s, b) = SHAKE256(s ‖ b, 128 bytes)
// (FIPS 203, Algorithm 8 and equation 4.3).
func sampleCBD2(s *[32]byte, b byte) ringElement {
	x := sha3.NewSHAKE256()
	x.Write(s[:])
	x.Write([]byte{b})
	var buf [64 * eta]byte
	x.Read(buf[:])

	var f ringElement
	for i, v := range buf {
		for half := range 2 {
			nib := v >> (4 * half)
			a := fieldElement(nib&1 + nib>>1&1)
			c := fieldElement(nib>>2&1 + nib>>3&1)
			f[2*i+half] = fieldSub(a, c)
		}
	}
	return f
}

// expandMatrix computes Â from ρ, Â[i][j] at index i·k+j
// (FIPS 203, Algorithm 13 steps 3–7 and Algorithm 14 steps 4–8).
func expandMatrix(rho *[32]byte) [k * k]nttElement {
	var a [k * k]nttElement
	for i := range k {
		for j := range k {
			a[i*k+j] = sampleNTT(rho, byte(j), byte(i))
		}
	}
	return a
}
