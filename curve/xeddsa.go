package curve

import (
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"io"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// randomSize is the size of Z, the random input to the XEdDSA nonce.
const randomSize = 64

// hash1Prefix is the prefix that turns SHA-512 into hash_1 of the XEdDSA
// specification (section 2.5): 0xFE followed by 31 bytes of 0xFF.
var hash1Prefix = [32]byte{
	0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
}

// Sign returns an XEdDSA signature of message (xeddsa_sign in the XEdDSA
// specification, section 3) with libsignal's sign-bit convention. It reads
// exactly 64 random bytes Z from rand, and a nil rand means crypto/rand.Reader.
// The signature depends only on k, message and Z, so a reader with fixed
// output makes it deterministic. It panics if k is the zero value.
//
// The specification derives the Edwards key pair (A, a) with the sign bit of
// A forced to 0. libsignal uses a = k and A = aB unchanged and stores the sign
// bit of A in the top bit of the last signature byte, and Sign does the same.
func (k PrivateKey) Sign(rand io.Reader, message []byte) ([]byte, error) {
	k.mustBeValid()
	var Z [randomSize]byte
	if _, err := io.ReadFull(randReader(rand), Z[:]); err != nil {
		return nil, fmt.Errorf("curve: reading random bytes for a signature: %w", err)
	}
	defer clear(Z[:])

	a, err := edwards25519.NewScalar().SetBytesWithClamping(k.k[:])
	if err != nil {
		panic("curve: unreachable: scalar has the wrong length")
	}
	A := new(edwards25519.Point).ScalarBaseMult(a).Bytes()
	signBit := A[31] & 0x80

	// r = hash_1(a || M || Z) (mod q). The hash input is the clamped scalar
	// bytes, as in libsignal.
	h1 := sha512.New()
	h1.Write(hash1Prefix[:])
	h1.Write(k.k[:])
	h1.Write(message)
	h1.Write(Z[:])
	var digest [sha512.Size]byte
	r, err := edwards25519.NewScalar().SetUniformBytes(h1.Sum(digest[:0]))
	clear(digest[:])
	if err != nil {
		panic("curve: unreachable: hash has the wrong length")
	}

	// R = rB, h = hash(R || A || M) (mod q), s = r + ha (mod q).
	R := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
	h := challenge(R, A, message)
	s := edwards25519.NewScalar().MultiplyAdd(h, a, r)

	sig := make([]byte, SignatureSize)
	copy(sig[:32], R)
	copy(sig[32:], s.Bytes())
	// s < q < 2^253, so the top bit of its last byte is free.
	sig[SignatureSize-1] |= signBit
	return sig, nil
}

// Verify checks an XEdDSA signature of message made with the private key of
// k (xeddsa_verify in the XEdDSA specification, section 3), with the sign of
// the Edwards key A taken from the top bit of sig[63] as libsignal does. It
// returns nil or ErrInvalidSignature, without saying which check failed.
//
// Verify rejects a signature whose s, with the sign bit cleared, is not
// reduced modulo the group order q. The specification and libsignal reject
// only s >= 2^253, and libsignal 0.103 reduces smaller values modulo q.
// Every signer produces a reduced s, so this rejects only altered signatures.
// The check is the cofactorless equation R == sB - hA on encodings, as in
// libsignal.
func (k PublicKey) Verify(message, sig []byte) error {
	if len(sig) != SignatureSize || k.IsZero() {
		return ErrInvalidSignature
	}
	signBit := sig[SignatureSize-1] >> 7

	var sBytes [32]byte
	copy(sBytes[:], sig[32:])
	sBytes[31] &= 0x7f
	s, err := edwards25519.NewScalar().SetCanonicalBytes(sBytes[:])
	if err != nil {
		return ErrInvalidSignature
	}

	A, err := edwardsPublicKey(k.u, signBit)
	if err != nil {
		return ErrInvalidSignature
	}
	ABytes := A.Bytes()

	R := sig[:32]
	h := challenge(R, ABytes, message)
	minusH := edwards25519.NewScalar().Negate(h)
	check := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(minusH, A, s)
	if subtle.ConstantTimeCompare(check.Bytes(), R) != 1 {
		return ErrInvalidSignature
	}
	return nil
}

// challenge returns h = SHA-512(R || A || M) reduced modulo the group order.
func challenge(R, A, message []byte) *edwards25519.Scalar {
	hash := sha512.New()
	hash.Write(R)
	hash.Write(A)
	hash.Write(message)
	var digest [sha512.Size]byte
	h, err := edwards25519.NewScalar().SetUniformBytes(hash.Sum(digest[:0]))
	if err != nil {
		panic("curve: unreachable: hash has the wrong length")
	}
	return h
}

// edwardsPublicKey converts the Montgomery u-coordinate u to the twisted
// Edwards point with y = (u - 1) / (u + 1) and the given sign bit for x
// (convert_mont in the XEdDSA specification, section 2.3, generalized to
// either sign). It returns an error if u = -1, where the map is undefined, or
// if no point has that y.
func edwardsPublicKey(u [rawKeySize]byte, signBit byte) (*edwards25519.Point, error) {
	uElement, err := new(field.Element).SetBytes(u[:])
	if err != nil {
		return nil, err
	}
	one := new(field.Element).One()
	uMinusOne := new(field.Element).Subtract(uElement, one)
	uPlusOne := new(field.Element).Add(uElement, one)
	if uPlusOne.Equal(new(field.Element).Zero()) == 1 {
		return nil, ErrInvalidSignature
	}
	y := new(field.Element).Multiply(uMinusOne, new(field.Element).Invert(uPlusOne))

	encoding := y.Bytes()
	encoding[31] |= signBit << 7
	return new(edwards25519.Point).SetBytes(encoding)
}
