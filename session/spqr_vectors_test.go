package session_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// testdata/spqr/epochs.json was recorded by
// go run ./interop/cmd/gen-spqr-vectors. libsignal-client 0.103 started a
// session with a Parley responder whose keys and randomness all came from
// one seeded ChaCha8 stream. The two then exchanged 300 more messages, some
// in shuffled bursts, while the SPQR epoch rose from 1 to 4. The test
// rebuilds the responder from the seed and replays the session offline. It
// must decrypt every libsignal message and re-create every Parley message
// byte for byte. libsignal accepted exactly those bytes when the file was
// recorded, so Parley's SPQR messages and keys match libsignal's across
// epoch changes.

const spqrVectorsFile = "../testdata/spqr/epochs.json"

type spqrTranscript struct {
	Seed   hexBytes `json:"seed"`
	Now    int64    `json:"now"`
	Parley struct {
		Name           string `json:"name"`
		Device         uint32 `json:"device"`
		RegistrationID uint32 `json:"registration_id"`
	} `json:"parley"`
	Bundle struct {
		IdentityKey           hexBytes `json:"identity_key"`
		PreKeyID              uint32   `json:"pre_key_id"`
		PreKey                hexBytes `json:"pre_key"`
		SignedPreKeyID        uint32   `json:"signed_pre_key_id"`
		SignedPreKey          hexBytes `json:"signed_pre_key"`
		SignedPreKeySignature hexBytes `json:"signed_pre_key_signature"`
		KyberPreKeyID         uint32   `json:"kyber_pre_key_id"`
		KyberPreKey           hexBytes `json:"kyber_pre_key"`
		KyberPreKeySignature  hexBytes `json:"kyber_pre_key_signature"`
	} `json:"bundle"`
	Libsignal struct {
		Name        string   `json:"name"`
		Device      uint32   `json:"device"`
		IdentityKey hexBytes `json:"identity_key"`
	} `json:"libsignal"`
	FinalEpoch uint64 `json:"final_pq_epoch"`
	Steps      []struct {
		Direction   string   `json:"direction"`
		SentIndex   int      `json:"sent_index"`
		MessageType string   `json:"message_type"`
		Plaintext   string   `json:"plaintext"`
		Ciphertext  hexBytes `json:"ciphertext"`
		PQEpoch     uint64   `json:"pq_epoch"`
	} `json:"steps"`
}

// spqrResponder rebuilds the recorded Parley device. It makes the same
// calls in the same order as newParleyDevice in
// interop/cmd/gen-spqr-vectors, so the ChaCha8 stream yields the same keys
// and leaves the Cipher at the same position.
func spqrResponder(t *testing.T, v *spqrTranscript) *session.Cipher {
	t.Helper()
	require.Len(t, v.Seed, 32, "seed length")
	stream := rand.NewChaCha8([32]byte(v.Seed))
	now := time.Unix(v.Now, 0).UTC()
	b := v.Bundle

	identity, err := curve.GenerateKeyPair(stream)
	require.NoError(t, err)
	preKey, err := session.NewPreKey(stream, b.PreKeyID)
	require.NoError(t, err)
	signedPreKey, err := session.NewSignedPreKey(stream, identity, b.SignedPreKeyID, now)
	require.NoError(t, err)
	kyberPreKey, err := session.NewKyberPreKey(stream, identity, b.KyberPreKeyID, now, false)
	require.NoError(t, err)

	assert.Equal(t, []byte(b.IdentityKey), identity.Public.Bytes(), "identity key")
	assert.Equal(t, []byte(b.PreKey), preKey.KeyPair.Public.Bytes(), "one-time prekey")
	assert.Equal(t, []byte(b.SignedPreKey), signedPreKey.KeyPair.Public.Bytes(), "signed prekey")
	assert.Equal(t, []byte(b.SignedPreKeySignature), signedPreKey.Signature, "signed prekey signature")
	assert.Equal(t, []byte(b.KyberPreKey), kyberPreKey.KeyPair.Public.Bytes(), "kyber prekey")
	assert.Equal(t, []byte(b.KyberPreKeySignature), kyberPreKey.Signature, "kyber prekey signature")

	store := keystore.NewMemoryStore(identity, v.Parley.RegistrationID)
	require.NoError(t, store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StorePreKey(ctx, preKey); err != nil {
			return err
		}
		if err := tx.StoreSignedPreKey(ctx, signedPreKey); err != nil {
			return err
		}
		return tx.StoreKyberPreKey(ctx, kyberPreKey)
	}))
	return &session.Cipher{
		Store:        store,
		LocalAddress: keystore.Address{Name: v.Parley.Name, DeviceID: v.Parley.Device},
		Rand:         stream,
		Now:          func() time.Time { return now },
	}
}

func TestSPQRVectorsReplay(t *testing.T) {
	raw, err := os.ReadFile(spqrVectorsFile)
	require.NoError(t, err)
	var v spqrTranscript
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.Steps)

	cipher := spqrResponder(t, &v)
	remote := keystore.Address{Name: v.Libsignal.Name, DeviceID: v.Libsignal.Device}

	var (
		epoch     uint64
		reordered int
		lastSent  = map[string]int{}
		seen      = map[uint64]bool{}
	)
	for i, step := range v.Steps {
		switch step.Direction {
		case "libsignal_to_parley":
			typ := session.MessageTypeWhisper
			if step.MessageType == "prekey" {
				typ = session.MessageTypePreKey
			}
			got, err := cipher.Decrypt(ctx, remote, typ, step.Ciphertext)
			require.NoError(t, err, "step %d: decrypt message %d", i, step.SentIndex)
			require.Equal(t, step.Plaintext, string(got), "step %d: plaintext", i)

		case "parley_to_libsignal":
			typ, out, err := cipher.Encrypt(ctx, remote, []byte(step.Plaintext))
			require.NoError(t, err, "step %d: encrypt message %d", i, step.SentIndex)
			require.Equal(t, step.MessageType, typ.String(), "step %d: message type", i)
			require.Equal(t, []byte(step.Ciphertext), out, "step %d: ciphertext of message %d", i, step.SentIndex)

		default:
			t.Fatalf("step %d: unknown direction %q", i, step.Direction)
		}

		info, err := cipher.SessionInfo(ctx, remote)
		require.NoError(t, err)
		require.Equal(t, step.PQEpoch, info.PQEpoch, "step %d: SPQR epoch", i)
		require.GreaterOrEqual(t, info.PQEpoch, epoch, "step %d: SPQR epoch went down", i)
		epoch = info.PQEpoch
		seen[epoch] = true

		if last, ok := lastSent[step.Direction]; ok && step.SentIndex < last {
			reordered++
		}
		lastSent[step.Direction] = step.SentIndex
	}

	info, err := cipher.SessionInfo(ctx, remote)
	require.NoError(t, err)
	assert.Equal(t, []byte(v.Libsignal.IdentityKey), info.RemoteIdentity.Bytes(), "libsignal's identity key")
	assert.Equal(t, v.FinalEpoch, epoch, "final epoch in the file")
	assert.GreaterOrEqual(t, epoch, uint64(4), "final SPQR epoch")
	for e := uint64(1); e <= epoch; e++ {
		assert.True(t, seen[e], "no step at SPQR epoch %d", e)
	}
	assert.Positive(t, reordered, "no message delivered out of order")
}
