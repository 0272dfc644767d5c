package x3dh_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/hex"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/x3dh"
)

// stream returns a deterministic reader: the SHAKE256 output for label.
func stream(label string) io.Reader {
	s := sha3.NewSHAKE256()
	s.Write([]byte(label))
	return s
}

// fixedBytes returns the first n bytes of stream(label).
func fixedBytes(t testing.TB, label string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := io.ReadFull(stream(label), b)
	require.NoError(t, err)
	return b
}

// parties contains both sides' keys and the responder's published bundle.
type parties struct {
	aliceIdentity curve.KeyPair
	bob           x3dh.ResponderKeys
	bundle        *x3dh.Bundle
}

// newParties builds the two parties from fixed scalars and seeds, so that
// the same keys can be recomputed outside the package. Signatures use
// crypto/rand because they do not enter the key derivation.
func newParties(t testing.TB, oneTime bool) *parties {
	t.Helper()
	keyPair := func(label string) curve.KeyPair {
		priv, err := curve.NewPrivateKey(fixedBytes(t, label, 32))
		require.NoError(t, err)
		return curve.NewKeyPair(priv)
	}
	kyber, err := kem.NewPrivateKeyFromSeed(fixedBytes(t, "bob kyber prekey", kem.SeedSize))
	require.NoError(t, err)

	p := &parties{
		aliceIdentity: keyPair("alice identity"),
		bob: x3dh.ResponderKeys{
			Identity:     keyPair("bob identity"),
			SignedPreKey: keyPair("bob signed prekey"),
			KyberPreKey:  kyber,
		},
	}
	spkSig, err := p.bob.Identity.Private.Sign(nil, p.bob.SignedPreKey.Public.Bytes())
	require.NoError(t, err)
	kyberSig, err := p.bob.Identity.Private.Sign(nil, kyber.PublicKey().Bytes())
	require.NoError(t, err)
	p.bundle = &x3dh.Bundle{
		RegistrationID:        1234,
		DeviceID:              1,
		SignedPreKeyID:        7,
		SignedPreKey:          p.bob.SignedPreKey.Public,
		SignedPreKeySignature: spkSig,
		KyberPreKeyID:         9,
		KyberPreKey:           kyber.PublicKey(),
		KyberPreKeySignature:  kyberSig,
		IdentityKey:           p.bob.Identity.Public,
	}
	if oneTime {
		opk := keyPair("bob one-time prekey")
		p.bob.OneTimePreKey = &opk
		p.bundle.HasPreKey = true
		p.bundle.PreKeyID = 5
		p.bundle.PreKey = opk.Public
	}
	return p
}

// oneTimeCases names the two bundle forms, with and without a one-time
// prekey.
var oneTimeCases = map[string]bool{"one-time prekey": true, "no one-time prekey": false}

func TestAgreement(t *testing.T) {
	for name, oneTime := range oneTimeCases {
		t.Run(name, func(t *testing.T) {
			p := newParties(t, oneTime)
			init, err := x3dh.Initiate(nil, p.aliceIdentity, p.bundle)
			require.NoError(t, err)
			assert.Len(t, init.KyberCiphertext, kem.CiphertextSize)

			keys, err := x3dh.Respond(p.bob, p.aliceIdentity.Public, init.BaseKey.Public, init.KyberCiphertext)
			require.NoError(t, err)
			assert.Equal(t, init.Keys, keys)
			assert.NotEqual(t, init.Keys.RootKey, init.Keys.ChainKey)
			assert.NotEqual(t, init.Keys.ChainKey, init.Keys.SPQRKey)
		})
	}
}

func TestAgreementOneTimePreKeyMatters(t *testing.T) {
	p := newParties(t, true)
	init, err := x3dh.Initiate(nil, p.aliceIdentity, p.bundle)
	require.NoError(t, err)

	// A responder that leaves out the one-time prekey the initiator used
	// derives different keys.
	withoutOPK := p.bob
	withoutOPK.OneTimePreKey = nil
	keys, err := x3dh.Respond(withoutOPK, p.aliceIdentity.Public, init.BaseKey.Public, init.KyberCiphertext)
	require.NoError(t, err)
	assert.NotEqual(t, init.Keys, keys)
}

func TestAgreementTamperedCiphertext(t *testing.T) {
	p := newParties(t, true)
	init, err := x3dh.Initiate(nil, p.aliceIdentity, p.bundle)
	require.NoError(t, err)

	// Kyber decapsulation rejects implicitly: an altered ciphertext gives an
	// unrelated secret, not an error.
	ct := bytes.Clone(init.KyberCiphertext)
	ct[100] ^= 1
	keys, err := x3dh.Respond(p.bob, p.aliceIdentity.Public, init.BaseKey.Public, ct)
	require.NoError(t, err)
	assert.NotEqual(t, init.Keys.RootKey, keys.RootKey)
}

func TestVerify(t *testing.T) {
	cases := map[string]struct {
		edit func(b *x3dh.Bundle)
		want error
	}{
		"signed prekey signature": {
			edit: func(b *x3dh.Bundle) { b.SignedPreKeySignature[10] ^= 0x01 },
			want: x3dh.ErrInvalidSignature,
		},
		"kyber prekey signature": {
			edit: func(b *x3dh.Bundle) { b.KyberPreKeySignature[40] ^= 0x01 },
			want: x3dh.ErrInvalidSignature,
		},
		"signatures swapped": {
			edit: func(b *x3dh.Bundle) {
				b.SignedPreKeySignature, b.KyberPreKeySignature = b.KyberPreKeySignature, b.SignedPreKeySignature
			},
			want: x3dh.ErrInvalidSignature,
		},
		"missing kyber prekey": {
			edit: func(b *x3dh.Bundle) { b.KyberPreKey = nil },
			want: x3dh.ErrMissingKyberPreKey,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newParties(t, true)
			require.NoError(t, p.bundle.Verify())
			tc.edit(p.bundle)
			assert.ErrorIs(t, p.bundle.Verify(), tc.want)

			init, err := x3dh.Initiate(nil, p.aliceIdentity, p.bundle)
			assert.ErrorIs(t, err, tc.want, "Initiate checks the bundle first")
			assert.Nil(t, init)
		})
	}
}

func TestVerifyMissingKeys(t *testing.T) {
	cases := map[string]func(b *x3dh.Bundle){
		"identity key":          func(b *x3dh.Bundle) { b.IdentityKey = curve.PublicKey{} },
		"signed prekey":         func(b *x3dh.Bundle) { b.SignedPreKey = curve.PublicKey{} },
		"one-time prekey":       func(b *x3dh.Bundle) { b.PreKey = curve.PublicKey{} },
		"wrong identity key":    func(b *x3dh.Bundle) { b.IdentityKey = b.SignedPreKey },
		"signature truncated":   func(b *x3dh.Bundle) { b.SignedPreKeySignature = b.SignedPreKeySignature[:63] },
		"signature missing":     func(b *x3dh.Bundle) { b.KyberPreKeySignature = nil },
		"signed prekey swapped": func(b *x3dh.Bundle) { b.SignedPreKey = b.PreKey },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			p := newParties(t, true)
			edit(p.bundle)
			assert.Error(t, p.bundle.Verify())
		})
	}
}

func TestRespondRejects(t *testing.T) {
	p := newParties(t, true)
	init, err := x3dh.Initiate(nil, p.aliceIdentity, p.bundle)
	require.NoError(t, err)

	t.Run("zero base key", func(t *testing.T) {
		_, err := x3dh.Respond(p.bob, p.aliceIdentity.Public, curve.PublicKey{}, init.KyberCiphertext)
		assert.ErrorIs(t, err, x3dh.ErrInvalidBaseKey)
	})
	t.Run("zero identity key", func(t *testing.T) {
		_, err := x3dh.Respond(p.bob, curve.PublicKey{}, init.BaseKey.Public, init.KyberCiphertext)
		assert.ErrorIs(t, err, curve.ErrZeroSharedSecret)
	})
	t.Run("no kyber prekey", func(t *testing.T) {
		keys := p.bob
		keys.KyberPreKey = nil
		_, err := x3dh.Respond(keys, p.aliceIdentity.Public, init.BaseKey.Public, init.KyberCiphertext)
		assert.ErrorIs(t, err, x3dh.ErrMissingKyberPreKey)
	})
	t.Run("short ciphertext", func(t *testing.T) {
		_, err := x3dh.Respond(p.bob, p.aliceIdentity.Public, init.BaseKey.Public, init.KyberCiphertext[:100])
		assert.ErrorIs(t, err, kem.ErrInvalidCiphertext)
	})
	t.Run("ciphertext type", func(t *testing.T) {
		ct := bytes.Clone(init.KyberCiphertext)
		ct[0] = 0x0A
		_, err := x3dh.Respond(p.bob, p.aliceIdentity.Public, init.BaseKey.Public, ct)
		assert.ErrorIs(t, err, kem.ErrInvalidCiphertext)
	})
}

func TestInitiateRandError(t *testing.T) {
	p := newParties(t, true)
	failing := iotest.ErrReader(io.ErrUnexpectedEOF)

	_, err := x3dh.Initiate(failing, p.aliceIdentity, p.bundle)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "base key generation")

	// 32 bytes cover the base key, so encapsulation is the read that fails.
	short := io.MultiReader(bytes.NewReader(make([]byte, 32)), failing)
	_, err = x3dh.Initiate(short, p.aliceIdentity, p.bundle)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "kyber encapsulation")
}

// Known-answer values for TestKnownAnswer. This package produced them, so on
// their own they only detect changes. The test also recomputes them from the
// PQXDH formula with crypto/ecdh, crypto/mlkem and crypto/hkdf, without the
// package's code.
var knownAnswers = map[bool]struct{ root, chain, spqr string }{
	true: {
		root:  "40998e7ee563a266c57c6b51b79516c5f24eed51837f2c48fdd14ccbc1f4ad59",
		chain: "99ff78e97d5d4ed2f4552790f7ebcb85513ff330844af4edb79f6ee7a7c75cf2",
		spqr:  "c9c3914d056d0492269f8479aee0adaa7c36e61785b1ee2813dbe4f296648be5",
	},
	false: {
		root:  "201127d604b15c9b5a28cbe2463c1c5589b6f02e8dc4e55729cb12435effdfe9",
		chain: "df9736476b968b8b98172e7f78bb08c0a5b8dd15d8b85d1e06acc1669c5c22ae",
		spqr:  "5d8f342d7ec15d914f2bafd8bb8b0a52d18e7c8f41a1c2516c53799cf3ceab52",
	},
}

func TestKnownAnswer(t *testing.T) {
	for name, oneTime := range oneTimeCases {
		t.Run(name, func(t *testing.T) {
			p := newParties(t, oneTime)
			const randLabel = "x3dh initiator randomness"
			init, err := x3dh.Initiate(stream(randLabel), p.aliceIdentity, p.bundle)
			require.NoError(t, err)

			want := expectedKeys(t, p, init, randLabel, oneTime)
			assert.Equal(t, want, init.Keys)

			pinned := knownAnswers[oneTime]
			assert.Equal(t, pinned.root, hex.EncodeToString(init.Keys.RootKey[:]), "root key")
			assert.Equal(t, pinned.chain, hex.EncodeToString(init.Keys.ChainKey[:]), "chain key")
			assert.Equal(t, pinned.spqr, hex.EncodeToString(init.Keys.SPQRKey[:]), "SPQR key")

			keys, err := x3dh.Respond(p.bob, p.aliceIdentity.Public, init.BaseKey.Public, init.KyberCiphertext)
			require.NoError(t, err)
			assert.Equal(t, want, keys)
		})
	}
}

// expectedKeys recomputes PQXDH for the fixed keys of newParties with the
// standard library only:
//
//	SK = HKDF-SHA256(salt = none, ikm = 0xFF*32 || DH1 || DH2 || DH3 [|| DH4] || K_kyber,
//	                 info = "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024", 96 bytes)
//
// where DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B),
// DH4 = DH(EK_A, OPK_B), EK_A is the first 32 bytes of the initiator's
// randomness and K_kyber = SHAKE256(ML-KEM.Decaps(c) || SHA3-256(c), 32).
func expectedKeys(t *testing.T, p *parties, init *x3dh.Initiation, randLabel string, oneTime bool) x3dh.SharedKeys {
	t.Helper()
	x := ecdh.X25519()
	private := func(b []byte) *ecdh.PrivateKey {
		k, err := x.NewPrivateKey(b) // crypto/ecdh clamps the scalar itself
		require.NoError(t, err)
		return k
	}
	dh := func(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) []byte {
		out, err := priv.ECDH(pub)
		require.NoError(t, err)
		return out
	}

	randomness := fixedBytes(t, randLabel, 64)
	ekA := private(randomness[:32])
	ikA := private(fixedBytes(t, "alice identity", 32))
	ikB := private(fixedBytes(t, "bob identity", 32)).PublicKey()
	spkB := private(fixedBytes(t, "bob signed prekey", 32)).PublicKey()

	raw := init.BaseKey.Public.Raw()
	assert.Equal(t, ekA.PublicKey().Bytes(), raw[:], "the base key is the first 32 bytes of rand")

	ikm := bytes.Repeat([]byte{0xFF}, 32)
	ikm = append(ikm, dh(ikA, spkB)...)
	ikm = append(ikm, dh(ekA, ikB)...)
	ikm = append(ikm, dh(ekA, spkB)...)
	if oneTime {
		opkB := private(fixedBytes(t, "bob one-time prekey", 32)).PublicKey()
		ikm = append(ikm, dh(ekA, opkB)...)
	}

	require.Len(t, init.KyberCiphertext, 1+mlkem.CiphertextSize1024)
	assert.Equal(t, byte(0x08), init.KyberCiphertext[0], "Kyber1024 type byte")
	c := init.KyberCiphertext[1:]
	dk, err := mlkem.NewDecapsulationKey1024(fixedBytes(t, "bob kyber prekey", mlkem.SeedSize))
	require.NoError(t, err)
	kbar, err := dk.Decapsulate(c)
	require.NoError(t, err)
	hc := sha3.Sum256(c)
	kKyber := sha3.SumSHAKE256(append(kbar, hc[:]...), 32)
	ikm = append(ikm, kKyber...)

	// The ciphertext is the derandomized encapsulation with the next 32
	// bytes of rand as the FIPS 203 message m.
	_, wantCiphertext, err := mlkemtest.Encapsulate1024(dk.EncapsulationKey(), randomness[32:64])
	require.NoError(t, err)
	assert.Equal(t, wantCiphertext, c, "encapsulation uses bytes 32 to 64 of rand")

	out, err := hkdf.Key(sha256.New, ikm, nil, "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024", 96)
	require.NoError(t, err)
	var k x3dh.SharedKeys
	copy(k.RootKey[:], out[:32])
	copy(k.ChainKey[:], out[32:64])
	copy(k.SPQRKey[:], out[64:])
	return k
}
