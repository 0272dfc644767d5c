package ratchet

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
)

// FuzzFromProto loads arbitrary bytes as a stored ratchet state. FromProto
// must return an error or a state that can be stored again and used, and
// never panic.
func FuzzFromProto(f *testing.F) {
	valid, err := proto.Marshal(validProto(f))
	require.NoError(f, err)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, b []byte) {
		var p wire.RatchetState
		if err := proto.Unmarshal(b, &p); err != nil {
			return
		}
		s, err := FromProto(&p)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidState)
			return
		}

		again, err := s.ToProto()
		require.NoError(t, err)
		_, err = FromProto(again)
		require.NoError(t, err, "a loaded state stores and loads again")

		// Sending may fail on an exhausted chain, but must not panic.
		_, _, _ = s.Clone().Send(nil)
	})
}
