package session_test

// libsignal's protobuf decoder rejects a known field sent with the wrong
// wire type, and so must Parley. The helpers are in
// session_adversarial_test.go.

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/parleyhq/parley/session"
)

func TestAdversarialWrongWireTypeRejected(t *testing.T) {
	alice := newAdvPeer(t, advAlice, 1, 101)
	bob := newAdvPeer(t, advBob, 1, 102)
	msg := firstMessage(t, alice, bob, 1, "tricks")
	b := splitPreKey(t, msg).encode()
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, 5)
	_, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, b)
	require.Error(t, err, "libsignal rejects a known field with the wrong wire type")
}

func TestAdversarialOversizePlaintext(t *testing.T) {
	alice, bob := connected(t)

	// A 1 MiB plaintext would make a message the receiver rejects, so
	// Encrypt refuses it without using a message key.
	_, _, err := alice.cipher.Encrypt(ctx, bob.addr, make([]byte, 1<<20))
	require.Error(t, err)

	pt := make([]byte, 1<<20-1024)
	typ, ct, err := alice.cipher.Encrypt(ctx, bob.addr, pt)
	require.NoError(t, err)
	got, err := bob.cipher.Decrypt(ctx, alice.addr, typ, ct)
	require.NoError(t, err)
	require.Len(t, got, len(pt))
}
