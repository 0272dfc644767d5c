package fingerprint

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

func testKey(t testing.TB, label string) curve.PublicKey {
	t.Helper()
	seed := sha256.Sum256([]byte(label))
	priv, err := curve.NewPrivateKey(seed[:])
	require.NoError(t, err)
	return priv.PublicKey()
}

var (
	aliceID = []byte("+14155550100")
	bobID   = []byte("+14155550111")
)

func TestNewRejectsVersion(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	for _, version := range []uint32{0, 3, 1 << 31} {
		_, err := New(version, Iterations, aliceID, alice, bobID, bob)
		assert.ErrorIs(t, err, ErrUnsupportedVersion, "version %d", version)
	}
}

func TestNewRejectsIterations(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	for _, iterations := range []int{-1, 0, 1, maxIterations + 1} {
		_, err := New(Version2, iterations, aliceID, alice, bobID, bob)
		assert.ErrorIs(t, err, ErrInvalidIterations, "iterations %d", iterations)
	}
	_, err := New(Version2, minIterations, aliceID, alice, bobID, bob)
	assert.NoError(t, err)
}

func TestNewRejectsZeroKey(t *testing.T) {
	alice := testKey(t, "alice")
	_, err := New(Version2, Iterations, aliceID, curve.PublicKey{}, bobID, alice)
	assert.Error(t, err)
	_, err = New(Version2, Iterations, aliceID, alice, bobID, curve.PublicKey{})
	assert.Error(t, err)
}

func TestDisplayFormat(t *testing.T) {
	f, err := New(Version1, Iterations, aliceID, testKey(t, "alice"), bobID, testKey(t, "bob"))
	require.NoError(t, err)

	display := f.DisplayString()
	assert.Len(t, display, DisplayLength)
	assert.Equal(t, -1, strings.IndexFunc(display, func(r rune) bool { return r < '0' || r > '9' }), "display %q has a non-digit", display)
	groups := f.DisplayGroups()
	assert.Equal(t, display, strings.Join(groups[:], ""))
	for _, g := range groups {
		assert.Len(t, g, 5)
	}
}

func TestDisplaySymmetric(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	a, err := New(Version1, Iterations, aliceID, alice, bobID, bob)
	require.NoError(t, err)
	b, err := New(Version1, Iterations, bobID, bob, aliceID, alice)
	require.NoError(t, err)
	assert.Equal(t, a.DisplayString(), b.DisplayString())
}

func TestDisplayIgnoresVersion(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	v1, err := New(Version1, Iterations, aliceID, alice, bobID, bob)
	require.NoError(t, err)
	v2, err := New(Version2, Iterations, aliceID, alice, bobID, bob)
	require.NoError(t, err)
	assert.Equal(t, v1.DisplayString(), v2.DisplayString())
	assert.NotEqual(t, v1.Scannable(), v2.Scannable())
}

func TestEncodeDisplayPadding(t *testing.T) {
	var hash [sha512.Size]byte
	assert.Equal(t, strings.Repeat("0", 30), encodeDisplay(&hash))

	// 0x00000186a1 is 100001, which reduces to 1; 0xffffffffff is
	// 1099511627775, which reduces to 27775.
	copy(hash[0:5], []byte{0x00, 0x00, 0x01, 0x86, 0xa1})
	copy(hash[5:10], []byte{0xff, 0xff, 0xff, 0xff, 0xff})
	// Bytes after the first 30 do not count.
	hash[30] = 0xff
	assert.Equal(t, "00001"+"27775"+strings.Repeat("0", 20), encodeDisplay(&hash))
}

// TestIteratedHashCount checks the hash count against a direct computation
// with hash.Hash for the smallest count.
func TestIteratedHashCount(t *testing.T) {
	key := testKey(t, "alice")
	kb := key.Bytes()

	h := sha512.New()
	h.Write([]byte{0, 0})
	h.Write(kb)
	h.Write(aliceID)
	h.Write(kb)
	first := h.Sum(nil)
	h.Reset()
	h.Write(first)
	h.Write(kb)
	second := h.Sum(nil)

	got := iteratedHash(2, aliceID, key)
	assert.Equal(t, second, got[:])
}

func TestScannableReturnsCopy(t *testing.T) {
	f, err := New(Version2, Iterations, aliceID, testKey(t, "alice"), bobID, testKey(t, "bob"))
	require.NoError(t, err)
	s := f.Scannable()
	s[len(s)-1] ^= 1
	assert.NotEqual(t, s, f.Scannable())
}

func TestScannableLayout(t *testing.T) {
	f, err := New(Version2, Iterations, aliceID, testKey(t, "alice"), bobID, testKey(t, "bob"))
	require.NoError(t, err)
	s := f.Scannable()
	require.Len(t, s, 74)
	assert.Equal(t, []byte{0x08, 0x02, 0x12, 0x22, 0x0a, 0x20}, s[:6])
	assert.Equal(t, f.local[:], s[6:38])
	assert.Equal(t, []byte{0x1a, 0x22, 0x0a, 0x20}, s[38:42])
	assert.Equal(t, f.remote[:], s[42:])
}

func TestCompareMatch(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	a, err := New(Version2, Iterations, aliceID, alice, bobID, bob)
	require.NoError(t, err)
	b, err := New(Version2, Iterations, bobID, bob, aliceID, alice)
	require.NoError(t, err)

	ok, err := a.Compare(b.Scannable())
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = b.Compare(a.Scannable())
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestCompareOwnScannable(t *testing.T) {
	a, err := New(Version2, Iterations, aliceID, testKey(t, "alice"), bobID, testKey(t, "bob"))
	require.NoError(t, err)
	ok, err := a.Compare(a.Scannable())
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestCompareOtherKey(t *testing.T) {
	alice, bob, mallory := testKey(t, "alice"), testKey(t, "bob"), testKey(t, "mallory")
	a, err := New(Version2, Iterations, aliceID, alice, bobID, bob)
	require.NoError(t, err)
	// Bob has Mallory's key in place of Alice's.
	b, err := New(Version2, Iterations, bobID, bob, aliceID, mallory)
	require.NoError(t, err)

	ok, err := a.Compare(b.Scannable())
	require.NoError(t, err)
	assert.False(t, ok)
	assert.NotEqual(t, a.DisplayString(), b.DisplayString())
}

func TestCompareVersionMismatch(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	a, err := New(Version2, Iterations, aliceID, alice, bobID, bob)
	require.NoError(t, err)
	b, err := New(Version1, Iterations, bobID, bob, aliceID, alice)
	require.NoError(t, err)

	ok, err := a.Compare(b.Scannable())
	assert.False(t, ok)
	var mismatch *VersionMismatchError
	require.ErrorAs(t, err, &mismatch)
	assert.Equal(t, Version2, mismatch.Ours)
	assert.Equal(t, Version1, mismatch.Theirs)
	assert.Contains(t, err.Error(), "scanned version 1, ours 2")
}

func TestCompareInvalid(t *testing.T) {
	a, err := New(Version2, Iterations, aliceID, testKey(t, "alice"), bobID, testKey(t, "bob"))
	require.NoError(t, err)
	s := a.Scannable()

	cases := map[string][]byte{
		"truncated":      s[:len(s)-1],
		"only version":   s[:2],
		"version bytes":  append([]byte{0x0a, 0x01, 0x02}, s[2:]...),
		"no remote":      s[:38],
		"trailing 0xff":  append(bytes.Clone(s), 0xff),
		"content varint": {0x08, 0x02, 0x12, 0x02, 0x08, 0x05, 0x1a, 0x02, 0x08, 0x05},
	}
	for name, scanned := range cases {
		ok, err := a.Compare(scanned)
		assert.False(t, ok, name)
		assert.ErrorIs(t, err, ErrInvalidScannable, name)
	}
}

func TestCompareZeroValuePanics(t *testing.T) {
	var f Fingerprint
	assert.Panics(t, func() { _, _ = f.Compare([]byte{0x12, 0x22}) })
}
