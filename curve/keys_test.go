package curve

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
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

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// failingReader returns err on every read.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// TestX25519RFC7748Vectors checks the two X25519 test vectors of RFC 7748,
// section 5.2.
func TestX25519RFC7748Vectors(t *testing.T) {
	tests := []struct {
		name, scalar, u, output string
	}{
		{
			name:   "first",
			scalar: "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
			u:      "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
			output: "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
		},
		{
			// The RFC gives u = e5210f12...c715a493, with the top bit set.
			// X25519 must ignore that bit, and NewPublicKeyFromRaw rejects
			// it (checked below), so the vector uses u with the bit cleared.
			name:   "second",
			scalar: "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
			u:      "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a413",
			output: "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv, err := NewPrivateKey(mustHex(t, tt.scalar))
			require.NoError(t, err)
			pub, err := NewPublicKeyFromRaw(mustHex(t, tt.u))
			require.NoError(t, err)

			secret, err := priv.Agree(pub)
			require.NoError(t, err)
			assert.Equal(t, tt.output, hex.EncodeToString(secret[:]))
		})
	}

	_, err := NewPublicKeyFromRaw(mustHex(t, "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"))
	assert.ErrorIs(t, err, ErrNonCanonicalKey)
}

// TestX25519RFC7748Iterated checks the iterated X25519 vectors of RFC 7748,
// section 5.2, after 1 and 1,000 iterations: k and u start as 9, then
// k, u = X25519(k, u), k.
func TestX25519RFC7748Iterated(t *testing.T) {
	k := make([]byte, 32)
	k[0] = 9
	u := bytes.Clone(k)

	for i := 1; i <= 1000; i++ {
		priv, err := NewPrivateKey(k)
		require.NoError(t, err)
		// X25519 ignores the top bit of u, but NewPublicKeyFromRaw rejects
		// it, so clear it here. None of the intermediate values is weak or
		// otherwise non-canonical.
		masked := bytes.Clone(u)
		masked[31] &= 0x7f
		pub, err := NewPublicKeyFromRaw(masked)
		require.NoError(t, err, "iteration %d", i)

		out, err := priv.Agree(pub)
		require.NoError(t, err)
		u, k = k, out[:]

		switch i {
		case 1:
			assert.Equal(t, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", hex.EncodeToString(k))
		case 1000:
			assert.Equal(t, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", hex.EncodeToString(k))
		}
	}
}

// TestX25519RFC7748DiffieHellman checks the Diffie-Hellman example of
// RFC 7748, section 6.1.
func TestX25519RFC7748DiffieHellman(t *testing.T) {
	alice, err := NewPrivateKey(mustHex(t, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
	require.NoError(t, err)
	bob, err := NewPrivateKey(mustHex(t, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
	require.NoError(t, err)
	const (
		alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
		bobPublic   = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
		shared      = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
	)

	alicePub := alice.PublicKey().Raw()
	bobPub := bob.PublicKey().Raw()
	assert.Equal(t, alicePublic, hex.EncodeToString(alicePub[:]))
	assert.Equal(t, bobPublic, hex.EncodeToString(bobPub[:]))

	k1, err := alice.Agree(bob.PublicKey())
	require.NoError(t, err)
	k2, err := bob.Agree(alice.PublicKey())
	require.NoError(t, err)
	assert.Equal(t, shared, hex.EncodeToString(k1[:]))
	assert.Equal(t, shared, hex.EncodeToString(k2[:]))
}

// TestPublicKeyMatchesECDH checks the Edwards-based public key derivation
// against crypto/ecdh for random keys.
func TestPublicKeyMatchesECDH(t *testing.T) {
	for range 50 {
		priv, err := GeneratePrivateKey(nil)
		require.NoError(t, err)
		ecdhKey, err := ecdh.X25519().NewPrivateKey(priv.Bytes())
		require.NoError(t, err)

		raw := priv.PublicKey().Raw()
		assert.Equal(t, ecdhKey.PublicKey().Bytes(), raw[:])
	}
}

func TestNewPublicKeyRejects(t *testing.T) {
	valid, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	raw := valid.Public.Raw()

	withType := func(typ byte, u []byte) []byte {
		return append([]byte{typ}, u...)
	}
	p := mustHex(t, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	pPlusOne := mustHex(t, "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	topBit := bytes.Clone(raw[:])
	topBit[31] |= 0x80

	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"raw 32 bytes", raw[:], ErrInvalidKeyLength},
		{"empty", nil, ErrInvalidKeyLength},
		{"34 bytes", append(valid.Public.Bytes(), 0), ErrInvalidKeyLength},
		{"type 0x06", withType(0x06, raw[:]), ErrInvalidKeyType},
		{"type 0x00", withType(0x00, raw[:]), ErrInvalidKeyType},
		{"all zero", withType(KeyTypeDJB, make([]byte, 32)), ErrWeakKey},
		{"u equals p", withType(KeyTypeDJB, p), ErrNonCanonicalKey},
		{"u equals p+1", withType(KeyTypeDJB, pPlusOne), ErrNonCanonicalKey},
		{"top bit set", withType(KeyTypeDJB, topBit), ErrNonCanonicalKey},
	}
	for i := range lowOrderPoints {
		tests = append(tests, struct {
			name  string
			input []byte
			want  error
		}{fmt.Sprintf("low order %d", i), withType(KeyTypeDJB, lowOrderPoints[i][:]), ErrWeakKey})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := NewPublicKey(tt.input)
			assert.ErrorIs(t, err, tt.want)
			assert.True(t, k.IsZero())
		})
	}
}

func TestNewPublicKeyFromRawRejects(t *testing.T) {
	_, err := NewPublicKeyFromRaw(make([]byte, 33))
	assert.ErrorIs(t, err, ErrInvalidKeyLength)
	_, err = NewPublicKeyFromRaw(make([]byte, 32))
	assert.ErrorIs(t, err, ErrWeakKey)
}

// TestLowOrderPoints checks that every listed u-coordinate gives an all-zero
// X25519 output, computed by crypto/ecdh.
func TestLowOrderPoints(t *testing.T) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	for i, u := range lowOrderPoints {
		pub, err := ecdh.X25519().NewPublicKey(u[:])
		require.NoError(t, err)
		_, err = priv.ECDH(pub)
		assert.Error(t, err, "point %d", i)

		ours, err := GeneratePrivateKey(nil)
		require.NoError(t, err)
		_, err = ours.Agree(PublicKey{u: u})
		assert.ErrorIs(t, err, ErrZeroSharedSecret, "point %d", i)
	}
}

func TestAgreeZeroPublicKey(t *testing.T) {
	priv, err := GeneratePrivateKey(nil)
	require.NoError(t, err)
	secret, err := priv.Agree(PublicKey{})
	assert.ErrorIs(t, err, ErrZeroSharedSecret)
	assert.Equal(t, [32]byte{}, secret)
}

func TestAgreeSymmetric(t *testing.T) {
	a, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	b, err := GenerateKeyPair(nil)
	require.NoError(t, err)

	ab, err := a.Private.Agree(b.Public)
	require.NoError(t, err)
	ba, err := b.Private.Agree(a.Public)
	require.NoError(t, err)
	assert.Equal(t, ab, ba)
	assert.NotEqual(t, [32]byte{}, ab)
}

func TestPublicKeyRoundTrip(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)

	b := kp.Public.Bytes()
	require.Len(t, b, PublicKeySize)
	assert.Equal(t, byte(KeyTypeDJB), b[0])
	raw := kp.Public.Raw()
	assert.Equal(t, raw[:], b[1:])

	parsed, err := NewPublicKey(b)
	require.NoError(t, err)
	assert.True(t, parsed.Equal(kp.Public))
	assert.False(t, parsed.IsZero())

	fromRaw, err := NewPublicKeyFromRaw(raw[:])
	require.NoError(t, err)
	assert.True(t, fromRaw.Equal(kp.Public))

	// Bytes returns a fresh copy each time.
	b[1] ^= 0xff
	assert.True(t, bytes.Equal(kp.Public.Bytes()[1:], raw[:]))

	other, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	assert.False(t, other.Public.Equal(kp.Public))
	assert.True(t, PublicKey{}.IsZero())
}

func TestFingerprint(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	sum := sha256.Sum256(kp.Public.Bytes())

	fp := kp.Public.Fingerprint()
	assert.Len(t, fp, 16)
	assert.Equal(t, hex.EncodeToString(sum[:8]), fp)
}

func TestGeneratePrivateKeyReadsExactly32(t *testing.T) {
	input := bytes.Repeat([]byte{0xab}, 100)
	r := &countingReader{r: bytes.NewReader(input)}

	kp, err := GenerateKeyPair(r)
	require.NoError(t, err)
	assert.Equal(t, 32, r.n)

	want, err := NewPrivateKey(input[:32])
	require.NoError(t, err)
	assert.Equal(t, want.Bytes(), kp.Private.Bytes())
	assert.True(t, kp.Public.Equal(want.PublicKey()))
}

func TestGeneratePrivateKeyReadError(t *testing.T) {
	boom := errors.New("entropy source failed")
	_, err := GeneratePrivateKey(failingReader{boom})
	assert.ErrorIs(t, err, boom)

	_, err = GenerateKeyPair(bytes.NewReader(make([]byte, 31)))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestNewPrivateKeyClamps(t *testing.T) {
	k, err := NewPrivateKey(bytes.Repeat([]byte{0xff}, 32))
	require.NoError(t, err)
	b := k.Bytes()
	assert.Equal(t, byte(0xf8), b[0])
	assert.Equal(t, byte(0x7f), b[31])

	k, err = NewPrivateKey(make([]byte, 32))
	require.NoError(t, err)
	assert.Equal(t, byte(0x40), k.Bytes()[31])
	assert.False(t, k.IsZero())

	_, err = NewPrivateKey(make([]byte, 31))
	assert.ErrorIs(t, err, ErrInvalidKeyLength)
	_, err = NewPrivateKey(make([]byte, 33))
	assert.ErrorIs(t, err, ErrInvalidKeyLength)
}

func TestPrivateKeyBytesIsCopy(t *testing.T) {
	k, err := GeneratePrivateKey(nil)
	require.NoError(t, err)
	b := k.Bytes()
	b[5] ^= 0xff
	assert.NotEqual(t, b, k.Bytes())
}

func TestPrivateKeyFormatRedacted(t *testing.T) {
	kp, err := GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{0x5a}, 32)))
	require.NoError(t, err)
	secret := kp.Private.Bytes()
	hexSecret := hex.EncodeToString(secret)
	// Bytes 1 to 31 of the clamped scalar are all 0x5a, which %d would
	// print as "90 90 ...".
	require.Equal(t, byte(0x5a), secret[1])

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
		for _, value := range []any{kp.Private, &kp.Private, kp, &kp} {
			out := fmt.Sprintf(verb, value)
			assert.NotContains(t, strings.ToLower(out), hexSecret, "%s of %T", verb, value)
			assert.NotContains(t, out, "90 90", "%s of %T", verb, value)
			assert.Contains(t, out, "REDACTED", "%s of %T", verb, value)
		}
	}
	assert.Equal(t, "curve.PrivateKey(REDACTED)", kp.Private.String())
	assert.Equal(t, "curve.PrivateKey(REDACTED)", kp.Private.GoString())
}

func TestZeroPrivateKeyPanics(t *testing.T) {
	var k PrivateKey
	assert.True(t, k.IsZero())
	assert.Panics(t, func() { k.PublicKey() })
	assert.Panics(t, func() { _, _ = k.Agree(PublicKey{}) })
	assert.Panics(t, func() { _, _ = k.Sign(nil, []byte("m")) })
	assert.Panics(t, func() { NewKeyPair(k) })
}

func BenchmarkAgree(b *testing.B) {
	alice, err := GenerateKeyPair(nil)
	require.NoError(b, err)
	bob, err := GenerateKeyPair(nil)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := alice.Private.Agree(bob.Public); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateKeyPair(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateKeyPair(nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewPublicKey(b *testing.B) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(b, err)
	serialized := kp.Public.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewPublicKey(serialized); err != nil {
			b.Fatal(err)
		}
	}
}
