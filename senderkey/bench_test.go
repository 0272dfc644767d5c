package senderkey

import (
	"context"
	"testing"
)

func BenchmarkEncrypt1KiB(b *testing.B) {
	p := newGroupPair(b, 40)
	plaintext := make([]byte, 1024)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		if _, err := Encrypt(ctx, p.sender, alice, distID, plaintext, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecrypt1KiB decrypts messages in order, so each one advances the
// chain by one step. The messages are made before the timer starts.
func BenchmarkDecrypt1KiB(b *testing.B) {
	p := newGroupPair(b, 41)
	plaintext := make([]byte, 1024)
	ctx := context.Background()
	msgs := make([][]byte, b.N)
	for i := range msgs {
		m, err := Encrypt(ctx, p.sender, alice, distID, plaintext, nil)
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = m
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(plaintext)))
	b.ResetTimer()
	for i := range b.N {
		if _, err := Decrypt(ctx, p.receiver, alice, msgs[i]); err != nil {
			b.Fatal(err)
		}
	}
}
