package spqr

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func FuzzParseMessage(f *testing.F) {
	chunk := bytes.Repeat([]byte{0x5A}, ChunkSize)
	for typ := TypeNone; typ <= TypeCt2; typ++ {
		m := Message{Epoch: 1, Index: 3, Type: typ}
		if typ.HasChunk() {
			m.ChunkIndex = 200
			m.Chunk = chunk
		}
		f.Add(m.Append(nil))
	}
	f.Add([]byte{})
	f.Add([]byte{0x02, 0x01, 0x01, 0x00})
	f.Add([]byte{0x01, 0x81, 0x00, 0x01, 0x00, 0xFF})

	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		require.NotZero(t, m.Epoch)
		wire := m.Append(nil)
		assert.LessOrEqual(t, len(wire), len(b), "minimal encoding is never longer")
		again, err := ParseMessage(wire)
		require.NoError(t, err)
		assert.Equal(t, m, again)
	})
}

func FuzzUnmarshalState(f *testing.F) {
	bob := NewState([32]byte{3}, BobToAlice)
	_, err := bob.Receive([]byte{0x01, 0x01, 0x05, 0x00})
	require.NoError(f, err)
	for _, s := range []*State{NewState([32]byte{3}, AliceToBob), bob} {
		b, err := s.MarshalBinary()
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := UnmarshalState(b)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidState)
			return
		}
		again, err := s.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, b, again, "the format is canonical")

		// A loaded state must be usable without panicking.
		_, _, _ = s.Send(nil)
		_, _ = s.Receive([]byte{0x01, 0x01, 0x02, 0x00})
	})
}

func FuzzReceive(f *testing.F) {
	alice := NewState([32]byte{4}, AliceToBob)
	var msgs [][]byte
	for range 6 {
		msg, _, err := alice.Send(nil)
		require.NoError(f, err)
		msgs = append(msgs, msg)
		f.Add(msg)
	}
	f.Add(Message{Epoch: 1, Index: 9, Type: TypeEk, Chunk: make([]byte, ChunkSize)}.Append(nil))
	f.Add(Message{Epoch: 2, Index: 1, Type: TypeNone}.Append(nil))
	f.Add([]byte{0x01, 0x01, 0xA8, 0xC3, 0x01, 0x00})

	f.Fuzz(func(t *testing.T, b []byte) {
		// Bob has received message 5, so keys 1 to 4 are stored.
		bob := NewState([32]byte{4}, BobToAlice)
		_, err := bob.Receive(msgs[4])
		require.NoError(t, err)
		before, err := bob.MarshalBinary()
		require.NoError(t, err)

		_, err = bob.Receive(b)
		after, marshalErr := bob.MarshalBinary()
		require.NoError(t, marshalErr)
		if err != nil {
			require.Equal(t, before, after, "a failed receive changed the state: %v", err)
			return
		}
		require.NotEqual(t, before, after, "a successful receive left the state unchanged")
	})
}
