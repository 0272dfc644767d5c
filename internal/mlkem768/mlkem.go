package mlkem768

import (
	"crypto/rand"
	"crypto/sha3"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// ML-KEM-768 parameters (FIPS 203, section 8, table 2).
const (
	n   = 256
	q   = 3329
	k   = 3
	eta = 2 // η1 = η2 = 2 for ML-KEM-768
	du  = 10
	dv  = 4

	encodingSize12 = n * 12 / 8 // one polynomial with ByteEncode_12
)

// Sizes in bytes.
const (
	// SeedSize is the size of the key generation seed d ‖ z.
	SeedSize = 64

	// VectorSize is the size of the encapsulation key vector, ByteEncode_12(t̂).
	VectorSize = k * encodingSize12

	// HeaderSize is the size of the encapsulation key header, ρ ‖ H(ek).
	HeaderSize = 64

	// EncapsulationKeySize is the size of a FIPS 203 encapsulation key,
	// the vector followed by ρ.
	EncapsulationKeySize = VectorSize + 32

	// DecapsulationKeySize is the size of a FIPS 203 decapsulation key,
	// dk_PKE ‖ ek ‖ H(ek) ‖ z.
	DecapsulationKeySize = 2*VectorSize + 32 + 32 + 32

	// Ciphertext1Size is the size of the first ciphertext part, the
	// compressed vector u.
	Ciphertext1Size = k * n * du / 8

	// Ciphertext2Size is the size of the second ciphertext part, the
	// compressed polynomial v.
	Ciphertext2Size = n * dv / 8

	// CiphertextSize is the size of a whole FIPS 203 ciphertext, ct1 ‖ ct2.
	CiphertextSize = Ciphertext1Size + Ciphertext2Size

	// RandomnessSize is the size of the encapsulation randomness m.
	RandomnessSize = 32

	// SharedKeySize is the size of the shared secret key K.
	SharedKeySize = 32

	// EncapsulationStateSize is the size of EncapsulationState.Bytes.
	EncapsulationStateSize = RandomnessSize + HeaderSize
)

var (
	// ErrInvalidVector reports an encapsulation key vector that does not
	// match the header's hash or has a coefficient of q or more.
	ErrInvalidVector = errors.New("mlkem768: encapsulation key vector does not match its header")

	// ErrInvalidKey reports decapsulation key or encapsulation state bytes
	// that cannot be loaded.
	ErrInvalidKey = errors.New("mlkem768: invalid key")
)

// DecapsulationKey is an ML-KEM-768 decapsulation key in the 2400-byte
// FIPS 203 form. It must be kept secret.
type DecapsulationKey struct {
	b [DecapsulationKeySize]byte
}

// GenerateKey generates a key pair from SeedSize bytes of rand (nil means
// crypto/rand.Reader) and returns the decapsulation key.
func GenerateKey(rand io.Reader) (*DecapsulationKey, error) {
	if rand == nil {
		rand = cryptoRand{}
	}
	var seed [SeedSize]byte
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return nil, fmt.Errorf("mlkem768: reading key generation randomness: %w", err)
	}
	dk := NewKeyFromSeed(&seed)
	clear(seed[:])
	return dk, nil
}

type cryptoRand struct{}

func (cryptoRand) Read(b []byte) (int, error) { return rand.Read(b) }

// NewKeyFromSeed derives a key pair from the seed d ‖ z (FIPS 203,
// Algorithm 16, ML-KEM.KeyGen_internal). It gives the same key as
// crypto/mlkem.NewDecapsulationKey768 with the same seed.
func NewKeyFromSeed(seed *[SeedSize]byte) *DecapsulationKey {
	var d, z [32]byte
	copy(d[:], seed[:32])
	copy(z[:], seed[32:])

	// K-PKE.KeyGen (FIPS 203, Algorithm 13).
	g := sha3.New512()
	g.Write(d[:])
	g.Write([]byte{k})
	rhoSigma := g.Sum(nil)
	var rho, sigma [32]byte
	copy(rho[:], rhoSigma[:32])
	copy(sigma[:], rhoSigma[32:])

	a := expandMatrix(&rho)
	var s, e [k]nttElement
	for i := range k {
		s[i] = ntt(sampleCBD2(&sigma, byte(i)))
	}
	for i := range k {
		e[i] = ntt(sampleCBD2(&sigma, byte(k+i)))
	}
	var t [k]nttElement
	for i := range k {
		t[i] = e[i]
		for j := range k {
			nttMulAdd(&t[i], &a[i*k+j], &s[j])
		}
	}

	dk := &DecapsulationKey{}
	b := dk.b[:0]
	for i := range k {
		b = byteEncode12(b, &s[i])
	}
	for i := range k {
		b = byteEncode12(b, &t[i])
	}
	b = append(b, rho[:]...)
	h := sha3.Sum256(b[VectorSize:])
	b = append(b, h[:]...)
	b = append(b, z[:]...)
	if len(b) != DecapsulationKeySize {
		panic("mlkem768: internal error: decapsulation key size")
	}
	clear(sigma[:])
	clear(rhoSigma)
	clear(s[:])
	return dk
}

// ParseDecapsulationKey loads a 2400-byte decapsulation key written by
// [DecapsulationKey.Bytes]. It checks the length, the stored hash of the
// encapsulation key and the modulus of every coefficient.
func ParseDecapsulationKey(b []byte) (*DecapsulationKey, error) {
	if len(b) != DecapsulationKeySize {
		return nil, fmt.Errorf("%w: decapsulation key is %d bytes, want %d", ErrInvalidKey, len(b), DecapsulationKeySize)
	}
	dk := &DecapsulationKey{}
	copy(dk.b[:], b)
	ek := dk.b[VectorSize : VectorSize+EncapsulationKeySize]
	h := sha3.Sum256(ek)
	if subtle.ConstantTimeCompare(h[:], dk.b[VectorSize+EncapsulationKeySize:VectorSize+EncapsulationKeySize+32]) != 1 {
		return nil, fmt.Errorf("%w: stored encapsulation key hash does not match", ErrInvalidKey)
	}
	for i := range 2 * k {
		if _, ok := byteDecode12(dk.b[i*encodingSize12 : (i+1)*encodingSize12]); !ok {
			return nil, fmt.Errorf("%w: coefficient not reduced modulo q", ErrInvalidKey)
		}
	}
	return dk, nil
}

// Bytes returns the 2400-byte FIPS 203 form dk_PKE ‖ ek ‖ H(ek) ‖ z. It
// must be kept secret.
func (dk *DecapsulationKey) Bytes() []byte {
	return append([]byte(nil), dk.b[:]...)
}

// EncapsulationKey returns the 1184-byte FIPS 203 encapsulation key,
// the vector followed by ρ.
func (dk *DecapsulationKey) EncapsulationKey() []byte {
	return append([]byte(nil), dk.b[VectorSize:VectorSize+EncapsulationKeySize]...)
}

// Header returns ρ ‖ H(ek), the part of the encapsulation key that
// [Encapsulate1] needs.
func (dk *DecapsulationKey) Header() [HeaderSize]byte {
	var hdr [HeaderSize]byte
	copy(hdr[:32], dk.b[2*VectorSize:2*VectorSize+32])
	copy(hdr[32:], dk.b[2*VectorSize+32:2*VectorSize+64])
	return hdr
}

// Vector returns ByteEncode_12(t̂), the part of the encapsulation key
// that [Encapsulate2] needs.
func (dk *DecapsulationKey) Vector() [VectorSize]byte {
	var v [VectorSize]byte
	copy(v[:], dk.b[VectorSize:2*VectorSize])
	return v
}

// EncapsulationState is the input that [Encapsulate2] needs from
// [Encapsulate1]: the randomness m and the header. It must be kept secret, because m
// determines the shared key.
type EncapsulationState struct {
	m   [RandomnessSize]byte
	hdr [HeaderSize]byte
}

// Bytes returns m ‖ header, EncapsulationStateSize bytes. They must be
// kept secret.
func (st *EncapsulationState) Bytes() []byte {
	b := make([]byte, 0, EncapsulationStateSize)
	b = append(b, st.m[:]...)
	return append(b, st.hdr[:]...)
}

// ParseEncapsulationState loads the output of [EncapsulationState.Bytes].
func ParseEncapsulationState(b []byte) (*EncapsulationState, error) {
	if len(b) != EncapsulationStateSize {
		return nil, fmt.Errorf("%w: encapsulation state is %d bytes, want %d", ErrInvalidKey, len(b), EncapsulationStateSize)
	}
	st := &EncapsulationState{}
	copy(st.m[:], b[:RandomnessSize])
	copy(st.hdr[:], b[RandomnessSize:])
	return st, nil
}

// encryptionSample holds the K-PKE.Encrypt values derived from r:
// ŷ = NTT(y), e1 and e2 (FIPS 203, Algorithm 14 steps 9–19).
type encryptionSample struct {
	y  [k]nttElement
	e1 [k]ringElement
	e2 ringElement
}

func sampleEncryption(r *[32]byte) *encryptionSample {
	es := &encryptionSample{}
	for i := range k {
		es.y[i] = ntt(sampleCBD2(r, byte(i)))
	}
	for i := range k {
		es.e1[i] = sampleCBD2(r, byte(k+i))
	}
	es.e2 = sampleCBD2(r, 2*k)
	return es
}

// deriveKeyAndCoins computes (K, r) = G(m ‖ h) (FIPS 203, Algorithm 17
// step 1). m is used directly, as in FIPS 203 and unlike Kyber round 3.
func deriveKeyAndCoins(m *[RandomnessSize]byte, h []byte) (key, r [32]byte) {
	g := sha3.New512()
	g.Write(m[:])
	g.Write(h)
	out := g.Sum(nil)
	copy(key[:], out[:32])
	copy(r[:], out[32:])
	clear(out)
	return key, r
}

// encryptU computes ct1 = ByteEncode_10(Compress_10(u)) with
// u = NTT⁻¹(Âᵀ ∘ ŷ) + e1 (FIPS 203, Algorithm 14 steps 18–19 and 22).
func encryptU(rho *[32]byte, es *encryptionSample) [Ciphertext1Size]byte {
	a := expandMatrix(rho)
	var ct1 [Ciphertext1Size]byte
	b := ct1[:0]
	for i := range k {
		var acc nttElement
		for j := range k {
			nttMulAdd(&acc, &a[j*k+i], &es.y[j])
		}
		u := polyAdd(inverseNTT(acc), es.e1[i])
		b = compressEncode(b, &u, du)
	}
	return ct1
}

// encryptV computes ct2 = ByteEncode_4(Compress_4(v)) with
// v = NTT⁻¹(t̂ᵀ ∘ ŷ) + e2 + Decompress_1(m) (FIPS 203, Algorithm 14
// steps 20–21 and 23).
func encryptV(t *[k]nttElement, m *[RandomnessSize]byte, es *encryptionSample) [Ciphertext2Size]byte {
	var acc nttElement
	for i := range k {
		nttMulAdd(&acc, &t[i], &es.y[i])
	}
	v := polyAdd(inverseNTT(acc), es.e2)
	for i := range n {
		bit := uint16(m[i/8] >> (i % 8) & 1)
		v[i] = fieldAdd(v[i], decompress(bit, 1))
	}
	var ct2 [Ciphertext2Size]byte
	compressEncode(ct2[:0], &v, dv)
	return ct2
}

// Encapsulate1 runs the first half of ML-KEM.Encaps_internal (FIPS 203,
// Algorithm 17) with the randomness m, which must be uniformly random and
// secret. It needs only the header ρ ‖ H(ek). It returns ct1, the state
// for [Encapsulate2], and the shared key K, which must be kept secret. K
// is final now: ct1 ‖ ct2 decapsulates to it if the vector passed to
// Encapsulate2 matches the header.
func Encapsulate1(hdr *[HeaderSize]byte, m *[RandomnessSize]byte) (ct1 [Ciphertext1Size]byte, st *EncapsulationState, key [SharedKeySize]byte) {
	var rho [32]byte
	copy(rho[:], hdr[:32])
	key, r := deriveKeyAndCoins(m, hdr[32:])
	es := sampleEncryption(&r)
	ct1 = encryptU(&rho, es)
	clear(r[:])
	return ct1, &EncapsulationState{m: *m, hdr: *hdr}, key
}

// Encapsulate2 runs the second half of ML-KEM.Encaps_internal on the
// encapsulation key vector and returns ct2. It first checks the vector
// against the header: SHA3-256(vector ‖ ρ) must equal H(ek) and every
// coefficient must be below q (the FIPS 203 modulus check). Otherwise it
// returns an error wrapping ErrInvalidVector.
func Encapsulate2(st *EncapsulationState, vector *[VectorSize]byte) ([Ciphertext2Size]byte, error) {
	h := sha3.New256()
	h.Write(vector[:])
	h.Write(st.hdr[:32])
	if subtle.ConstantTimeCompare(h.Sum(nil), st.hdr[32:]) != 1 {
		return [Ciphertext2Size]byte{}, fmt.Errorf("%w: hash mismatch", ErrInvalidVector)
	}
	var t [k]nttElement
	for i := range k {
		var ok bool
		if t[i], ok = byteDecode12(vector[i*encodingSize12 : (i+1)*encodingSize12]); !ok {
			return [Ciphertext2Size]byte{}, fmt.Errorf("%w: coefficient not reduced modulo q", ErrInvalidVector)
		}
	}
	_, r := deriveKeyAndCoins(&st.m, st.hdr[32:])
	es := sampleEncryption(&r)
	clear(r[:])
	return encryptV(&t, &st.m, es), nil
}

// Decapsulate returns the shared key of ct1 ‖ ct2 (FIPS 203, Algorithm 18,
// ML-KEM.Decaps_internal), which must be kept secret. An invalid
// ciphertext yields the implicit-rejection key J(z ‖ c), a pseudo-random
// value the encapsulating side cannot know, and no error.
func Decapsulate(dk *DecapsulationKey, ct1 *[Ciphertext1Size]byte, ct2 *[Ciphertext2Size]byte) [SharedKeySize]byte {
	dkPKE := dk.b[:VectorSize]
	ek := dk.b[VectorSize : VectorSize+EncapsulationKeySize]
	h := dk.b[VectorSize+EncapsulationKeySize : VectorSize+EncapsulationKeySize+32]
	z := dk.b[VectorSize+EncapsulationKeySize+32:]

	// K-PKE.Decrypt (FIPS 203, Algorithm 15).
	var acc nttElement
	for i := range k {
		u := decodeDecompress(ct1[i*n*du/8:(i+1)*n*du/8], du)
		s, _ := byteDecode12(dkPKE[i*encodingSize12 : (i+1)*encodingSize12])
		uHat := ntt(u)
		nttMulAdd(&acc, &s, &uHat)
	}
	w := polySub(decodeDecompress(ct2[:], dv), inverseNTT(acc))
	var m [RandomnessSize]byte
	for i := range n {
		m[i/8] |= byte(compress(w[i], 1)) << (i % 8)
	}

	// Re-encrypt and compare (FIPS 203, Algorithm 18 steps 7–11).
	key, r := deriveKeyAndCoins(&m, h)
	es := sampleEncryption(&r)
	var rho [32]byte
	copy(rho[:], ek[VectorSize:])
	var t [k]nttElement
	for i := range k {
		t[i], _ = byteDecode12(ek[i*encodingSize12 : (i+1)*encodingSize12])
	}
	c1 := encryptU(&rho, es)
	c2 := encryptV(&t, &m, es)

	j := sha3.NewSHAKE256()
	j.Write(z)
	j.Write(ct1[:])
	j.Write(ct2[:])
	var rejected [SharedKeySize]byte
	j.Read(rejected[:])

	equal := subtle.ConstantTimeCompare(c1[:], ct1[:]) & subtle.ConstantTimeCompare(c2[:], ct2[:])
	subtle.ConstantTimeCopy(1-equal, key[:], rejected[:])
	clear(m[:])
	clear(r[:])
	return key
}
