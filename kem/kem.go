package kem

import (
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/rand"
	"crypto/sha3"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// Serialization constants, as libsignal v0.103 encodes Kyber1024.
const (
	// KeyTypeKyber1024 is the type byte that precedes a Kyber1024 public key
	// or ciphertext.
	KeyTypeKyber1024 = 0x08
	// PublicKeySize is the size of a serialized public key: the type byte
	// and the 1568-byte encapsulation key.
	PublicKeySize = 1 + mlkem.EncapsulationKeySize1024
	// CiphertextSize is the size of a serialized ciphertext: the type byte
	// and the 1568-byte ciphertext.
	CiphertextSize = 1 + mlkem.CiphertextSize1024
	// SharedSecretSize is the size of a shared secret.
	SharedSecretSize = mlkem.SharedKeySize
	// SeedSize is the size of a private key seed, d || z in FIPS 203.
	SeedSize = mlkem.SeedSize
)

// Errors returned by this package. Functions wrap them with details, so
// compare with errors.Is.
var (
	// ErrInvalidKeyType means that a public key or ciphertext does not
	// start with KeyTypeKyber1024.
	ErrInvalidKeyType = errors.New("kem: invalid key type")
	// ErrInvalidKeyLength means that a key or seed has the wrong number of
	// bytes.
	ErrInvalidKeyLength = errors.New("kem: invalid key length")
	// ErrInvalidPublicKey means that a public key has the right length but
	// encodes a coefficient that is not reduced modulo q = 3329. Keys made
	// by Kyber or ML-KEM key generation never do.
	ErrInvalidPublicKey = errors.New("kem: invalid public key encoding")
	// ErrInvalidCiphertext means that a ciphertext has the wrong length or
	// type byte.
	ErrInvalidCiphertext = errors.New("kem: invalid ciphertext")
)

// PublicKey is a Kyber1024 public (encapsulation) key. Create one with
// [NewPublicKey] or [PrivateKey.PublicKey]. It is safe for concurrent use.
type PublicKey struct {
	ek *mlkem.EncapsulationKey1024
}

// NewPublicKey parses a 1569-byte public key: KeyTypeKyber1024 followed by
// the encapsulation key. It returns an error wrapping ErrInvalidKeyLength,
// ErrInvalidKeyType or ErrInvalidPublicKey.
func NewPublicKey(b []byte) (*PublicKey, error) {
	if len(b) != PublicKeySize {
		return nil, fmt.Errorf("%w: got %d bytes, expected %d", ErrInvalidKeyLength, len(b), PublicKeySize)
	}
	if b[0] != KeyTypeKyber1024 {
		return nil, fmt.Errorf("%w 0x%02x, expected 0x%02x", ErrInvalidKeyType, b[0], KeyTypeKyber1024)
	}
	ek, err := mlkem.NewEncapsulationKey1024(b[1:])
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	return &PublicKey{ek: ek}, nil
}

// Bytes returns the 1569-byte serialized form of k: KeyTypeKyber1024
// followed by the encapsulation key. Each call returns a new slice.
func (k *PublicKey) Bytes() []byte {
	b := make([]byte, 0, PublicKeySize)
	b = append(b, KeyTypeKyber1024)
	return append(b, k.ek.Bytes()...)
}

// Equal reports whether k and o are the same key. Two nil keys are equal.
func (k *PublicKey) Equal(o *PublicKey) bool {
	if k == nil || o == nil {
		return k == o
	}
	return subtle.ConstantTimeCompare(k.ek.Bytes(), o.ek.Bytes()) == 1
}

// Encapsulate generates a shared secret and the 1569-byte ciphertext that
// carries it to the holder of the private key.
//
// With rand nil or crypto/rand.Reader, Encapsulate uses crypto/mlkem's own
// randomness. Any other reader supplies m, the 32-byte message of FIPS 203
// ML-KEM.Encaps_internal. Encapsulate reads exactly 32 bytes from it, which
// makes the output reproducible for tests and vectors. That path uses crypto/mlkem/mlkemtest,
// so it fails when Go runs in FIPS 140-only mode. Production code should
// pass nil.
func (k *PublicKey) Encapsulate(rand io.Reader) (sharedSecret [32]byte, ciphertext []byte, err error) {
	var mlkemSecret, c []byte
	if isCryptoRand(rand) {
		mlkemSecret, c = k.ek.Encapsulate()
	} else {
		var m [32]byte
		if _, err := io.ReadFull(rand, m[:]); err != nil {
			return [32]byte{}, nil, fmt.Errorf("kem: reading random bytes for encapsulation: %w", err)
		}
		mlkemSecret, c, err = mlkemtest.Encapsulate1024(k.ek, m[:])
		clear(m[:])
		if err != nil {
			return [32]byte{}, nil, fmt.Errorf("kem: derandomized encapsulation: %w", err)
		}
	}

	sharedSecret = kyberSharedSecret(mlkemSecret, c)
	clear(mlkemSecret)
	ciphertext = make([]byte, 0, CiphertextSize)
	ciphertext = append(ciphertext, KeyTypeKyber1024)
	ciphertext = append(ciphertext, c...)
	return sharedSecret, ciphertext, nil
}

// PrivateKey is a Kyber1024 private (decapsulation) key. It is held in
// expanded form and exported as its 64-byte seed. Create one with
// [GenerateKeyPair] or [NewPrivateKeyFromSeed]. It is safe for concurrent use.
type PrivateKey struct {
	dk *mlkem.DecapsulationKey1024
}

// NewPrivateKeyFromSeed expands a 64-byte seed d || z into a private key as
// FIPS 203 ML-KEM.KeyGen_internal does. It returns an error wrapping
// ErrInvalidKeyLength if seed is not 64 bytes.
func NewPrivateKeyFromSeed(seed []byte) (*PrivateKey, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("%w: seed has %d bytes, expected %d", ErrInvalidKeyLength, len(seed), SeedSize)
	}
	dk, err := mlkem.NewDecapsulationKey1024(seed)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKeyLength, err)
	}
	return &PrivateKey{dk: dk}, nil
}

// Seed returns the 64-byte seed of k, which must be kept secret.
func (k *PrivateKey) Seed() []byte {
	return k.dk.Bytes()
}

// PublicKey returns the public key of k.
func (k *PrivateKey) PublicKey() *PublicKey {
	return &PublicKey{ek: k.dk.EncapsulationKey()}
}

// Decapsulate returns the shared secret carried by a 1569-byte ciphertext.
// It returns an error wrapping ErrInvalidCiphertext if the length is wrong,
// and one wrapping both ErrInvalidCiphertext and ErrInvalidKeyType if the
// type byte is wrong. A ciphertext of the right form that was altered or
// made for another key does not cause an error. It yields an unrelated
// secret, which later authentication rejects.
func (k *PrivateKey) Decapsulate(ciphertext []byte) ([32]byte, error) {
	if len(ciphertext) != CiphertextSize {
		return [32]byte{}, fmt.Errorf("%w: got %d bytes, expected %d", ErrInvalidCiphertext, len(ciphertext), CiphertextSize)
	}
	if ciphertext[0] != KeyTypeKyber1024 {
		return [32]byte{}, fmt.Errorf("%w: %w 0x%02x, expected 0x%02x", ErrInvalidCiphertext, ErrInvalidKeyType, ciphertext[0], KeyTypeKyber1024)
	}

	c := ciphertext[1:]
	mlkemSecret, err := k.dk.Decapsulate(c)
	if err != nil {
		return [32]byte{}, fmt.Errorf("%w: %w", ErrInvalidCiphertext, err)
	}
	sharedSecret := kyberSharedSecret(mlkemSecret, c)
	clear(mlkemSecret)
	return sharedSecret, nil
}

// redacted is the placeholder that every fmt verb prints for a PrivateKey.
const redacted = "kem.PrivateKey(REDACTED)"

// String returns a placeholder, never the key.
func (k PrivateKey) String() string { return redacted }

// GoString returns a placeholder for the %#v verb, never the key.
func (k PrivateKey) GoString() string { return redacted }

// Format prints a placeholder for every fmt verb. Without it, verbs such as
// %+v would print the fields of the underlying mlkem key. String, GoString
// and Format have value receivers so that a dereferenced PrivateKey is
// redacted too.
func (k PrivateKey) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, redacted)
}

// KeyPair is a private key with its public key.
type KeyPair struct {
	Private *PrivateKey
	Public  *PublicKey
}

// GenerateKeyPair reads exactly 64 bytes from rand as the seed of a new key
// pair. A nil rand means crypto/rand.Reader.
func GenerateKeyPair(rand io.Reader) (KeyPair, error) {
	var seed [SeedSize]byte
	if _, err := io.ReadFull(randReader(rand), seed[:]); err != nil {
		return KeyPair{}, fmt.Errorf("kem: reading random bytes for a key pair: %w", err)
	}
	priv, err := NewPrivateKeyFromSeed(seed[:])
	clear(seed[:])
	if err != nil {
		return KeyPair{}, err
	}
	return KeyPair{Private: priv, Public: priv.PublicKey()}, nil
}

// kyberSharedSecret turns the ML-KEM shared key K̄ for the raw ciphertext c
// (without the type byte) into the Kyber round 3 shared secret
// SHAKE256(K̄ || SHA3-256(c), 32).
func kyberSharedSecret(mlkemSecret, c []byte) [32]byte {
	hc := sha3.Sum256(c)
	shake := sha3.NewSHAKE256()
	shake.Write(mlkemSecret)
	shake.Write(hc[:])
	var out [32]byte
	shake.Read(out[:])
	return out
}

// isCryptoRand reports whether r means the system random source.
func isCryptoRand(r io.Reader) bool {
	return r == nil || r == rand.Reader
}

// randReader returns r, or crypto/rand.Reader when r is nil.
func randReader(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
