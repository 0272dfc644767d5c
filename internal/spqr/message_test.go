package spqr_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/spqr"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

var chunk32 = bytes.Repeat([]byte{0xC7}, 32)

// TestParseMessageVectors uses byte layouts stated by SPQR v1.5.3: Bob's
// first reply before Alice's header is complete, Alice's first message with
// header chunk 0, and SPQR's varint test value 300 = AC 02.
func TestParseMessageVectors(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want spqr.Message
	}{
		{"bob first None", "01010100", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeNone}},
		{"alice first Hdr", "0101010100" + hex.EncodeToString(chunk32),
			spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeHdr, ChunkIndex: 0, Chunk: chunk32}},
		{"varint 300 index", "0101ac0200", spqr.Message{Epoch: 1, Index: 300, Type: spqr.TypeNone}},
		{"varint 300 chunk", "01050706ac02" + hex.EncodeToString(chunk32),
			spqr.Message{Epoch: 5, Index: 7, Type: spqr.TypeCt2, ChunkIndex: 300, Chunk: chunk32}},
		{"max values", "01ffffffffffffffffff01ffffffff0f05ffff03" + hex.EncodeToString(chunk32),
			spqr.Message{Epoch: 1<<64 - 1, Index: 1<<32 - 1, Type: spqr.TypeCt1, ChunkIndex: 0xFFFF, Chunk: chunk32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := unhex(t, tt.wire)
			got, err := spqr.ParseMessage(wire)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, wire, got.Append(nil), "re-encoded")
		})
	}
}

func TestParseMessageEachType(t *testing.T) {
	types := []spqr.MessageType{
		spqr.TypeNone, spqr.TypeHdr, spqr.TypeEk, spqr.TypeEkCt1Ack,
		spqr.TypeCt1Ack, spqr.TypeCt1, spqr.TypeCt2,
	}
	for i, typ := range types {
		t.Run(typ.String(), func(t *testing.T) {
			require.Equal(t, spqr.MessageType(i), typ, "type byte")
			m := spqr.Message{Epoch: 1, Index: 200, Type: typ}
			if typ.HasChunk() {
				m.ChunkIndex = 129
				m.Chunk = chunk32
			}
			wire := m.Append(nil)
			got, err := spqr.ParseMessage(wire)
			require.NoError(t, err)
			assert.Equal(t, m, got)

			wantLen := 5
			if typ.HasChunk() {
				wantLen = 5 + 2 + 32
			}
			assert.Len(t, wire, wantLen)

			// Every proper prefix is truncated. The empty one has no version.
			for n := 1; n < len(wire); n++ {
				_, err := spqr.ParseMessage(wire[:n])
				assert.ErrorIs(t, err, spqr.ErrMalformed, "prefix of %d bytes", n)
			}
		})
	}
}

func TestParseMessageHasChunk(t *testing.T) {
	want := map[spqr.MessageType]bool{
		spqr.TypeNone: false, spqr.TypeHdr: true, spqr.TypeEk: true, spqr.TypeEkCt1Ack: true,
		spqr.TypeCt1Ack: false, spqr.TypeCt1: true, spqr.TypeCt2: true, 7: false,
	}
	for typ, has := range want {
		assert.Equal(t, has, typ.HasChunk(), "type %v", typ)
	}
}

func TestParseMessageVersion(t *testing.T) {
	tests := []struct {
		name    string
		wire    []byte
		version byte
	}{
		{"empty", nil, 0},
		{"v0", []byte{0x00, 0x01, 0x01, 0x00}, 0},
		{"v2", []byte{0x02, 0x01, 0x01, 0x00}, 2},
		{"v255", []byte{0xFF}, 0xFF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spqr.ParseMessage(tt.wire)
			require.ErrorIs(t, err, spqr.ErrVersion)
			var verr *spqr.VersionError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.version, verr.Version)
		})
	}
}

func TestParseMessageInvalid(t *testing.T) {
	tests := []struct {
		name string
		wire string
	}{
		{"version only", "01"},
		{"epoch zero", "01000100"},
		{"epoch zero non-minimal", "0180000100"},
		{"index above 32 bits", "0101808080801000"},
		{"missing type", "010101"},
		{"type 7", "01010107"},
		{"type 255", "010101ff"},
		{"chunk index above 16 bits", "0101010280800400" + hex.EncodeToString(chunk32)},
		{"chunk 31 bytes", "0101010100" + hex.EncodeToString(chunk32[:31])},
		{"chunk index missing", "01010101"},
		{"epoch varint 11 bytes", "01ffffffffffffffffffff0101" + "00"},
		{"epoch varint unterminated", "01ff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spqr.ParseMessage(unhex(t, tt.wire))
			assert.ErrorIs(t, err, spqr.ErrMalformed)
		})
	}
}

// TestParseMessageLenient checks the inputs SPQR v1.5.3 accepts although a
// strict decoder would not.
func TestParseMessageLenient(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want spqr.Message
	}{
		{"non-minimal epoch", "0181000100", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeNone}},
		{"non-minimal index", "01018180808000" + "00", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeNone}},
		// The tenth byte contributes only its lowest bit, at bit 63.
		{"tenth byte overflow", "01" + "818080808080808080" + "7f" + "0100",
			spqr.Message{Epoch: 1 | 1<<63, Index: 1, Type: spqr.TypeNone}},
		{"trailing bytes", "01010100" + "deadbeef", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeNone}},
		{"trailing after chunk", "0101010200" + hex.EncodeToString(chunk32) + "00",
			spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeEk, Chunk: chunk32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := spqr.ParseMessage(unhex(t, tt.wire))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMessageAppendPanics(t *testing.T) {
	tests := []struct {
		name string
		m    spqr.Message
	}{
		{"epoch zero", spqr.Message{Index: 1, Type: spqr.TypeNone}},
		{"unknown type", spqr.Message{Epoch: 1, Index: 1, Type: 7}},
		{"short chunk", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeEk, Chunk: chunk32[:31]}},
		{"missing chunk", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeCt1}},
		{"chunk on None", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeNone, Chunk: chunk32}},
		{"chunk index on Ct1Ack", spqr.Message{Epoch: 1, Index: 1, Type: spqr.TypeCt1Ack, ChunkIndex: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Panics(t, func() { tt.m.Append(nil) })
		})
	}
}

func TestMessageAppendToExisting(t *testing.T) {
	prefix := []byte{0xAA, 0xBB}
	got := spqr.Message{Epoch: 2, Index: 3, Type: spqr.TypeCt1Ack}.Append(prefix)
	assert.Equal(t, []byte{0xAA, 0xBB, 0x01, 0x02, 0x03, 0x04}, got)
}
