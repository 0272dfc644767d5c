package x3dh

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
)

// info is the HKDF info string libsignal uses for PQXDH with Curve25519,
// SHA-256 and Kyber1024.
const info = "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024"

var (
	// ErrInvalidSignature is returned when a bundle's signed prekey or Kyber
	// prekey signature does not verify with its identity key.
	ErrInvalidSignature = errors.New("x3dh: invalid prekey signature")
	// ErrMissingKyberPreKey is returned for a bundle without a Kyber prekey.
	ErrMissingKyberPreKey = errors.New("x3dh: bundle has no kyber prekey")
	// ErrInvalidBaseKey is returned when the initiator's base key is not a
	// canonical Curve25519 public key.
	ErrInvalidBaseKey = errors.New("x3dh: invalid base key")
)

// Bundle is the set of public prekeys a responder publishes for one device.
type Bundle struct {
	RegistrationID uint32
	DeviceID       uint32

	// HasPreKey is true when the bundle carries a one-time prekey.
	HasPreKey bool
	PreKeyID  uint32
	PreKey    curve.PublicKey

	SignedPreKeyID        uint32
	SignedPreKey          curve.PublicKey
	SignedPreKeySignature []byte

	KyberPreKeyID        uint32
	KyberPreKey          *kem.PublicKey
	KyberPreKeySignature []byte

	IdentityKey curve.PublicKey
}

// Verify checks that the bundle has a Kyber prekey and that the identity key
// signed both the signed prekey and the Kyber prekey, each in its full
// serialized form with the type byte.
func (b *Bundle) Verify() error {
	if b.KyberPreKey == nil {
		return ErrMissingKyberPreKey
	}
	if b.IdentityKey.IsZero() || b.SignedPreKey.IsZero() {
		return errors.New("x3dh: bundle is missing its identity key or signed prekey")
	}
	if b.HasPreKey && b.PreKey.IsZero() {
		return errors.New("x3dh: bundle has a one-time prekey id but no key")
	}
	if err := b.IdentityKey.Verify(b.SignedPreKey.Bytes(), b.SignedPreKeySignature); err != nil {
		return fmt.Errorf("%w: signed prekey %d", ErrInvalidSignature, b.SignedPreKeyID)
	}
	if err := b.IdentityKey.Verify(b.KyberPreKey.Bytes(), b.KyberPreKeySignature); err != nil {
		return fmt.Errorf("%w: kyber prekey %d", ErrInvalidSignature, b.KyberPreKeyID)
	}
	return nil
}

// SharedKeys are the outputs of PQXDH. They must be kept secret.
type SharedKeys struct {
	RootKey  [32]byte
	ChainKey [32]byte
	// SPQRKey seeds the sparse post-quantum ratchet that runs beside the
	// Double Ratchet.
	SPQRKey [32]byte
}

// Initiation is what the initiator derives and must send to the responder.
type Initiation struct {
	Keys SharedKeys
	// BaseKey is the initiator's ephemeral key pair (EK_A); its public half
	// goes into the PreKeySignalMessage.
	BaseKey curve.KeyPair
	// KyberCiphertext is the encapsulation to the Kyber prekey, with its
	// type byte.
	KyberCiphertext []byte
}

// Initiate runs the initiator's side of PQXDH against a verified bundle. It
// generates the base key (32 bytes from rand) and then encapsulates to the
// Kyber prekey, reading 32 more bytes unless rand is nil or
// crypto/rand.Reader. rand nil means crypto/rand.Reader.
func Initiate(rand io.Reader, identity curve.KeyPair, b *Bundle) (*Initiation, error) {
	if err := b.Verify(); err != nil {
		return nil, err
	}
	base, err := curve.GenerateKeyPair(rand)
	if err != nil {
		return nil, fmt.Errorf("x3dh: generating base key: %w", err)
	}

	secret := make([]byte, 0, 32*6)
	secret = appendDiscontinuity(secret)
	for _, dh := range []struct {
		priv curve.PrivateKey
		pub  curve.PublicKey
	}{
		{identity.Private, b.SignedPreKey}, // DH1 = DH(IK_A, SPK_B)
		{base.Private, b.IdentityKey},      // DH2 = DH(EK_A, IK_B)
		{base.Private, b.SignedPreKey},     // DH3 = DH(EK_A, SPK_B)
	} {
		if secret, err = appendAgreement(secret, dh.priv, dh.pub); err != nil {
			return nil, err
		}
	}
	if b.HasPreKey {
		if secret, err = appendAgreement(secret, base.Private, b.PreKey); err != nil { // DH4 = DH(EK_A, OPK_B)
			return nil, err
		}
	}
	ss, ct, err := b.KyberPreKey.Encapsulate(rand)
	if err != nil {
		return nil, fmt.Errorf("x3dh: kyber encapsulation: %w", err)
	}
	secret = append(secret, ss[:]...)

	keys, err := deriveKeys(secret)
	if err != nil {
		return nil, err
	}
	return &Initiation{Keys: keys, BaseKey: base, KyberCiphertext: ct}, nil
}

// ResponderKeys are the responder's private keys that a PreKeySignalMessage
// names.
type ResponderKeys struct {
	Identity     curve.KeyPair
	SignedPreKey curve.KeyPair
	// OneTimePreKey is nil when the message names no one-time prekey.
	OneTimePreKey *curve.KeyPair
	KyberPreKey   *kem.PrivateKey
}

// Respond runs the responder's side of PQXDH for a first message that
// carries the initiator's identity key, base key and Kyber ciphertext.
func Respond(ours ResponderKeys, theirIdentity, theirBaseKey curve.PublicKey, kyberCiphertext []byte) (SharedKeys, error) {
	if theirBaseKey.IsZero() {
		return SharedKeys{}, ErrInvalidBaseKey
	}
	var err error
	secret := make([]byte, 0, 32*6)
	secret = appendDiscontinuity(secret)
	for _, dh := range []struct {
		priv curve.PrivateKey
		pub  curve.PublicKey
	}{
		{ours.SignedPreKey.Private, theirIdentity}, // DH1
		{ours.Identity.Private, theirBaseKey},      // DH2
		{ours.SignedPreKey.Private, theirBaseKey},  // DH3
	} {
		if secret, err = appendAgreement(secret, dh.priv, dh.pub); err != nil {
			return SharedKeys{}, err
		}
	}
	if ours.OneTimePreKey != nil {
		if secret, err = appendAgreement(secret, ours.OneTimePreKey.Private, theirBaseKey); err != nil {
			return SharedKeys{}, err
		}
	}
	if ours.KyberPreKey == nil {
		return SharedKeys{}, ErrMissingKyberPreKey
	}
	ss, err := ours.KyberPreKey.Decapsulate(kyberCiphertext)
	if err != nil {
		return SharedKeys{}, fmt.Errorf("x3dh: kyber decapsulation: %w", err)
	}
	secret = append(secret, ss[:]...)
	return deriveKeys(secret)
}

// appendDiscontinuity adds the 32 0xFF bytes that PQXDH prepends so the
// secret input can never collide with an Ed25519 encoding.
func appendDiscontinuity(b []byte) []byte {
	for range 32 {
		b = append(b, 0xFF)
	}
	return b
}

func appendAgreement(b []byte, priv curve.PrivateKey, pub curve.PublicKey) ([]byte, error) {
	shared, err := priv.Agree(pub)
	if err != nil {
		return nil, fmt.Errorf("x3dh: key agreement: %w", err)
	}
	return append(b, shared[:]...), nil
}

// deriveKeys is KDF(SK) from the PQXDH specification with libsignal's
// parameters: HKDF-SHA256 without salt, 96 bytes split into root key, chain
// key and SPQR key.
func deriveKeys(secret []byte) (SharedKeys, error) {
	out, err := hkdf.Key(sha256.New, secret, nil, info, 96)
	clear(secret)
	if err != nil {
		return SharedKeys{}, fmt.Errorf("x3dh: hkdf: %w", err)
	}
	var k SharedKeys
	copy(k.RootKey[:], out[0:32])
	copy(k.ChainKey[:], out[32:64])
	copy(k.SPQRKey[:], out[64:96])
	clear(out)
	return k, nil
}

// Format prints a placeholder for every verb, so the keys never reach a log.
func (k SharedKeys) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, "x3dh.SharedKeys(REDACTED)")
}
