package client

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/transport"
)

// staleCountingStore counts the sends that the relay rejects as stale.
type staleCountingStore struct {
	*transport.SQLiteStore
	stale atomic.Int32
}

func (s *staleCountingStore) Enqueue(ctx context.Context, r transport.EnqueueRequest) (transport.EnqueueResult, error) {
	res, err := s.SQLiteStore.Enqueue(ctx, r)
	if errors.Is(err, transport.ErrStaleDevices) {
		s.stale.Add(1)
	}
	return res, err
}

// reinstallLinkedDevice registers device deviceID of owner's account again
// with a new device key, a new registration id and new prekeys, as a
// reinstalled linked device would.
func reinstallLinkedDevice(t testing.TB, r *testRelay, owner *testClient, deviceID, regID uint32) *linkedDevice {
	t.Helper()
	ctx := testContext(t)
	var identity curve.KeyPair
	require.NoError(t, owner.store.View(ctx, func(tx keystore.Tx) error {
		var err error
		identity, err = tx.IdentityKeyPair(ctx)
		return err
	}))
	store := keystore.NewMemoryStore(identity, regID)
	tc, err := transport.Dial(ctx, r.http.URL, r.transportOptions())
	require.NoError(t, err)
	t.Cleanup(func() { tc.Close() })
	deviceKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	addr, err := tc.ReregisterDevice(ctx, owner.Address().Name, deviceID, identity.Private, deviceKey, regID)
	require.NoError(t, err)

	now := time.Now()
	pre, err := session.NewPreKey(nil, 50)
	require.NoError(t, err)
	signed, err := session.NewSignedPreKey(nil, identity, 50, now)
	require.NoError(t, err)
	kyber, err := session.NewKyberPreKey(nil, identity, 50, now, true)
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

// TestSendRetriesStaleDevice has a linked device of the recipient register
// again between two sends. The second send is rejected as stale once, and
// the client fetches the new bundle and sends again without the caller
// seeing an error.
func TestSendRetriesStaleDevice(t *testing.T) {
	var counter *staleCountingStore
	r := newTestRelayWith(t, func(s *transport.SQLiteStore) transport.Store {
		counter = &staleCountingStore{SQLiteStore: s}
		return counter
	})
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	old := newLinkedDevice(t, r, bob)
	connect(t, alice, bob)
	assert.Equal(t, "hello", old.receiveText(t))
	require.Equal(t, int32(0), counter.stale.Load())

	old.tc.Close()
	reinstalled := reinstallLinkedDevice(t, r, bob, 2, 778)

	ctx := testContext(t)
	_, err := alice.SendText(ctx, bob.Address().Name, "after reinstall")
	require.NoError(t, err)
	assert.Equal(t, int32(1), counter.stale.Load(), "the relay must reject the first attempt as stale")
	next(t, bob, func(m *MessageEvent) bool { return m.Text == "after reinstall" })
	assert.Equal(t, "after reinstall", reinstalled.receiveText(t))
}
