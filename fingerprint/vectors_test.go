package fingerprint

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

// The vectors in testdata/fingerprint/vectors.json were written by
// interop/node/gen-fingerprint-vectors.mjs with @signalapp/libsignal-client
// 0.103.0. Each "compare" case records the outcome that libsignal's
// ScannableFingerprint.compare reported, so these tests check Compare
// against libsignal's decoder on malformed input as well.

type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	decoded, err := hex.DecodeString(s)
	if err != nil {
		return err
	}
	*h = decoded
	return nil
}

type vectorFile struct {
	Generator    string `json:"generator"`
	Fingerprints []struct {
		Name            string   `json:"name"`
		Version         uint32   `json:"version"`
		Iterations      int      `json:"iterations"`
		LocalID         hexBytes `json:"local_id"`
		LocalKey        hexBytes `json:"local_key"`
		RemoteID        hexBytes `json:"remote_id"`
		RemoteKey       hexBytes `json:"remote_key"`
		Display         string   `json:"display"`
		Scannable       hexBytes `json:"scannable"`
		RemoteDisplay   string   `json:"remote_display"`
		RemoteScannable hexBytes `json:"remote_scannable"`
	} `json:"fingerprints"`
	InvalidIterations []struct {
		Iterations int     `json:"iterations"`
		Error      *string `json:"error"`
	} `json:"invalid_iterations"`
	Compare []struct {
		Name        string   `json:"name"`
		Fingerprint string   `json:"fingerprint"`
		Scanned     hexBytes `json:"scanned"`
		Outcome     string   `json:"outcome"`
		Ours        uint32   `json:"ours"`
		Theirs      uint32   `json:"theirs"`
	} `json:"compare"`
}

func loadVectors(t *testing.T) *vectorFile {
	t.Helper()
	data, err := os.ReadFile("../testdata/fingerprint/vectors.json")
	require.NoError(t, err)
	var v vectorFile
	require.NoError(t, json.Unmarshal(data, &v))
	require.NotEmpty(t, v.Fingerprints)
	require.NotEmpty(t, v.Compare)
	return &v
}

func parseKey(t *testing.T, b []byte) curve.PublicKey {
	t.Helper()
	k, err := curve.NewPublicKey(b)
	require.NoError(t, err)
	return k
}

func TestVectorsFingerprints(t *testing.T) {
	v := loadVectors(t)
	for _, tc := range v.Fingerprints {
		t.Run(tc.Name, func(t *testing.T) {
			localKey, remoteKey := parseKey(t, tc.LocalKey), parseKey(t, tc.RemoteKey)

			local, err := New(tc.Version, tc.Iterations, tc.LocalID, localKey, tc.RemoteID, remoteKey)
			require.NoError(t, err)
			assert.Equal(t, tc.Display, local.DisplayString(), "display")
			assert.Equal(t, []byte(tc.Scannable), local.Scannable(), "scannable")

			remote, err := New(tc.Version, tc.Iterations, tc.RemoteID, remoteKey, tc.LocalID, localKey)
			require.NoError(t, err)
			assert.Equal(t, tc.RemoteDisplay, remote.DisplayString(), "remote display")
			assert.Equal(t, []byte(tc.RemoteScannable), remote.Scannable(), "remote scannable")

			ok, err := local.Compare(tc.RemoteScannable)
			require.NoError(t, err)
			assert.True(t, ok, "local compares remote scannable")
		})
	}
}

func TestVectorsInvalidIterations(t *testing.T) {
	v := loadVectors(t)
	require.NotEmpty(t, v.InvalidIterations)
	key := parseKey(t, v.Fingerprints[0].LocalKey)
	for _, tc := range v.InvalidIterations {
		require.NotNil(t, tc.Error, "libsignal accepted %d iterations", tc.Iterations)
		_, err := New(Version2, tc.Iterations, nil, key, nil, key)
		assert.ErrorIs(t, err, ErrInvalidIterations, "iterations %d (libsignal: %s)", tc.Iterations, *tc.Error)
	}
}

func TestVectorsCompare(t *testing.T) {
	v := loadVectors(t)
	fingerprints := make(map[string]*Fingerprint)
	for _, tc := range v.Fingerprints {
		f, err := New(tc.Version, tc.Iterations, tc.LocalID, parseKey(t, tc.LocalKey), tc.RemoteID, parseKey(t, tc.RemoteKey))
		require.NoError(t, err)
		fingerprints[tc.Name] = f
	}

	for _, tc := range v.Compare {
		t.Run(tc.Name, func(t *testing.T) {
			f := fingerprints[tc.Fingerprint]
			require.NotNil(t, f, "unknown fingerprint %q", tc.Fingerprint)
			ok, err := f.Compare(tc.Scanned)
			assertOutcome(t, tc.Outcome, tc.Ours, tc.Theirs, ok, err)
		})
	}
}

// assertOutcome checks the result of Compare against an outcome reported by
// libsignal: "match", "mismatch", "version_mismatch" or "invalid".
func assertOutcome(t *testing.T, outcome string, ours, theirs uint32, ok bool, err error) {
	t.Helper()
	switch outcome {
	case "match":
		assert.NoError(t, err)
		assert.True(t, ok)
	case "mismatch":
		assert.NoError(t, err)
		assert.False(t, ok)
	case "version_mismatch":
		assert.False(t, ok)
		var mismatch *VersionMismatchError
		if assert.ErrorAs(t, err, &mismatch) {
			assert.Equal(t, ours, mismatch.Ours, "ours")
			assert.Equal(t, theirs, mismatch.Theirs, "theirs")
		}
	case "invalid":
		assert.False(t, ok)
		assert.ErrorIs(t, err, ErrInvalidScannable)
	default:
		t.Fatalf("unknown outcome %q", outcome)
	}
}
