package mlkem768

import "testing"

func BenchmarkGenerateKey(b *testing.B) {
	var seed [SeedSize]byte
	b.ReportAllocs()
	for b.Loop() {
		NewKeyFromSeed(&seed)
	}
}

func BenchmarkEncapsulate1(b *testing.B) {
	var seed [SeedSize]byte
	var m [RandomnessSize]byte
	hdr := NewKeyFromSeed(&seed).Header()
	b.ReportAllocs()
	for b.Loop() {
		Encapsulate1(&hdr, &m)
	}
}

func BenchmarkEncapsulate2(b *testing.B) {
	var seed [SeedSize]byte
	var m [RandomnessSize]byte
	dk := NewKeyFromSeed(&seed)
	hdr, vec := dk.Header(), dk.Vector()
	_, st, _ := Encapsulate1(&hdr, &m)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encapsulate2(st, &vec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecapsulate(b *testing.B) {
	var seed [SeedSize]byte
	var m [RandomnessSize]byte
	dk := NewKeyFromSeed(&seed)
	hdr, vec := dk.Header(), dk.Vector()
	ct1, st, _ := Encapsulate1(&hdr, &m)
	ct2, err := Encapsulate2(st, &vec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Decapsulate(dk, &ct1, &ct2)
	}
}
