package client

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore/sqlstore"
)

func TestSimultaneousFirstMessages(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	ctx := testContext(t)
	_, err := alice.Lookup(ctx, "bob")
	require.NoError(t, err)
	_, err = bob.Lookup(ctx, "alice")
	require.NoError(t, err)

	// Both start a session at once; the session records converge.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = alice.SendText(ctx, bob.Address().Name, "from alice") })
	wg.Go(func() { _, errs[1] = bob.SendText(ctx, alice.Address().Name, "from bob") })
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	next(t, bob, func(m *MessageEvent) bool { return m.Text == "from alice" })
	next(t, alice, func(m *MessageEvent) bool { return m.Text == "from bob" })

	for i := range 3 {
		_, err := alice.SendText(ctx, bob.Address().Name, fmt.Sprint("a", i))
		require.NoError(t, err)
		_, err = bob.SendText(ctx, alice.Address().Name, fmt.Sprint("b", i))
		require.NoError(t, err)
		next(t, bob, func(m *MessageEvent) bool { return m.Text == fmt.Sprint("a", i) })
		next(t, alice, func(m *MessageEvent) bool { return m.Text == fmt.Sprint("b", i) })
	}
}

func TestManyMessagesInOrder(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{DisableDeliveryReceipts: true})
	connectNoReceipt(t, alice, bob)
	ctx := testContext(t)

	// More than the relay's delivery window of 32, while bob is offline.
	bob.stop()
	const n = 50
	for i := range n {
		_, err := alice.SendText(ctx, bob.Address().Name, fmt.Sprint("message ", i))
		require.NoError(t, err)
	}
	again := dialTestClient(t, r, bob.store, Options{DisableDeliveryReceipts: true})
	again.run()
	for i := range n {
		m := next(t, again, func(m *MessageEvent) bool { return true })
		require.Equal(t, fmt.Sprint("message ", i), m.Text)
	}
}

// connectNoReceipt is connect for a b that sends no delivery receipts.
func connectNoReceipt(t *testing.T, a, b *testClient) {
	t.Helper()
	ctx := testContext(t)
	_, err := a.Lookup(ctx, b.Username())
	require.NoError(t, err)
	_, err = a.SendText(ctx, b.Address().Name, "hello")
	require.NoError(t, err)
	next(t, b, func(m *MessageEvent) bool { return m.Text == "hello" })
}

func TestSQLStorePersistence(t *testing.T) {
	r := newTestRelay(t)
	alice := newTestClient(t, r, "alice", Options{})
	ctx := testContext(t)

	path := filepath.Join(t.TempDir(), "bob.db")
	opts := sqlstore.Options{Passphrase: []byte("test passphrase"), Argon2: &sqlstore.Argon2Params{Time: 1, Memory: 1024, Threads: 1}}
	identity, regID, err := NewIdentity(nil)
	require.NoError(t, err)
	store, err := sqlstore.Create(path, identity, regID, opts)
	require.NoError(t, err)
	bob := dialTestClient(t, r, store, Options{})
	require.NoError(t, bob.Register(ctx, "bob"))
	bob.run()
	connect(t, alice, bob)
	bobID := bob.Address().Name
	bob.stop()
	require.NoError(t, store.Close())

	_, err = alice.SendText(ctx, bobID, "while bob was away")
	require.NoError(t, err)

	store, err = sqlstore.Open(path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	again := dialTestClient(t, r, store, Options{})
	assert.Equal(t, bobID, again.Address().Name)
	ct, ok := again.ContactByUsername("alice")
	require.True(t, ok, "contacts survive a restart")
	assert.Equal(t, alice.Address().Name, ct.ServiceID)
	again.run()
	m := next(t, again, func(m *MessageEvent) bool { return true })
	assert.Equal(t, "while bob was away", m.Text)
	assert.True(t, m.Sender.Sealed)
}
