package curve

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"os"
	"testing"

	"filippo.io/edwards25519"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// groupOrder is L = 2^252 + 27742317777372353535851937790883648493.
var groupOrder, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// libsignalVector is one case of testdata/xeddsa_libsignal.json, written by
// testdata/gen_xeddsa.mjs with libsignal-client 0.103.0. The file header of
// the script describes each field.
type libsignalVector struct {
	PrivateKey                 string `json:"private_key"`
	PrivateKeyClamped          string `json:"private_key_clamped"`
	PublicKey                  string `json:"public_key"`
	Message                    string `json:"message"`
	LibsignalSignature         string `json:"libsignal_signature"`
	Random                     string `json:"random"`
	Signature                  string `json:"signature"`
	SignBit                    int    `json:"sign_bit"`
	SpecSignature              string `json:"spec_signature"`
	SPlusOrderSignature        string `json:"s_plus_order_signature"`
	LibsignalAcceptsSPlusOrder bool   `json:"libsignal_accepts_s_plus_order"`
}

func loadLibsignalVectors(t testing.TB) []libsignalVector {
	t.Helper()
	data, err := os.ReadFile("testdata/xeddsa_libsignal.json")
	require.NoError(t, err)
	var file struct {
		Cases []libsignalVector `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	require.NotEmpty(t, file.Cases)
	return file.Cases
}

// TestLibsignalVectors replays signatures made and verified by libsignal.
func TestLibsignalVectors(t *testing.T) {
	signBits := map[int]int{}
	for i, v := range loadLibsignalVectors(t) {
		priv, err := NewPrivateKey(mustHex(t, v.PrivateKey))
		require.NoError(t, err)
		assert.Equal(t, v.PrivateKeyClamped, hex.EncodeToString(priv.Bytes()), "case %d: clamped key", i)

		pub, err := NewPublicKey(mustHex(t, v.PublicKey))
		require.NoError(t, err, "case %d", i)
		assert.True(t, priv.PublicKey().Equal(pub), "case %d: derived public key", i)

		message := mustHex(t, v.Message)
		assert.NoError(t, pub.Verify(message, mustHex(t, v.LibsignalSignature)), "case %d: libsignal signature", i)
		assert.NoError(t, pub.Verify(message, mustHex(t, v.SpecSignature)), "case %d: specification-form signature", i)

		// libsignal verified this signature. Sign must produce exactly it.
		sig, err := priv.Sign(bytes.NewReader(mustHex(t, v.Random)), message)
		require.NoError(t, err)
		assert.Equal(t, v.Signature, hex.EncodeToString(sig), "case %d: Go signature", i)
		assert.NoError(t, pub.Verify(message, sig), "case %d", i)
		assert.Equal(t, v.SignBit, int(sig[63]>>7), "case %d: sign bit", i)
		signBits[v.SignBit]++

		// libsignal reduces s modulo L, so it accepts s + L. Verify
		// rejects it.
		assert.ErrorIs(t, pub.Verify(message, mustHex(t, v.SPlusOrderSignature)), ErrInvalidSignature, "case %d: s + L", i)
	}
	assert.Positive(t, signBits[0], "no case has sign bit 0")
	assert.Positive(t, signBits[1], "no case has sign bit 1")
}

func TestSignVerify(t *testing.T) {
	for _, size := range []int{0, 1, 33, 1000} {
		kp, err := GenerateKeyPair(nil)
		require.NoError(t, err)
		message := bytes.Repeat([]byte{byte(size)}, size)

		sig, err := kp.Private.Sign(nil, message)
		require.NoError(t, err)
		require.Len(t, sig, SignatureSize)
		assert.NoError(t, kp.Public.Verify(message, sig), "message of %d bytes", size)
	}
}

func TestSignReadsExactly64(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	r := &countingReader{r: bytes.NewReader(make([]byte, 200))}

	_, err = kp.Private.Sign(r, []byte("message"))
	require.NoError(t, err)
	assert.Equal(t, 64, r.n)
}

func TestSignReadError(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	boom := errors.New("entropy source failed")

	sig, err := kp.Private.Sign(failingReader{boom}, []byte("message"))
	assert.ErrorIs(t, err, boom)
	assert.Nil(t, sig)

	_, err = kp.Private.Sign(bytes.NewReader(make([]byte, 63)), []byte("message"))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// signSpecForm signs the way the XEdDSA specification does: the scalar is
// negated when needed so that A has sign bit 0, and the top bit of
// signature byte 63 stays clear.
func signSpecForm(t *testing.T, k PrivateKey, message, Z []byte) []byte {
	t.Helper()
	a, err := edwards25519.NewScalar().SetBytesWithClamping(k.Bytes())
	require.NoError(t, err)
	A := new(edwards25519.Point).ScalarBaseMult(a).Bytes()
	if A[31]&0x80 != 0 {
		a.Negate(a)
		A = new(edwards25519.Point).ScalarBaseMult(a).Bytes()
	}
	require.Zero(t, A[31]&0x80)

	r, err := edwards25519.NewScalar().SetUniformBytes(sha512Concat(hash1Prefix[:], a.Bytes(), message, Z))
	require.NoError(t, err)
	R := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
	h, err := edwards25519.NewScalar().SetUniformBytes(sha512Concat(R, A, message))
	require.NoError(t, err)
	s := edwards25519.NewScalar().MultiplyAdd(h, a, r)
	return append(R, s.Bytes()...)
}

func TestVerifyBothSignConventions(t *testing.T) {
	seen := map[byte]bool{}
	message := []byte("both conventions")
	for i := 0; i < 40 && len(seen) < 2; i++ {
		kp, err := GenerateKeyPair(nil)
		require.NoError(t, err)

		sig, err := kp.Private.Sign(nil, message)
		require.NoError(t, err)
		seen[sig[63]>>7] = true
		assert.NoError(t, kp.Public.Verify(message, sig))

		spec := signSpecForm(t, kp.Private, message, make([]byte, 64))
		assert.Zero(t, spec[63]>>7)
		assert.NoError(t, kp.Public.Verify(message, spec))

		// The sign bit selects A or -A, so flipping it breaks both forms.
		sig[63] ^= 0x80
		assert.ErrorIs(t, kp.Public.Verify(message, sig), ErrInvalidSignature)
		spec[63] ^= 0x80
		assert.ErrorIs(t, kp.Public.Verify(message, spec), ErrInvalidSignature)
	}
	assert.Len(t, seen, 2, "40 random keys did not produce both sign bits")
}

func TestVerifyRejectsTampering(t *testing.T) {
	v := loadLibsignalVectors(t)[3]
	pub, err := NewPublicKey(mustHex(t, v.PublicKey))
	require.NoError(t, err)
	message := mustHex(t, v.Message)
	sig := mustHex(t, v.LibsignalSignature)
	require.NoError(t, pub.Verify(message, sig))

	tamperedMessage := append(bytes.Clone(message), 0)
	assert.ErrorIs(t, pub.Verify(tamperedMessage, sig), ErrInvalidSignature, "message")

	// Every single-bit change in R, s or the sign bit fails.
	for bit := range SignatureSize * 8 {
		tampered := bytes.Clone(sig)
		tampered[bit/8] ^= 1 << (bit % 8)
		assert.ErrorIs(t, pub.Verify(message, tampered), ErrInvalidSignature, "bit %d", bit)
	}

	other, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	assert.ErrorIs(t, other.Public.Verify(message, sig), ErrInvalidSignature, "other key")
	assert.ErrorIs(t, PublicKey{}.Verify(message, sig), ErrInvalidSignature, "zero key")
	assert.ErrorIs(t, pub.Verify(message, sig[:63]), ErrInvalidSignature, "short")
	assert.ErrorIs(t, pub.Verify(message, append(bytes.Clone(sig), 0)), ErrInvalidSignature, "long")
	assert.ErrorIs(t, pub.Verify(message, nil), ErrInvalidSignature, "empty")
}

// TestVerifyRejectsNonCanonicalS checks s = L, s + L and s >= 2^253 with a
// valid R.
func TestVerifyRejectsNonCanonicalS(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(t, err)
	message := []byte("non-canonical s")
	sig, err := kp.Private.Sign(nil, message)
	require.NoError(t, err)
	signBit := sig[63] & 0x80

	withS := func(s *big.Int) []byte {
		out := bytes.Clone(sig)
		le := make([]byte, 32)
		s.FillBytes(le)
		for i, j := 0, 31; i < j; i, j = i+1, j-1 {
			le[i], le[j] = le[j], le[i]
		}
		copy(out[32:], le)
		out[63] |= signBit
		return out
	}
	sBytes := bytes.Clone(sig[32:])
	sBytes[31] &= 0x7f
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		sBytes[i], sBytes[j] = sBytes[j], sBytes[i]
	}
	s := new(big.Int).SetBytes(sBytes)
	require.NoError(t, kp.Public.Verify(message, withS(s)))

	sPlusL := new(big.Int).Add(s, groupOrder)
	assert.ErrorIs(t, kp.Public.Verify(message, withS(sPlusL)), ErrInvalidSignature, "s + L")
	assert.ErrorIs(t, kp.Public.Verify(message, withS(groupOrder)), ErrInvalidSignature, "s = L")
	large := new(big.Int).Lsh(big.NewInt(1), 253)
	assert.ErrorIs(t, kp.Public.Verify(message, withS(large.Add(large, s))), ErrInvalidSignature, "s + 2^253")
}

func BenchmarkSign(b *testing.B) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(b, err)
	message := make([]byte, 33)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kp.Private.Sign(nil, message); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	kp, err := GenerateKeyPair(nil)
	require.NoError(b, err)
	message := make([]byte, 33)
	sig, err := kp.Private.Sign(nil, message)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if err := kp.Public.Verify(message, sig); err != nil {
			b.Fatal(err)
		}
	}
}
