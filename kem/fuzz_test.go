package kem

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func FuzzNewPublicKey(f *testing.F) {
	kp, err := GenerateKeyPair(bytes.NewReader(make([]byte, SeedSize)))
	require.NoError(f, err)
	f.Add(kp.Public.Bytes())
	f.Add(kp.Public.Bytes()[1:])
	f.Add(append([]byte{KeyTypeKyber1024}, bytes.Repeat([]byte{0xff}, PublicKeySize-1)...))

	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := NewPublicKey(b)
		if err != nil {
			assert.Nil(t, k)
			return
		}
		assert.Equal(t, b, k.Bytes())
		secret, ct, err := k.Encapsulate(nil)
		require.NoError(t, err)
		assert.Len(t, ct, CiphertextSize)
		assert.NotEqual(t, [32]byte{}, secret)
	})
}

func FuzzDecapsulate(f *testing.F) {
	kp, err := GenerateKeyPair(bytes.NewReader(make([]byte, SeedSize)))
	require.NoError(f, err)
	_, ct, err := kp.Public.Encapsulate(bytes.NewReader(make([]byte, 32)))
	require.NoError(f, err)
	f.Add(ct)
	f.Add(ct[1:])
	f.Add([]byte{KeyTypeKyber1024})

	f.Fuzz(func(t *testing.T, ciphertext []byte) {
		_, err := kp.Private.Decapsulate(ciphertext)
		wellFormed := len(ciphertext) == CiphertextSize && ciphertext[0] == KeyTypeKyber1024
		if wellFormed {
			assert.NoError(t, err)
		} else {
			assert.ErrorIs(t, err, ErrInvalidCiphertext)
		}
	})
}
