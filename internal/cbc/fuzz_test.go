package cbc

import (
	"bytes"
	"testing"
)

// FuzzDecrypt decrypts arbitrary input under arbitrary keys and IVs. Decrypt
// must not panic, and whatever it accepts must encrypt back to the same
// ciphertext, because PKCS#7 padding has a single valid form per length.
func FuzzDecrypt(f *testing.F) {
	key := bytes.Repeat([]byte{0x5a}, 32)
	iv := bytes.Repeat([]byte{0xa5}, 16)
	f.Add(key, iv, []byte{})
	f.Add(key, iv, make([]byte, 16))
	f.Add(key, iv, make([]byte, 33))
	f.Add(key[:16], iv, make([]byte, 32))
	f.Add(key[:3], iv[:7], make([]byte, 16))
	if ct, err := Encrypt(key, iv, []byte("fuzz seed")); err == nil {
		f.Add(key, iv, ct)
	}

	f.Fuzz(func(t *testing.T, key, iv, ciphertext []byte) {
		plaintext, err := Decrypt(key, iv, ciphertext)
		if err != nil {
			return
		}
		again, err := Encrypt(key, iv, plaintext)
		if err != nil {
			t.Fatalf("Encrypt after Decrypt: %v", err)
		}
		if !bytes.Equal(again, ciphertext) {
			t.Fatalf("Encrypt(Decrypt(c)) = %x, want %x", again, ciphertext)
		}
	})
}
