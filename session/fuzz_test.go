package session_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// isParseError reports whether err is one of the errors the parsers return
// for bad input.
func isParseError(err error) bool {
	return errors.Is(err, session.ErrInvalidMessage) || errors.Is(err, session.ErrLegacyMessage)
}

// snapshotIn is device.snapshot reporting to t. A fuzz target must not call
// the *testing.F that the device was made with.
func snapshotIn(t *testing.T, d *device, peers ...*device) string {
	saved := d.t
	d.t = t
	defer func() { d.t = saved }()
	return d.snapshot(peers...)
}

// storedRecord returns the session record that d stores for peer.
func storedRecord(t testing.TB, d, peer *device) []byte {
	t.Helper()
	var rec []byte
	require.NoError(t, d.store.View(ctx, func(tx keystore.Tx) error {
		var err error
		rec, err = tx.Session(ctx, peer.addr)
		return err
	}))
	return rec
}

func FuzzParseSignalMessage(f *testing.F) {
	alice, bob := newConnectedPair(f)
	whisper := alice.encrypt(bob, "a whisper message")
	f.Add(whisper.data)
	f.Add(bob.encrypt(alice, "").data)
	f.Add(whisper.data[:len(whisper.data)-8])
	f.Add([]byte{0x44})
	f.Add([]byte{0x33, 0, 0, 0, 0, 0, 0, 0, 0})
	addVectorSeeds(f, "whisper")

	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := session.ParseSignalMessage(b)
		if err != nil {
			assert.True(t, isParseError(err), "unexpected error %v", err)
			assert.Nil(t, m)
			return
		}
		assert.Equal(t, b, m.Bytes())
		again, err := session.ParseSignalMessage(m.Bytes())
		require.NoError(t, err)
		assert.Equal(t, m, again)
	})
}

func FuzzParsePreKeySignalMessage(f *testing.F) {
	alice, bob := newDevice(f, aliceACI, 1), newDevice(f, bobACI, 1)
	require.NoError(f, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	withOPK := alice.encrypt(bob, "with a one-time prekey")
	require.NoError(f, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(false, true)))
	withoutOPK := alice.encrypt(bob, "without a one-time prekey")
	f.Add(withOPK.data)
	f.Add(withoutOPK.data)
	f.Add(withOPK.data[:len(withOPK.data)/2])
	f.Add([]byte{0x34})
	addVectorSeeds(f, "prekey")

	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := session.ParsePreKeySignalMessage(b)
		if err != nil {
			assert.True(t, isParseError(err), "unexpected error %v", err)
			assert.Nil(t, m)
			return
		}
		assert.Equal(t, b, m.Bytes())
		require.NotNil(t, m.Message)
		again, err := session.ParsePreKeySignalMessage(m.Bytes())
		require.NoError(t, err)
		assert.Equal(t, m, again)
	})
}

// FuzzDecrypt feeds arbitrary bytes as both message types to a device with
// an established session. Decrypt must not panic, and when it fails the
// stored records, identities and prekeys must be unchanged.
func FuzzDecrypt(f *testing.F) {
	alice, bob := newDevice(f, aliceACI, 1), newDevice(f, bobACI, 1)
	require.NoError(f, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	first := alice.encrypt(bob, "first")
	bob.mustDecrypt(alice, first, "first")
	alice.mustDecrypt(bob, bob.encrypt(alice, "reply"), "reply")

	f.Add(first.data) // already decrypted, so a duplicate
	f.Add(alice.encrypt(bob, "whisper 1").data)
	f.Add(alice.encrypt(bob, "whisper 2").data)

	// A PreKey message for a session that bob has not built yet, under a
	// last-resort Kyber prekey.
	require.NoError(f, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(false, true)))
	f.Add(alice.encrypt(bob, "new session").data)
	f.Add([]byte{})
	f.Add([]byte{0x44, 0x0a, 0x21, 0x05})

	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range []session.MessageType{session.MessageTypeWhisper, session.MessageTypePreKey} {
			before := snapshotIn(t, bob, alice)
			_, err := bob.cipher.Decrypt(ctx, alice.addr, typ, b)
			if err != nil {
				assert.Equal(t, before, snapshotIn(t, bob, alice), "failed %v decrypt changed the store: %v", typ, err)
			}
		}
	})
}

// FuzzRecord stores arbitrary bytes as the session record for an address.
// Session records are parsed inside the package, so Encrypt, Decrypt and
// SessionInfo must return an error or work, never panic, and a failed call
// must leave the record as it was.
func FuzzRecord(f *testing.F) {
	alice, bob := newConnectedPair(f)
	pending := alice.encrypt(bob, "pending")
	f.Add(storedRecord(f, bob, alice))

	// A record with an archived state: alice starts a second session.
	require.NoError(f, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	bob.mustDecrypt(alice, alice.encrypt(bob, "second session"), "second session")
	archived := storedRecord(f, bob, alice)
	f.Add(archived)
	f.Add(archived[:len(archived)-5])
	f.Add(storedRecord(f, alice, bob)) // the initiator's side, with a pending prekey
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x01})

	f.Fuzz(func(t *testing.T, rec []byte) {
		store := func() {
			require.NoError(t, bob.store.Update(ctx, func(tx keystore.Tx) error {
				return tx.StoreSession(ctx, alice.addr, rec)
			}))
		}
		unchanged := func(what string, err error) {
			if err != nil {
				assert.True(t, bytes.Equal(rec, storedRecord(t, bob, alice)), "failed %s changed the record: %v", what, err)
			}
		}

		store()
		_, err := bob.cipher.SessionInfo(ctx, alice.addr)
		unchanged("SessionInfo", err)

		_, _, err = bob.cipher.Encrypt(ctx, alice.addr, []byte("reply"))
		unchanged("Encrypt", err)

		store()
		_, err = bob.cipher.Decrypt(ctx, alice.addr, pending.typ, pending.data)
		unchanged("Decrypt", err)
	})
}

// addVectorSeeds adds every message of the given type recorded from
// libsignal in testdata/vectors, genuine and corrupted, to the seed corpus.
func addVectorSeeds(f *testing.F, messageType string) {
	files, err := filepath.Glob("../testdata/vectors/*.json")
	require.NoError(f, err)
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(f, err)
		var v vectorFile
		require.NoError(f, json.Unmarshal(raw, &v))
		for _, step := range v.Steps {
			if step.MessageType == messageType {
				f.Add([]byte(step.Ciphertext))
			}
		}
	}
}
