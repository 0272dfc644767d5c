package gcmsiv

import (
	"strconv"
	"testing"
)

func BenchmarkSeal(b *testing.B) {
	for _, size := range []int{64, 1024, 16 * 1024} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			a, err := New(make([]byte, KeySize))
			if err != nil {
				b.Fatal(err)
			}
			nonce := make([]byte, NonceSize)
			pt := make([]byte, size)
			out := make([]byte, 0, size+TagSize)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				out = a.Seal(out[:0], nonce, pt, nil)
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, size := range []int{64, 1024, 16 * 1024} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			a, err := New(make([]byte, KeySize))
			if err != nil {
				b.Fatal(err)
			}
			nonce := make([]byte, NonceSize)
			ct := a.Seal(nil, nonce, make([]byte, size), nil)
			out := make([]byte, 0, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if out, err = a.Open(out[:0], nonce, ct, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
