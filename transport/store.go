package transport

import (
	"context"
	"time"

	"github.com/parleyhq/parley/curve"
)

// Store is the relay's durable state: accounts and devices, the prekey
// directory, one envelope queue per device, idempotency records of sends,
// and attachments. [SQLiteStore] implements it. Every method must be safe
// for concurrent use, and every method that writes must have committed
// durably when it returns nil.
//
// Methods that look up an account or device return an error matching
// [ErrNotFound] when it does not exist.
type Store interface {
	// CreateAccount stores a new account with its first device. It returns
	// ErrUsernameTaken when the username is in use.
	CreateAccount(ctx context.Context, a Account, first Device) error
	// AddDevice stores a new device for the account, numbered one above the
	// highest device id it has had, and returns that number. It returns
	// ErrForbidden when the account already has maxDevices devices.
	AddDevice(ctx context.Context, serviceID string, d Device, maxDevices int) (uint32, error)
	// ReregisterDevice replaces the registration id, key and creation time
	// of the existing device d.ID and deletes its queued envelopes and its
	// prekeys, in one transaction. It returns an error matching ErrNotFound
	// when the account has no device d.ID.
	ReregisterDevice(ctx context.Context, serviceID string, d Device) error
	// Account returns the account with the service id.
	Account(ctx context.Context, serviceID string) (Account, error)
	// AccountByUsername returns the account with the username.
	AccountByUsername(ctx context.Context, username string) (Account, error)
	// Devices returns the account's devices ordered by id.
	Devices(ctx context.Context, serviceID string) ([]Device, error)

	// StorePreKeys stores an upload for one device in one transaction.
	StorePreKeys(ctx context.Context, serviceID string, deviceID uint32, u PreKeyUpload) error
	// PreKeyCount returns the number of one-time prekeys stored for the device.
	PreKeyCount(ctx context.Context, serviceID string, deviceID uint32) (PreKeyCount, error)
	// TakeBundles returns a bundle for each device of the account (for
	// deviceID only when it is nonzero) that has a signed prekey and a Kyber
	// prekey. In one transaction it selects and deletes one one-time prekey
	// of each kind per device, so concurrent calls never return the same
	// one-time prekey. A device without one-time Kyber prekeys gets its
	// last-resort Kyber prekey, which stays stored.
	TakeBundles(ctx context.Context, serviceID string, deviceID uint32) ([]StoredBundle, error)

	// Enqueue stores a send in one transaction: it checks the device set
	// with CheckDevices, the idempotency record and the queue limits, then
	// appends one envelope to each destination device's queue. A send whose
	// (Sender, Destination, MessageID) was stored before stores nothing and
	// returns Duplicate. A send over a queue limit returns an error matching
	// ErrQueueFull and stores nothing. When Sender equals Destination, the
	// sending device is left out of the device set.
	Enqueue(ctx context.Context, r EnqueueRequest) (EnqueueResult, error)
	// Envelopes returns up to limit envelopes of one device's queue with an
	// id above afterID, in id order. Ids must become visible in increasing
	// order, so that a reader that has seen id n never later finds a new
	// envelope below n.
	Envelopes(ctx context.Context, serviceID string, deviceID uint32, afterID uint64, limit int) ([]QueuedEnvelope, error)
	// DeleteEnvelope removes an envelope from the device's queue and reports
	// whether it was there. An id from another device's queue is not removed.
	DeleteEnvelope(ctx context.Context, serviceID string, deviceID uint32, id uint64) (bool, error)
	// ExpireEnvelopes removes envelopes stored before the cutoff and
	// idempotency records created before dupCutoff, and returns how many
	// envelopes it removed.
	ExpireEnvelopes(ctx context.Context, cutoff, dupCutoff time.Time) (int64, error)
	// QueueDepth returns the number of envelopes in all queues.
	QueueDepth(ctx context.Context) (int64, error)

	// PutAttachment stores a blob under a new id.
	PutAttachment(ctx context.Context, id string, data []byte) error
	// Attachment returns the blob stored under id.
	Attachment(ctx context.Context, id string) ([]byte, error)

	// Close releases the store.
	Close() error
}

// Account is a registered user. ServiceID is a random UUID (the ACI) in
// its lowercase string form.
type Account struct {
	ServiceID   string
	Username    string
	IdentityKey curve.PublicKey
	// AccessKey is the unidentified access key that sealed sender sends
	// must present. It is compared in constant time.
	AccessKey [AccessKeySize]byte
	CreatedAt time.Time
}

// Device is one device of an account. Key is the public key that the
// device authenticates with.
type Device struct {
	ID             uint32
	RegistrationID uint32
	Key            curve.PublicKey
	CreatedAt      time.Time
}

// PublicPreKey is the public half of a one-time Curve25519 prekey in its
// 33-byte serialized form.
type PublicPreKey struct {
	ID        uint32
	PublicKey []byte
}

// SignedPublicKey is the public half of a signed prekey (Curve25519 or
// Kyber1024) and the identity key's signature over it.
type SignedPublicKey struct {
	ID        uint32
	PublicKey []byte
	Signature []byte
}

// PreKeyUpload is one upload of prekeys for a device. A non-nil Signed or
// LastResort replaces the stored key; the one-time keys are added, and a
// key whose id is already stored replaces it.
type PreKeyUpload struct {
	Signed       *SignedPublicKey
	LastResort   *SignedPublicKey
	PreKeys      []PublicPreKey
	KyberPreKeys []SignedPublicKey
}

// PreKeyCount is the number of one-time prekeys stored for a device.
type PreKeyCount struct {
	EC    int
	Kyber int
}

// StoredBundle is the public prekeys handed out for one device. PreKey is
// nil when the device had no one-time Curve25519 prekey left. LastResort
// reports that Kyber is the last-resort key. Remaining is the count after
// this fetch.
type StoredBundle struct {
	DeviceID       uint32
	RegistrationID uint32
	Signed         SignedPublicKey
	PreKey         *PublicPreKey
	Kyber          SignedPublicKey
	LastResort     bool
	Remaining      PreKeyCount
}

// OutgoingMessage is the ciphertext of a send for one destination device.
type OutgoingMessage struct {
	DeviceID       uint32
	RegistrationID uint32
	Type           uint32
	Content        []byte
}

// EnqueueRequest is one send as the server passes it to the store.
type EnqueueRequest struct {
	// Sender is the sender's service id, empty for sealed sender.
	Sender       string
	SenderDevice uint32
	Destination  string
	MessageID    [MessageIDSize]byte
	Messages     []OutgoingMessage
	Ephemeral    bool
	// Online reports whether a destination device is connected. When
	// Ephemeral is set, only online devices get an envelope.
	Online func(deviceID uint32) bool
	Now    time.Time
	// MaxQueueCount and MaxQueueBytes limit each device queue after the
	// send; zero means no limit.
	MaxQueueCount int
	MaxQueueBytes int64
}

// EnqueueResult reports what Enqueue stored.
type EnqueueResult struct {
	Duplicate bool
	// Devices lists the devices that got an envelope.
	Devices []uint32
	// Dropped lists ephemeral envelopes not stored because the device was
	// offline.
	Dropped []uint32
}

// QueuedEnvelope is one stored envelope.
type QueuedEnvelope struct {
	ID           uint64
	Sender       string
	SenderDevice uint32
	DeviceID     uint32
	Type         uint32
	Content      []byte
	MessageID    [MessageIDSize]byte
	StoredAt     time.Time
	Ephemeral    bool
}
