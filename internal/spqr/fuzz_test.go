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
	// One state of each braid kind that a lockstep run passes through.
	alice, bob := newTestPair()
	seen := map[braidKind]bool{}
	for range 50 {
		for _, pair := range [][2]*State{{alice, bob}, {bob, alice}} {
			deliver(f, pair[1], send(f, pair[0]))
			for _, s := range pair {
				if !seen[s.braid.kind] {
					seen[s.braid.kind] = true
					b, err := s.MarshalBinary()
					require.NoError(f, err)
					f.Add(b)
				}
			}
		}
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
		if b[0] == stateFormatVersionV1 {
			// The old format loads and is written in the current one.
			b = again
			reloaded, err := UnmarshalState(b)
			require.NoError(t, err)
			again, err = reloaded.MarshalBinary()
			require.NoError(t, err)
		}
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

// FuzzBraid drives two states with a sequence of operations taken from the
// input: sends, deliveries of earlier messages in any order and any number
// of times, and deliveries of corrupted copies. No input may panic, a
// failed receive must leave the state's encoding unchanged, and a genuine
// message that is accepted must yield its sender's key.
func FuzzBraid(f *testing.F) {
	lockstep := make([]byte, 0, 400)
	for i := range 100 {
		lockstep = append(lockstep, 0, 2, byte(i), 1, 3, byte(i))
	}
	f.Add(lockstep)
	f.Add([]byte{0, 0, 0, 2, 0, 2, 1, 2, 2, 1, 3, 0, 4, 0, 7, 5, 0, 9})
	f.Add([]byte{})

	f.Fuzz(runBraidOps)
}

// runBraidOps runs one FuzzBraid input.
func runBraidOps(t *testing.T, ops []byte) {
	{
		if len(ops) > 600 {
			ops = ops[:600]
		}
		var authKey [KeySize]byte
		states := [2]*State{NewState(authKey, AliceToBob), NewState(authKey, BobToAlice)}
		var queues [2][]inFlight // queues[i] holds messages sent by states[i]
		next := func() byte {
			if len(ops) == 0 {
				return 0
			}
			b := ops[0]
			ops = ops[1:]
			return b
		}
		for len(ops) > 0 {
			op := next() % 6
			from := int(op % 2)
			to := 1 - from
			switch op / 2 {
			case 0: // send
				msg, key, err := states[from].Send(nil)
				require.NoError(t, err)
				queues[from] = append(queues[from], inFlight{msg, key})
			case 1, 2: // deliver, genuine or corrupted
				q := queues[from]
				if len(q) == 0 {
					continue
				}
				m := q[int(next())%len(q)]
				msg := m.msg
				corrupted := op/2 == 2
				if corrupted {
					msg = bytes.Clone(msg)
					pos, bit := int(next())%len(msg), next()%8
					msg[pos] ^= 1 << bit
				}
				before, err := states[to].MarshalBinary()
				require.NoError(t, err)
				work := states[to].Clone()
				key, err := work.Receive(msg)
				if err != nil {
					after, marshalErr := work.MarshalBinary()
					require.NoError(t, marshalErr)
					require.Equal(t, before, after, "a failed receive changed the state: %v", err)
					continue
				}
				if !corrupted {
					require.Equal(t, m.key, key)
				}
				states[to] = work
			}
		}
		for _, s := range states {
			b, err := s.MarshalBinary()
			require.NoError(t, err)
			loaded, err := UnmarshalState(b)
			require.NoError(t, err)
			again, err := loaded.MarshalBinary()
			require.NoError(t, err)
			require.Equal(t, b, again)
		}
	}
}
