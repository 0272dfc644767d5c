package client

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
)

// Rotation keeps the current and the previous signed and last-resort
// prekeys and deletes older ones.
func TestRotationDeletesOldPreKeys(t *testing.T) {
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

	for want := uint32(2); want <= 4; want++ {
		mu.Lock()
		now = now.Add(49 * time.Hour)
		mu.Unlock()
		bob.RefillPreKeys()
		require.Eventually(t, func() bool {
			bundles, err := alice.Transport().FetchBundles(ctx, bob.Address().Name)
			return err == nil && len(bundles) == 1 && bundles[0].SignedPreKeyID == want
		}, testTimeout, 20*time.Millisecond)
	}

	require.NoError(t, bob.Store().View(ctx, func(tx keystore.Tx) error {
		for id := uint32(1); id <= 2; id++ {
			_, err := tx.SignedPreKey(ctx, id)
			assert.ErrorIs(t, err, keystore.ErrNotFound, "signed prekey %d", id)
		}
		for id := uint32(3); id <= 4; id++ {
			_, err := tx.SignedPreKey(ctx, id)
			assert.NoError(t, err, "signed prekey %d", id)
		}
		return nil
	}))

	// A session started from the newest keys still works.
	_, err := alice.Lookup(ctx, "bob")
	require.NoError(t, err)
	_, err = alice.SendText(ctx, bob.Address().Name, "after three rotations")
	require.NoError(t, err)
	next(t, bob, func(m *MessageEvent) bool { return m.Text == "after three rotations" })
}
