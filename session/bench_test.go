package session_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// newConnectedPair returns two devices with a session that both sides have
// acknowledged, so both send Whisper messages. Unlike connect it takes any
// testing.TB.
func newConnectedPair(tb testing.TB) (alice, bob *device) {
	tb.Helper()
	alice, bob = newDevice(tb, aliceACI, 1), newDevice(tb, bobACI, 1)
	if err := alice.cipher.ProcessBundle(ctx, bob.addr, bob.bundle(true, false)); err != nil {
		tb.Fatal(err)
	}
	bob.mustDecrypt(alice, alice.encrypt(bob, "hello"), "hello")
	alice.mustDecrypt(bob, bob.encrypt(alice, "hi"), "hi")
	return alice, bob
}

var kib = bytes.Repeat([]byte{'x'}, 1024)

// BenchmarkEncrypt1KiB measures Encrypt of 1 KiB on one sending chain,
// including loading and storing the session record.
func BenchmarkEncrypt1KiB(b *testing.B) {
	alice, bob := newConnectedPair(b)
	b.SetBytes(int64(len(kib)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := alice.cipher.Encrypt(ctx, bob.addr, kib); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecrypt1KiB measures Decrypt of 1 KiB messages that arrive in
// order on one receiving chain. The messages are encrypted before the timer
// starts.
func BenchmarkDecrypt1KiB(b *testing.B) {
	alice, bob := newConnectedPair(b)
	msgs := make([]ciphertext, b.N)
	for i := range msgs {
		msgs[i] = alice.encrypt(bob, string(kib))
	}
	b.SetBytes(int64(len(kib)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bob.cipher.Decrypt(ctx, alice.addr, msgs[i].typ, msgs[i].data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRatchetStepRoundTrip measures one message each way, each of 1
// KiB. Every Decrypt takes a DH ratchet step.
func BenchmarkRatchetStepRoundTrip(b *testing.B) {
	alice, bob := newConnectedPair(b)
	b.ReportAllocs()
	for b.Loop() {
		typ, data, err := alice.cipher.Encrypt(ctx, bob.addr, kib)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bob.cipher.Decrypt(ctx, alice.addr, typ, data); err != nil {
			b.Fatal(err)
		}
		typ, data, err = bob.cipher.Encrypt(ctx, alice.addr, kib)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := alice.cipher.Decrypt(ctx, bob.addr, typ, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessBundle measures the initiator's session setup: the trust
// check, two signature checks, PQXDH and the first ratchet step. Each
// iteration uses a new, empty store, so no archived states build up; making
// the store is a negligible part of the time.
func BenchmarkProcessBundle(b *testing.B) {
	alice, bob := newDevice(b, aliceACI, 1), newDevice(b, bobACI, 1)
	bundle := bob.bundle(true, false)
	b.ReportAllocs()
	for b.Loop() {
		c := &session.Cipher{Store: keystore.NewMemoryStore(alice.id, alice.regID), LocalAddress: alice.addr}
		if err := c.ProcessBundle(ctx, bob.addr, bundle); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstMessageDecrypt measures the responder's Decrypt of a first
// PreKey message: PQXDH with a one-time prekey and Kyber decapsulation, the
// first DH ratchet step and the prekey removal. A fresh responder store
// and a fresh first message are made for every iteration with the timer
// stopped.
func BenchmarkFirstMessageDecrypt(b *testing.B) {
	alice, bob := newDevice(b, aliceACI, 1), newDevice(b, bobACI, 1)
	now := time.Now()
	opk, err := session.NewPreKey(nil, 1)
	if err != nil {
		b.Fatal(err)
	}
	spk, err := session.NewSignedPreKey(nil, bob.id, 1, now)
	if err != nil {
		b.Fatal(err)
	}
	kpk, err := session.NewKyberPreKey(nil, bob.id, 1, now, false)
	if err != nil {
		b.Fatal(err)
	}
	bundle := session.NewBundle(bob.id.Public, bob.regID, bob.addr.DeviceID, &opk, spk, kpk)

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bobStore := keystore.NewMemoryStore(bob.id, bob.regID)
		err := bobStore.Update(ctx, func(tx keystore.Tx) error {
			if err := tx.StorePreKey(ctx, opk); err != nil {
				return err
			}
			if err := tx.StoreSignedPreKey(ctx, spk); err != nil {
				return err
			}
			return tx.StoreKyberPreKey(ctx, kpk)
		})
		if err != nil {
			b.Fatal(err)
		}
		bobCipher := &session.Cipher{Store: bobStore, LocalAddress: bob.addr}
		aliceCipher := &session.Cipher{Store: keystore.NewMemoryStore(alice.id, alice.regID), LocalAddress: alice.addr}
		if err := aliceCipher.ProcessBundle(ctx, bob.addr, bundle); err != nil {
			b.Fatal(err)
		}
		typ, data, err := aliceCipher.Encrypt(ctx, bob.addr, kib)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		if _, err := bobCipher.Decrypt(ctx, alice.addr, typ, data); err != nil {
			b.Fatal(err)
		}
	}
}
