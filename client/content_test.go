package client

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/wire"
)

// TestContentEncoding checks encodeContent against a hand-made encoding:
// field 1 (timestamp) varint 1, field 2 (data) of 4 bytes holding field 1
// (text) "hi", then 0x80 and zero padding to 160 bytes.
func TestContentEncoding(t *testing.T) {
	content := &wire.AppContent{Timestamp: 1, Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{Text: "hi"}}}
	got, err := encodeContent(content)
	require.NoError(t, err)
	want, err := hex.DecodeString("080112040a026869" + "80" + strings.Repeat("00", 151))
	require.NoError(t, err)
	assert.Equal(t, want, got)

	back, err := decodeContent(want)
	require.NoError(t, err)
	assert.Equal(t, "hi", back.GetData().GetText())
	assert.Equal(t, uint64(1), back.Timestamp)
}

func TestContentPadding(t *testing.T) {
	for _, n := range []int{0, 1, 158, 159, 160, 1000} {
		content := &wire.AppContent{Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{Text: strings.Repeat("x", n)}}}
		b, err := encodeContent(content)
		require.NoError(t, err)
		assert.Zero(t, len(b)%paddingBlock, "text of %d bytes", n)
		back, err := decodeContent(b)
		require.NoError(t, err)
		assert.Len(t, back.GetData().GetText(), n)
	}
}

func TestContentMalformed(t *testing.T) {
	cases := map[string][]byte{
		"empty":           nil,
		"zeros only":      make([]byte, 160),
		"no marker":       {0x08, 0x01, 0x00},
		"bad protobuf":    {0xff, 0xff, 0x80},
		"marker mismatch": {0x08, 0x01, 0x81, 0x00},
	}
	for name, b := range cases {
		_, err := decodeContent(b)
		assert.ErrorIs(t, err, errMalformedContent, name)
	}
}

func TestAttachmentPointerChecks(t *testing.T) {
	valid := func() *wire.AppAttachmentPointer {
		return &wire.AppAttachmentPointer{Id: "x", Key: make([]byte, 64), Digest: make([]byte, 32), Size: 10}
	}
	_, err := attachmentFromWire(valid())
	require.NoError(t, err)
	for name, mutate := range map[string]func(p *wire.AppAttachmentPointer){
		"short key":    func(p *wire.AppAttachmentPointer) { p.Key = p.Key[:63] },
		"short digest": func(p *wire.AppAttachmentPointer) { p.Digest = p.Digest[:31] },
		"huge size":    func(p *wire.AppAttachmentPointer) { p.Size = 1 << 40 },
		"no id":        func(p *wire.AppAttachmentPointer) { p.Id = "" },
	} {
		p := valid()
		mutate(p)
		_, err := attachmentFromWire(p)
		assert.Error(t, err, name)
	}
}

func TestGroupIDParse(t *testing.T) {
	id := GroupID{0xab, 1}
	back, err := ParseGroupID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, back)
	_, err = ParseGroupID("abcd")
	assert.Error(t, err)
	_, err = ParseGroupID(strings.Repeat("zz", 16))
	assert.Error(t, err)
}

func TestValidUsername(t *testing.T) {
	assert.True(t, validUsername("alice_1.x-y"))
	assert.False(t, validUsername("al"))
	assert.False(t, validUsername("Alice"))
	assert.False(t, validUsername(strings.Repeat("a", 65)))
}
