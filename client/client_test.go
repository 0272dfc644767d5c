package client

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/transport"
)

func TestTextBothWays(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	ctx := testContext(t)

	_, err := alice.Lookup(ctx, "bob")
	require.NoError(t, err)
	ts, err := alice.SendText(ctx, bob.Address().Name, "hi bob")
	require.NoError(t, err)

	m := next(t, bob, func(m *MessageEvent) bool { return true })
	assert.Equal(t, "hi bob", m.Text)
	assert.Equal(t, alice.Address().Name, m.Sender.ServiceID)
	assert.Equal(t, uint32(1), m.Sender.DeviceID)
	assert.Equal(t, "alice", m.Sender.Username)
	assert.False(t, m.Sender.Sealed, "first message: alice does not know bob's access key yet")
	assert.Equal(t, ts, m.Timestamp)
	assert.Nil(t, m.Group)

	receipt := next[*ReceiptEvent](t, alice, nil)
	assert.Equal(t, DeliveryReceipt, receipt.Type)
	assert.Equal(t, []uint64{ts}, receipt.Timestamps)
	assert.True(t, receipt.Sender.Sealed, "bob learned alice's access key from her message")

	_, err = bob.SendText(ctx, alice.Address().Name, "hi alice")
	require.NoError(t, err)
	reply := next(t, alice, func(m *MessageEvent) bool { return true })
	assert.Equal(t, "hi alice", reply.Text)
	assert.Equal(t, bob.Address().Name, reply.Sender.ServiceID)
	assert.True(t, reply.Sender.Sealed)

	_, err = alice.SendText(ctx, bob.Address().Name, "sealed now")
	require.NoError(t, err)
	m = next(t, bob, func(m *MessageEvent) bool { return true })
	assert.Equal(t, "sealed now", m.Text)
	assert.True(t, m.Sender.Sealed)
}

func TestSealedSenderDisabled(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{DisableSealedSender: true})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)

	_, err := alice.SendText(ctx, bob.Address().Name, "visible sender")
	require.NoError(t, err)
	m := next(t, bob, func(m *MessageEvent) bool { return m.Text == "visible sender" })
	assert.False(t, m.Sender.Sealed)
}

func TestUntrustedRootRejected(t *testing.T) {
	r := newTestRelay(t)
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{TrustRoots: []curve.PublicKey{other.Public}})
	connect(t, alice, bob)
	ctx := testContext(t)

	// Bob sends with the sender visible because his own certificate does
	// not validate against his root; alice's sealed messages fail for him.
	_, err = bob.SendText(ctx, alice.Address().Name, "from bob")
	require.NoError(t, err)
	m := next(t, alice, func(m *MessageEvent) bool { return m.Text == "from bob" })
	assert.False(t, m.Sender.Sealed)

	_, err = alice.SendText(ctx, bob.Address().Name, "sealed for bob")
	require.NoError(t, err)
	bad := next[*DecryptErrorEvent](t, bob, nil)
	assert.True(t, bad.Sealed)
	assert.Empty(t, bad.ServiceID, "an unvalidated certificate must not name a sender")
}

func TestFile(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)

	data := bytes.Repeat([]byte("secret file contents "), 100)
	_, err := alice.SendFile(ctx, bob.Address().Name, File{Name: "notes.txt", ContentType: "text/plain", Data: data}, "the notes")
	require.NoError(t, err)

	m := next(t, bob, func(m *MessageEvent) bool { return m.Attachment != nil })
	assert.Equal(t, "the notes", m.Text)
	assert.Equal(t, "notes.txt", m.Attachment.FileName)
	assert.Equal(t, "text/plain", m.Attachment.ContentType)
	assert.Equal(t, len(data), m.Attachment.Size)
	got, err := bob.Download(ctx, m.Attachment)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	db, err := os.ReadFile(r.dbPath)
	require.NoError(t, err)
	wal, _ := os.ReadFile(r.dbPath + "-wal")
	for _, plain := range [][]byte{[]byte("secret file contents"), []byte("the notes"), []byte("notes.txt")} {
		assert.False(t, bytes.Contains(db, plain), "relay database contains %q", plain)
		assert.False(t, bytes.Contains(wal, plain), "relay write-ahead log contains %q", plain)
	}
}

func TestGroup(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	carol := newTestClient(t, r, "carol", Options{})
	ctx := testContext(t)
	_, err := alice.Lookup(ctx, "bob")
	require.NoError(t, err)
	_, err = alice.Lookup(ctx, "carol")
	require.NoError(t, err)

	g, err := alice.CreateGroup(ctx, "friends", []string{bob.Address().Name, carol.Address().Name})
	require.NoError(t, err)
	assert.Len(t, g.Members, 3)
	for _, member := range []*testClient{bob, carol} {
		joined := next[*GroupEvent](t, member, nil)
		assert.Equal(t, g.ID, joined.Group.ID)
		assert.Equal(t, "friends", joined.Group.Name)
		assert.Len(t, joined.Group.Members, 3)
	}

	ts, err := alice.SendGroupText(ctx, g.ID, "hello group")
	require.NoError(t, err)
	for _, member := range []*testClient{bob, carol} {
		m := next(t, member, func(m *MessageEvent) bool { return m.Group != nil })
		assert.Equal(t, "hello group", m.Text)
		assert.Equal(t, ts, m.Timestamp)
		assert.Equal(t, g.ID, m.Group.ID)
		assert.Equal(t, alice.Address().Name, m.Sender.ServiceID)
	}

	// Bob replies in the group: his sender key goes to alice and carol
	// first, and carol, who never talked to bob, starts a session.
	_, err = bob.SendGroupText(ctx, g.ID, "hi all")
	require.NoError(t, err)
	for _, member := range []*testClient{alice, carol} {
		m := next(t, member, func(m *MessageEvent) bool { return m.Text == "hi all" })
		require.NotNil(t, m.Group)
		assert.Equal(t, "friends", m.Group.Name)
		assert.Equal(t, bob.Address().Name, m.Sender.ServiceID)
	}

	data := []byte("group file")
	_, err = carol.SendGroupFile(ctx, g.ID, File{Name: "g.txt", Data: data}, "")
	require.NoError(t, err)
	m := next(t, alice, func(m *MessageEvent) bool { return m.Attachment != nil })
	got, err := alice.Download(ctx, m.Attachment)
	require.NoError(t, err)
	assert.Equal(t, data, got)
}

func TestGroupRejectsNonMember(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	ctx := testContext(t)
	connect(t, alice, bob)

	_, err := bob.SendGroupText(ctx, GroupID{1}, "nope")
	assert.ErrorIs(t, err, ErrUnknownGroup)
}

func TestReceiptsAndTyping(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)

	ts, err := alice.SendText(ctx, bob.Address().Name, "read me")
	require.NoError(t, err)
	next(t, bob, func(m *MessageEvent) bool { return m.Text == "read me" })
	delivered := next(t, alice, func(r *ReceiptEvent) bool { return r.Type == DeliveryReceipt })
	assert.Equal(t, []uint64{ts}, delivered.Timestamps)

	require.NoError(t, bob.SendReceipt(ctx, alice.Address().Name, ReadReceipt, []uint64{ts}))
	read := next(t, alice, func(r *ReceiptEvent) bool { return r.Type == ReadReceipt })
	assert.Equal(t, []uint64{ts}, read.Timestamps)
	assert.Equal(t, bob.Address().Name, read.Sender.ServiceID)

	require.NoError(t, bob.SendTyping(ctx, alice.Address().Name, true))
	typing := next[*TypingEvent](t, alice, nil)
	assert.True(t, typing.Started)
	assert.Nil(t, typing.Group)
}

func TestIdentityChangeOnReceive(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	ctx := testContext(t)

	// Alice remembers an older key for bob, as after bob reinstalled.
	old, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	bobAddr := keystore.Address{Name: bob.Address().Name, DeviceID: 1}
	require.NoError(t, alice.store.Update(ctx, func(tx keystore.Tx) error {
		_, err := tx.SaveIdentity(ctx, bobAddr, old.Public)
		return err
	}))

	_, err = bob.Lookup(ctx, "alice")
	require.NoError(t, err)
	_, err = bob.SendText(ctx, alice.Address().Name, "new phone")
	require.NoError(t, err)

	change := next[*IdentityChangeEvent](t, alice, nil)
	assert.Equal(t, bobAddr.Name, change.ServiceID)
	assert.True(t, change.OldKey.Equal(old.Public))
	bobKey := identityOf(t, bob)
	assert.True(t, change.NewKey.Equal(bobKey))
	assert.False(t, change.WasVerified)
	m := next(t, alice, func(m *MessageEvent) bool { return true })
	assert.Equal(t, "new phone", m.Text)
	assert.True(t, m.Sender.IdentityKey.Equal(bobKey))
}

func TestIdentityChangeBlocksVerified(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)
	bobID := bob.Address().Name

	require.NoError(t, alice.MarkVerified(ctx, bobID))
	ct, ok := alice.Contact(bobID)
	require.True(t, ok)
	assert.True(t, ct.Verified)

	// The stored key changes under the session, as when a relay hands out
	// a substituted bundle: sending must stop.
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	require.NoError(t, alice.store.Update(ctx, func(tx keystore.Tx) error {
		_, err := tx.SaveIdentity(ctx, keystore.Address{Name: bobID, DeviceID: 1}, other.Public)
		return err
	}))
	_, err = alice.SendText(ctx, bobID, "blocked")
	var changed *IdentityChangedError
	require.ErrorAs(t, err, &changed)
	assert.Equal(t, bobID, changed.ServiceID)

	require.NoError(t, alice.TrustIdentity(ctx, bobID, changed.NewKey))
	ct, _ = alice.Contact(bobID)
	assert.False(t, ct.Verified)
	_, err = alice.SendText(ctx, bobID, "accepted")
	require.NoError(t, err)
	m := next(t, bob, func(m *MessageEvent) bool { return m.Text == "accepted" })
	assert.Equal(t, alice.Address().Name, m.Sender.ServiceID)
}

func TestSafetyNumber(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)

	fa, err := alice.SafetyNumber(ctx, bob.Address().Name)
	require.NoError(t, err)
	fb, err := bob.SafetyNumber(ctx, alice.Address().Name)
	require.NoError(t, err)
	assert.Equal(t, fa.DisplayString(), fb.DisplayString())
	assert.Len(t, fa.DisplayString(), 60)
	ok, err := fa.Compare(fb.Scannable())
	require.NoError(t, err)
	assert.True(t, ok)

	carol := newTestClient(t, r, "carol", Options{})
	_, err = carol.SafetyNumber(ctx, alice.Address().Name)
	assert.Error(t, err, "no identity key known before any message")
}

func TestOfflineDelivery(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)
	bobID := bob.Address().Name

	bob.stop()
	for _, text := range []string{"one", "two", "three"} {
		_, err := alice.SendText(ctx, bobID, text)
		require.NoError(t, err)
	}

	again := dialTestClient(t, r, bob.store, Options{})
	assert.True(t, again.Registered())
	assert.Equal(t, bobID, again.Address().Name)
	assert.Equal(t, "bob", again.Username())
	again.run()
	for _, text := range []string{"one", "two", "three"} {
		m := next(t, again, func(m *MessageEvent) bool { return true })
		assert.Equal(t, text, m.Text)
	}
}

func TestPreKeyRefill(t *testing.T) {
	r := newTestRelay(t)
	bob := newTestClient(t, r, "bob", Options{PreKeyBatch: 8})
	ctx := testContext(t)
	count, err := bob.Transport().PreKeyCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, transport.PreKeyCount{EC: 8, Kyber: 8}, count)

	// Other devices take bundles until fewer than a quarter are left.
	alice := newTestClient(t, r, "alice", Options{})
	for range 7 {
		_, err := alice.Transport().FetchBundles(ctx, bob.Address().Name)
		require.NoError(t, err)
	}
	bob.RefillPreKeys()
	require.Eventually(t, func() bool {
		count, err := bob.Transport().PreKeyCount(ctx)
		return err == nil && count.EC == 8 && count.Kyber == 8
	}, testTimeout, 20*time.Millisecond)
}

func TestMismatchedDevices(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)
	bobID := bob.Address().Name

	// Bob links a second device, which shares his identity key.
	second := newLinkedDevice(t, r, bob)
	_, err := alice.SendText(ctx, bobID, "to both")
	require.NoError(t, err)

	m := next(t, bob, func(m *MessageEvent) bool { return m.Text == "to both" })
	assert.Equal(t, alice.Address().Name, m.Sender.ServiceID)
	got := second.receiveText(t)
	assert.Equal(t, "to both", got)
	ct, _ := alice.Contact(bobID)
	assert.Equal(t, []uint32{1, 2}, ct.Devices)
}

func identityOf(t *testing.T, c *testClient) curve.PublicKey {
	t.Helper()
	var key curve.PublicKey
	require.NoError(t, c.store.View(context.Background(), func(tx keystore.Tx) error {
		kp, err := tx.IdentityKeyPair(context.Background())
		key = kp.Public
		return err
	}))
	return key
}

func TestPinnedTLSConfig(t *testing.T) {
	r := newTestRelay(t)
	ctx := testContext(t)
	cfg, err := PinnedTLSConfig(CertificateSHA256(r.http.Certificate()))
	require.NoError(t, err)
	tc, err := transport.Dial(ctx, r.http.URL, transport.ClientOptions{TLSConfig: cfg})
	require.NoError(t, err)
	tc.Close()

	cfg, err = PinnedTLSConfig(strings.Repeat("00", 32))
	require.NoError(t, err)
	_, err = transport.Dial(ctx, r.http.URL, transport.ClientOptions{TLSConfig: cfg, DisableReconnect: true})
	assert.Error(t, err)

	_, err = PinnedTLSConfig("abc")
	assert.Error(t, err)
}

func TestUsernameClaimChecked(t *testing.T) {
	r := newTestRelay(t)
	newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	mallory := newTestClient(t, r, "mallory", Options{})
	ctx := testContext(t)

	// Mallory's messages claim to come from "alice".
	require.NoError(t, mallory.update(ctx, func(_ keystore.Tx, st *state) error {
		st.Username = "alice"
		return nil
	}))
	_, err := mallory.Lookup(ctx, "bob")
	require.NoError(t, err)
	_, err = mallory.SendText(ctx, bob.Address().Name, "it's alice, really")
	require.NoError(t, err)

	m := next(t, bob, func(m *MessageEvent) bool { return true })
	assert.Equal(t, mallory.Address().Name, m.Sender.ServiceID)
	assert.Empty(t, m.Sender.Username, "a username the relay does not confirm must not be shown")
	_, ok := bob.ContactByUsername("alice")
	assert.False(t, ok)
}

func TestSignedPreKeyRotation(t *testing.T) {
	r := newTestRelay(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	bob := newTestClient(t, r, "bob", Options{Now: clock, PreKeyRotation: 48 * time.Hour})
	alice := newTestClient(t, r, "alice", Options{})
	ctx := testContext(t)

	bundles, err := alice.Transport().FetchBundles(ctx, bob.Address().Name)
	require.NoError(t, err)
	require.Len(t, bundles, 1)
	assert.Equal(t, uint32(1), bundles[0].SignedPreKeyID)

	mu.Lock()
	now = now.Add(49 * time.Hour)
	mu.Unlock()
	bob.RefillPreKeys()
	require.Eventually(t, func() bool {
		bundles, err := alice.Transport().FetchBundles(ctx, bob.Address().Name)
		return err == nil && len(bundles) == 1 && bundles[0].SignedPreKeyID == 2
	}, testTimeout, 20*time.Millisecond)

	// A session started from the new keys works.
	_, err = alice.Lookup(ctx, "bob")
	require.NoError(t, err)
	_, err = alice.SendText(ctx, bob.Address().Name, "after rotation")
	require.NoError(t, err)
	next(t, bob, func(m *MessageEvent) bool { return m.Text == "after rotation" })
}
