package senderkey

import (
	"context"
	mrand "math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
)

var (
	alice  = keystore.Address{Name: "3f1b9a52-0c6e-4d2a-8f7b-5e9c1d2a4b6f", DeviceID: 1}
	bob    = keystore.Address{Name: "a7c3e1f9-2b4d-4e6a-9c8b-1f3e5d7a9b0c", DeviceID: 1}
	distID = [16]byte{0xd1, 0xe2, 0xa7, 0xc4, 0x0b, 0x8f, 0x4c, 0x7a, 0x9b, 0x1e, 0x12, 0x34, 0x56, 0x78, 0x90, 0xab}
)

func newStore() *keystore.MemoryStore {
	return keystore.NewMemoryStore(curve.KeyPair{}, 1)
}

// seededRand returns a deterministic randomness source for tests.
func seededRand(seed uint64) *mrand.ChaCha8 {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return mrand.NewChaCha8(s)
}

// storedRecord returns the raw record of (sender, id), nil if none.
func storedRecord(t testing.TB, store keystore.Store, sender keystore.Address, id [16]byte) []byte {
	t.Helper()
	var out []byte
	err := store.View(context.Background(), func(tx keystore.Tx) error {
		var err error
		out, err = tx.SenderKey(context.Background(), sender, id)
		return err
	})
	require.NoError(t, err)
	return out
}

// groupPair is a sender store with its own chain and a receiver store that
// has processed the sender's distribution message.
type groupPair struct {
	sender, receiver *keystore.MemoryStore
	skdm             []byte
}

func newGroupPair(t testing.TB, seed uint64) *groupPair {
	t.Helper()
	ctx := context.Background()
	p := &groupPair{sender: newStore(), receiver: newStore()}
	var err error
	p.skdm, err = NewDistributionMessage(ctx, p.sender, alice, distID, seededRand(seed))
	require.NoError(t, err)
	require.NoError(t, ProcessDistributionMessage(ctx, p.receiver, alice, p.skdm))
	return p
}

func (p *groupPair) encrypt(t testing.TB, plaintext string) []byte {
	t.Helper()
	m, err := Encrypt(context.Background(), p.sender, alice, distID, []byte(plaintext), nil)
	require.NoError(t, err)
	return m
}

func (p *groupPair) decrypt(message []byte) ([]byte, error) {
	return Decrypt(context.Background(), p.receiver, alice, message)
}

// skipSending advances the sender's own chain by n iterations without
// producing messages, as if n messages had been sent to others.
func (p *groupPair) skipSending(t testing.TB, n int) {
	t.Helper()
	err := p.sender.Update(context.Background(), func(tx keystore.Tx) error {
		rec, err := loadRecord(context.Background(), tx, alice, distID)
		if err != nil {
			return err
		}
		st := rec.states[0]
		for range n {
			if st.chain, err = st.chain.next(); err != nil {
				return err
			}
		}
		return storeRecord(context.Background(), tx, alice, distID, rec)
	})
	require.NoError(t, err)
}
