package curve

import (
	"bytes"
	"crypto/sha512"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sha512Concat(parts ...[]byte) []byte {
	h := sha512.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func FuzzNewPublicKey(f *testing.F) {
	for _, v := range loadLibsignalVectors(f)[:4] {
		f.Add(mustHex(f, v.PublicKey))
	}
	f.Add(make([]byte, 33))
	f.Add(append([]byte{KeyTypeDJB}, bytes.Repeat([]byte{0xff}, 32)...))
	for _, u := range lowOrderPoints {
		f.Add(append([]byte{KeyTypeDJB}, u[:]...))
	}
	priv, err := NewPrivateKey(bytes.Repeat([]byte{7}, 32))
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := NewPublicKey(b)
		if err != nil {
			assert.True(t, k.IsZero())
			return
		}
		assert.Equal(t, b, k.Bytes())
		assert.False(t, k.IsZero())

		// A canonical u that is not low order gives a non-zero X25519
		// output for every clamped scalar.
		_, err = priv.Agree(k)
		assert.NoError(t, err)
	})
}

func FuzzVerify(f *testing.F) {
	vectors := loadLibsignalVectors(f)
	for _, v := range vectors[:4] {
		f.Add(mustHex(f, v.Message), mustHex(f, v.LibsignalSignature), byte(0))
		f.Add(mustHex(f, v.Message), mustHex(f, v.Signature), byte(0))
	}
	f.Add([]byte{}, make([]byte, 64), byte(1))

	keys := make([]PublicKey, len(vectors))
	for i, v := range vectors {
		k, err := NewPublicKey(mustHex(f, v.PublicKey))
		require.NoError(f, err)
		keys[i] = k
	}

	f.Fuzz(func(t *testing.T, message, sig []byte, keyIndex byte) {
		k := keys[int(keyIndex)%len(keys)]
		if k.Verify(message, sig) != nil {
			return
		}
		// A valid signature has a canonical s, and flipping the sign bit
		// selects -A, which must not verify.
		require.Len(t, sig, SignatureSize)
		flipped := bytes.Clone(sig)
		flipped[63] ^= 0x80
		assert.ErrorIs(t, k.Verify(message, flipped), ErrInvalidSignature)
	})
}
