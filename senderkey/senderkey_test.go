package senderkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
)

func TestRoundTrip(t *testing.T) {
	p := newGroupPair(t, 1)
	for i := range 5 {
		text := fmt.Sprintf("message %d", i)
		got, err := p.decrypt(p.encrypt(t, text))
		require.NoError(t, err)
		assert.Equal(t, text, string(got))
	}
}

func TestDistributionMessageFields(t *testing.T) {
	ctx := context.Background()
	store := newStore()
	first, err := NewDistributionMessage(ctx, store, alice, distID, seededRand(2))
	require.NoError(t, err)
	m, err := ParseDistributionMessage(first)
	require.NoError(t, err)
	assert.Equal(t, byte(0x33), first[0])
	assert.Equal(t, distID, m.DistributionID)
	assert.Equal(t, uint32(0), m.Iteration)
	assert.Less(t, m.ChainID, uint32(1)<<31, "chain ID must fit in 31 bits")

	_, err = Encrypt(ctx, store, alice, distID, []byte("x"), nil)
	require.NoError(t, err)
	again, err := NewDistributionMessage(ctx, store, alice, distID, seededRand(3))
	require.NoError(t, err)
	m2, err := ParseDistributionMessage(again)
	require.NoError(t, err)
	assert.Equal(t, m.ChainID, m2.ChainID, "existing chain must be reused")
	assert.True(t, m.SigningKey.Equal(m2.SigningKey))
	assert.Equal(t, uint32(1), m2.Iteration)
	assert.NotEqual(t, m.ChainKey(), m2.ChainKey())
}

func TestEncryptNoState(t *testing.T) {
	_, err := Encrypt(context.Background(), newStore(), alice, distID, []byte("x"), nil)
	assert.ErrorIs(t, err, ErrNoSenderKey)
}

func TestEncryptReceivedChain(t *testing.T) {
	// A chain learned from a distribution message has no private key.
	p := newGroupPair(t, 4)
	_, err := Encrypt(context.Background(), p.receiver, alice, distID, []byte("x"), nil)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrNoSenderKey)
}

func TestDecryptNoState(t *testing.T) {
	p := newGroupPair(t, 5)
	msg := p.encrypt(t, "hello")

	_, err := Decrypt(context.Background(), newStore(), alice, msg)
	assert.ErrorIs(t, err, ErrNoSenderKey, "empty store")

	otherDevice := keystore.Address{Name: alice.Name, DeviceID: 2}
	_, err = Decrypt(context.Background(), p.receiver, otherDevice, msg)
	assert.ErrorIs(t, err, ErrNoSenderKey, "same name, other device")

	other := newGroupPair(t, 6)
	_, err = p.decrypt(other.encrypt(t, "other chain"))
	assert.ErrorIs(t, err, ErrNoSenderKey, "unknown chain ID")
}

func TestDecryptOutOfOrder(t *testing.T) {
	p := newGroupPair(t, 7)
	var msgs [][]byte
	for i := range 6 {
		msgs = append(msgs, p.encrypt(t, fmt.Sprint(i)))
	}
	for _, i := range []int{5, 0, 3, 1, 4, 2} {
		got, err := p.decrypt(msgs[i])
		require.NoError(t, err, "message %d", i)
		assert.Equal(t, fmt.Sprint(i), string(got))
	}
	for i := range msgs {
		_, err := p.decrypt(msgs[i])
		assert.ErrorIs(t, err, ErrDuplicateMessage, "replay of message %d", i)
	}
}

func TestForwardJumpLimit(t *testing.T) {
	p := newGroupPair(t, 8)
	p.skipSending(t, MaxForwardJumps)
	atLimit := p.encrypt(t, "at the limit")
	pastLimit := p.encrypt(t, "past the limit")

	fresh := newStore()
	require.NoError(t, ProcessDistributionMessage(context.Background(), fresh, alice, p.skdm))
	before := storedRecord(t, fresh, alice, distID)
	_, err := Decrypt(context.Background(), fresh, alice, pastLimit)
	require.ErrorIs(t, err, ErrTooFarAhead, "jump of %d", MaxForwardJumps+1)
	assert.Equal(t, before, storedRecord(t, fresh, alice, distID))

	got, err := p.decrypt(atLimit)
	require.NoError(t, err, "jump of exactly %d", MaxForwardJumps)
	assert.Equal(t, "at the limit", string(got))
	got, err = p.decrypt(pastLimit)
	require.NoError(t, err)
	assert.Equal(t, "past the limit", string(got))
}

func TestSkippedKeyWindow(t *testing.T) {
	p := newGroupPair(t, 9)
	msgs := map[int][]byte{0: p.encrypt(t, "0"), 1: p.encrypt(t, "1")}
	p.skipSending(t, MaxSkippedKeys-2)
	msgs[MaxSkippedKeys] = p.encrypt(t, fmt.Sprint(MaxSkippedKeys))
	msgs[MaxSkippedKeys+1] = p.encrypt(t, fmt.Sprint(MaxSkippedKeys+1))

	// Receiving the last message skips MaxSkippedKeys+1 iterations, so the
	// key of iteration 0 falls out of the window.
	_, err := p.decrypt(msgs[MaxSkippedKeys+1])
	require.NoError(t, err)
	rec, err := decodeRecord(storedRecord(t, p.receiver, alice, distID))
	require.NoError(t, err)
	assert.Len(t, rec.states[0].skipped, MaxSkippedKeys)

	_, err = p.decrypt(msgs[0])
	assert.ErrorIs(t, err, ErrDuplicateMessage, "iteration 0 left the window")
	for _, i := range []int{1, MaxSkippedKeys} {
		got, err := p.decrypt(msgs[i])
		require.NoError(t, err, "iteration %d", i)
		assert.Equal(t, fmt.Sprint(i), string(got))
	}
}

func TestStateLimit(t *testing.T) {
	ctx := context.Background()
	receiver := newStore()
	var msgs [][]byte
	for i := range MaxStates + 1 {
		sender := newStore()
		skdm, err := NewDistributionMessage(ctx, sender, alice, distID, seededRand(uint64(100+i)))
		require.NoError(t, err)
		require.NoError(t, ProcessDistributionMessage(ctx, receiver, alice, skdm))
		m, err := Encrypt(ctx, sender, alice, distID, []byte(fmt.Sprint(i)), nil)
		require.NoError(t, err)
		msgs = append(msgs, m)
	}

	rec, err := decodeRecord(storedRecord(t, receiver, alice, distID))
	require.NoError(t, err)
	assert.Len(t, rec.states, MaxStates)

	_, err = Decrypt(ctx, receiver, alice, msgs[0])
	assert.ErrorIs(t, err, ErrNoSenderKey, "oldest chain was dropped")
	for i := 1; i < len(msgs); i++ {
		got, err := Decrypt(ctx, receiver, alice, msgs[i])
		require.NoError(t, err, "chain %d", i)
		assert.Equal(t, fmt.Sprint(i), string(got))
	}
}

func TestProcessIdempotent(t *testing.T) {
	p := newGroupPair(t, 10)
	first := p.encrypt(t, "first")
	_, err := p.decrypt(first)
	require.NoError(t, err)

	before := storedRecord(t, p.receiver, alice, distID)
	require.NoError(t, ProcessDistributionMessage(context.Background(), p.receiver, alice, p.skdm))
	assert.Equal(t, before, storedRecord(t, p.receiver, alice, distID), "same chain must be kept as it is")
	_, err = p.decrypt(first)
	assert.ErrorIs(t, err, ErrDuplicateMessage)
}

func TestProcessMovesChainToFront(t *testing.T) {
	ctx := context.Background()
	receiver := newStore()
	var skdms [][]byte
	for i := range 3 {
		skdm, err := NewDistributionMessage(ctx, newStore(), alice, distID, seededRand(uint64(200+i)))
		require.NoError(t, err)
		require.NoError(t, ProcessDistributionMessage(ctx, receiver, alice, skdm))
		skdms = append(skdms, skdm)
	}
	require.NoError(t, ProcessDistributionMessage(ctx, receiver, alice, skdms[0]))

	rec, err := decodeRecord(storedRecord(t, receiver, alice, distID))
	require.NoError(t, err)
	first, err := ParseDistributionMessage(skdms[0])
	require.NoError(t, err)
	require.Len(t, rec.states, 3)
	assert.Equal(t, first.ChainID, rec.states[0].chainID)
}

func TestProcessNewSigningKeyReplaces(t *testing.T) {
	ctx := context.Background()
	p := newGroupPair(t, 11)
	old := p.encrypt(t, "old key")

	// Same chain ID and chain key, new signing key.
	m, err := ParseDistributionMessage(p.skdm)
	require.NoError(t, err)
	other, err := NewDistributionMessage(ctx, newStore(), alice, distID, seededRand(12))
	require.NoError(t, err)
	o, err := ParseDistributionMessage(other)
	require.NoError(t, err)
	st := &state{version: messageVersion, chainID: m.ChainID, chain: chainKey{key: m.ChainKey()}, signingKey: o.SigningKey}
	replacement, err := newDistributionMessage(distID, st)
	require.NoError(t, err)
	require.NoError(t, ProcessDistributionMessage(ctx, p.receiver, alice, replacement.Bytes()))

	rec, err := decodeRecord(storedRecord(t, p.receiver, alice, distID))
	require.NoError(t, err)
	assert.Len(t, rec.states, 1)
	_, err = p.decrypt(old)
	assert.ErrorIs(t, err, ErrInvalidSignature)
}

func TestTamperedKeepsStore(t *testing.T) {
	p := newGroupPair(t, 13)
	msg := p.encrypt(t, "genuine")
	before := storedRecord(t, p.receiver, alice, distID)

	tests := []struct {
		name  string
		index int
		want  error
	}{
		{"signature", len(msg) - 10, ErrInvalidSignature},
		{"signature sign bit", len(msg) - 1, ErrInvalidSignature},
		{"ciphertext", len(msg) - SignatureSize - 1, ErrInvalidSignature},
		{"distribution id", 5, ErrNoSenderKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(msg)
			if tt.name == "signature sign bit" {
				bad[tt.index] ^= 0x80
			} else {
				bad[tt.index] ^= 0x01
			}
			_, err := p.decrypt(bad)
			assert.ErrorIs(t, err, tt.want)
			assert.Equal(t, before, storedRecord(t, p.receiver, alice, distID))
		})
	}

	got, err := p.decrypt(msg)
	require.NoError(t, err)
	assert.Equal(t, "genuine", string(got))
}

func TestSignedBadCiphertextKeepsStore(t *testing.T) {
	p := newGroupPair(t, 14)
	var priv = func() state {
		var st state
		err := p.sender.View(context.Background(), func(tx keystore.Tx) error {
			rec, err := loadRecord(context.Background(), tx, alice, distID)
			if err == nil {
				st = *rec.states[0]
			}
			return err
		})
		require.NoError(t, err)
		return st
	}()
	bad, err := newMessage(distID, priv.chainID, 0, make([]byte, 16), priv.signingPrivate, nil)
	require.NoError(t, err)
	before := storedRecord(t, p.receiver, alice, distID)
	_, err = p.decrypt(bad.Bytes())
	assert.ErrorIs(t, err, ErrInvalidMessage)
	assert.Equal(t, before, storedRecord(t, p.receiver, alice, distID))

	got, err := p.decrypt(p.encrypt(t, "iteration 0"))
	require.NoError(t, err)
	assert.Equal(t, "iteration 0", string(got))
}

func TestGarbageThenValid(t *testing.T) {
	p := newGroupPair(t, 15)
	msg := p.encrypt(t, "valid")
	before := storedRecord(t, p.receiver, alice, distID)

	r := seededRand(16)
	for n := range 200 {
		garbage := make([]byte, n)
		_, _ = r.Read(garbage)
		if n > 0 {
			garbage[0] = 0x33
		}
		_, err := p.decrypt(garbage)
		require.Error(t, err, "%d garbage bytes", n)
	}
	truncated := [][]byte{msg[:1], msg[:SignatureSize], msg[:len(msg)-1], append(bytes.Clone(msg), 0)}
	for _, b := range truncated {
		_, err := p.decrypt(b)
		require.Error(t, err, "%d bytes", len(b))
	}
	assert.Equal(t, before, storedRecord(t, p.receiver, alice, distID))

	got, err := p.decrypt(msg)
	require.NoError(t, err)
	assert.Equal(t, "valid", string(got))
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy source failed") }

func TestRandError(t *testing.T) {
	ctx := context.Background()
	store := newStore()
	_, err := NewDistributionMessage(ctx, store, alice, distID, failingReader{})
	require.Error(t, err)
	assert.Nil(t, storedRecord(t, store, alice, distID))

	_, err = NewDistributionMessage(ctx, store, alice, distID, nil)
	require.NoError(t, err)
	before := storedRecord(t, store, alice, distID)
	_, err = Encrypt(ctx, store, alice, distID, []byte("x"), failingReader{})
	require.Error(t, err)
	assert.Equal(t, before, storedRecord(t, store, alice, distID))
}

func TestDeterministicWithSeededRand(t *testing.T) {
	ctx := context.Background()
	a, b := newStore(), newStore()
	skdmA, err := NewDistributionMessage(ctx, a, alice, distID, seededRand(17))
	require.NoError(t, err)
	skdmB, err := NewDistributionMessage(ctx, b, alice, distID, seededRand(17))
	require.NoError(t, err)
	assert.Equal(t, skdmA, skdmB)

	msgA, err := Encrypt(ctx, a, alice, distID, []byte("same"), seededRand(18))
	require.NoError(t, err)
	msgB, err := Encrypt(ctx, b, alice, distID, []byte("same"), seededRand(18))
	require.NoError(t, err)
	assert.Equal(t, msgA, msgB)
}

func TestParseMessageErrors(t *testing.T) {
	p := newGroupPair(t, 19)
	msg := p.encrypt(t, "x")
	good, err := ParseMessage(msg)
	require.NoError(t, err)
	assert.Equal(t, uint8(3), good.Version)
	assert.Equal(t, distID, good.DistributionID)
	assert.Equal(t, msg, good.Bytes())

	withVersion := func(v byte) []byte {
		b := bytes.Clone(msg)
		b[0] = v
		return b
	}
	tests := []struct {
		name  string
		input []byte
	}{
		{"empty", nil},
		{"too short", msg[:SignatureSize]},
		{"version 2", withVersion(0x23)},
		{"version 4", withVersion(0x44)},
		{"empty protobuf", append([]byte{0x33}, make([]byte, SignatureSize)...)},
		{"invalid protobuf", append([]byte{0x33, 0xff}, make([]byte, SignatureSize)...)},
		{"short distribution id", append([]byte{0x33, 0x0a, 0x01, 0x00, 0x10, 0x01, 0x18, 0x01, 0x22, 0x00}, make([]byte, SignatureSize)...)},
		{"missing ciphertext", append([]byte{0x33, 0x0a, 0x10}, append(make([]byte, 16), append([]byte{0x10, 0x01, 0x18, 0x01}, make([]byte, SignatureSize)...)...)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMessage(tt.input)
			assert.ErrorIs(t, err, ErrInvalidMessage)
		})
	}

	// libsignal reads only the high nibble of the version byte.
	_, err = ParseMessage(withVersion(0x3f))
	assert.NoError(t, err, "low nibble is ignored")
}

func TestParseDistributionMessageErrors(t *testing.T) {
	p := newGroupPair(t, 20)
	m, err := ParseDistributionMessage(p.skdm)
	require.NoError(t, err)
	assert.Equal(t, p.skdm, m.Bytes())

	valid := func(chainKey, signingKey []byte) []byte {
		b := []byte{0x33, 0x0a, 0x10}
		b = append(b, distID[:]...)
		b = append(b, 0x10, 0x05, 0x18, 0x00, 0x22, byte(len(chainKey)))
		b = append(b, chainKey...)
		b = append(b, 0x2a, byte(len(signingKey)))
		return append(b, signingKey...)
	}
	key := m.SigningKey.Bytes()
	ck := make([]byte, 32)
	_, err = ParseDistributionMessage(valid(ck, key))
	require.NoError(t, err, "hand-built message must parse")

	badType := bytes.Clone(key)
	badType[0] = 0x06
	tests := []struct {
		name  string
		input []byte
	}{
		{"empty", nil},
		{"too short", p.skdm[:64]},
		{"version 4", append([]byte{0x43}, p.skdm[1:]...)},
		{"chain key 31 bytes", valid(ck[:31], key)},
		{"chain key 33 bytes", valid(append(ck, 0), key)},
		{"signing key 32 bytes", valid(ck, key[1:])},
		{"signing key type", valid(ck, badType)},
		// Field 5 replaced by an unknown field 6, so the length check passes.
		{"missing signing key", append(valid(ck, key)[:len(valid(ck, key))-35], 0x32, 0x08, 0, 0, 0, 0, 0, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDistributionMessage(tt.input)
			assert.ErrorIs(t, err, ErrInvalidMessage)
		})
	}
}

func TestFormatUUID(t *testing.T) {
	assert.Equal(t, "d1e2a7c4-0b8f-4c7a-9b1e-1234567890ab", formatUUID(distID))
}

func TestChainExhausted(t *testing.T) {
	last := chainKey{iteration: math.MaxUint32}
	_, err := last.next()
	assert.ErrorIs(t, err, errChainExhausted)

	st := &state{chain: chainKey{iteration: math.MaxUint32 - 1}}
	_, err = st.messageKeyFor(math.MaxUint32)
	assert.ErrorIs(t, err, ErrInvalidMessage)
	assert.Equal(t, uint32(math.MaxUint32-1), st.chain.iteration, "failed step must not move the chain")
}

func TestCorruptRecord(t *testing.T) {
	ctx := context.Background()
	p := newGroupPair(t, 21)
	msg := p.encrypt(t, "x")
	for _, stored := range [][]byte{{0xff}, {0x08, 0x02}, {0x08, 0x01, 0x12, 0x02, 0x20, 0x01}} {
		require.NoError(t, p.receiver.Update(ctx, func(tx keystore.Tx) error {
			return tx.StoreSenderKey(ctx, alice, distID, stored)
		}))
		_, err := p.decrypt(msg)
		assert.Error(t, err, "stored record %x", stored)
		assert.Equal(t, stored, storedRecord(t, p.receiver, alice, distID))
	}
}
