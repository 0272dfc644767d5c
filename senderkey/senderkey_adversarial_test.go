package senderkey_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/senderkey"
)

var advCtx = context.Background()

func advStore(t *testing.T) *keystore.MemoryStore {
	t.Helper()
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	return keystore.NewMemoryStore(id, 1)
}

func advRecord(t *testing.T, st keystore.Store, sender keystore.Address, dist [16]byte) []byte {
	t.Helper()
	var rec []byte
	require.NoError(t, st.View(advCtx, func(tx keystore.Tx) error {
		var err error
		rec, err = tx.SenderKey(advCtx, sender, dist)
		return err
	}))
	return rec
}

// advMessage builds a SenderKeyMessage by hand and signs it with key.
func advMessage(t *testing.T, key curve.PrivateKey, dist [16]byte, chainID, iteration uint32, body []byte) []byte {
	t.Helper()
	b := []byte{0x33}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, dist[:])
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(chainID))
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(iteration))
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, body)
	sig, err := key.Sign(nil, b)
	require.NoError(t, err)
	return append(b, sig...)
}

func TestAdversarialSenderKeyForgedByMember(t *testing.T) {
	alice := keystore.Address{Name: "alice", DeviceID: 1}
	carol := keystore.Address{Name: "carol", DeviceID: 1}
	aliceStore, bobStore := advStore(t), advStore(t)
	dist := [16]byte{1, 2, 3}

	skdm, err := senderkey.NewDistributionMessage(advCtx, aliceStore, alice, dist, nil)
	require.NoError(t, err)
	require.NoError(t, senderkey.ProcessDistributionMessage(advCtx, bobStore, alice, skdm))
	parsed, err := senderkey.ParseDistributionMessage(skdm)
	require.NoError(t, err)

	// Carol, another member, knows Alice's chain ID and chain key (she got
	// the same distribution message) but not Alice's signing key.
	carolKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	real, err := senderkey.Encrypt(advCtx, aliceStore, alice, dist, []byte("genuine"), nil)
	require.NoError(t, err)
	m, err := senderkey.ParseMessage(real)
	require.NoError(t, err)
	forged := advMessage(t, carolKey.Private, dist, parsed.ChainID, m.Iteration, m.Ciphertext)

	before := advRecord(t, bobStore, alice, dist)
	_, err = senderkey.Decrypt(advCtx, bobStore, alice, forged)
	require.ErrorIs(t, err, senderkey.ErrInvalidSignature)
	assert.Equal(t, before, advRecord(t, bobStore, alice, dist))

	// Far ahead, forged: still rejected before the chain moves.
	forged = advMessage(t, carolKey.Private, dist, parsed.ChainID, 20000, m.Ciphertext)
	_, err = senderkey.Decrypt(advCtx, bobStore, alice, forged)
	require.ErrorIs(t, err, senderkey.ErrInvalidSignature)
	assert.Equal(t, before, advRecord(t, bobStore, alice, dist))

	// Alice's message, presented as Carol's, has no chain.
	_, err = senderkey.Decrypt(advCtx, bobStore, carol, real)
	require.ErrorIs(t, err, senderkey.ErrNoSenderKey)

	pt, err := senderkey.Decrypt(advCtx, bobStore, alice, real)
	require.NoError(t, err)
	assert.Equal(t, "genuine", string(pt))
}

func TestAdversarialSenderKeyEdges(t *testing.T) {
	alice := keystore.Address{Name: "alice", DeviceID: 1}
	aliceStore, bobStore := advStore(t), advStore(t)
	dist := [16]byte{9}
	skdm, err := senderkey.NewDistributionMessage(advCtx, aliceStore, alice, dist, nil)
	require.NoError(t, err)
	require.NoError(t, senderkey.ProcessDistributionMessage(advCtx, bobStore, alice, skdm))

	for _, n := range []int{0, 1, 16, 1 << 16} {
		pt := bytes.Repeat([]byte{7}, n)
		ct, err := senderkey.Encrypt(advCtx, aliceStore, alice, dist, pt, nil)
		require.NoError(t, err)
		got, err := senderkey.Decrypt(advCtx, bobStore, alice, ct)
		require.NoError(t, err, "size %d", n)
		assert.True(t, bytes.Equal(pt, got))

		before := advRecord(t, bobStore, alice, dist)
		_, err = senderkey.Decrypt(advCtx, bobStore, alice, ct)
		require.ErrorIs(t, err, senderkey.ErrDuplicateMessage)
		assert.Equal(t, before, advRecord(t, bobStore, alice, dist))
	}

	// Bit flips anywhere leave the record unchanged.
	ct, err := senderkey.Encrypt(advCtx, aliceStore, alice, dist, []byte("flip"), nil)
	require.NoError(t, err)
	before := advRecord(t, bobStore, alice, dist)
	for i := range ct {
		b := append([]byte(nil), ct...)
		b[i] ^= 0x01
		_, err := senderkey.Decrypt(advCtx, bobStore, alice, b)
		require.Error(t, err, "byte %d", i)
		require.Equal(t, before, advRecord(t, bobStore, alice, dist), "byte %d", i)
	}
	pt, err := senderkey.Decrypt(advCtx, bobStore, alice, ct)
	require.NoError(t, err)
	assert.Equal(t, "flip", string(pt))
}

func TestAdversarialSenderKeyReplacedSigningKey(t *testing.T) {
	alice := keystore.Address{Name: "alice", DeviceID: 1}
	aliceStore, bobStore := advStore(t), advStore(t)
	dist := [16]byte{5}
	skdm, err := senderkey.NewDistributionMessage(advCtx, aliceStore, alice, dist, nil)
	require.NoError(t, err)
	require.NoError(t, senderkey.ProcessDistributionMessage(advCtx, bobStore, alice, skdm))
	d, err := senderkey.ParseDistributionMessage(skdm)
	require.NoError(t, err)

	// A distribution message for the same chain ID with another signing
	// key, built by hand. As documented (and as in libsignal), it replaces
	// the chain, so Alice's real messages then fail the signature check.
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	ck := d.ChainKey()
	b := []byte{0x33}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, dist[:])
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(d.ChainID))
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, 0)
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, ck[:])
	b = protowire.AppendTag(b, 5, protowire.BytesType)
	b = protowire.AppendBytes(b, other.Public.Bytes())
	require.NoError(t, senderkey.ProcessDistributionMessage(advCtx, bobStore, alice, b))

	real, err := senderkey.Encrypt(advCtx, aliceStore, alice, dist, []byte("x"), nil)
	require.NoError(t, err)
	_, err = senderkey.Decrypt(advCtx, bobStore, alice, real)
	require.ErrorIs(t, err, senderkey.ErrInvalidSignature)

	// Re-processing the genuine one restores it.
	require.NoError(t, senderkey.ProcessDistributionMessage(advCtx, bobStore, alice, skdm))
	pt, err := senderkey.Decrypt(advCtx, bobStore, alice, real)
	require.NoError(t, err)
	assert.Equal(t, "x", string(pt))
}

func TestAdversarialSenderKeyMaxIteration(t *testing.T) {
	alice := keystore.Address{Name: "alice", DeviceID: 1}
	bobStore := advStore(t)
	dist := [16]byte{6}
	signer, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	b := []byte{0x33}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, dist[:])
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, 77)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, 0xFFFFFFFF)
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, make([]byte, 32))
	b = protowire.AppendTag(b, 5, protowire.BytesType)
	b = protowire.AppendBytes(b, signer.Public.Bytes())
	require.NoError(t, senderkey.ProcessDistributionMessage(advCtx, bobStore, alice, b))

	before := advRecord(t, bobStore, alice, dist)
	for _, it := range []uint32{0, 1, 0xFFFFFFFE, 0xFFFFFFFF} {
		msg := advMessage(t, signer.Private, dist, 77, it, make([]byte, 16))
		_, err := senderkey.Decrypt(advCtx, bobStore, alice, msg)
		require.Error(t, err, "iteration %d", it)
		assert.Equal(t, before, advRecord(t, bobStore, alice, dist))
	}
}
