package x3dh_test

import (
	"testing"

	"github.com/parleyhq/parley/x3dh"
)

// BenchmarkInitiate includes the bundle's two signature checks, four
// X25519 agreements and one Kyber1024 encapsulation.
func BenchmarkInitiate(b *testing.B) {
	p := newParties(b, true)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x3dh.Initiate(nil, p.aliceIdentity, p.bundle); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRespond includes four X25519 agreements and one Kyber1024
// decapsulation.
func BenchmarkRespond(b *testing.B) {
	p := newParties(b, true)
	init, err := x3dh.Initiate(nil, p.aliceIdentity, p.bundle)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x3dh.Respond(p.bob, p.aliceIdentity.Public, init.BaseKey.Public, init.KyberCiphertext); err != nil {
			b.Fatal(err)
		}
	}
}
