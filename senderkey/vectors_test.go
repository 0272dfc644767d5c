package senderkey

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
)

// hexBytes is a byte string written as hex in JSON.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil {
		*h = nil
		return nil
	}
	d, err := hex.DecodeString(*s)
	if err != nil {
		return err
	}
	*h = d
	return nil
}

// vectorFile is one file written by interop/node/gen-senderkey-vectors.mjs.
type vectorFile struct {
	Description string `json:"description"`
	Sender      struct {
		Name   string `json:"name"`
		Device uint32 `json:"device"`
	} `json:"sender"`
	DistributionID string `json:"distribution_id"`
	Chains         []struct {
		Label          string   `json:"label"`
		ChainID        uint32   `json:"chain_id"`
		ChainKey       hexBytes `json:"chain_key"`
		SigningPrivate hexBytes `json:"signing_private"`
		SigningPublic  hexBytes `json:"signing_public"`
	} `json:"chains"`
	Steps []struct {
		Kind      string   `json:"kind"`
		Bytes     hexBytes `json:"bytes"`
		Expect    string   `json:"expect"`
		Plaintext hexBytes `json:"plaintext"`
		Note      string   `json:"note"`
		Chain     int      `json:"chain"`
		Iteration uint32   `json:"iteration"`
		Genuine   bool     `json:"genuine"`
		Sent      hexBytes `json:"sent"`
	} `json:"steps"`
}

// expectedErrors maps the outcome categories of the vectors to our errors.
var expectedErrors = map[string]error{
	"duplicate":         ErrDuplicateMessage,
	"no_sender_key":     ErrNoSenderKey,
	"invalid_signature": ErrInvalidSignature,
	"too_far_ahead":     ErrTooFarAhead,
	"invalid_message":   ErrInvalidMessage,
}

func parseUUID(t *testing.T, s string) [16]byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	require.NoError(t, err)
	require.Len(t, b, 16)
	return [16]byte(b)
}

// TestVectors plays the receiver of every libsignal transcript in
// testdata/senderkey and must reach libsignal's outcome at every step.
// For each genuine message it also encrypts the same plaintext at the same
// iteration and compares every byte before the signature.
func TestVectors(t *testing.T) {
	files, err := filepath.Glob("../testdata/senderkey/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			var v vectorFile
			require.NoError(t, json.Unmarshal(raw, &v))
			runVector(t, &v)
		})
	}
}

func runVector(t *testing.T, v *vectorFile) {
	ctx := context.Background()
	sender := keystore.Address{Name: v.Sender.Name, DeviceID: v.Sender.Device}
	dist := parseUUID(t, v.DistributionID)
	receiver := newStore()

	for i, step := range v.Steps {
		switch step.Kind {
		case "skdm":
			require.NoError(t, ProcessDistributionMessage(ctx, receiver, sender, step.Bytes), "step %d: %s", i, step.Note)
			m, err := ParseDistributionMessage(step.Bytes)
			require.NoError(t, err)
			c := v.Chains[step.Chain]
			assert.Equal(t, c.ChainID, m.ChainID, "step %d: chain ID", i)
			assert.Equal(t, c.SigningPublic, hexBytes(m.SigningKey.Bytes()), "step %d: signing key", i)

		case "message":
			before := storedRecord(t, receiver, sender, dist)
			got, err := Decrypt(ctx, receiver, sender, step.Bytes)
			if step.Expect == "ok" {
				require.NoError(t, err, "step %d: %s", i, step.Note)
				assert.Equal(t, []byte(step.Plaintext), got, "step %d: plaintext", i)
			} else {
				want, ok := expectedErrors[step.Expect]
				require.True(t, ok, "step %d: unknown outcome %q", i, step.Expect)
				require.ErrorIs(t, err, want, "step %d: %s", i, step.Note)
				assert.Equal(t, before, storedRecord(t, receiver, sender, dist), "step %d: failed decrypt changed the store", i)
			}
			if step.Genuine {
				checkReencrypt(t, v, sender, dist, i)
			}

		default:
			t.Fatalf("step %d: unknown kind %q", i, step.Kind)
		}
	}
}

// checkReencrypt encrypts the plaintext of genuine step i with our own
// sending state at the step's chain and iteration, and checks that the
// result matches libsignal's message up to the signature, and that each
// signature verifies.
func checkReencrypt(t *testing.T, v *vectorFile, sender keystore.Address, dist [16]byte, i int) {
	t.Helper()
	ctx := context.Background()
	step := v.Steps[i]
	c := v.Chains[step.Chain]

	priv, err := curve.NewPrivateKey(c.SigningPrivate)
	require.NoError(t, err)
	st := &state{
		version:           messageVersion,
		chainID:           c.ChainID,
		chain:             chainKey{key: [32]byte(c.ChainKey)},
		signingKey:        priv.PublicKey(),
		signingPrivate:    priv,
		hasSigningPrivate: true,
	}
	assert.Equal(t, []byte(c.SigningPublic), st.signingKey.Bytes())
	for st.chain.iteration < step.Iteration {
		st.chain, err = st.chain.next()
		require.NoError(t, err)
	}
	store := newStore()
	require.NoError(t, store.Update(ctx, func(tx keystore.Tx) error {
		return storeRecord(ctx, tx, sender, dist, &record{states: []*state{st}})
	}))

	ours, err := Encrypt(ctx, store, sender, dist, step.Sent, nil)
	require.NoError(t, err)
	n := len(step.Bytes) - SignatureSize
	require.Equal(t, len(step.Bytes), len(ours), "step %d: message length", i)
	assert.Equal(t, hex.EncodeToString(step.Bytes[:n]), hex.EncodeToString(ours[:n]), "step %d: message before the signature", i)
	assert.NoError(t, st.signingKey.Verify(ours[:n], ours[n:]), "step %d: our signature", i)
	assert.NoError(t, st.signingKey.Verify(step.Bytes[:n], step.Bytes[n:]), "step %d: libsignal signature", i)
}
