package session_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

func TestSessionExchange(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))

	first := alice.encrypt(bob, "one")
	second := alice.encrypt(bob, "two")
	assert.Equal(t, session.MessageTypePreKey, first.typ)
	assert.Equal(t, session.MessageTypePreKey, second.typ)
	bob.mustDecrypt(alice, first, "one")
	bob.mustDecrypt(alice, second, "two")

	reply := bob.encrypt(alice, "three")
	assert.Equal(t, session.MessageTypeWhisper, reply.typ)
	alice.mustDecrypt(bob, reply, "three")

	next := alice.encrypt(bob, "four")
	assert.Equal(t, session.MessageTypeWhisper, next.typ, "alice sends whisper messages once bob replied")
	bob.mustDecrypt(alice, next, "four")

	for i := range 20 {
		text := fmt.Sprintf("round %d", i)
		if i%3 == 0 {
			bob.mustDecrypt(alice, alice.encrypt(bob, text), text)
		} else {
			alice.mustDecrypt(bob, bob.encrypt(alice, text), text)
		}
	}
	info, err := alice.cipher.SessionInfo(ctx, bob.addr)
	require.NoError(t, err)
	assert.True(t, info.Acknowledged)
	assert.True(t, info.RemoteIdentity.Equal(bob.id.Public))
}

func TestSessionWithoutOneTimePreKey(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 2)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(false, true)))
	bob.mustDecrypt(alice, alice.encrypt(bob, "no one-time prekey"), "no one-time prekey")
	alice.mustDecrypt(bob, bob.encrypt(alice, "ok"), "ok")
}

func TestSessionNonServiceIDNames(t *testing.T) {
	alice, bob := newDevice(t, "+14155550100", 1), newDevice(t, "bob", 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	bob.mustDecrypt(alice, alice.encrypt(bob, "plain names"), "plain names")
}

func TestDuplicateMessage(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)

	m1, m2 := alice.encrypt(bob, "m1"), alice.encrypt(bob, "m2")
	bob.mustDecrypt(alice, m1, "m1")
	before := bob.snapshot(alice)
	_, err := bob.decrypt(alice, m1)
	require.ErrorIs(t, err, session.ErrDuplicateMessage)
	assert.Equal(t, before, bob.snapshot(alice), "a duplicate changes no stored state")
	bob.mustDecrypt(alice, m2, "m2")
}

func TestDuplicatePreKeyMessage(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	first := alice.encrypt(bob, "first")
	bob.mustDecrypt(alice, first, "first")

	// The one-time prekey is gone now; the copy must still be seen as a
	// duplicate, not as a message for a missing prekey.
	require.NoError(t, bob.store.View(ctx, func(tx keystore.Tx) error {
		_, err := tx.PreKey(ctx, 1)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		return nil
	}))
	_, err := bob.decrypt(alice, first)
	require.ErrorIs(t, err, session.ErrDuplicateMessage)
	assert.NotErrorIs(t, err, session.ErrNoPreKey)
}

func TestForwardJumpLimit(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)

	first := alice.encrypt(bob, "m0")
	bob.mustDecrypt(alice, first, "m0")
	var ahead, tooFar ciphertext
	for i := 1; i <= 25001; i++ {
		c := alice.encrypt(bob, fmt.Sprintf("m%d", i))
		switch i {
		case 25000:
			ahead = c
		case 25001:
			tooFar = c
		}
	}
	// Counted from the last message bob received, 25,000 ahead is the
	// limit that libsignal accepts.
	before := bob.snapshot(alice)
	_, err := bob.decrypt(alice, tooFar)
	require.ErrorIs(t, err, session.ErrInvalidMessage)
	assert.Equal(t, before, bob.snapshot(alice))
	bob.mustDecrypt(alice, ahead, "m25000")
}

func TestForgedMessageLeavesNoTrace(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	genuine := alice.encrypt(bob, "genuine")

	// A forger without the session keys sends a well-formed message with a
	// fresh ratchet key and a large counter.
	forgedKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	m, err := session.ParseSignalMessage(genuine.data)
	require.NoError(t, err)
	forged := reencode(t, m, func(f *fields) {
		f.ratchetKey = forgedKey.Public.Bytes()
		f.counter = 20000
	})
	before := bob.snapshot(alice)
	_, err = bob.decrypt(alice, ciphertext{session.MessageTypeWhisper, forged})
	require.ErrorIs(t, err, session.ErrInvalidMessage)
	assert.Equal(t, before, bob.snapshot(alice), "a forged message leaves no trace")
	bob.mustDecrypt(alice, genuine, "genuine")
}

func TestGarbageThenValid(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	genuine := alice.encrypt(bob, "still works")
	before := bob.snapshot(alice)

	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		n := r.IntN(len(genuine.data) + 20)
		junk := make([]byte, n)
		for j := range junk {
			junk[j] = byte(r.Uint32())
		}
		if i%2 == 0 && n > 0 {
			junk[0] = 0x44
		}
		typ := session.MessageTypeWhisper
		if i%3 == 0 {
			typ = session.MessageTypePreKey
		}
		_, err := bob.decrypt(alice, ciphertext{typ, junk})
		require.Error(t, err)
	}
	assert.Equal(t, before, bob.snapshot(alice))
	bob.mustDecrypt(alice, genuine, "still works")
}

func TestTamperedFieldsFailMAC(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	first := alice.encrypt(bob, "first")
	pk, err := session.ParsePreKeySignalMessage(first.data)
	require.NoError(t, err)
	require.Len(t, pk.Message.Addresses, 36, "prekey messages between service IDs carry addresses")

	bob.mustDecrypt(alice, first, "first")
	alice.mustDecrypt(bob, bob.encrypt(alice, "reply"), "reply")
	genuine := alice.encrypt(bob, "target")
	m, err := session.ParseSignalMessage(genuine.data)
	require.NoError(t, err)

	otherKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	cases := map[string]func(*fields){
		"counter":          func(f *fields) { f.counter ^= 1 },
		"previous counter": func(f *fields) { f.previousCounter ^= 1 },
		"ratchet key":      func(f *fields) { f.ratchetKey = otherKey.Public.Bytes() },
		"addresses":        func(f *fields) { f.addresses = pk.Message.Addresses; f.addresses[5] ^= 1 },
		"ciphertext":       func(f *fields) { f.ciphertext[0] ^= 1 },
		"mac":              func(f *fields) { f.mac[0] ^= 1 },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			before := bob.snapshot(alice)
			_, err := bob.decrypt(alice, ciphertext{session.MessageTypeWhisper, reencode(t, m, tamper)})
			require.Error(t, err)
			assert.Equal(t, before, bob.snapshot(alice))
		})
	}
	bob.mustDecrypt(alice, genuine, "target")
}

func TestOutOfOrderAcrossRatchetStep(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)

	a1, a2 := alice.encrypt(bob, "a1"), alice.encrypt(bob, "a2")
	bob.mustDecrypt(alice, a1, "a1")
	alice.mustDecrypt(bob, bob.encrypt(alice, "reply"), "reply")
	a3 := alice.encrypt(bob, "a3")
	bob.mustDecrypt(alice, a3, "a3")
	bob.mustDecrypt(alice, a2, "a2")
}

func TestReorderedDelivery(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	r := rand.New(rand.NewPCG(3, 4))
	var queue []ciphertext
	var texts []string
	for i := range 200 {
		text := fmt.Sprintf("msg %d", i)
		queue = append(queue, alice.encrypt(bob, text))
		texts = append(texts, text)
	}
	r.Shuffle(len(queue), func(i, j int) {
		queue[i], queue[j] = queue[j], queue[i]
		texts[i], texts[j] = texts[j], texts[i]
	})
	for i := range queue {
		bob.mustDecrypt(alice, queue[i], texts[i])
	}
}

func TestSimultaneousInitiation(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	require.NoError(t, bob.cipher.ProcessBundle(ctx, alice.addr, alice.bundle(true, false)))

	fromAlice := alice.encrypt(bob, "from alice")
	fromBob := bob.encrypt(alice, "from bob")
	bob.mustDecrypt(alice, fromAlice, "from alice")
	alice.mustDecrypt(bob, fromBob, "from bob")

	// Each side now has the other's session current. Messages flow both ways
	// and the sides converge on one session.
	for i := range 6 {
		text := fmt.Sprintf("after %d", i)
		if i%2 == 0 {
			bob.mustDecrypt(alice, alice.encrypt(bob, text), text)
		} else {
			alice.mustDecrypt(bob, bob.encrypt(alice, text), text)
		}
	}
	m := alice.encrypt(bob, "converged")
	assert.Equal(t, session.MessageTypeWhisper, m.typ)
	bob.mustDecrypt(alice, m, "converged")
}

func TestLateMessageFromArchivedSession(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	late := alice.encrypt(bob, "late")

	// Alice reinstalls her session with a fresh bundle; bob archives the old
	// state when the new PreKey message arrives.
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	bob.mustDecrypt(alice, alice.encrypt(bob, "new session"), "new session")
	info, err := bob.cipher.SessionInfo(ctx, alice.addr)
	require.NoError(t, err)
	require.Equal(t, 1, info.ArchivedStates)

	bob.mustDecrypt(alice, late, "late")
	info, err = bob.cipher.SessionInfo(ctx, alice.addr)
	require.NoError(t, err)
	assert.Equal(t, 1, info.ArchivedStates, "the archived state became current and the new one was archived")
}

func TestIdentityChange(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)

	// Bob reinstalls with a new identity key under the same address.
	bob2 := newDevice(t, bobACI, 1)
	err := alice.cipher.ProcessBundle(ctx, bob2.addr, bob2.bundle(true, false))
	var untrusted *session.UntrustedIdentityError
	require.ErrorAs(t, err, &untrusted)
	assert.ErrorIs(t, err, session.ErrUntrustedIdentity)
	assert.Equal(t, bob2.addr, untrusted.Address)

	// A PreKey message from the new identity is rejected too, until alice
	// trusts it.
	require.NoError(t, bob2.cipher.ProcessBundle(ctx, alice.addr, alice.bundle(true, false)))
	m := bob2.encrypt(alice, "new me")
	before := alice.snapshot(bob)
	_, err = alice.decrypt(bob2, m)
	require.ErrorIs(t, err, session.ErrUntrustedIdentity)
	assert.Equal(t, before, alice.snapshot(bob))

	require.NoError(t, alice.store.Update(ctx, func(tx keystore.Tx) error {
		replaced, err := tx.SaveIdentity(ctx, bob2.addr, bob2.id.Public)
		assert.True(t, replaced)
		return err
	}))
	alice.mustDecrypt(bob2, m, "new me")
	bob2.mustDecrypt(alice, alice.encrypt(bob2, "welcome back"), "welcome back")
}

func TestUnacknowledgedSessionExpires(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alice.cipher.Now = func() time.Time { return now }
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))

	now = now.Add(30 * 24 * time.Hour)
	_, _, err := alice.cipher.Encrypt(ctx, bob.addr, []byte("day 30"))
	require.NoError(t, err)
	now = now.Add(time.Second)
	_, _, err = alice.cipher.Encrypt(ctx, bob.addr, []byte("day 30 and a second"))
	require.ErrorIs(t, err, session.ErrNoSession)
}

func TestNoSession(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	_, _, err := alice.cipher.Encrypt(ctx, bob.addr, []byte("x"))
	require.ErrorIs(t, err, session.ErrNoSession)
}

func TestBundleRejectsBadSignature(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	b := bob.bundle(true, false)
	b.SignedPreKeySignature[3] ^= 1
	require.Error(t, alice.cipher.ProcessBundle(ctx, bob.addr, b))
	_, err := alice.cipher.SessionInfo(ctx, bob.addr)
	require.ErrorIs(t, err, session.ErrNoSession)
}

func TestMissingPreKey(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	require.NoError(t, bob.store.Update(ctx, func(tx keystore.Tx) error { return tx.RemovePreKey(ctx, 1) }))
	_, err := bob.decrypt(alice, alice.encrypt(bob, "x"))
	require.ErrorIs(t, err, session.ErrNoPreKey)
	require.ErrorIs(t, err, keystore.ErrNotFound)
}

func TestLastResortKyberReplay(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(false, true)))
	first := alice.encrypt(bob, "first")
	bob.mustDecrypt(alice, first, "first")

	// Bob loses the session; the same first message must not start a new one.
	require.NoError(t, bob.store.Update(ctx, func(tx keystore.Tx) error { return tx.DeleteSession(ctx, alice.addr) }))
	_, err := bob.decrypt(alice, first)
	require.ErrorIs(t, err, keystore.ErrKyberPreKeyReused)
}

func TestConcurrentEncryptDecrypt(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)

	const n = 50
	var wg sync.WaitGroup
	out := make(chan ciphertext, 2*n)
	toAlice := make([]ciphertext, n)
	for i := range n {
		toAlice[i] = bob.encrypt(alice, fmt.Sprintf("b%d", i))
	}
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			typ, data, err := alice.cipher.Encrypt(ctx, bob.addr, []byte(fmt.Sprintf("a%d", i)))
			if err != nil {
				errs <- err
				return
			}
			out <- ciphertext{typ, data}
		}()
		go func() {
			defer wg.Done()
			if _, err := alice.decrypt(bob, toAlice[i]); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(out)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Every message has a distinct counter, so no key was reused, and all
	// of them decrypt.
	seen := map[string]bool{}
	for c := range out {
		m, err := session.ParseSignalMessage(c.data)
		require.NoError(t, err)
		key := fmt.Sprintf("%x/%d", m.RatchetKey.Bytes(), m.Counter)
		require.False(t, seen[key], "counter reused: %s", key)
		seen[key] = true
		_, err = bob.decrypt(alice, c)
		require.NoError(t, err)
	}
	assert.Len(t, seen, n)
}

func TestRejectsBadKeysInMessages(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	m, err := session.ParseSignalMessage(alice.encrypt(bob, "x").data)
	require.NoError(t, err)
	cases := map[string][]byte{
		"raw 32-byte key": make([]byte, 32),
		"type byte 0x06":  append([]byte{0x06}, m.RatchetKey.Bytes()[1:]...),
		"all-zero key":    append([]byte{0x05}, make([]byte, 32)...),
	}
	for name, key := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := session.ParseSignalMessage(reencode(t, m, func(f *fields) { f.ratchetKey = key }))
			require.ErrorIs(t, err, session.ErrInvalidMessage)
		})
	}
	_, err = session.ParseSignalMessage(reencode(t, m, func(f *fields) { f.ratchetKey = make([]byte, 32) }))
	assert.True(t, errors.Is(err, curve.ErrInvalidKeyLength), "got %v", err)
}

func TestMessageEncodingByHand(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	require.NoError(t, alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)))
	pk, err := session.ParsePreKeySignalMessage(alice.encrypt(bob, "x").data)
	require.NoError(t, err)

	// Fields in field-number order, as libsignal's encoder writes them.
	raw := pk.Message.Bytes()
	assert.Equal(t, raw, reencode(t, pk.Message, func(*fields) {}))
	assert.Equal(t, byte(0x44), raw[0], "version byte")
}
