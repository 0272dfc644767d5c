package cbc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"fmt"
)

var (
	// ErrInvalidLength is returned by Decrypt for a ciphertext that is empty
	// or not a whole number of 16-byte blocks.
	ErrInvalidLength = errors.New("cbc: invalid ciphertext length")

	// ErrInvalidPadding is returned by Decrypt when the decrypted data does
	// not end in valid PKCS#7 padding.
	ErrInvalidPadding = errors.New("cbc: invalid padding")
)

// newCBC checks the key and IV lengths and returns the AES block cipher.
func newCBC(key, iv []byte) (cipher.Block, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cbc: invalid key: %w", err)
	}
	if len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("cbc: invalid IV length %d, want %d bytes", len(iv), aes.BlockSize)
	}
	return block, nil
}

// Encrypt pads plaintext with PKCS#7 and encrypts it with AES-CBC.
//
// The key must be 16, 24 or 32 bytes (AES-128, AES-192 or AES-256) and iv
// must be 16 bytes. The result is a new slice of len(plaintext) rounded up to
// the next multiple of 16 bytes, plus a whole block when plaintext is already
// a multiple of 16 bytes.
func Encrypt(key, iv, plaintext []byte) ([]byte, error) {
	block, err := newCBC(key, iv)
	if err != nil {
		return nil, err
	}

	padLen := aes.BlockSize - len(plaintext)%aes.BlockSize
	out := make([]byte, len(plaintext)+padLen)
	copy(out, plaintext)
	for i := len(plaintext); i < len(out); i++ {
		out[i] = byte(padLen)
	}

	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, out)
	return out, nil
}

// Decrypt decrypts ciphertext with AES-CBC and removes its PKCS#7 padding.
//
// The key must be 16, 24 or 32 bytes and iv must be 16 bytes. Decrypt returns
// [ErrInvalidLength] if ciphertext is empty or not a multiple of 16 bytes, and
// [ErrInvalidPadding] if the padding is malformed. The padding check does
// not branch on the padding bytes.
func Decrypt(key, iv, ciphertext []byte) ([]byte, error) {
	block, err := newCBC(key, iv)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) == 0 || len(ciphertext)%aes.BlockSize != 0 {
		return nil, ErrInvalidLength
	}

	out := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ciphertext)

	padLen, ok := checkPadding(out)
	if !ok {
		clear(out)
		return nil, ErrInvalidPadding
	}
	return out[:len(out)-padLen], nil
}

// checkPadding returns the PKCS#7 padding length of data, which must be at
// least one block long, and whether the padding is valid. It reads the whole
// last block and does not branch on its bytes.
func checkPadding(data []byte) (int, bool) {
	last := data[len(data)-aes.BlockSize:]
	padByte := last[aes.BlockSize-1]
	padLen := int(padByte)

	// valid is 1 while the padding is well formed: 1 <= padLen <= 16 and the
	// last padLen bytes all equal padByte.
	valid := subtle.ConstantTimeLessOrEq(1, padLen) & subtle.ConstantTimeLessOrEq(padLen, aes.BlockSize)
	for i := range aes.BlockSize {
		// distance counts from the end of the block: 1 for the last byte.
		distance := aes.BlockSize - i
		inPadding := subtle.ConstantTimeLessOrEq(distance, padLen)
		matches := subtle.ConstantTimeByteEq(last[i], padByte)
		valid &= matches | (inPadding ^ 1)
	}
	return padLen, valid == 1
}
