package cbc

import "testing"

func BenchmarkEncrypt1KiB(b *testing.B) {
	key := make([]byte, 32)
	iv := make([]byte, 16)
	plaintext := make([]byte, 1024)
	b.SetBytes(int64(len(plaintext)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encrypt(key, iv, plaintext); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt1KiB(b *testing.B) {
	key := make([]byte, 32)
	iv := make([]byte, 16)
	ciphertext, err := Encrypt(key, iv, make([]byte, 1024))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(ciphertext)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decrypt(key, iv, ciphertext); err != nil {
			b.Fatal(err)
		}
	}
}
