package fingerprint

import "testing"

// BenchmarkNew measures one fingerprint at the standard count: 5,200
// SHA-512 computations for each side.
func BenchmarkNew(b *testing.B) {
	alice, bob := testKey(b, "alice"), testKey(b, "bob")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Version2, Iterations, aliceID, alice, bobID, bob); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	alice, bob := testKey(b, "alice"), testKey(b, "bob")
	ours, err := New(Version2, Iterations, aliceID, alice, bobID, bob)
	if err != nil {
		b.Fatal(err)
	}
	theirs, err := New(Version2, Iterations, bobID, bob, aliceID, alice)
	if err != nil {
		b.Fatal(err)
	}
	scanned := theirs.Scannable()
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := ours.Compare(scanned); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
