package attachment

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPaddedSize(t *testing.T) {
	cases := []struct{ n, want int }{
		{0, 541},
		{1, 541},
		{541, 541},
		// 1.05^129 = 541.277..., 1.05^130 = 568.340..., 1.05^142 =
		// 1020.658..., 1.05^143 = 1071.691..., computed independently with
		// Python's decimal module at 50 digits.
		{542, 568},
		{1000, 1020},
		{1021, 1071},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, PaddedSize(tc.n), "size %d", tc.n)
	}
	for n := 1; n < 200000; n += 997 {
		assert.GreaterOrEqual(t, PaddedSize(n), n)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 541, 542, 5000} {
		plain := bytes.Repeat([]byte{0xab}, n)
		blob, p, err := Encrypt(nil, plain)
		require.NoError(t, err)
		assert.Equal(t, 16+(PaddedSize(n)/16+1)*16+32, len(blob), "blob size for %d", n)
		got, err := Decrypt(blob, p)
		require.NoError(t, err)
		assert.Equal(t, plain, got)
	}
}

// TestLayout decrypts a blob with the standard library alone, so the layout
// is checked independently of Decrypt.
func TestLayout(t *testing.T) {
	plain := []byte("attachment body")
	blob, p, err := Encrypt(nil, plain)
	require.NoError(t, err)

	digest := sha256.Sum256(blob)
	assert.Equal(t, p.Digest[:], digest[:])
	mac := hmac.New(sha256.New, p.Key[32:])
	mac.Write(blob[:len(blob)-32])
	assert.Equal(t, mac.Sum(nil), blob[len(blob)-32:])

	block, err := aes.NewCipher(p.Key[:32])
	require.NoError(t, err)
	ct := blob[16 : len(blob)-32]
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, blob[:16]).CryptBlocks(out, ct)
	pad := int(out[len(out)-1])
	require.Equal(t, 541, len(out)-pad)
	assert.Equal(t, plain, out[:len(plain)])
	assert.Equal(t, make([]byte, 541-len(plain)), out[len(plain):541])
}

func TestTamper(t *testing.T) {
	blob, p, err := Encrypt(nil, []byte("hello"))
	require.NoError(t, err)
	for _, i := range []int{0, 20, len(blob) - 1} {
		bad := bytes.Clone(blob)
		bad[i] ^= 1
		_, err := Decrypt(bad, p)
		assert.ErrorIs(t, err, ErrInvalid, "byte %d", i)
	}
	wrongKey := p
	wrongKey.Key[40] ^= 1
	_, err = Decrypt(blob, wrongKey)
	assert.ErrorIs(t, err, ErrInvalid)
	tooBig := p
	tooBig.Size = 10000
	_, err = Decrypt(blob, tooBig)
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = Decrypt(blob[:40], p)
	assert.ErrorIs(t, err, ErrInvalid)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestRandomnessError(t *testing.T) {
	_, _, err := Encrypt(failingReader{}, []byte("x"))
	require.ErrorContains(t, err, "no entropy")
}

func FuzzDecrypt(f *testing.F) {
	blob, p, err := Encrypt(nil, []byte("seed"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Decrypt(b, p)
		if err == nil && !bytes.Equal(b, blob) {
			t.Fatal("a different blob decrypted")
		}
		_ = out
	})
}

func BenchmarkEncrypt(b *testing.B) {
	plain := make([]byte, 1<<20)
	b.ReportAllocs()
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, _, err := Encrypt(nil, plain); err != nil {
			b.Fatal(err)
		}
	}
}
