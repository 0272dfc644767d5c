package fingerprint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/fingerprint"
)

func advPair(t *testing.T) (alice, bob *fingerprint.Fingerprint) {
	t.Helper()
	ak, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	bk, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	aID := []byte("aaaaaaaaaaaaaaaa")
	bID := []byte("bbbbbbbbbbbbbbbb")
	alice, err = fingerprint.New(fingerprint.Version2, 2, aID, ak.Public, bID, bk.Public)
	require.NoError(t, err)
	bob, err = fingerprint.New(fingerprint.Version2, 2, bID, bk.Public, aID, ak.Public)
	require.NoError(t, err)
	return alice, bob
}

// advSplit reads the two 32-byte contents from a scannable form.
func advSplit(t *testing.T, b []byte) (version uint64, local, remote []byte) {
	t.Helper()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		require.Greater(t, n, 0)
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			require.Greater(t, n, 0)
			version, b = v, b[n:]
		case (num == 2 || num == 3) && typ == protowire.BytesType:
			inner, n := protowire.ConsumeBytes(b)
			require.Greater(t, n, 0)
			b = b[n:]
			_, _, m := protowire.ConsumeTag(inner)
			content, _ := protowire.ConsumeBytes(inner[m:])
			if num == 2 {
				local = content
			} else {
				remote = content
			}
		default:
			t.Fatalf("unexpected field %d", num)
		}
	}
	return version, local, remote
}

func advBuild(version uint64, local, remote []byte, extra []byte) []byte {
	wrap := func(c []byte) []byte {
		b := protowire.AppendTag(nil, 1, protowire.BytesType)
		return protowire.AppendBytes(b, c)
	}
	b := protowire.AppendTag(nil, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, version)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, wrap(local))
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	b = protowire.AppendBytes(b, wrap(remote))
	return append(b, extra...)
}

func TestAdversarialCompareMutations(t *testing.T) {
	alice, bob := advPair(t)
	scanned := bob.Scannable()
	ok, err := alice.Compare(scanned)
	require.NoError(t, err)
	require.True(t, ok)

	v, local, remote := advSplit(t, scanned)
	require.Len(t, local, 32)
	require.Len(t, remote, 32)

	// A rebuilt copy with unknown fields appended still matches, as in
	// protobuf decoders generally.
	unknown := protowire.AppendTag(nil, 9, protowire.BytesType)
	unknown = protowire.AppendBytes(unknown, []byte("x"))
	ok, err = alice.Compare(advBuild(v, local, remote, unknown))
	require.NoError(t, err)
	assert.True(t, ok)

	never := map[string][]byte{
		"truncated local":   advBuild(v, local[:31], remote, nil),
		"truncated remote":  advBuild(v, local, remote[:16], nil),
		"extended local":    advBuild(v, append(append([]byte(nil), local...), 0), remote, nil),
		"extended remote":   advBuild(v, local, append(append([]byte(nil), remote...), 0), nil),
		"empty contents":    advBuild(v, nil, nil, nil),
		"swapped":           advBuild(v, remote, local, nil),
		"cut last byte":     scanned[:len(scanned)-1],
		"cut half":          scanned[:len(scanned)/2],
		"empty":             {},
		"local twice wrong": append(advBuild(v, local, remote, nil), advBuild(v, remote, remote, nil)[2:]...),
	}
	for name, b := range never {
		t.Run(name, func(t *testing.T) {
			ok, _ := alice.Compare(b)
			assert.False(t, ok)
		})
	}

	// Version mismatch is its own error.
	_, err = alice.Compare(advBuild(v+1, local, remote, nil))
	var vm *fingerprint.VersionMismatchError
	assert.ErrorAs(t, err, &vm)
}
