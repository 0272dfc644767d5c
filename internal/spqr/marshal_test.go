package spqr

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// midStreamState returns Bob after receiving some of Alice's first 40
// messages out of order, and the messages he has not received yet.
func midStreamState(t *testing.T) (bob *State, pending [][]byte, pendingKeys [][32]byte) {
	t.Helper()
	alice := NewState([32]byte{7}, AliceToBob)
	bob = NewState([32]byte{7}, BobToAlice)
	for i := 1; i <= 40; i++ {
		msg, key, err := alice.Send(nil)
		require.NoError(t, err)
		if i%3 == 0 || i == 40 {
			got, err := bob.Receive(msg)
			require.NoError(t, err)
			require.Equal(t, key, got)
			continue
		}
		pending = append(pending, msg)
		pendingKeys = append(pendingKeys, key)
	}
	for range 4 {
		_, _, err := bob.Send(nil)
		require.NoError(t, err)
	}
	return bob, pending, pendingKeys
}

func TestMarshalRoundTrip(t *testing.T) {
	bob, pending, keys := midStreamState(t)
	b, err := bob.MarshalBinary()
	require.NoError(t, err)

	loaded, err := UnmarshalState(b)
	require.NoError(t, err)
	again, err := loaded.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, b, again, "marshal after unmarshal")
	assert.Equal(t, uint64(1), loaded.Epoch())

	for i := len(pending) - 1; i >= 0; i-- {
		key, err := loaded.Receive(pending[i])
		require.NoError(t, err, "pending message %d", i)
		assert.Equal(t, keys[i], key, "pending message %d", i)
	}
	msg, _, err := loaded.Send(nil)
	require.NoError(t, err)
	m, err := ParseMessage(msg)
	require.NoError(t, err)
	assert.Equal(t, uint32(5), m.Index, "send counter kept")
	assert.Equal(t, TypeCt1, m.Type, "Bob received the header and encapsulated")
	assert.Equal(t, uint16(4), m.ChunkIndex, "encoder position kept")
}

func TestMarshalLayout(t *testing.T) {
	s := NewState([32]byte{7}, AliceToBob)
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, b, 2+1+8+64+24+32+1+(4+1+32+4+32+2))
	assert.Equal(t, []byte{2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1}, b[:11], "version, direction, braid state, epoch")
	auth := newAuthenticator([32]byte{7})
	assert.Equal(t, auth.root[:], b[11:43], "authenticator root")
	assert.Equal(t, auth.mac[:], b[43:75], "authenticator MAC key")
	assert.Equal(t, uint32(MaxJump), binary.BigEndian.Uint32(b[75:]))
	assert.Equal(t, uint32(MaxOutOfOrderKeys), binary.BigEndian.Uint32(b[79:]))
}

func TestUnmarshalStateTruncated(t *testing.T) {
	bob, _, _ := midStreamState(t)
	b, err := bob.MarshalBinary()
	require.NoError(t, err)
	for n := range len(b) {
		_, err := UnmarshalState(b[:n])
		require.ErrorIs(t, err, ErrInvalidState, "prefix of %d bytes", n)
	}
	_, err = UnmarshalState(append(b, 0))
	assert.ErrorIs(t, err, ErrInvalidState, "trailing byte")
}

// Offsets into a marshalled responder state at epoch 1 (noHeaderReceived,
// an empty header decoder) with one chain epoch.
const (
	offDirection   = 1
	offBraid       = 2
	offEpoch       = 3
	offDecoder     = 75
	offMaxJump     = 76
	offMaxOOO      = 80
	offCurrent     = 84
	offSendEpoch   = 92
	offLinkCount   = 132
	offSendCtr     = 133
	offSendFlag    = 137
	offRecvCtr     = 170
	offSkipCount   = 206
	offFirstRecord = 208
)

func TestUnmarshalStateInvalid(t *testing.T) {
	// A receiver that skipped indices 1 and 2 and stored their keys.
	s := NewState([32]byte{7}, BobToAlice)
	_, err := s.Receive([]byte{0x01, 0x01, 0x03, 0x00})
	require.NoError(t, err)
	valid, err := s.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, valid, offFirstRecord+2*36)
	require.Equal(t, uint16(2), binary.BigEndian.Uint16(valid[offSkipCount:]))
	_, err = UnmarshalState(valid)
	require.NoError(t, err)

	put32 := func(off int, v uint32) func([]byte) {
		return func(b []byte) { binary.BigEndian.PutUint32(b[off:], v) }
	}
	put64 := func(off int, v uint64) func([]byte) {
		return func(b []byte) { binary.BigEndian.PutUint64(b[off:], v) }
	}
	tests := []struct {
		name   string
		modify func([]byte)
	}{
		{"format version 0", func(b []byte) { b[0] = 0 }},
		{"format version 3", func(b []byte) { b[0] = 3 }},
		{"format version 1", func(b []byte) { b[0] = 1 }},
		{"direction 0", func(b []byte) { b[offDirection] = 0 }},
		{"direction 3", func(b []byte) { b[offDirection] = 3 }},
		{"epoch 0", put64(offEpoch, 0)},
		{"epoch 2", put64(offEpoch, 2)},
		{"braid state 12", func(b []byte) { b[offBraid] = 12 }},
		{"braid state of the other side", func(b []byte) { b[offBraid] = byte(keysUnsampled) }},
		{"braid legacy", func(b []byte) { b[offBraid] = byte(braidLegacy) }},
		{"decoder complete", func(b []byte) { b[offDecoder] = 3 }},
		{"max jump 0", put32(offMaxJump, 0)},
		{"max out-of-order 0", put32(offMaxOOO, 0)},
		{"max out-of-order 2001", put32(offMaxOOO, MaxOutOfOrderKeys+1)},
		{"max out-of-order below count", put32(offMaxOOO, 1)},
		{"chain epoch 1", put64(offCurrent, 1)},
		{"send epoch above current", put64(offSendEpoch, 1)},
		{"no links", func(b []byte) { b[offLinkCount] = 0 }},
		{"too many links", func(b []byte) { b[offLinkCount] = maxChainLinks + 1 }},
		{"links before epoch 0", func(b []byte) { b[offLinkCount] = 2 }},
		{"send flag 2", func(b []byte) { b[offSendFlag] = 2 }},
		{"stored index not below counter", put32(offFirstRecord+36, 3)},
		{"stored index 0", put32(offFirstRecord, 0)},
		{"stored indices descending", func(b []byte) {
			first := bytes.Clone(b[offFirstRecord : offFirstRecord+36])
			copy(b[offFirstRecord:], b[offFirstRecord+36:offFirstRecord+72])
			copy(b[offFirstRecord+36:], first)
		}},
		{"stored indices repeated", put32(offFirstRecord+36, 1)},
		{"stored count above data", func(b []byte) { binary.BigEndian.PutUint16(b[offSkipCount:], 3) }},
		{"stored count huge", func(b []byte) { binary.BigEndian.PutUint16(b[offSkipCount:], 0xFFFF) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bytes.Clone(valid)
			tt.modify(b)
			_, err := UnmarshalState(b)
			assert.ErrorIs(t, err, ErrInvalidState)
		})
	}
}

func TestUnmarshalStateErasedSendKey(t *testing.T) {
	// A chain with two epochs after sending in epoch 1: epoch 0's send key
	// is erased and must stay erased, epoch 1's must be present.
	s := NewState([32]byte{7}, AliceToBob)
	require.NoError(t, s.chain.addEpoch(1, [32]byte{9}))
	_, _, err := s.chain.sendKey(1)
	require.NoError(t, err)
	b, err := s.MarshalBinary()
	require.NoError(t, err)

	// The state itself is rejected because its braid has not finished
	// epoch 1, so check the chain section alone.
	const aliceMaxJump = offMaxJump - 1 // no decoder in keysUnsampled
	r := stateReader{b: b[aliceMaxJump:]}
	c, err := readChain(&r, AliceToBob)
	require.NoError(t, err)
	assert.True(t, c.links[0].send.erased)
	assert.Zero(t, r.len())

	withKey := bytes.Clone(b[aliceMaxJump:])
	erasedAt := offSendFlag - offMaxJump
	withKey[erasedAt] = 1
	withKey = append(withKey[:erasedAt+1], append(make([]byte, 32), withKey[erasedAt+1:]...)...)
	r = stateReader{b: withKey}
	_, err = readChain(&r, AliceToBob)
	assert.ErrorIs(t, err, ErrInvalidState, "send key present before the send epoch")

	_, err = UnmarshalState(b)
	assert.ErrorIs(t, err, ErrInvalidState, "chain epoch 1 before the braid finished epoch 1")
}
