package gcmsiv

import (
	"bytes"
	"testing"
)

// FuzzOpen checks that Open never panics on arbitrary ciphertexts and that
// whatever it accepts seals back to the same bytes.
func FuzzOpen(f *testing.F) {
	f.Add(make([]byte, KeySize), make([]byte, NonceSize), []byte{}, make([]byte, TagSize))
	f.Add(unhex(f, c2Key), unhex(f, c2Nonce), []byte{1}, unhex(f, "1de22967237a813291213f267e3b452f02d01ae33e4ec854"))
	f.Add(make([]byte, 16), make([]byte, NonceSize), []byte{}, []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, key, nonce, aad, ciphertext []byte) {
		if len(key) != 16 && len(key) != 32 {
			return
		}
		if len(nonce) != NonceSize {
			return
		}
		a, err := New(key)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := a.Open(nil, nonce, ciphertext, aad)
		if err != nil {
			return
		}
		if again := a.Seal(nil, nonce, pt, aad); !bytes.Equal(again, ciphertext) {
			t.Fatalf("Open accepted a ciphertext that Seal does not produce")
		}
	})
}

// FuzzRoundTrip checks that Seal and Open invert each other.
func FuzzRoundTrip(f *testing.F) {
	f.Add(make([]byte, KeySize), make([]byte, NonceSize), []byte("aad"), []byte("plaintext"))
	f.Fuzz(func(t *testing.T, key, nonce, aad, plaintext []byte) {
		if len(key) != KeySize || len(nonce) != NonceSize {
			return
		}
		a, err := New(key)
		if err != nil {
			t.Fatal(err)
		}
		ct := a.Seal(nil, nonce, plaintext, aad)
		pt, err := a.Open(nil, nonce, ct, aad)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(pt, plaintext) {
			t.Fatalf("round trip changed the plaintext")
		}
	})
}
