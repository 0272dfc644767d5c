package spqr_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/spqr"
)

func TestAdversarialParseMessageEdges(t *testing.T) {
	ten := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}
	eleven := []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}
	hdr := byte(spqr.TypeNone)

	// A 10-byte epoch with bits past 64 parses, as documented.
	m, err := spqr.ParseMessage(append(append([]byte{1}, ten...), 1, hdr))
	require.NoError(t, err)
	assert.Equal(t, uint64(1<<64-1), m.Epoch)

	bad := map[string][]byte{
		"empty":             nil,
		"version 0":         {0, 1, 1, hdr},
		"version 2":         {2, 1, 1, hdr},
		"epoch 0":           {1, 0, 1, hdr},
		"eleven byte epoch": append(append([]byte{1}, eleven...), 1, hdr),
		"index 2^32":        append(binary.AppendUvarint([]byte{1, 1}, 1<<32), hdr),
		"no type":           {1, 1, 1},
		"unknown type":      {1, 1, 1, 0xee},
		"truncated varint":  {1, 0x80},
		"chunk index 2^16":  append(binary.AppendUvarint([]byte{1, 1, 1, byte(spqr.TypeCt1)}, 1<<16), make([]byte, spqr.ChunkSize)...),
		"short chunk":       append([]byte{1, 1, 1, byte(spqr.TypeCt1), 0}, make([]byte, spqr.ChunkSize-1)...),
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := spqr.ParseMessage(b)
			require.Error(t, err)
			var ve *spqr.VersionError
			assert.True(t, errors.Is(err, spqr.ErrMalformed) || errors.As(err, &ve), "%v", err)
		})
	}

	// The chunk aliases the input but cannot grow into the bytes after it.
	b := append([]byte{1, 1, 1, byte(spqr.TypeCt1), 0}, bytes.Repeat([]byte{7}, spqr.ChunkSize)...)
	b = append(b, 0xAA, 0xBB)
	m, err = spqr.ParseMessage(b)
	require.NoError(t, err)
	require.Len(t, m.Chunk, spqr.ChunkSize)
	_ = append(m.Chunk, 0)
	assert.Equal(t, []byte{0xAA, 0xBB}, b[len(b)-2:])

	// Round trip of a parsed message is canonical.
	again, err := spqr.ParseMessage(m.Append(nil))
	require.NoError(t, err)
	assert.Equal(t, m, again)
}

func TestAdversarialUnmarshalStateGarbage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		b := make([]byte, r.IntN(300))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if i%3 == 0 && len(b) > 0 {
			b[0] = 0x0a // start like a length-delimited field 1
		}
		assert.NotPanics(t, func() { _, _ = spqr.UnmarshalState(b) })
		assert.NotPanics(t, func() { _, _ = spqr.ParseMessage(b) })
	}
}
