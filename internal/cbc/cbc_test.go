package cbc

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// NIST SP 800-38A, appendix F.2.5 (CBC-AES256.Encrypt). The plaintext is four
// whole blocks, so PKCS#7 adds one block of 0x10 bytes. Its ciphertext,
// 3f461796..., was computed with OpenSSL 3.0.19 (`openssl enc -aes-256-cbc`).
const (
	sp80038aKey        = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"
	sp80038aIV         = "000102030405060708090a0b0c0d0e0f"
	sp80038aPlaintext  = "6bc1bee22e409f96e93d7e117393172a" + "ae2d8a571e03ac9c9eb76fac45af8e51" + "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710"
	sp80038aCiphertext = "f58c4c04d6e5f1ba779eabfb5f7bfbd6" + "9cfc4e967edb808d679f777bc6702c7d" + "39f23369a9d9bacfa530e26304231461" + "b2eb05e2c39be9fcda6c19078c6a9d1b"
	paddingBlockCT     = "3f461796d6b0d6b2e0c2a72b4d80e644"
)

func TestEncryptSP80038A(t *testing.T) {
	got, err := Encrypt(mustHex(t, sp80038aKey), mustHex(t, sp80038aIV), mustHex(t, sp80038aPlaintext))
	require.NoError(t, err)
	assert.Equal(t, sp80038aCiphertext+paddingBlockCT, hex.EncodeToString(got))
}

func TestDecryptSP80038A(t *testing.T) {
	got, err := Decrypt(mustHex(t, sp80038aKey), mustHex(t, sp80038aIV), mustHex(t, sp80038aCiphertext+paddingBlockCT))
	require.NoError(t, err)
	assert.Equal(t, sp80038aPlaintext, hex.EncodeToString(got))
}

func TestRoundTripLengths(t *testing.T) {
	iv := bytes.Repeat([]byte{0x24}, 16)
	for _, keyLen := range []int{16, 24, 32} {
		key := bytes.Repeat([]byte{0x42}, keyLen)
		for n := range 50 {
			plaintext := bytes.Repeat([]byte{byte(n)}, n)

			ct, err := Encrypt(key, iv, plaintext)
			require.NoError(t, err)
			assert.Len(t, ct, (n/16+1)*16, "key %d, plaintext %d", keyLen, n)

			got, err := Decrypt(key, iv, ct)
			require.NoError(t, err)
			assert.Equal(t, plaintext, got, "key %d, plaintext %d", keyLen, n)
		}
	}
}

func TestEncryptEmpty(t *testing.T) {
	key := make([]byte, 32)
	iv := make([]byte, 16)

	ct, err := Encrypt(key, iv, nil)
	require.NoError(t, err)
	assert.Len(t, ct, 16)

	got, err := Decrypt(key, iv, ct)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestEncryptKeepsInput(t *testing.T) {
	plaintext := []byte("sixteen byte msg")
	ct, err := Encrypt(make([]byte, 32), make([]byte, 16), plaintext)
	require.NoError(t, err)
	assert.Equal(t, []byte("sixteen byte msg"), plaintext)
	assert.Len(t, ct, 32)
}

func TestInvalidKeyAndIV(t *testing.T) {
	for _, keyLen := range []int{0, 15, 17, 31, 33, 64} {
		_, err := Encrypt(make([]byte, keyLen), make([]byte, 16), nil)
		assert.Error(t, err, "encrypt, key %d bytes", keyLen)
		_, err = Decrypt(make([]byte, keyLen), make([]byte, 16), make([]byte, 16))
		assert.Error(t, err, "decrypt, key %d bytes", keyLen)
	}
	for _, ivLen := range []int{0, 8, 15, 17, 32} {
		_, err := Encrypt(make([]byte, 32), make([]byte, ivLen), nil)
		assert.Error(t, err, "encrypt, IV %d bytes", ivLen)
		_, err = Decrypt(make([]byte, 32), make([]byte, ivLen), make([]byte, 16))
		assert.Error(t, err, "decrypt, IV %d bytes", ivLen)
	}
}

func TestDecryptInvalidLength(t *testing.T) {
	key := make([]byte, 32)
	iv := make([]byte, 16)
	for _, n := range []int{0, 1, 15, 17, 31, 33} {
		_, err := Decrypt(key, iv, make([]byte, n))
		assert.ErrorIs(t, err, ErrInvalidLength, "ciphertext %d bytes", n)
	}
}

// encryptRaw encrypts whole blocks with AES-256-CBC and no padding, so tests
// can build ciphertexts whose last block holds chosen padding bytes.
func encryptRaw(t *testing.T, key, iv, blocks []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	out := make([]byte, len(blocks))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, blocks)
	return out
}

func TestDecryptPadding(t *testing.T) {
	key := bytes.Repeat([]byte{0x01}, 32)
	iv := bytes.Repeat([]byte{0x02}, 16)
	cases := []struct {
		name      string
		lastBlock string
		wantLen   int // plaintext length, or -1 for ErrInvalidPadding
	}{
		{"one byte", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01", 15},
		{"full block", "10101010101010101010101010101010", 0},
		{"fifteen bytes", "aa0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f", 1},
		{"zero", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa00", -1},
		{"seventeen", "11111111111111111111111111111111", -1},
		{"ff", "ffffffffffffffffffffffffffffffff", -1},
		{"mismatch last but one", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa0302", -1},
		{"mismatch first", "0f101010101010101010101010101010", -1},
		{"mismatch inner", "aaaaaaaaaaaaaaaaaaaaaaaa04050404", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := encryptRaw(t, key, iv, mustHex(t, tc.lastBlock))
			got, err := Decrypt(key, iv, ct)
			if tc.wantLen < 0 {
				assert.ErrorIs(t, err, ErrInvalidPadding)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Len(t, got, tc.wantLen)
		})
	}
}

// The padding check looks only at the last block, so a valid last block after
// other blocks still decrypts.
func TestDecryptPaddingLastBlock(t *testing.T) {
	key := bytes.Repeat([]byte{0x03}, 32)
	iv := bytes.Repeat([]byte{0x04}, 16)
	blocks := mustHex(t, "01010101010101010101010101010101"+"aaaaaaaaaaaaaaaaaaaaaaaaaaaa0202")

	got, err := Decrypt(key, iv, encryptRaw(t, key, iv, blocks))
	require.NoError(t, err)
	assert.Equal(t, blocks[:30], got)
}
