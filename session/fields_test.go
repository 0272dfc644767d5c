package session_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/parleyhq/parley/session"
)

// fields is a SignalMessage taken apart so a test can change any field and
// put it back together while keeping the original MAC.
type fields struct {
	version         byte
	ratchetKey      []byte
	counter         uint32
	previousCounter uint32
	ciphertext      []byte
	pq              []byte
	addresses       []byte
	mac             []byte
}

// reencode changes m with edit and serializes it again, with the original
// MAC unless edit changes it. The encoding is written by hand so that the
// test does not depend on the package's own encoder.
func reencode(t testing.TB, m *session.SignalMessage, edit func(*fields)) []byte {
	t.Helper()
	raw := m.Bytes()
	f := fields{
		version:         raw[0],
		ratchetKey:      m.RatchetKey.Bytes(),
		counter:         m.Counter,
		previousCounter: m.PreviousCounter,
		ciphertext:      append([]byte(nil), m.Ciphertext...),
		pq:              append([]byte(nil), m.PQRatchet...),
		addresses:       append([]byte(nil), m.Addresses...),
		mac:             append([]byte(nil), raw[len(raw)-8:]...),
	}
	edit(&f)
	b := []byte{f.version}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, f.ratchetKey)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(f.counter))
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(f.previousCounter))
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, f.ciphertext)
	if len(f.pq) > 0 {
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendBytes(b, f.pq)
	}
	if len(f.addresses) > 0 {
		b = protowire.AppendTag(b, 6, protowire.BytesType)
		b = protowire.AppendBytes(b, f.addresses)
	}
	require.Len(t, f.mac, 8)
	return append(b, f.mac...)
}
