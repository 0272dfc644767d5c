package keystore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
)

var (
	// ErrNotFound is wrapped by the errors returned for a missing prekey,
	// signed prekey or Kyber prekey.
	ErrNotFound = errors.New("keystore: not found")
	// ErrKyberPreKeyReused is returned by MarkKyberPreKeyUsed when a
	// last-resort Kyber prekey was already used with the same signed prekey
	// and base key: the message that carries them is a replay.
	ErrKyberPreKeyReused = errors.New("keystore: kyber prekey already used with this base key")
	// ErrNoIdentity is returned when the local identity key pair is missing.
	ErrNoIdentity = errors.New("keystore: local identity key pair not set")
)

// Address names one device of a remote or local user. Name is usually a
// service ID string such as an ACI UUID.
type Address struct {
	Name     string
	DeviceID uint32
}

// String returns "name.device", the form libsignal uses in its messages.
func (a Address) String() string {
	return a.Name + "." + strconv.FormatUint(uint64(a.DeviceID), 10)
}

// Direction is the use an identity key is checked for: sending or
// receiving.
type Direction int

const (
	Sending Direction = iota + 1
	Receiving
)

// PreKey is a one-time Curve25519 prekey.
type PreKey struct {
	ID      uint32
	KeyPair curve.KeyPair
}

// SignedPreKey is a medium-term Curve25519 prekey signed by the identity key.
type SignedPreKey struct {
	ID        uint32
	CreatedAt time.Time
	KeyPair   curve.KeyPair
	Signature []byte
}

// KyberPreKey is a Kyber1024 prekey signed by the identity key. A
// last-resort key is not removed after use. Its uses are recorded instead,
// so that a replayed first message is detected.
type KyberPreKey struct {
	ID         uint32
	CreatedAt  time.Time
	KeyPair    kem.KeyPair
	Signature  []byte
	LastResort bool
}

// IdentityStore holds the local identity and the identity keys of remote
// addresses.
type IdentityStore interface {
	// IdentityKeyPair returns the local identity key pair, or ErrNoIdentity.
	IdentityKeyPair(ctx context.Context) (curve.KeyPair, error)
	LocalRegistrationID(ctx context.Context) (uint32, error)
	// SaveIdentity stores key as the identity of addr and reports whether it
	// replaced a different key.
	SaveIdentity(ctx context.Context, addr Address, key curve.PublicKey) (replaced bool, err error)
	IsTrustedIdentity(ctx context.Context, addr Address, key curve.PublicKey, dir Direction) (bool, error)
	// Identity returns the stored identity key of addr; ok is false when
	// there is none.
	Identity(ctx context.Context, addr Address) (key curve.PublicKey, ok bool, err error)
}

// PreKeyStore holds one-time prekeys.
type PreKeyStore interface {
	PreKey(ctx context.Context, id uint32) (PreKey, error)
	StorePreKey(ctx context.Context, k PreKey) error
	RemovePreKey(ctx context.Context, id uint32) error
}

// SignedPreKeyStore holds signed prekeys.
type SignedPreKeyStore interface {
	SignedPreKey(ctx context.Context, id uint32) (SignedPreKey, error)
	StoreSignedPreKey(ctx context.Context, k SignedPreKey) error
	// RemoveSignedPreKey deletes a signed prekey that was replaced long
	// enough ago that no first message using it is still expected.
	RemoveSignedPreKey(ctx context.Context, id uint32) error
}

// KyberPreKeyStore holds Kyber prekeys.
type KyberPreKeyStore interface {
	KyberPreKey(ctx context.Context, id uint32) (KyberPreKey, error)
	StoreKyberPreKey(ctx context.Context, k KyberPreKey) error
	// RemoveKyberPreKey deletes a Kyber prekey. A first message that names
	// it then fails with ErrNotFound, so a store may also drop the key's
	// recorded uses.
	RemoveKyberPreKey(ctx context.Context, id uint32) error
	// MarkKyberPreKeyUsed removes a one-time Kyber prekey. For a
	// last-resort key it records the (Kyber prekey, signed prekey, base key)
	// triple and returns ErrKyberPreKeyReused if the triple was seen before.
	MarkKyberPreKeyUsed(ctx context.Context, kyberPreKeyID, signedPreKeyID uint32, baseKey curve.PublicKey) error
}

// SessionStore holds serialized session records, one per remote address.
type SessionStore interface {
	// Session returns the record for addr, or nil and no error if there is
	// none.
	Session(ctx context.Context, addr Address) ([]byte, error)
	StoreSession(ctx context.Context, addr Address, record []byte) error
	DeleteSession(ctx context.Context, addr Address) error
}

// SenderKeyStore holds serialized sender key records for group messaging,
// keyed by the sending device and the distribution ID.
type SenderKeyStore interface {
	SenderKey(ctx context.Context, sender Address, distributionID [16]byte) ([]byte, error)
	StoreSenderKey(ctx context.Context, sender Address, distributionID [16]byte, record []byte) error
}

// AppDataStore holds opaque records of the application that uses the
// store, such as its contacts and settings, so they commit in the same
// transactions as the keys.
type AppDataStore interface {
	// AppData returns the record stored under name, or nil and no error if
	// there is none.
	AppData(ctx context.Context, name string) ([]byte, error)
	StoreAppData(ctx context.Context, name string, record []byte) error
}

// Tx is the view of a store inside one transaction.
type Tx interface {
	IdentityStore
	PreKeyStore
	SignedPreKeyStore
	KyberPreKeyStore
	SessionStore
	SenderKeyStore
	AppDataStore
}

// Store is a transactional key store.
type Store interface {
	// Update runs fn in a read-write transaction. All writes made through
	// the Tx commit together if fn returns nil and are discarded otherwise,
	// also when fn panics. The Tx must not be used after fn returns.
	// Update calls on one Store do not run concurrently with each other.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction; writes through its Tx fail.
	View(ctx context.Context, fn func(tx Tx) error) error
}

func notFound(kind string, id uint32) error {
	return fmt.Errorf("keystore: %s %d: %w", kind, id, ErrNotFound)
}
