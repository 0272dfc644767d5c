package mlkem768

import (
	"bytes"
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/sha3"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seeded returns a deterministic stream for tests.
func seeded(label string) *sha3.SHAKE {
	s := sha3.NewSHAKE128()
	s.Write([]byte(label))
	return s
}

func TestKeyMatchesStdlib(t *testing.T) {
	rng := seeded("keygen")
	for range 20 {
		var seed [SeedSize]byte
		rng.Read(seed[:])
		dk := NewKeyFromSeed(&seed)
		std, err := mlkem.NewDecapsulationKey768(seed[:])
		require.NoError(t, err)
		require.Equal(t, std.EncapsulationKey().Bytes(), dk.EncapsulationKey())

		hdr := dk.Header()
		vec := dk.Vector()
		ek := dk.EncapsulationKey()
		assert.Equal(t, ek[VectorSize:], hdr[:32], "header starts with ρ")
		h := sha3.Sum256(ek)
		assert.Equal(t, h[:], hdr[32:], "header ends with H(ek)")
		assert.Equal(t, ek[:VectorSize], vec[:])
	}
}

func TestEncapsulateMatchesStdlib(t *testing.T) {
	rng := seeded("encaps")
	for range 20 {
		var seed [SeedSize]byte
		var m [RandomnessSize]byte
		rng.Read(seed[:])
		rng.Read(m[:])
		dk := NewKeyFromSeed(&seed)
		ek, err := mlkem.NewEncapsulationKey768(dk.EncapsulationKey())
		require.NoError(t, err)
		wantKey, wantCT, err := mlkemtest.Encapsulate768(ek, m[:])
		require.NoError(t, err)

		hdr, vec := dk.Header(), dk.Vector()
		ct1, st, key := Encapsulate1(&hdr, &m)
		ct2, err := Encapsulate2(st, &vec)
		require.NoError(t, err)
		assert.Equal(t, wantCT, append(ct1[:], ct2[:]...))
		assert.Equal(t, wantKey, key[:])

		got := Decapsulate(dk, &ct1, &ct2)
		assert.Equal(t, wantKey, got[:])
	}
}

func TestDecapsulateStdlibCiphertext(t *testing.T) {
	rng := seeded("decaps")
	for range 10 {
		var seed [SeedSize]byte
		rng.Read(seed[:])
		dk := NewKeyFromSeed(&seed)
		std, err := mlkem.NewDecapsulationKey768(seed[:])
		require.NoError(t, err)
		key, ct := std.EncapsulationKey().Encapsulate()

		var ct1 [Ciphertext1Size]byte
		var ct2 [Ciphertext2Size]byte
		copy(ct1[:], ct)
		copy(ct2[:], ct[Ciphertext1Size:])
		got := Decapsulate(dk, &ct1, &ct2)
		assert.Equal(t, key, got[:])

		// Implicit rejection must agree with the standard library too.
		ct2[5] ^= 0x10
		bad := append(ct1[:], ct2[:]...)
		want, err := std.Decapsulate(bad)
		require.NoError(t, err)
		got = Decapsulate(dk, &ct1, &ct2)
		assert.Equal(t, want, got[:])
		assert.NotEqual(t, key, got[:])
	}
}

// TestAccumulatedCCTV runs the accumulated pq-crystals test of C2SP CCTV
// (github.com/C2SP/CCTV, ML-KEM/README.md, section "Accumulated
// pq-crystals vectors", in the version for FIPS 203 final that appends k
// to d). The inputs d, z, m and a random ciphertext come from one SHAKE128
// stream with empty input. The outputs ek, dk, ct, K and the rejection key
// go into a second SHAKE128, whose output after 10,000 tests is the
// published hash. Short mode and race-detector builds run 100 tests and
// check only that each decapsulation returns the encapsulated key.
func TestAccumulatedCCTV(t *testing.T) {
	const want10000 = "f959d18d3d1180121433bf0e05f11e7908cf9d03edc150b2b07cb90bef5bc1c1"
	count := 10000
	if testing.Short() || raceEnabled {
		count = 100
	}
	in := sha3.NewSHAKE128()
	out := sha3.NewSHAKE128()
	for i := range count {
		var seed [SeedSize]byte
		var m [RandomnessSize]byte
		var ct1 [Ciphertext1Size]byte
		var ct2 [Ciphertext2Size]byte
		in.Read(seed[:])
		in.Read(m[:])

		dk := NewKeyFromSeed(&seed)
		out.Write(dk.EncapsulationKey())
		out.Write(dk.Bytes())

		hdr, vec := dk.Header(), dk.Vector()
		c1, st, key := Encapsulate1(&hdr, &m)
		c2, err := Encapsulate2(st, &vec)
		require.NoError(t, err)
		out.Write(c1[:])
		out.Write(c2[:])
		out.Write(key[:])
		if got := Decapsulate(dk, &c1, &c2); got != key {
			t.Fatalf("test %d: decapsulated key differs from the encapsulated key", i)
		}

		in.Read(ct1[:])
		in.Read(ct2[:])
		rejected := Decapsulate(dk, &ct1, &ct2)
		out.Write(rejected[:])
	}
	if count == 10000 {
		var sum [32]byte
		out.Read(sum[:])
		assert.Equal(t, want10000, hex.EncodeToString(sum[:]))
	}
}

func TestEncapsulate2RejectsVector(t *testing.T) {
	var seed [SeedSize]byte
	seed[0] = 1
	dk := NewKeyFromSeed(&seed)
	hdr, vec := dk.Header(), dk.Vector()
	var m [RandomnessSize]byte
	_, st, _ := Encapsulate1(&hdr, &m)

	t.Run("hash", func(t *testing.T) {
		bad := vec
		bad[100] ^= 1
		_, err := Encapsulate2(st, &bad)
		assert.ErrorIs(t, err, ErrInvalidVector)
	})
	t.Run("modulus", func(t *testing.T) {
		// A vector with an unreduced coefficient and a header hashed over it
		// passes the hash check and must fail the modulus check.
		bad := vec
		bad[0], bad[1] = 0xFF, bad[1]|0x0F // first coefficient 4095
		h := sha3.New256()
		h.Write(bad[:])
		h.Write(hdr[:32])
		badHdr := hdr
		copy(badHdr[32:], h.Sum(nil))
		_, st, _ := Encapsulate1(&badHdr, &m)
		_, err := Encapsulate2(st, &bad)
		assert.ErrorIs(t, err, ErrInvalidVector)
		_, err = mlkem.NewEncapsulationKey768(append(bad[:], hdr[:32]...))
		assert.Error(t, err, "crypto/mlkem rejects the same key")
	})
}

func TestParseDecapsulationKey(t *testing.T) {
	var seed [SeedSize]byte
	seed[5] = 9
	dk := NewKeyFromSeed(&seed)
	again, err := ParseDecapsulationKey(dk.Bytes())
	require.NoError(t, err)
	assert.Equal(t, dk.Bytes(), again.Bytes())

	_, err = ParseDecapsulationKey(dk.Bytes()[1:])
	assert.ErrorIs(t, err, ErrInvalidKey)
	b := dk.Bytes()
	b[VectorSize+3] ^= 1
	_, err = ParseDecapsulationKey(b)
	assert.ErrorIs(t, err, ErrInvalidKey, "hash of ek")
	b = dk.Bytes()
	b[0], b[1] = 0xFF, 0xFF
	_, err = ParseDecapsulationKey(b)
	assert.ErrorIs(t, err, ErrInvalidKey, "unreduced secret coefficient")
}

func TestEncapsulationStateBytes(t *testing.T) {
	var seed [SeedSize]byte
	dk := NewKeyFromSeed(&seed)
	hdr, vec := dk.Header(), dk.Vector()
	m := [RandomnessSize]byte{7}
	_, st, _ := Encapsulate1(&hdr, &m)
	st2, err := ParseEncapsulationState(st.Bytes())
	require.NoError(t, err)
	a, err := Encapsulate2(st, &vec)
	require.NoError(t, err)
	b, err := Encapsulate2(st2, &vec)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	_, err = ParseEncapsulationState(st.Bytes()[:10])
	assert.ErrorIs(t, err, ErrInvalidKey)
}

type failingReader struct{}

var errRead = errors.New("read failed")

func (failingReader) Read([]byte) (int, error) { return 0, errRead }

func TestGenerateKey(t *testing.T) {
	_, err := GenerateKey(failingReader{})
	assert.ErrorIs(t, err, errRead)

	dk, err := GenerateKey(nil)
	require.NoError(t, err)
	other, err := GenerateKey(nil)
	require.NoError(t, err)
	assert.False(t, bytes.Equal(dk.Bytes(), other.Bytes()))
	seed := bytes.Repeat([]byte{3}, SeedSize)
	fromReader, err := GenerateKey(bytes.NewReader(seed))
	require.NoError(t, err)
	assert.Equal(t, NewKeyFromSeed((*[SeedSize]byte)(seed)).Bytes(), fromReader.Bytes())
}

func TestCompressRoundTrip(t *testing.T) {
	for _, d := range []uint{1, 4, 10} {
		for y := uint16(0); y < 1<<d; y++ {
			assert.Equal(t, y, compress(decompress(y, d), d), "d=%d y=%d", d, y)
		}
	}
}
