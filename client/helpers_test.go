package client

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/transport"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 15 * time.Second

// testRelay is a transport server with a sender certificate issuer on a
// loopback TLS server.
type testRelay struct {
	server    *transport.Server
	store     *transport.SQLiteStore
	http      *httptest.Server
	trustRoot curve.PublicKey
	dbPath    string
}

func newTestRelay(t testing.TB) *testRelay {
	t.Helper()
	return newTestRelayWith(t, nil)
}

// newTestRelayWith starts a relay whose store is wrap(SQLite store), or the
// SQLite store itself when wrap is nil.
func newTestRelayWith(t testing.TB, wrap func(*transport.SQLiteStore) transport.Store) *testRelay {
	t.Helper()
	root, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	issuer, err := NewCertificateIssuer(nil, root.Private, 1)
	require.NoError(t, err)
	dbPath := filepath.Join(t.TempDir(), "relay.db")
	store, err := transport.OpenSQLite(dbPath)
	require.NoError(t, err)
	var relayStore transport.Store = store
	if wrap != nil {
		relayStore = wrap(store)
	}
	server := transport.NewServer(relayStore, transport.ServerOptions{CertificateIssuer: issuer})
	hs := httptest.NewTLSServer(server)
	t.Cleanup(func() {
		hs.Close()
		server.Close()
		store.Close()
	})
	return &testRelay{server: server, store: store, http: hs, trustRoot: root.Public, dbPath: dbPath}
}

// testClient is a registered client whose events go to a channel.
type testClient struct {
	*Client
	store  keystore.Store
	events chan Event
	cancel context.CancelFunc
	done   chan error
}

func (r *testRelay) transportOptions() transport.ClientOptions {
	return transport.ClientOptions{PinnedCertificate: r.http.Certificate(), MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
}

// newTestClient creates a key store and registers username.
func newTestClient(t testing.TB, r *testRelay, username string, opts Options) *testClient {
	t.Helper()
	identity, regID, err := NewIdentity(nil)
	require.NoError(t, err)
	store := keystore.NewMemoryStore(identity, regID)
	tc := dialTestClient(t, r, store, opts)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	require.NoError(t, tc.Register(ctx, username))
	tc.run()
	return tc
}

// dialTestClient connects a client for store without starting Run.
func dialTestClient(t testing.TB, r *testRelay, store keystore.Store, opts Options) *testClient {
	t.Helper()
	events := make(chan Event, 256)
	if opts.TrustRoots == nil {
		opts.TrustRoots = []curve.PublicKey{r.trustRoot}
	}
	opts.OnEvent = func(ev Event) {
		select {
		case events <- ev:
		default:
			t.Errorf("event channel full, dropped %T", ev)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, err := Dial(ctx, r.http.URL, store, r.transportOptions(), opts)
	require.NoError(t, err)
	tc := &testClient{Client: c, store: store, events: events}
	t.Cleanup(tc.stop)
	return tc
}

func (tc *testClient) run() {
	ctx, cancel := context.WithCancel(context.Background())
	tc.cancel = cancel
	tc.done = make(chan error, 1)
	go func() { tc.done <- tc.Run(ctx) }()
}

// stop ends Run and closes the client; calling it twice is harmless.
func (tc *testClient) stop() {
	if tc.cancel != nil {
		tc.cancel()
		<-tc.done
		tc.cancel = nil
	}
	tc.Close()
}

// next returns the next event of type T for which match returns true,
// skipping other events, or fails the test after testTimeout.
func next[T Event](t testing.TB, tc *testClient, match func(T) bool) T {
	t.Helper()
	deadline := time.After(testTimeout)
	for {
		select {
		case ev := <-tc.events:
			if e, ok := ev.(T); ok && (match == nil || match(e)) {
				return e
			}
			if e, ok := ev.(*DecryptErrorEvent); ok {
				t.Logf("decrypt error event: %v", e.Err)
			}
			if e, ok := ev.(*ErrorEvent); ok {
				t.Logf("error event: %s: %v", e.Op, e.Err)
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T event within %v", zero, testTimeout)
			return zero
		}
	}
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// connect makes a and b contacts: a looks b up and sends a first message,
// which b receives, so both have sessions and b stores a's access key.
func connect(t testing.TB, a, b *testClient) {
	t.Helper()
	ctx := testContext(t)
	_, err := a.Lookup(ctx, b.Username())
	require.NoError(t, err)
	_, err = a.SendText(ctx, b.Address().Name, "hello")
	require.NoError(t, err)
	next(t, b, func(m *MessageEvent) bool { return m.Text == "hello" })
	// Wait for b's delivery receipt, which carries b's access key to a.
	next[*ReceiptEvent](t, a, nil)
}

// linkedDevice is a second device of an account, driven through the
// transport and session packages directly because the client registers
// only first devices.
type linkedDevice struct {
	tc     *transport.Client
	sealed *sealedsender.Cipher
}

func newLinkedDevice(t testing.TB, r *testRelay, owner *testClient) *linkedDevice {
	t.Helper()
	ctx := testContext(t)
	var identity curve.KeyPair
	require.NoError(t, owner.store.View(ctx, func(tx keystore.Tx) error {
		var err error
		identity, err = tx.IdentityKeyPair(ctx)
		return err
	}))
	const regID = 777
	store := keystore.NewMemoryStore(identity, regID)
	tc, err := transport.Dial(ctx, r.http.URL, r.transportOptions())
	require.NoError(t, err)
	t.Cleanup(func() { tc.Close() })
	deviceKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	addr, err := tc.AddDevice(ctx, owner.Address().Name, identity.Private, deviceKey, regID)
	require.NoError(t, err)

	now := time.Now()
	pre, err := session.NewPreKey(nil, 1)
	require.NoError(t, err)
	signed, err := session.NewSignedPreKey(nil, identity, 1, now)
	require.NoError(t, err)
	kyber, err := session.NewKyberPreKey(nil, identity, 1, now, true)
	require.NoError(t, err)
	require.NoError(t, store.Update(ctx, func(tx keystore.Tx) error {
		require.NoError(t, tx.StorePreKey(ctx, pre))
		require.NoError(t, tx.StoreSignedPreKey(ctx, signed))
		return tx.StoreKyberPreKey(ctx, kyber)
	}))
	require.NoError(t, tc.UploadPreKeys(ctx, transport.PreKeys{Signed: &signed, LastResort: &kyber, OneTime: []keystore.PreKey{pre}}))

	sessions := &session.Cipher{Store: store, LocalAddress: addr}
	return &linkedDevice{tc: tc, sealed: &sealedsender.Cipher{Sessions: sessions, Trust: sealedsender.Trust{Roots: []curve.PublicKey{r.trustRoot}}}}
}

// receiveText returns the text of the next envelope, which must be a text
// message.
func (d *linkedDevice) receiveText(t testing.TB) string {
	t.Helper()
	ctx := testContext(t)
	env, err := d.tc.Receive(ctx)
	require.NoError(t, err)
	var plaintext []byte
	switch env.Type {
	case envelopeSealed:
		res, err := d.sealed.Decrypt(ctx, env.Content)
		require.NoError(t, err)
		plaintext = res.Plaintext
	case envelopePreKey, envelopeWhisper:
		typ := session.MessageTypeWhisper
		if env.Type == envelopePreKey {
			typ = session.MessageTypePreKey
		}
		from := keystore.Address{Name: env.SourceServiceID, DeviceID: env.SourceDeviceID}
		plaintext, err = d.sealed.Sessions.Decrypt(ctx, from, typ, env.Content)
		require.NoError(t, err)
	default:
		t.Fatalf("unexpected envelope type %d", env.Type)
	}
	require.NoError(t, d.tc.Ack(ctx, env.ID))
	content, err := decodeContent(plaintext)
	require.NoError(t, err)
	return content.GetData().GetText()
}
