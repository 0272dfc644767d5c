package client

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/transport"
)

// Errors that callers branch on.
var (
	// ErrNotRegistered is returned by calls that need an account before
	// Register has succeeded.
	ErrNotRegistered = errors.New("client: not registered")
	// ErrAlreadyRegistered is returned by Register on a key store that
	// already belongs to an account.
	ErrAlreadyRegistered = errors.New("client: already registered")
	// ErrUnknownGroup is returned for a group id the client is not a member
	// of.
	ErrUnknownGroup = errors.New("client: unknown group")
	// ErrNoDevices is returned when the relay lists no device with a prekey
	// bundle for a recipient.
	ErrNoDevices = errors.New("client: recipient has no devices")
)

// Options configures a Client. The zero value works: sealed sender is then
// off, because no trust root is known.
type Options struct {
	// TrustRoots are the keys that sign the relay's server certificates.
	// With none, the client sends every message with its sender visible to
	// the relay and rejects sealed sender messages it receives.
	TrustRoots []curve.PublicKey
	// DisableSealedSender sends every message with the sender visible to
	// the relay even when sealed sender is possible.
	DisableSealedSender bool
	// DisableDeliveryReceipts stops the automatic delivery receipt that Run
	// sends for each text or file message it receives.
	DisableDeliveryReceipts bool
	// OnEvent receives every event: from Run for received messages, and
	// from the goroutine of a send for identity changes found while
	// sending. It must be safe for concurrent use. Run acknowledges an
	// envelope to the relay only after OnEvent has returned for it.
	OnEvent func(Event)
	// PreKeyBatch is the number of one-time prekeys of each kind kept on
	// the relay, 1 to transport.MaxPreKeysPerUpload (default 100). The
	// client uploads more when fewer than a quarter of them are left.
	PreKeyBatch int
	// PreKeyRotation is how long the signed prekey and the last-resort
	// Kyber prekey are used before the client uploads new ones
	// (DefaultPreKeyRotation when zero).
	PreKeyRotation time.Duration
	// Rand is the source of randomness; nil means crypto/rand.Reader.
	Rand io.Reader
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Client is one registered device: it sends and receives end-to-end
// encrypted messages through a relay. Its methods may be called from
// several goroutines.
type Client struct {
	tc            *transport.Client
	ownsTransport bool
	store         keystore.Store
	opts          Options

	// sessions and sealed work on a view of the store with the client's
	// identity trust policy (see trustStore).
	sessions *session.Cipher
	sealed   *sealedsender.Cipher

	mu            sync.Mutex // guards the fields below
	st            *state     // replaced, never changed in place
	cert          *sealedsender.SenderCertificate
	certCheckedAt time.Time
	lastTimestamp uint64

	// relayURL and sealedOpts dial the unauthenticated connection of
	// anonymousTransport; relayURL is empty for a Client made by New, which
	// uses tc instead.
	relayURL   string
	sealedOpts transport.ClientOptions
	sealedMu   sync.Mutex
	sealedConn *transport.Client

	refill chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewIdentity generates an identity key pair and a random registration id
// (1 to 16383) for a new device. Create the key store with them, then call
// Register. The private key must be kept secret.
func NewIdentity(rnd io.Reader) (curve.KeyPair, uint32, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	kp, err := curve.GenerateKeyPair(rnd)
	if err != nil {
		return curve.KeyPair{}, 0, fmt.Errorf("client: generate identity key: %w", err)
	}
	var b [2]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return curve.KeyPair{}, 0, fmt.Errorf("client: read randomness for registration id: %w", err)
	}
	return kp, uint32(binary.BigEndian.Uint16(b[:]))%16383 + 1, nil
}

// Dial connects to the relay at relayURL and returns a Client for the
// device whose keys are in store. When store belongs to a registered
// account, the connection authenticates as its device; otherwise call
// Register next. topts configures the connection: its Credentials are set
// by Dial, and its OnPreKeyStatus is called after the client's own handler.
func Dial(ctx context.Context, relayURL string, store keystore.Store, topts transport.ClientOptions, opts Options) (*Client, error) {
	var st *state
	var identity curve.KeyPair
	err := store.View(ctx, func(tx keystore.Tx) error {
		var err error
		if st, err = loadState(ctx, tx); err != nil {
			return err
		}
		identity, err = tx.IdentityKeyPair(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("client: read key store: %w", err)
	}

	topts.Credentials = nil
	if st.ServiceID != "" {
		topts.Credentials = &transport.Credentials{ServiceID: st.ServiceID, DeviceID: st.DeviceID, Key: identity.Private}
	}

	refill := make(chan struct{}, 1)
	userStatus := topts.OnPreKeyStatus
	topts.OnPreKeyStatus = func(n transport.PreKeyCount) {
		signalRefill(refill)
		if userStatus != nil {
			userStatus(n)
		}
	}
	if topts.Rand == nil {
		topts.Rand = opts.Rand
	}

	sealedOpts := topts
	sealedOpts.Credentials, sealedOpts.OnPreKeyStatus, sealedOpts.OnQueueDrained = nil, nil, nil

	tc, err := transport.Dial(ctx, relayURL, topts)
	if err != nil {
		return nil, err
	}
	c := newClient(tc, store, st, opts, refill)
	c.ownsTransport = true
	c.relayURL, c.sealedOpts = relayURL, sealedOpts
	c.start()
	return c, nil
}

// New returns a Client that uses an existing relay connection, which the
// caller has authenticated as the device in store (or will register with
// Register) and closes itself. The client checks its prekey count after
// every message that starts a session. To react to the relay's low-prekey
// notices as well, call RefillPreKeys from transport.ClientOptions.OnPreKeyStatus.
//
// Unlike Dial, New sends sealed sender messages on the authenticated
// connection, so the relay can tell who sent them from the connection
// even though the envelopes carry no sender.
func New(ctx context.Context, tc *transport.Client, store keystore.Store, opts Options) (*Client, error) {
	var st *state
	err := store.View(ctx, func(tx keystore.Tx) error {
		var err error
		st, err = loadState(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("client: read key store: %w", err)
	}
	c := newClient(tc, store, st, opts, make(chan struct{}, 1))
	c.start()
	return c, nil
}

func newClient(tc *transport.Client, store keystore.Store, st *state, opts Options, refill chan struct{}) *Client {
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PreKeyBatch <= 0 || opts.PreKeyBatch > transport.MaxPreKeysPerUpload {
		opts.PreKeyBatch = transport.MaxPreKeysPerUpload
	}
	if opts.PreKeyRotation <= 0 {
		opts.PreKeyRotation = DefaultPreKeyRotation
	}
	c := &Client{tc: tc, store: store, opts: opts, st: st, refill: refill}
	c.sessions = &session.Cipher{
		Store:        trustStore{store},
		LocalAddress: keystore.Address{Name: st.ServiceID, DeviceID: st.DeviceID},
		Rand:         opts.Rand,
		Now:          opts.Now,
	}
	c.sealed = &sealedsender.Cipher{
		Sessions: c.sessions,
		Trust:    sealedsender.Trust{Roots: opts.TrustRoots},
		Rand:     opts.Rand,
		Now:      opts.Now,
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// start runs the prekey refill loop and, for a registered device, triggers
// a first check.
func (c *Client) start() {
	c.wg.Add(1)
	go c.refillLoop()
	if c.snapshot().ServiceID != "" {
		signalRefill(c.refill)
	}
}

// Close stops the client and closes the relay connection if Dial opened it.
func (c *Client) Close() error {
	c.cancel()
	c.wg.Wait()
	c.sealedMu.Lock()
	if c.sealedConn != nil {
		c.sealedConn.Close()
	}
	c.sealedMu.Unlock()
	if c.ownsTransport {
		return c.tc.Close()
	}
	return nil
}

// anonymousTransport returns the connection for requests that need no
// account (sealed sender sends, user lookups, attachment downloads): for a
// Client made by Dial, a second connection that never authenticates, so
// that the relay cannot tie these requests to an account by their
// connection. The relay still sees the connection's IP address.
func (c *Client) anonymousTransport(ctx context.Context) (*transport.Client, error) {
	if c.relayURL == "" {
		return c.tc, nil
	}
	c.sealedMu.Lock()
	defer c.sealedMu.Unlock()
	if c.ctx.Err() != nil {
		return nil, transport.ErrClosed
	}
	if c.sealedConn == nil {
		conn, err := transport.Dial(ctx, c.relayURL, c.sealedOpts)
		if err != nil {
			return nil, err
		}
		c.sealedConn = conn
	}
	return c.sealedConn, nil
}

// Transport returns the relay connection.
func (c *Client) Transport() *transport.Client { return c.tc }

// Store returns the key store.
func (c *Client) Store() keystore.Store { return c.store }

// Address returns this device's address; the zero Address before Register.
func (c *Client) Address() keystore.Address {
	st := c.snapshot()
	return keystore.Address{Name: st.ServiceID, DeviceID: st.DeviceID}
}

// Username returns the account's username, or "" before Register.
func (c *Client) Username() string { return c.snapshot().Username }

// Registered reports whether the key store belongs to an account.
func (c *Client) Registered() bool { return c.snapshot().ServiceID != "" }

// Register creates an account with username on the relay for the identity
// in the key store, stores its state and uploads a signed prekey, a
// last-resort Kyber prekey and PreKeyBatch one-time prekeys of each kind.
// It returns an error matching transport.ErrUsernameTaken when the name is
// in use.
func (c *Client) Register(ctx context.Context, username string) error {
	if c.Registered() {
		return ErrAlreadyRegistered
	}
	var identity curve.KeyPair
	var regID uint32
	err := c.store.View(ctx, func(tx keystore.Tx) error {
		var err error
		if identity, err = tx.IdentityKeyPair(ctx); err != nil {
			return err
		}
		regID, err = tx.LocalRegistrationID(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("client: read identity: %w", err)
	}
	var accessKey [transport.AccessKeySize]byte
	if _, err := io.ReadFull(c.opts.Rand, accessKey[:]); err != nil {
		return fmt.Errorf("client: read randomness for access key: %w", err)
	}
	addr, err := c.tc.Register(ctx, transport.Registration{
		Username:       username,
		IdentityKey:    identity,
		RegistrationID: regID,
		AccessKey:      accessKey,
	})
	if err != nil {
		return err
	}
	err = c.update(ctx, func(tx keystore.Tx, st *state) error {
		st.ServiceID, st.DeviceID, st.Username = addr.Name, addr.DeviceID, username
		st.AccessKey = accessKey[:]
		return nil
	})
	if err != nil {
		return err
	}
	c.sessions.LocalAddress = addr
	return c.uploadInitialPreKeys(ctx)
}

// snapshot returns the current state. Callers must not change it.
func (c *Client) snapshot() *state {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}

// update runs fn on a copy of the state inside one key store transaction,
// stores the result with the transaction and then makes it current.
func (c *Client) update(ctx context.Context, fn func(tx keystore.Tx, st *state) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var next *state
	err := c.store.Update(ctx, func(tx keystore.Tx) error {
		st, err := loadState(ctx, tx)
		if err != nil {
			return err
		}
		if err := fn(tx, st); err != nil {
			return err
		}
		if err := saveState(ctx, tx, st); err != nil {
			return err
		}
		next = st
		return nil
	})
	if err != nil {
		return err
	}
	c.st = next
	return nil
}

// nextTimestamp returns the current time in milliseconds, made larger than
// every timestamp returned before so that it names one message.
func (c *Client) nextTimestamp() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := uint64(c.opts.Now().UnixMilli())
	if ts <= c.lastTimestamp {
		ts = c.lastTimestamp + 1
	}
	c.lastTimestamp = ts
	return ts
}

func (c *Client) emit(ev Event) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(ev)
	}
}

func (c *Client) requireRegistered() (*state, error) {
	st := c.snapshot()
	if st.ServiceID == "" {
		return nil, ErrNotRegistered
	}
	return st, nil
}

func signalRefill(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
