package curve

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"golang.org/x/crypto/curve25519"
	"io"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// Serialization constants, as libsignal encodes Curve25519 keys.
const (
	// KeyTypeDJB is the type byte that precedes a Curve25519 public key.
	KeyTypeDJB = 0x05
	// PublicKeySize is the size of a serialized public key: the type byte
	// and the 32-byte u-coordinate.
	PublicKeySize = 33
	// PrivateKeySize is the size of a private key scalar.
	PrivateKeySize = 32
	// SignatureSize is the size of an XEdDSA signature.
	SignatureSize = 64
)

// rawKeySize is the size of a u-coordinate.
const rawKeySize = 32

// Errors returned by this package. Functions wrap them with details, so
// compare with errors.Is.
var (
	// ErrInvalidKeyType means that the first byte of a serialized public key
	// is not KeyTypeDJB.
	ErrInvalidKeyType = errors.New("curve: invalid key type")
	// ErrInvalidKeyLength means that a key has the wrong number of bytes.
	ErrInvalidKeyLength = errors.New("curve: invalid key length")
	// ErrNonCanonicalKey means that a u-coordinate is 2^255-19 or more,
	// which includes every value with the top bit set.
	ErrNonCanonicalKey = errors.New("curve: non-canonical public key")
	// ErrWeakKey means that a u-coordinate is a low-order point, so the
	// X25519 output with it is all zero for every private key.
	ErrWeakKey = errors.New("curve: weak public key")
	// ErrZeroSharedSecret means that the X25519 output is all zero.
	ErrZeroSharedSecret = errors.New("curve: all-zero shared secret")
	// ErrInvalidSignature means that an XEdDSA signature does not verify.
	ErrInvalidSignature = errors.New("curve: invalid signature")
)

// lowOrderPoints lists the canonical u-coordinates of the points of order 1,
// 2, 4 and 8 on Curve25519 and its quadratic twist. Multiplying any of them by
// a clamped scalar, which is a multiple of 8, gives the point at infinity, so
// X25519 returns all zero. TestLowOrderPoints checks this with crypto/ecdh.
var lowOrderPoints = [...][rawKeySize]byte{
	// 0: the point (0, 0) of order 2, and X25519's encoding of the point at
	// infinity.
	{},
	// 1, order 4 on the curve.
	{1},
	// Order 8 on the curve.
	{0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
		0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00},
	// Order 8 on the curve.
	{0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef, 0x5b,
		0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57},
	// 2^255-20, that is -1, order 4 on the twist.
	{0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
}

// PublicKey is a Curve25519 public key: the u-coordinate of a point on the
// Montgomery curve. Its zero value is not a valid key. Create one with
// [NewPublicKey], [NewPublicKeyFromRaw] or [PrivateKey.PublicKey].
type PublicKey struct {
	u [rawKeySize]byte
}

// NewPublicKey parses a public key in libsignal's 33-byte form: KeyTypeDJB
// followed by the u-coordinate. It returns an error wrapping
// ErrInvalidKeyLength, ErrInvalidKeyType, ErrNonCanonicalKey or ErrWeakKey.
func NewPublicKey(b []byte) (PublicKey, error) {
	if len(b) != PublicKeySize {
		return PublicKey{}, fmt.Errorf("%w: got %d bytes, expected %d", ErrInvalidKeyLength, len(b), PublicKeySize)
	}
	if b[0] != KeyTypeDJB {
		return PublicKey{}, fmt.Errorf("%w 0x%02x, expected 0x%02x", ErrInvalidKeyType, b[0], KeyTypeDJB)
	}
	return NewPublicKeyFromRaw(b[1:])
}

// NewPublicKeyFromRaw parses a 32-byte little-endian u-coordinate without a
// type byte, with the same checks as NewPublicKey. Unlike RFC 7748 X25519,
// which ignores the top bit, it rejects a u-coordinate with the top bit set.
func NewPublicKeyFromRaw(u []byte) (PublicKey, error) {
	if len(u) != rawKeySize {
		return PublicKey{}, fmt.Errorf("%w: got %d bytes, expected %d", ErrInvalidKeyLength, len(u), rawKeySize)
	}
	if !isCanonical(u) {
		return PublicKey{}, ErrNonCanonicalKey
	}
	for i := range lowOrderPoints {
		if subtle.ConstantTimeCompare(u, lowOrderPoints[i][:]) == 1 {
			return PublicKey{}, ErrWeakKey
		}
	}

	var k PublicKey
	copy(k.u[:], u)
	return k, nil
}

// isCanonical reports whether u is the canonical encoding of a field element,
// that is, whether it is below 2^255-19 with the top bit clear.
func isCanonical(u []byte) bool {
	if u[rawKeySize-1]&0x80 != 0 {
		return false
	}
	// field.Element.SetBytes ignores the top bit and reduces values from
	// 2^255-19 to 2^255-1, so the encoding round-trips only when u < p.
	fe, err := new(field.Element).SetBytes(u)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(fe.Bytes(), u) == 1
}

// Bytes returns the 33-byte serialized form of k: KeyTypeDJB followed by the
// u-coordinate. Each call returns a new slice.
func (k PublicKey) Bytes() []byte {
	b := make([]byte, PublicKeySize)
	b[0] = KeyTypeDJB
	copy(b[1:], k.u[:])
	return b
}

// Raw returns the 32-byte little-endian u-coordinate of k.
func (k PublicKey) Raw() [32]byte {
	return k.u
}

// Equal reports whether k and o are the same key, in constant time.
func (k PublicKey) Equal(o PublicKey) bool {
	return subtle.ConstantTimeCompare(k.u[:], o.u[:]) == 1
}

// IsZero reports whether k is the zero value rather than a parsed or derived
// key. Parsing rejects the all-zero u-coordinate, so no valid key is zero.
func (k PublicKey) IsZero() bool {
	return k.u == [rawKeySize]byte{}
}

// Fingerprint returns the first 8 bytes of the SHA-256 hash of k.Bytes() as
// 16 lowercase hex digits. It identifies a key in logs and is not secret,
// but it is too short to authenticate a key.
func (k PublicKey) Fingerprint() string {
	sum := sha256.Sum256(k.Bytes())
	return hex.EncodeToString(sum[:8])
}

// PrivateKey is a clamped X25519 scalar. Its zero value is not a valid key.
// Create one with [GeneratePrivateKey] or [NewPrivateKey].
type PrivateKey struct {
	k [PrivateKeySize]byte
}

// GeneratePrivateKey reads exactly 32 bytes from rand and clamps them into a
// private key. A nil rand means crypto/rand.Reader. Tests can pass a reader
// that returns known bytes to obtain a known key.
func GeneratePrivateKey(rand io.Reader) (PrivateKey, error) {
	var b [PrivateKeySize]byte
	if _, err := io.ReadFull(randReader(rand), b[:]); err != nil {
		return PrivateKey{}, fmt.Errorf("curve: reading random bytes for a private key: %w", err)
	}
	k, err := NewPrivateKey(b[:])
	clear(b[:])
	return k, err
}

// NewPrivateKey returns the private key with the 32-byte scalar b, clamped as
// RFC 7748 section 5 describes: bits 0, 1, 2 and 255 cleared and bit 254 set.
// It returns an error wrapping ErrInvalidKeyLength if b is not 32 bytes.
func NewPrivateKey(b []byte) (PrivateKey, error) {
	if len(b) != PrivateKeySize {
		return PrivateKey{}, fmt.Errorf("%w: private key has %d bytes, expected %d", ErrInvalidKeyLength, len(b), PrivateKeySize)
	}
	var k PrivateKey
	copy(k.k[:], b)
	k.k[0] &= 248
	k.k[31] &= 127
	k.k[31] |= 64
	return k, nil
}

// Bytes returns a copy of the clamped 32-byte scalar. The scalar must be
// kept secret.
func (k PrivateKey) Bytes() []byte {
	b := make([]byte, PrivateKeySize)
	copy(b, k.k[:])
	return b
}

// IsZero reports whether k is the zero value rather than a generated or
// parsed key. Clamping sets bit 254, so no valid key is zero.
func (k PrivateKey) IsZero() bool {
	return k.k == [PrivateKeySize]byte{}
}

// mustBeValid panics if k is the zero value, which is a programming error.
func (k *PrivateKey) mustBeValid() {
	if k.IsZero() {
		panic("curve: use of a zero PrivateKey; create keys with GeneratePrivateKey or NewPrivateKey")
	}
}

// PublicKey returns the public key X25519(k, 9). It panics if k is the zero
// value.
func (k PrivateKey) PublicKey() PublicKey {
	k.mustBeValid()
	// The scalar is reduced modulo the group order L, which leaves k*B
	// unchanged because the base point B has order L. The Edwards point then
	// maps to the Montgomery u-coordinate that X25519(k, 9) returns.
	a, err := edwards25519.NewScalar().SetBytesWithClamping(k.k[:])
	if err != nil {
		panic("curve: unreachable: scalar has the wrong length")
	}
	var pub PublicKey
	copy(pub.u[:], new(edwards25519.Point).ScalarBaseMult(a).BytesMontgomery())
	return pub
}

// Agree returns X25519(k, peer), the shared secret of RFC 7748 section 6.1.
// It returns ErrZeroSharedSecret if the output is all zero, which happens
// only when peer is a low-order point or the zero PublicKey. It panics if k
// is the zero value.
func (k PrivateKey) Agree(peer PublicKey) ([32]byte, error) {
	k.mustBeValid()
	// x/crypto's X25519 does one scalar multiplication; crypto/ecdh's
	// NewPrivateKey would also compute our public key on every call. It
	// returns an error only for an all-zero output.
	secret, err := curve25519.X25519(k.k[:], peer.u[:])
	if err != nil {
		return [32]byte{}, ErrZeroSharedSecret
	}
	var out [32]byte
	copy(out[:], secret)
	clear(secret)
	return out, nil
}

// redacted is the placeholder that every fmt verb prints for a PrivateKey.
const redacted = "curve.PrivateKey(REDACTED)"

// String returns a placeholder, never the key.
func (k PrivateKey) String() string { return redacted }

// GoString returns a placeholder for the %#v verb, never the key.
func (k PrivateKey) GoString() string { return redacted }

// Format prints a placeholder for every fmt verb, including %d and %x, which
// would otherwise print the scalar's bytes.
func (k PrivateKey) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, redacted)
}

// KeyPair is a private key with its public key.
type KeyPair struct {
	Private PrivateKey
	Public  PublicKey
}

// GenerateKeyPair reads exactly 32 bytes from rand, clamps them into a
// private key and derives its public key. A nil rand means crypto/rand.Reader.
func GenerateKeyPair(rand io.Reader) (KeyPair, error) {
	priv, err := GeneratePrivateKey(rand)
	if err != nil {
		return KeyPair{}, err
	}
	return NewKeyPair(priv), nil
}

// NewKeyPair returns priv with its public key. It panics if priv is the zero
// value.
func NewKeyPair(priv PrivateKey) KeyPair {
	return KeyPair{Private: priv, Public: priv.PublicKey()}
}

// randReader returns r, or crypto/rand.Reader when r is nil.
func randReader(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
