package ratchet

import (
	"testing"
)

// BenchmarkSendReceive measures one message in the steady state of a chain:
// Send on one side and Receive on the other, with no DH ratchet step.
func BenchmarkSendReceive(b *testing.B) {
	p := newPair(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		h, _, err := p.alice.Send(nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.bob.Receive(nil, h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDHRatchetStep measures a message in alternating directions, so
// that every Receive takes a DH ratchet step: two X25519 agreements, one key
// generation and two HKDF calls. Each iteration also includes one Send.
func BenchmarkDHRatchetStep(b *testing.B) {
	p := newPair(b, nil)
	from, to := p.alice, p.bob
	b.ReportAllocs()
	for b.Loop() {
		h, _, err := from.Send(nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := to.Receive(nil, h); err != nil {
			b.Fatal(err)
		}
		from, to = to, from
	}
}

// BenchmarkClone measures the copy that callers make before each Receive.
func BenchmarkClone(b *testing.B) {
	p := newPair(b, nil)
	for range MaxReceiverChains {
		mustReceive(b, p.bob, send(b, p.alice))
		mustReceive(b, p.alice, send(b, p.bob))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.alice.Clone()
	}
}
