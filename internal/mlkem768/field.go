package mlkem768

// Arithmetic in Z_q and in the ring R_q = Z_q[X]/(X^256+1), FIPS 203
// sections 2.3, 4.2.1 and 4.3. Every fieldElement is kept fully reduced,
// in [0, q). Reductions use multiplication and masks, not branches or
// divisions by a variable, so that they take the same time for every value.

// fieldElement is an element of Z_q, always in [0, q).
type fieldElement uint16

// ringElement is a polynomial in R_q, coefficient of X^0 first.
type ringElement [n]fieldElement

// nttElement is the NTT representation of a polynomial (FIPS 203
// section 4.3): 128 degree-one residues, each two coefficients.
type nttElement [n]fieldElement

// reduceOnce maps a value in [0, 2q) to [0, q).
func reduceOnce(a uint16) fieldElement {
	x := a - q
	x += (x >> 15) * q
	return fieldElement(x)
}

func fieldAdd(a, b fieldElement) fieldElement {
	return reduceOnce(uint16(a + b))
}

func fieldSub(a, b fieldElement) fieldElement {
	return reduceOnce(uint16(a - b + q))
}

// fieldMul multiplies in Z_q. The Go compiler turns the remainder by the
// constant q into a multiplication and shifts.
func fieldMul(a, b fieldElement) fieldElement {
	return fieldElement(uint32(a) * uint32(b) % q)
}

// zetas[i] is ζ^BitRev7(i) mod q with ζ = 17, for NTT and NTT⁻¹
// (FIPS 203, Algorithms 9 and 10). gammas[i] is ζ^(2·BitRev7(i)+1), the
// modulus of the i-th degree-one residue (Algorithm 11).
var zetas, gammas [128]fieldElement

func init() {
	var pow [256]fieldElement
	pow[0] = 1
	for i := 1; i < 256; i++ {
		pow[i] = fieldMul(pow[i-1], 17)
	}
	for i := range 128 {
		r := bitRev7(uint8(i))
		zetas[i] = pow[r]
		gammas[i] = pow[2*int(r)+1]
	}
}

// bitRev7 reverses the low seven bits of i.
func bitRev7(i uint8) uint8 {
	var r uint8
	for b := range 7 {
		r |= (i >> b & 1) << (6 - b)
	}
	return r
}

// ntt computes the NTT of f (FIPS 203, Algorithm 9).
func ntt(f ringElement) nttElement {
	i := 1
	for length := 128; length >= 2; length /= 2 {
		for start := 0; start < n; start += 2 * length {
			zeta := zetas[i]
			i++
			for j := start; j < start+length; j++ {
				t := fieldMul(zeta, f[j+length])
				f[j+length] = fieldSub(f[j], t)
				f[j] = fieldAdd(f[j], t)
			}
		}
	}
	return nttElement(f)
}

// inverseNTT computes NTT⁻¹ of f (FIPS 203, Algorithm 10).
func inverseNTT(f nttElement) ringElement {
	i := 127
	for length := 2; length <= 128; length *= 2 {
		for start := 0; start < n; start += 2 * length {
			zeta := zetas[i]
			i--
			for j := start; j < start+length; j++ {
				t := f[j]
				f[j] = fieldAdd(t, f[j+length])
				f[j+length] = fieldMul(zeta, fieldSub(f[j+length], t))
			}
		}
	}
	for j := range f {
		f[j] = fieldMul(f[j], 3303) // 3303 = 128⁻¹ mod q
	}
	return ringElement(f)
}

// nttMulAdd adds the product f ∘ g of two NTT representations to acc
// (FIPS 203, Algorithms 11 and 12).
func nttMulAdd(acc *nttElement, f, g *nttElement) {
	for i := range 128 {
		a0, a1 := f[2*i], f[2*i+1]
		b0, b1 := g[2*i], g[2*i+1]
		c0 := fieldAdd(fieldMul(a0, b0), fieldMul(fieldMul(a1, b1), gammas[i]))
		c1 := fieldAdd(fieldMul(a0, b1), fieldMul(a1, b0))
		acc[2*i] = fieldAdd(acc[2*i], c0)
		acc[2*i+1] = fieldAdd(acc[2*i+1], c1)
	}
}

func polyAdd[T ~[n]fieldElement](a, b T) T {
	var out T
	for i := range out {
		out[i] = fieldAdd(a[i], b[i])
	}
	return out
}

func polySub[T ~[n]fieldElement](a, b T) T {
	var out T
	for i := range out {
		out[i] = fieldSub(a[i], b[i])
	}
	return out
}

// compress computes Compress_d(x) = ⌈(2^d/q)·x⌋ mod 2^d (FIPS 203,
// equation 4.7). Because q is odd, x·2^d/q is never exactly halfway, and
// adding (q-1)/2 before the floor division rounds to nearest.
func compress(x fieldElement, d uint) uint16 {
	return uint16((uint32(x)<<d + (q-1)/2) / q & (1<<d - 1))
}

// decompress computes Decompress_d(y) = ⌈(q/2^d)·y⌋ (FIPS 203,
// equation 4.8), rounding halves up.
func decompress(y uint16, d uint) fieldElement {
	return fieldElement((uint32(y)*q + 1<<(d-1)) >> d)
}
