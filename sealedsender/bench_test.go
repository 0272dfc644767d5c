package sealedsender_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/sealedsender"
)

func benchSetup(b *testing.B) (alice, bob *device, content *sealedsender.Content) {
	auth := newAuthority(b, 1)
	alice = newDevice(b, auth, aliceACI, 1)
	bob = newDevice(b, auth, bobACI, 2)
	content = &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: alice.cert, Message: make([]byte, 1024)}
	return alice, bob, content
}

func BenchmarkEncryptV1(b *testing.B) {
	alice, bob, content := benchSetup(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sealedsender.EncryptV1(nil, alice.id, bob.id.Public, content); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnsealV1(b *testing.B) {
	alice, bob, content := benchSetup(b)
	sealed, err := sealedsender.EncryptV1(nil, alice.id, bob.id.Public, content)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sealedsender.Unseal(bob.id, sealed); err != nil {
			b.Fatal(err)
		}
	}
}

// recipients returns n recipients with one device each and fresh identity
// keys.
func recipients(b *testing.B, n int) ([]sealedsender.Recipient, []curve.KeyPair) {
	list := make([]sealedsender.Recipient, n)
	keys := make([]curve.KeyPair, n)
	for i := range list {
		k, err := curve.GenerateKeyPair(nil)
		if err != nil {
			b.Fatal(err)
		}
		id, ok := sealedsender.ParseServiceID(fmt.Sprintf("%08x-0000-4000-8000-000000000000", i))
		if !ok {
			b.Fatal("bad service id")
		}
		keys[i] = k
		list[i] = sealedsender.Recipient{ServiceID: id, IdentityKey: k.Public, Devices: []sealedsender.Device{{ID: 1, RegistrationID: uint16(i % 0x3fff)}}}
	}
	return list, keys
}

func BenchmarkEncryptV2(b *testing.B) {
	for _, n := range []int{1, 10, 1000} {
		b.Run(fmt.Sprintf("recipients=%d", n), func(b *testing.B) {
			alice, _, content := benchSetup(b)
			list, _ := recipients(b, n)
			var size int
			b.ReportAllocs()
			for b.Loop() {
				sent, err := sealedsender.EncryptV2(nil, alice.id, list, nil, content)
				if err != nil {
					b.Fatal(err)
				}
				size = len(sent)
			}
			b.ReportMetric(float64(size), "sent-bytes")
		})
	}
}

func BenchmarkUnsealV2(b *testing.B) {
	alice, _, content := benchSetup(b)
	list, keys := recipients(b, 1)
	sent, err := sealedsender.EncryptV2(nil, alice.id, list, nil, content)
	if err != nil {
		b.Fatal(err)
	}
	m, err := sealedsender.ParseSentMessage(sent)
	if err != nil {
		b.Fatal(err)
	}
	received, err := m.ReceivedMessage(&m.Recipients[0])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sealedsender.Unseal(keys[0], received); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSentMessage1000(b *testing.B) {
	alice, _, content := benchSetup(b)
	list, _ := recipients(b, 1000)
	sent, err := sealedsender.EncryptV2(nil, alice.id, list, nil, content)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(sent)))
	for b.Loop() {
		m, err := sealedsender.ParseSentMessage(sent)
		if err != nil {
			b.Fatal(err)
		}
		for i := range m.Recipients {
			if _, err := m.ReceivedMessage(&m.Recipients[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
