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
// session record. The derivation, from libsignal v0.101 rust/protocol, is
// HKDF-SHA256 with no salt, info "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024"
// and input 0xFF*32 || DH(IK_A, SPK_B) || DH(EK_A, IK_B) || DH(EK_A, SPK_B) ||
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
