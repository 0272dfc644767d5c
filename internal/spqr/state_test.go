package spqr_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/spqr"
)

var testAuthKey = [32]byte(bytes.Repeat([]byte{0x29}, 32))

func newPair() (alice, bob *spqr.State) {
	return spqr.NewState(testAuthKey, spqr.AliceToBob), spqr.NewState(testAuthKey, spqr.BobToAlice)
}

type sent struct {
	msg []byte
	key [32]byte
}

func sendN(t testing.TB, s *spqr.State, n int) []sent {
	t.Helper()
	out := make([]sent, n)
	for i := range out {
		msg, key, err := s.Send(nil)
		require.NoError(t, err)
		out[i] = sent{msg, key}
	}
	return out
}

func marshal(t testing.TB, s *spqr.State) []byte {
	t.Helper()
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	return b
}

func TestStateSendFormat(t *testing.T) {
	alice, bob := newPair()
	var first []byte
	for i := 1; i <= 130; i++ {
		msg, _, err := alice.Send(nil)
		require.NoError(t, err)
		m, err := spqr.ParseMessage(msg)
		require.NoError(t, err)
		// Without replies Alice keeps sending header chunks, parity after
		// the first three.
		want := spqr.Message{Epoch: 1, Index: uint32(i), Type: spqr.TypeHdr, ChunkIndex: uint16(i - 1), Chunk: m.Chunk}
		require.Equal(t, want, m, "message %d", i)
		if i == 1 {
			first = msg
		}
	}
	assert.Equal(t, []byte{0x01, 0x01, 0x01, 0x01, 0x00}, first[:5])
	assert.Equal(t, uint64(1), alice.Epoch())

	// Before the header is complete Bob sends type None.
	msg, _, err := bob.Send(nil)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x01, 0x01, 0x01, 0x00}, msg)
}

func TestStateConversationReordered(t *testing.T) {
	alice, bob := newPair()
	rng := rand.New(rand.NewPCG(1, 2))

	for round := range 20 {
		for _, pair := range []struct {
			name     string
			from, to *spqr.State
		}{{"alice to bob", alice, bob}, {"bob to alice", bob, alice}} {
			batch := sendN(t, pair.from, 1+rng.IntN(60))
			rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			for i, m := range batch {
				key, err := pair.to.Receive(m.msg)
				require.NoError(t, err, "%s, round %d, message %d", pair.name, round, i)
				require.Equal(t, m.key, key, "%s, round %d, message %d", pair.name, round, i)
			}
		}
	}
}

func TestStateKeysDiffer(t *testing.T) {
	alice, bob := newPair()
	a := sendN(t, alice, 2)
	b := sendN(t, bob, 1)
	assert.NotEqual(t, a[0].key, a[1].key, "consecutive keys")
	assert.NotEqual(t, a[0].key, b[0].key, "same index, other direction")
}

// TestStateReceiveEveryType feeds Bob what a libsignal send-EK peer or
// send-CT peer may send at epoch 1. The chunk never affects the key.
func TestStateReceiveEveryType(t *testing.T) {
	reference, _ := newPair()
	keys := sendN(t, reference, 7)
	_, bob := newPair()

	types := []spqr.MessageType{
		spqr.TypeHdr, spqr.TypeEk, spqr.TypeEkCt1Ack, spqr.TypeCt1Ack,
		spqr.TypeCt1, spqr.TypeCt2, spqr.TypeNone,
	}
	for i, typ := range types {
		m := spqr.Message{Epoch: 1, Index: uint32(i + 1), Type: typ}
		if typ.HasChunk() {
			m.ChunkIndex = uint16(i * 1000)
			m.Chunk = chunk32
		}
		key, err := bob.Receive(m.Append(nil))
		require.NoError(t, err, "type %v", typ)
		assert.Equal(t, keys[i].key, key, "type %v", typ)
	}
}

func TestStateReceiveOtherEpoch(t *testing.T) {
	alice, bob := newPair()
	before := marshal(t, bob)
	for _, epoch := range []uint64{2, 3, 1 << 40} {
		msg := spqr.Message{Epoch: epoch, Index: 1, Type: spqr.TypeHdr, Chunk: chunk32}.Append(nil)
		_, err := bob.Receive(msg)
		require.ErrorIs(t, err, spqr.ErrEpochOutOfRange, "epoch %d", epoch)
		var epochErr *spqr.EpochError
		require.ErrorAs(t, err, &epochErr)
		assert.Equal(t, epoch, epochErr.Epoch)
		assert.Equal(t, uint64(1), epochErr.Current)
	}
	assert.Equal(t, before, marshal(t, bob), "state unchanged")

	m := sendN(t, alice, 1)[0]
	key, err := bob.Receive(m.msg)
	require.NoError(t, err)
	assert.Equal(t, m.key, key)
}

func TestStateReceiveDuplicate(t *testing.T) {
	alice, bob := newPair()
	batch := sendN(t, alice, 5)
	for _, i := range []int{4, 1} {
		_, err := bob.Receive(batch[i].msg)
		require.NoError(t, err)
	}

	tests := []struct {
		name  string
		index int
	}{
		{"latest", 4},
		{"out of order", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := marshal(t, bob)
			_, err := bob.Receive(batch[tt.index].msg)
			require.ErrorIs(t, err, spqr.ErrKeyAlreadyUsed)
			var keyErr *spqr.KeyError
			require.ErrorAs(t, err, &keyErr)
			assert.Equal(t, uint32(tt.index+1), keyErr.Index)
			assert.Equal(t, uint32(5), keyErr.Counter)
			assert.Equal(t, before, marshal(t, bob), "state unchanged")
		})
	}
}

func TestStateReceiveIndexZero(t *testing.T) {
	_, bob := newPair()
	zero := spqr.Message{Epoch: 1, Index: 0, Type: spqr.TypeNone}.Append(nil)
	_, err := bob.Receive(zero)
	assert.ErrorIs(t, err, spqr.ErrKeyAlreadyUsed, "fresh chain")

	_, err = bob.Receive(spqr.Message{Epoch: 1, Index: 3000, Type: spqr.TypeNone}.Append(nil))
	require.NoError(t, err)
	_, err = bob.Receive(zero)
	assert.ErrorIs(t, err, spqr.ErrKeyAlreadyUsed, "counter beyond the window")
}

func TestStateReceiveWindow(t *testing.T) {
	alice, bob := newPair()
	batch := sendN(t, alice, spqr.MaxOutOfOrderKeys+3)

	// Receiving index 2001 first stores 1..2000; index 1 is exactly 2,000
	// behind and still usable.
	_, err := bob.Receive(batch[spqr.MaxOutOfOrderKeys].msg)
	require.NoError(t, err)
	key, err := bob.Receive(batch[0].msg)
	require.NoError(t, err)
	assert.Equal(t, batch[0].key, key, "index 1 at distance 2000")

	// Receiving 2003 puts index 2 at distance 2001.
	_, err = bob.Receive(batch[spqr.MaxOutOfOrderKeys+2].msg)
	require.NoError(t, err)
	before := marshal(t, bob)
	_, err = bob.Receive(batch[1].msg)
	require.ErrorIs(t, err, spqr.ErrKeyTrimmed)
	var keyErr *spqr.KeyError
	require.ErrorAs(t, err, &keyErr)
	assert.Equal(t, uint32(2), keyErr.Index)
	assert.Equal(t, uint32(spqr.MaxOutOfOrderKeys+3), keyErr.Counter)
	assert.Equal(t, before, marshal(t, bob), "state unchanged")

	// Index 3 is exactly 2,000 behind, and 2002 was skipped.
	for _, i := range []int{2, spqr.MaxOutOfOrderKeys + 1} {
		key, err := bob.Receive(batch[i].msg)
		require.NoError(t, err, "index %d", i+1)
		assert.Equal(t, batch[i].key, key, "index %d", i+1)
	}
}

func TestStateReceiveJump(t *testing.T) {
	alice, bob := newPair()
	var last sent
	for range spqr.MaxJump + 1 {
		msg, key, err := alice.Send(nil)
		require.NoError(t, err)
		last = sent{msg, key}
	}
	m, err := spqr.ParseMessage(last.msg)
	require.NoError(t, err)
	require.Equal(t, uint32(spqr.MaxJump+1), m.Index)

	before := marshal(t, bob)
	_, err = bob.Receive(last.msg)
	require.ErrorIs(t, err, spqr.ErrKeyJump, "jump of 25,001")
	var keyErr *spqr.KeyError
	require.ErrorAs(t, err, &keyErr)
	assert.Equal(t, uint32(spqr.MaxJump+1), keyErr.Index)
	assert.Equal(t, uint32(0), keyErr.Counter)
	assert.Equal(t, before, marshal(t, bob), "state unchanged")

	exact := spqr.Message{Epoch: 1, Index: spqr.MaxJump, Type: spqr.TypeNone}.Append(nil)
	_, err = bob.Receive(exact)
	require.NoError(t, err, "jump of exactly 25,000")
	key, err := bob.Receive(last.msg)
	require.NoError(t, err)
	assert.Equal(t, last.key, key)
}

func TestStateReceiveFailureUnchanged(t *testing.T) {
	alice, bob := newPair()
	batch := sendN(t, alice, 10)
	_, err := bob.Receive(batch[5].msg)
	require.NoError(t, err)
	before := marshal(t, bob)

	inputs := map[string][]byte{
		"empty":     nil,
		"v2":        {0x02, 0x01, 0x01, 0x00},
		"truncated": batch[0].msg[:3],
		"bad type":  {0x01, 0x01, 0x01, 0x09},
		"epoch 2":   {0x01, 0x02, 0x01, 0x00},
		"too far":   spqr.Message{Epoch: 1, Index: 6 + spqr.MaxJump + 1, Type: spqr.TypeNone}.Append(nil),
		"duplicate": batch[5].msg,
	}
	for name, in := range inputs {
		_, err := bob.Receive(in)
		require.Error(t, err, name)
		require.Equal(t, before, marshal(t, bob), "%s: state unchanged", name)
	}
	for i := range 5 {
		key, err := bob.Receive(batch[i].msg)
		require.NoError(t, err)
		assert.Equal(t, batch[i].key, key)
	}
}

func TestStateCloneIndependent(t *testing.T) {
	alice, bob := newPair()
	batch := sendN(t, alice, 3)
	_, err := bob.Receive(batch[2].msg)
	require.NoError(t, err)

	clone := bob.Clone()
	require.Equal(t, marshal(t, bob), marshal(t, clone))
	_, err = clone.Receive(batch[0].msg)
	require.NoError(t, err)
	_, _, err = clone.Send(nil)
	require.NoError(t, err)

	key, err := bob.Receive(batch[0].msg)
	require.NoError(t, err, "the original still holds key 1")
	assert.Equal(t, batch[0].key, key)
	msg, _, err := bob.Send(nil)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x01, 0x01, 0x01, 0x00}, msg, "the original's send counter did not move")
}

func TestStateFormatHidesKeys(t *testing.T) {
	alice, bob := newPair()
	batch := sendN(t, alice, 3)
	_, err := bob.Receive(batch[2].msg)
	require.NoError(t, err)

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
		out := fmt.Sprintf(verb, bob)
		assert.Equal(t, "spqr.State{BobToAlice, epoch 1}", out, verb)
		for _, k := range batch[:2] {
			assert.NotContains(t, strings.ToLower(out), hex.EncodeToString(k.key[:4]), verb)
		}
	}
	assert.Equal(t, "spqr.State(nil)", fmt.Sprint((*spqr.State)(nil)))
}

func TestNewStateInvalidDirection(t *testing.T) {
	for _, dir := range []spqr.Direction{0, 3, 255} {
		assert.Panics(t, func() { spqr.NewState(testAuthKey, dir) }, "direction %d", dir)
	}
}
