package fingerprint

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/nodepeer"
)

// These tests run interop/node/fingerprint.mjs, which computes the same
// fingerprints with @signalapp/libsignal-client 0.103.0. They are skipped
// when Node.js or the npm packages are missing (and fail in CI).

type scriptCase struct {
	Version    uint32   `json:"version"`
	Iterations int      `json:"iterations"`
	LocalID    string   `json:"local_id"`
	LocalKey   string   `json:"local_key"`
	RemoteID   string   `json:"remote_id"`
	RemoteKey  string   `json:"remote_key"`
	Compare    []string `json:"compare"`
}

type scriptResult struct {
	Error     string   `json:"error"`
	Display   string   `json:"display"`
	Scannable hexBytes `json:"scannable"`
	Compare   []struct {
		Outcome string `json:"outcome"`
		Ours    uint32 `json:"ours"`
		Theirs  uint32 `json:"theirs"`
		Message string `json:"message"`
	} `json:"compare"`
}

type scriptOutput struct {
	Version string         `json:"libsignal_version"`
	Results []scriptResult `json:"results"`
}

func runScript(t *testing.T, cases []scriptCase) []scriptResult {
	t.Helper()
	var out scriptOutput
	nodepeer.RunScript(t, "fingerprint.mjs", map[string]any{"cases": cases}, &out)
	require.Len(t, out.Results, len(cases))
	return out.Results
}

// interopSide is one side of a random conversation.
type interopSide struct {
	id  []byte
	key curve.PublicKey
}

func randomSide(t *testing.T, rng *rand.ChaCha8, version uint32) interopSide {
	t.Helper()
	pair, err := curve.GenerateKeyPair(rng)
	require.NoError(t, err)
	var id []byte
	if version == Version2 {
		id = make([]byte, 16)
		_, _ = rng.Read(id)
	} else {
		id = fmt.Appendf(nil, "+1415555%04d", rng.Uint64()%10000)
	}
	return interopSide{id: id, key: pair.Public}
}

func newSeededRNG(t *testing.T) *rand.ChaCha8 {
	var seed [32]byte
	now := uint64(time.Now().UnixNano())
	for i := range 8 {
		seed[i] = byte(now >> (8 * i))
	}
	t.Logf("seed %x", seed[:8])
	return rand.NewChaCha8(seed)
}

func TestInteropRandom(t *testing.T) {
	rng := newSeededRNG(t)

	type pair struct {
		version       uint32
		alice, bob    interopSide
		mallory       interopSide
		goAlice       *Fingerprint
		goBob         *Fingerprint
		goBobOther    *Fingerprint // Bob on the other version
		goBobMallory  *Fingerprint // Bob who has Mallory's key in place of Alice's
		goAliceOtherV *Fingerprint
	}

	var pairs []pair
	var cases []scriptCase
	for i := range 6 {
		version := Version1 + uint32(i%2)
		otherVersion := Version1 + uint32((i+1)%2)
		p := pair{version: version}
		p.alice, p.bob, p.mallory = randomSide(t, rng, version), randomSide(t, rng, version), randomSide(t, rng, version)

		var err error
		p.goAlice, err = New(version, Iterations, p.alice.id, p.alice.key, p.bob.id, p.bob.key)
		require.NoError(t, err)
		p.goAliceOtherV, err = New(otherVersion, Iterations, p.alice.id, p.alice.key, p.bob.id, p.bob.key)
		require.NoError(t, err)
		p.goBob, err = New(version, Iterations, p.bob.id, p.bob.key, p.alice.id, p.alice.key)
		require.NoError(t, err)
		p.goBobOther, err = New(otherVersion, Iterations, p.bob.id, p.bob.key, p.alice.id, p.alice.key)
		require.NoError(t, err)
		p.goBobMallory, err = New(version, Iterations, p.bob.id, p.bob.key, p.alice.id, p.mallory.key)
		require.NoError(t, err)
		pairs = append(pairs, p)

		// libsignal computes Alice's view and checks Go's scannables from Bob.
		cases = append(cases, scriptCase{
			Version:    version,
			Iterations: Iterations,
			LocalID:    hex.EncodeToString(p.alice.id),
			LocalKey:   hex.EncodeToString(p.alice.key.Bytes()),
			RemoteID:   hex.EncodeToString(p.bob.id),
			RemoteKey:  hex.EncodeToString(p.bob.key.Bytes()),
			Compare: []string{
				hex.EncodeToString(p.goBob.Scannable()),
				hex.EncodeToString(p.goBobOther.Scannable()),
				hex.EncodeToString(p.goBobMallory.Scannable()),
				hex.EncodeToString(p.goBob.Scannable()[:10]),
			},
		})
	}

	results := runScript(t, cases)
	for i, p := range pairs {
		r := results[i]
		require.Empty(t, r.Error, "case %d", i)

		assert.Equal(t, p.goAlice.DisplayString(), r.Display, "case %d display", i)
		assert.Equal(t, p.goBob.DisplayString(), r.Display, "case %d display from Bob", i)
		assert.Equal(t, p.goAlice.Scannable(), []byte(r.Scannable), "case %d scannable", i)

		// libsignal's verdicts on Go's scannables.
		require.Len(t, r.Compare, 4)
		assert.Equal(t, "match", r.Compare[0].Outcome, "case %d: libsignal compares Go's Bob", i)
		assert.Equal(t, "version_mismatch", r.Compare[1].Outcome, "case %d: libsignal compares Go's Bob of the other version", i)
		assert.Equal(t, p.version, r.Compare[1].Ours, "case %d", i)
		assert.Equal(t, p.goBobOther.Version(), r.Compare[1].Theirs, "case %d", i)
		assert.Equal(t, "mismatch", r.Compare[2].Outcome, "case %d: libsignal compares Go's Bob with Mallory's key", i)
		assert.Equal(t, "invalid", r.Compare[3].Outcome, "case %d: libsignal compares a truncated scannable", i)

		// Go's verdicts on libsignal's scannable.
		ok, err := p.goBob.Compare(r.Scannable)
		require.NoError(t, err, "case %d", i)
		assert.True(t, ok, "case %d: Go's Bob compares libsignal's Alice", i)

		ok, err = p.goBobMallory.Compare(r.Scannable)
		require.NoError(t, err, "case %d", i)
		assert.False(t, ok, "case %d: Go's Bob with Mallory's key compares libsignal's Alice", i)

		ok, err = p.goBobOther.Compare(r.Scannable)
		assert.False(t, ok, "case %d", i)
		var mismatch *VersionMismatchError
		if assert.ErrorAs(t, err, &mismatch, "case %d", i) {
			assert.Equal(t, p.goBobOther.Version(), mismatch.Ours, "case %d", i)
			assert.Equal(t, p.version, mismatch.Theirs, "case %d", i)
		}

		assert.Equal(t, p.goAliceOtherV.DisplayString(), r.Display, "case %d: display does not depend on the version", i)
	}
}

func TestInteropIterationLimits(t *testing.T) {
	rng := newSeededRNG(t)
	alice, bob := randomSide(t, rng, Version2), randomSide(t, rng, Version2)
	counts := []int{1, 2, 3, 1000001}

	var cases []scriptCase
	for _, n := range counts {
		cases = append(cases, scriptCase{
			Version:    Version2,
			Iterations: n,
			LocalID:    hex.EncodeToString(alice.id),
			LocalKey:   hex.EncodeToString(alice.key.Bytes()),
			RemoteID:   hex.EncodeToString(bob.id),
			RemoteKey:  hex.EncodeToString(bob.key.Bytes()),
		})
	}
	results := runScript(t, cases)
	for i, n := range counts {
		f, err := New(Version2, n, alice.id, alice.key, bob.id, bob.key)
		if results[i].Error != "" {
			assert.ErrorIs(t, err, ErrInvalidIterations, "%d iterations (libsignal: %s)", n, results[i].Error)
			continue
		}
		require.NoError(t, err, "%d iterations", n)
		assert.Equal(t, results[i].Display, f.DisplayString(), "%d iterations", n)
		assert.Equal(t, []byte(results[i].Scannable), f.Scannable(), "%d iterations", n)
	}
}

// TestInteropMutations sends mutated copies of a genuine scannable
// fingerprint to libsignal and checks that Compare reaches the same outcome
// on each.
func TestInteropMutations(t *testing.T) {
	rng := newSeededRNG(t)
	r := rand.New(rng)
	alice, bob := randomSide(t, rng, Version2), randomSide(t, rng, Version2)
	goAlice, err := New(Version2, Iterations, alice.id, alice.key, bob.id, bob.key)
	require.NoError(t, err)
	goBob, err := New(Version2, Iterations, bob.id, bob.key, alice.id, alice.key)
	require.NoError(t, err)
	genuine := goBob.Scannable()

	const count = 3000
	mutated := make([][]byte, 0, count)
	for range count {
		mutated = append(mutated, mutate(r, genuine))
	}
	scanned := make([]string, len(mutated))
	for i, m := range mutated {
		scanned[i] = hex.EncodeToString(m)
	}

	results := runScript(t, []scriptCase{{
		Version:    Version2,
		Iterations: Iterations,
		LocalID:    hex.EncodeToString(alice.id),
		LocalKey:   hex.EncodeToString(alice.key.Bytes()),
		RemoteID:   hex.EncodeToString(bob.id),
		RemoteKey:  hex.EncodeToString(bob.key.Bytes()),
		Compare:    scanned,
	}})
	require.Len(t, results[0].Compare, len(mutated))

	outcomes := make(map[string]int)
	for i, m := range mutated {
		want := results[0].Compare[i]
		outcomes[want.Outcome]++
		ok, err := goAlice.Compare(m)
		got, ours, theirs := outcomeOf(ok, err)
		assert.Equal(t, want.Outcome, got, "scanned %x (libsignal: %s; Go: %v)", m, want.Message, err)
		if got == "version_mismatch" && want.Outcome == got {
			assert.Equal(t, [2]uint32{want.Ours, want.Theirs}, [2]uint32{ours, theirs}, "scanned %x", m)
		}
	}
	t.Logf("libsignal outcomes: %v", outcomes)
}

// outcomeOf classifies a result of Compare with the outcome names of
// fingerprint.mjs.
func outcomeOf(ok bool, err error) (outcome string, ours, theirs uint32) {
	var mismatch *VersionMismatchError
	switch {
	case err == nil && ok:
		return "match", 0, 0
	case err == nil:
		return "mismatch", 0, 0
	case errors.As(err, &mismatch):
		return "version_mismatch", mismatch.Ours, mismatch.Theirs
	case errors.Is(err, ErrInvalidScannable):
		return "invalid", 0, 0
	default:
		return "unexpected error: " + err.Error(), 0, 0
	}
}

// mutate returns a changed copy of b: a bit flip, a truncation, an inserted
// or deleted byte, or an appended field with a random number and wire type.
func mutate(r *rand.Rand, b []byte) []byte {
	out := append([]byte(nil), b...)
	switch r.IntN(5) {
	case 0:
		i := r.IntN(len(out))
		out[i] ^= 1 << r.IntN(8)
	case 1:
		out = out[:r.IntN(len(out))]
	case 2:
		i := r.IntN(len(out) + 1)
		out = append(out[:i], append([]byte{byte(r.UintN(256))}, out[i:]...)...)
	case 3:
		i := r.IntN(len(out))
		out = append(out[:i], out[i+1:]...)
	default:
		// A tag for field 0 to 6 with any of the 8 wire types, then a few
		// random bytes.
		out = append(out, byte(r.IntN(7)<<3|r.IntN(8)))
		for range r.IntN(4) {
			out = append(out, byte(r.UintN(256)))
		}
	}
	return out
}
