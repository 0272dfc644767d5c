package mlkem768

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzParseDecapsulationKey(f *testing.F) {
	var seed [SeedSize]byte
	f.Add(NewKeyFromSeed(&seed).Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		dk, err := ParseDecapsulationKey(b)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidKey)
			return
		}
		require.Equal(t, b, dk.Bytes())
		// A loaded key must decapsulate without panicking.
		var ct1 [Ciphertext1Size]byte
		var ct2 [Ciphertext2Size]byte
		Decapsulate(dk, &ct1, &ct2)
	})
}

// FuzzEncapsulate2 feeds arbitrary headers and vectors: Encapsulate2 must
// either reject the vector or produce a ciphertext that a key with that
// vector decapsulates to the shared key of Encapsulate1.
func FuzzEncapsulate2(f *testing.F) {
	var seed [SeedSize]byte
	dk := NewKeyFromSeed(&seed)
	hdr, vec := dk.Header(), dk.Vector()
	f.Add(hdr[:], vec[:], make([]byte, RandomnessSize))
	f.Fuzz(func(t *testing.T, h, v, m []byte) {
		if len(h) != HeaderSize || len(v) != VectorSize || len(m) != RandomnessSize {
			return
		}
		st, err := ParseEncapsulationState(append(append([]byte(nil), m...), h...))
		require.NoError(t, err)
		hdr := [HeaderSize]byte(h)
		ct1, _, key := Encapsulate1(&hdr, (*[RandomnessSize]byte)(m))
		ct2, err := Encapsulate2(st, (*[VectorSize]byte)(v))
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidVector)
			return
		}
		if [VectorSize]byte(v) == vec && hdr == dk.Header() {
			require.Equal(t, key, Decapsulate(dk, &ct1, &ct2))
		}
	})
}
