package senderkey

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
)

// FuzzParseMessage parses arbitrary bytes. ParseMessage must not panic, and
// an accepted message must keep its bytes and have a 16-byte distribution ID
// inside them.
func FuzzParseMessage(f *testing.F) {
	p := newGroupPair(f, 30)
	f.Add(p.encrypt(f, "seed"))
	f.Add(p.encrypt(f, ""))
	f.Add([]byte{0x33})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidMessage)
			return
		}
		require.Equal(t, b, m.Bytes())
		require.Equal(t, uint8(messageVersion), m.Version)
		require.True(t, bytes.Contains(b, m.DistributionID[:]))
	})
}

// FuzzParseDistributionMessage parses arbitrary bytes. An accepted message
// must re-encode to a message that parses to the same fields.
func FuzzParseDistributionMessage(f *testing.F) {
	p := newGroupPair(f, 31)
	f.Add(p.skdm)
	f.Add([]byte{0x33})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseDistributionMessage(b)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidMessage)
			return
		}
		require.Equal(t, b, m.Bytes())
		st := &state{chainID: m.ChainID, chain: chainKey{iteration: m.Iteration, key: m.ChainKey()}, signingKey: m.SigningKey}
		again, err := newDistributionMessage(m.DistributionID, st)
		require.NoError(t, err)
		m2, err := ParseDistributionMessage(again.Bytes())
		require.NoError(t, err)
		require.Equal(t, m.DistributionID, m2.DistributionID)
		require.Equal(t, m.ChainID, m2.ChainID)
		require.Equal(t, m.Iteration, m2.Iteration)
		require.Equal(t, m.ChainKey(), m2.ChainKey())
		require.True(t, m.SigningKey.Equal(m2.SigningKey))
	})
}

// FuzzDecrypt decrypts arbitrary bytes against a receiver that holds one
// chain. Decrypt must not panic, and a failure must leave the stored record
// as it was. Forging a valid signature is out of reach, so every input
// except the seeded genuine messages fails.
func FuzzDecrypt(f *testing.F) {
	p := newGroupPair(f, 32)
	genuine := p.encrypt(f, "genuine")
	f.Add(genuine)
	f.Add(p.encrypt(f, "second"))
	f.Add(genuine[:len(genuine)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		before := storedRecord(t, p.receiver, alice, distID)
		got, err := p.decrypt(b)
		if err != nil {
			require.Equal(t, before, storedRecord(t, p.receiver, alice, distID))
			return
		}
		require.NotNil(t, got)
		// A success is a genuine message: reset the receiver so it can be
		// seen again.
		require.NoError(t, p.receiver.Update(context.Background(), func(tx keystore.Tx) error {
			return tx.StoreSenderKey(context.Background(), alice, distID, before)
		}))
	})
}
