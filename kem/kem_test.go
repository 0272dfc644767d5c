package kem

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/mlkem"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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

// vectors is testdata/kyber_vectors.json, written by testdata/gen_kyber.mjs.
// The script's header describes each field.
type vectors struct {
	Keygen []struct {
		Seed            string `json:"seed"`
		PublicKeySHA256 string `json:"public_key_sha256"`
		Message         string `json:"message"`
		CiphertextSHA   string `json:"ciphertext_sha256"`
		MLKEMSharedKey  string `json:"mlkem_shared_key"`
		SharedSecret    string `json:"shared_secret"`
	} `json:"keygen"`
	PQXDH struct {
		BobIdentityPrivate     string `json:"bob_identity_private"`
		BobSignedPreKeyPrivate string `json:"bob_signed_prekey_private"`
		BobKyberSeed           string `json:"bob_kyber_seed"`
		AliceIdentityPublic    string `json:"alice_identity_public"`
		MessageVersion         int    `json:"message_version"`
		BaseKey                string `json:"base_key"`
		IdentityKey            string `json:"identity_key"`
		KyberCiphertext        string `json:"kyber_ciphertext"`
		AliceSessionRecord     string `json:"alice_session_record"`
	} `json:"pqxdh"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/kyber_vectors.json")
	require.NoError(t, err)
	var v vectors
	require.NoError(t, json.Unmarshal(data, &v))
	require.NotEmpty(t, v.Keygen)
	return v
}

// TestKnownAnswers compares key generation and derandomized encapsulation
// with @noble/post-quantum's ML-KEM-1024 for the same seed and message.
func TestKnownAnswers(t *testing.T) {
	for i, v := range loadVectors(t).Keygen {
		priv, err := NewPrivateKeyFromSeed(mustHex(t, v.Seed))
		require.NoError(t, err)
		pub := priv.PublicKey()
		pkHash := sha256.Sum256(pub.Bytes())
		assert.Equal(t, v.PublicKeySHA256, hex.EncodeToString(pkHash[:]), "case %d: public key", i)

		secret, ct, err := pub.Encapsulate(bytes.NewReader(mustHex(t, v.Message)))
		require.NoError(t, err)
		ctHash := sha256.Sum256(ct)
		assert.Equal(t, v.CiphertextSHA, hex.EncodeToString(ctHash[:]), "case %d: ciphertext", i)
		assert.Equal(t, v.SharedSecret, hex.EncodeToString(secret[:]), "case %d: shared secret", i)

		decapsulated, err := priv.Decapsulate(ct)
		require.NoError(t, err)
		assert.Equal(t, secret, decapsulated, "case %d: decapsulated secret", i)

		// The ML-KEM key before the Kyber step matches too.
		dk, err := mlkem.NewDecapsulationKey1024(mustHex(t, v.Seed))
		require.NoError(t, err)
		mlkemKey, err := dk.Decapsulate(ct[1:])
		require.NoError(t, err)
		assert.Equal(t, v.MLKEMSharedKey, hex.EncodeToString(mlkemKey), "case %d: ML-KEM key", i)
	}
}

// TestLibsignalPQXDH decapsulates a Kyber ciphertext that libsignal made
// during PQXDH and checks the resulting chain key against libsignal's
// session record. The derivation, from libsignal v0.101
// rust/protocol/src/pqxdh.rs, is HKDF-SHA256 with no salt, info
// "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024" and input 0xFF*32 || DH(IK_A, SPK_B) || DH(EK_A, IK_B) || DH(EK_A, SPK_B) ||
// K_kyber, giving root key, chain key and SPQR key of 32 bytes each. Alice
// stores the chain key as the receiving chain for Bob's signed prekey.
func TestLibsignalPQXDH(t *testing.T) {
	v := loadVectors(t).PQXDH
	record := mustHex(t, v.AliceSessionRecord)
	require.Equal(t, 0x44, v.MessageVersion)
	require.Equal(t, v.AliceIdentityPublic, v.IdentityKey)

	priv, err := NewPrivateKeyFromSeed(mustHex(t, v.BobKyberSeed))
	require.NoError(t, err)
	ciphertext := mustHex(t, v.KyberCiphertext)
	kyberSecret, err := priv.Decapsulate(ciphertext)
	require.NoError(t, err)

	chainKey := func(kemSecret []byte) []byte {
		x25519 := ecdh.X25519()
		private := func(h string) *ecdh.PrivateKey {
			k, err := x25519.NewPrivateKey(mustHex(t, h))
			require.NoError(t, err)
			return k
		}
		public := func(h string) *ecdh.PublicKey {
			b := mustHex(t, h)
			require.Equal(t, byte(0x05), b[0])
			k, err := x25519.NewPublicKey(b[1:])
			require.NoError(t, err)
			return k
		}
		dh := func(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) []byte {
			out, err := priv.ECDH(pub)
			require.NoError(t, err)
			return out
		}
		identityB := private(v.BobIdentityPrivate)
		signedPreKeyB := private(v.BobSignedPreKeyPrivate)
		identityA := public(v.AliceIdentityPublic)
		baseKeyA := public(v.BaseKey)

		ikm := bytes.Repeat([]byte{0xff}, 32)
		ikm = append(ikm, dh(signedPreKeyB, identityA)...)
		ikm = append(ikm, dh(identityB, baseKeyA)...)
		ikm = append(ikm, dh(signedPreKeyB, baseKeyA)...)
		ikm = append(ikm, kemSecret...)
		out, err := hkdf.Key(sha256.New, ikm, nil, "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024", 96)
		require.NoError(t, err)
		return out[32:64]
	}

	assert.True(t, bytes.Contains(record, chainKey(kyberSecret[:])), "chain key not in libsignal's session record")

	// Check that the record search can fail: the ML-KEM key without the
	// Kyber step, and the Kyber step over the ciphertext with its type
	// byte, give chain keys that libsignal did not store.
	dk, err := mlkem.NewDecapsulationKey1024(mustHex(t, v.BobKyberSeed))
	require.NoError(t, err)
	mlkemKey, err := dk.Decapsulate(ciphertext[1:])
	require.NoError(t, err)
	assert.False(t, bytes.Contains(record, chainKey(mlkemKey)), "raw ML-KEM key")

	withTypeByte := sha3.Sum256(ciphertext)
	shake := sha3.NewSHAKE256()
	shake.Write(mlkemKey)
	shake.Write(withTypeByte[:])
	wrong := make([]byte, 32)
	shake.Read(wrong)
	assert.False(t, bytes.Contains(record, chainKey(wrong)), "hash over the type byte")
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

func TestRoundTrip(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)

	for _, rand := range []io.Reader{nil, bytes.NewReader(bytes.Repeat([]byte{3}, 32))} {
		secret, ct, err := kp.Public.Encapsulate(rand)
		require.NoError(t, err)
		require.Len(t, ct, CiphertextSize)
		assert.Equal(t, byte(KeyTypeKyber1024), ct[0])
		assert.NotEqual(t, [32]byte{}, secret)

		got, err := kp.Private.Decapsulate(ct)
		require.NoError(t, err)
		assert.Equal(t, secret, got)
	}
}

func TestPublicKeySerialization(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)

	b := kp.Public.Bytes()
	require.Len(t, b, PublicKeySize)
	assert.Equal(t, byte(KeyTypeKyber1024), b[0])

	parsed, err := NewPublicKey(b)
	require.NoError(t, err)
	assert.True(t, parsed.Equal(kp.Public))
	assert.True(t, kp.Private.PublicKey().Equal(kp.Public))

	// Bytes returns a fresh copy each time.
	b[1] ^= 0xff
	assert.NotEqual(t, b, kp.Public.Bytes())

	other, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	assert.False(t, other.Public.Equal(kp.Public))
	assert.False(t, kp.Public.Equal(nil))
	assert.True(t, (*PublicKey)(nil).Equal(nil))
}

func TestNewPublicKeyRejects(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	valid := kp.Public.Bytes()

	wrongType := bytes.Clone(valid)
	wrongType[0] = 0x0a // libsignal's ML-KEM-1024 type, which v0.103 rejects
	// The first coefficient is the low 12 bits of the first two bytes, and
	// 0xfff is above q = 3329.
	unreduced := bytes.Clone(valid)
	unreduced[1] = 0xff
	unreduced[2] |= 0x0f

	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"raw 1568 bytes", valid[1:], ErrInvalidKeyLength},
		{"empty", nil, ErrInvalidKeyLength},
		{"one byte extra", append(bytes.Clone(valid), 0), ErrInvalidKeyLength},
		{"type 0x0a", wrongType, ErrInvalidKeyType},
		{"unreduced coefficient", unreduced, ErrInvalidPublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := NewPublicKey(tt.input)
			assert.ErrorIs(t, err, tt.want)
			assert.Nil(t, k)
		})
	}
}

func TestDecapsulateRejects(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	_, ct, err := kp.Public.Encapsulate(nil)
	require.NoError(t, err)

	_, err = kp.Private.Decapsulate(ct[1:])
	assert.ErrorIs(t, err, ErrInvalidCiphertext)
	_, err = kp.Private.Decapsulate(append(bytes.Clone(ct), 0))
	assert.ErrorIs(t, err, ErrInvalidCiphertext)
	_, err = kp.Private.Decapsulate(nil)
	assert.ErrorIs(t, err, ErrInvalidCiphertext)

	wrongType := bytes.Clone(ct)
	wrongType[0] = 0x0a
	_, err = kp.Private.Decapsulate(wrongType)
	assert.ErrorIs(t, err, ErrInvalidCiphertext)
	assert.ErrorIs(t, err, ErrInvalidKeyType)
}

// TestDecapsulateTampered checks implicit rejection: an altered ciphertext
// decapsulates without error to a different secret.
func TestDecapsulateTampered(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	secret, ct, err := kp.Public.Encapsulate(nil)
	require.NoError(t, err)

	ct[100] ^= 1
	got, err := kp.Private.Decapsulate(ct)
	require.NoError(t, err)
	assert.NotEqual(t, secret, got)

	other, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	ct[100] ^= 1
	got, err = other.Private.Decapsulate(ct)
	require.NoError(t, err)
	assert.NotEqual(t, secret, got)
}

func TestGenerateKeyPairReadsExactly64(t *testing.T) {
	seed := bytes.Repeat([]byte{0x42}, 100)
	r := &countingReader{r: bytes.NewReader(seed)}

	kp, err := GenerateKeyPair(r)
	require.NoError(t, err)
	assert.Equal(t, 64, r.n)
	assert.Equal(t, seed[:64], kp.Private.Seed())

	fromSeed, err := NewPrivateKeyFromSeed(seed[:64])
	require.NoError(t, err)
	assert.True(t, fromSeed.PublicKey().Equal(kp.Public))
}

func TestRandomReadErrors(t *testing.T) {
	boom := errors.New("entropy source failed")
	_, err := GenerateKeyPair(failingReader{boom})
	assert.ErrorIs(t, err, boom)
	_, err = GenerateKeyPair(bytes.NewReader(make([]byte, 63)))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	_, ct, err := kp.Public.Encapsulate(failingReader{boom})
	assert.ErrorIs(t, err, boom)
	assert.Nil(t, ct)

	r := &countingReader{r: bytes.NewReader(make([]byte, 100))}
	_, _, err = kp.Public.Encapsulate(r)
	require.NoError(t, err)
	assert.Equal(t, 32, r.n)
}

func TestNewPrivateKeyFromSeedRejects(t *testing.T) {
	for _, n := range []int{0, 32, 63, 65} {
		k, err := NewPrivateKeyFromSeed(make([]byte, n))
		assert.ErrorIs(t, err, ErrInvalidKeyLength, "%d bytes", n)
		assert.Nil(t, k)
	}
}

func TestPrivateKeyFormatRedacted(t *testing.T) {
	kp, err := GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{0x5a}, 64)))
	require.NoError(t, err)
	seedHex := hex.EncodeToString(kp.Private.Seed())

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		for _, value := range []any{kp.Private, *kp.Private, kp, &kp} {
			out := fmt.Sprintf(verb, value)
			assert.NotContains(t, strings.ToLower(out), seedHex[:16], "%s of %T", verb, value)
			assert.NotContains(t, out, "90 90", "%s of %T", verb, value)
			assert.Contains(t, out, "REDACTED", "%s of %T", verb, value)
		}
	}
	assert.Equal(t, "kem.PrivateKey(REDACTED)", kp.Private.String())
}

func BenchmarkGenerateKeyPair(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateKeyPair(nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncapsulate(b *testing.B) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := kp.Public.Encapsulate(nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecapsulate(b *testing.B) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(b, err)
	_, ct, err := kp.Public.Encapsulate(nil)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kp.Private.Decapsulate(ct); err != nil {
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
