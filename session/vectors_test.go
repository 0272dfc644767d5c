package session_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// The transcripts in testdata/vectors were recorded from libsignal-client
// 0.103 by interop/node/gen-vectors.mjs: libsignal's Alice talks to a
// libsignal Bob whose keys are fixed and stored in the file. Parley plays
// Bob with the same keys and must decrypt every message Alice sent, reject
// every corrupted one as libsignal did, and produce the same ratchet key,
// counters and body ciphertext for Bob's replies.

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
	*h = d
	return err
}

type vectorFile struct {
	Description string `json:"description"`
	Bob         struct {
		Name                  string   `json:"name"`
		Device                uint32   `json:"device"`
		RegistrationID        uint32   `json:"registration_id"`
		IdentityPrivate       hexBytes `json:"identity_private"`
		IdentityPublic        hexBytes `json:"identity_public"`
		SignedPreKeyID        uint32   `json:"signed_prekey_id"`
		SignedPreKeyPrivate   hexBytes `json:"signed_prekey_private"`
		SignedPreKeyPublic    hexBytes `json:"signed_prekey_public"`
		SignedPreKeySignature hexBytes `json:"signed_prekey_signature"`
		KyberPreKeyID         uint32   `json:"kyber_prekey_id"`
		KyberPreKeySeed       hexBytes `json:"kyber_prekey_seed"`
		KyberPreKeyPublic     hexBytes `json:"kyber_prekey_public"`
		KyberPreKeySignature  hexBytes `json:"kyber_prekey_signature"`
		OneTimePreKeyID       *uint32  `json:"one_time_prekey_id"`
		OneTimePreKeyPrivate  hexBytes `json:"one_time_prekey_private"`
		OneTimePreKeyPublic   hexBytes `json:"one_time_prekey_public"`
	} `json:"bob"`
	Alice struct {
		Name           string   `json:"name"`
		Device         uint32   `json:"device"`
		IdentityPublic hexBytes `json:"identity_public"`
	} `json:"alice"`
	Steps []struct {
		Direction         string   `json:"direction"`
		MessageType       string   `json:"message_type"`
		Ciphertext        hexBytes `json:"ciphertext"`
		Plaintext         hexBytes `json:"plaintext"`
		Expect            string   `json:"expect"`
		BobRatchetPrivate hexBytes `json:"bob_ratchet_private"`
		Note              string   `json:"note"`
	} `json:"steps"`
}

// noRandomness fails every read, so a step that consumes randomness where
// libsignal's Bob did not is caught.
type noRandomness struct{}

func (noRandomness) Read([]byte) (int, error) {
	return 0, errors.New("test: no randomness expected in this step")
}

func TestLibsignalVectors(t *testing.T) {
	files, err := filepath.Glob("../testdata/vectors/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no vector files in testdata/vectors")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			var v vectorFile
			require.NoError(t, json.Unmarshal(raw, &v))
			runVector(t, &v)
		})
	}
}

func mustKeyPair(t *testing.T, priv, pub []byte) curve.KeyPair {
	t.Helper()
	k, err := curve.NewPrivateKey(priv)
	require.NoError(t, err)
	kp := curve.NewKeyPair(k)
	require.Equal(t, pub, kp.Public.Bytes(), "public key derived from the private key")
	return kp
}

func runVector(t *testing.T, v *vectorFile) {
	bob := v.Bob
	identity := mustKeyPair(t, bob.IdentityPrivate, bob.IdentityPublic)
	store := keystore.NewMemoryStore(identity, bob.RegistrationID)
	kyberPriv, err := kem.NewPrivateKeyFromSeed(bob.KyberPreKeySeed)
	require.NoError(t, err)
	require.Equal(t, []byte(bob.KyberPreKeyPublic), kyberPriv.PublicKey().Bytes(), "kyber public key from the seed")
	require.NoError(t, identity.Public.Verify(bob.KyberPreKeyPublic, bob.KyberPreKeySignature))
	require.NoError(t, identity.Public.Verify(bob.SignedPreKeyPublic, bob.SignedPreKeySignature))

	require.NoError(t, store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StoreSignedPreKey(ctx, keystore.SignedPreKey{
			ID:        bob.SignedPreKeyID,
			KeyPair:   mustKeyPair(t, bob.SignedPreKeyPrivate, bob.SignedPreKeyPublic),
			Signature: bob.SignedPreKeySignature,
		}); err != nil {
			return err
		}
		if err := tx.StoreKyberPreKey(ctx, keystore.KyberPreKey{
			ID:        bob.KyberPreKeyID,
			KeyPair:   kem.KeyPair{Private: kyberPriv, Public: kyberPriv.PublicKey()},
			Signature: bob.KyberPreKeySignature,
		}); err != nil {
			return err
		}
		if bob.OneTimePreKeyID != nil {
			return tx.StorePreKey(ctx, keystore.PreKey{
				ID:      *bob.OneTimePreKeyID,
				KeyPair: mustKeyPair(t, bob.OneTimePreKeyPrivate, bob.OneTimePreKeyPublic),
			})
		}
		return nil
	}))

	aliceAddr := keystore.Address{Name: v.Alice.Name, DeviceID: v.Alice.Device}
	cipher := &session.Cipher{
		Store:        store,
		LocalAddress: keystore.Address{Name: bob.Name, DeviceID: bob.Device},
		Now:          func() time.Time { return time.Unix(1767225600, 0) },
	}

	for i, step := range v.Steps {
		switch step.Direction {
		case "alice_to_bob":
			var rand io.Reader = noRandomness{}
			if step.BobRatchetPrivate != nil {
				rand = bytes.NewReader(step.BobRatchetPrivate)
			}
			cipher.Rand = rand
			typ := session.MessageTypeWhisper
			if step.MessageType == "prekey" {
				typ = session.MessageTypePreKey
			}
			got, err := cipher.Decrypt(ctx, aliceAddr, typ, step.Ciphertext)
			checkOutcome(t, i, step.Note, step.Expect, err)
			if step.Expect == "ok" {
				assert.Equal(t, []byte(step.Plaintext), got, "step %d (%s)", i, step.Note)
			}

		case "bob_to_alice":
			cipher.Rand = nil // SPQR reads 32 bytes when Bob encapsulates for the braid
			typ, out, err := cipher.Encrypt(ctx, aliceAddr, step.Plaintext)
			require.NoError(t, err, "step %d (%s)", i, step.Note)
			require.Equal(t, step.MessageType, typ.String(), "step %d", i)
			ours, err := session.ParseSignalMessage(out)
			require.NoError(t, err)
			theirs, err := session.ParseSignalMessage(step.Ciphertext)
			require.NoError(t, err)
			// The SPQR field and so the MAC differ, because libsignal runs
			// the ML-KEM braid; the Double Ratchet part must match.
			assert.True(t, ours.RatchetKey.Equal(theirs.RatchetKey), "step %d: ratchet key", i)
			assert.Equal(t, theirs.Counter, ours.Counter, "step %d: counter", i)
			assert.Equal(t, theirs.PreviousCounter, ours.PreviousCounter, "step %d: previous counter", i)
			assert.Equal(t, theirs.Ciphertext, ours.Ciphertext, "step %d: body", i)

		default:
			t.Fatalf("step %d: unknown direction %q", i, step.Direction)
		}
	}
}

func checkOutcome(t *testing.T, i int, note, expect string, err error) {
	t.Helper()
	switch expect {
	case "ok":
		require.NoError(t, err, "step %d (%s)", i, note)
	case "duplicate":
		require.ErrorIs(t, err, session.ErrDuplicateMessage, "step %d (%s)", i, note)
	case "invalid_message":
		if !errors.Is(err, session.ErrInvalidMessage) && !errors.Is(err, session.ErrLegacyMessage) {
			t.Errorf("step %d (%s): got %v, want an invalid message error", i, note, err)
		}
	case "invalid_key":
		keyErr := errors.Is(err, curve.ErrInvalidKeyType) || errors.Is(err, curve.ErrInvalidKeyLength) ||
			errors.Is(err, curve.ErrNonCanonicalKey) || errors.Is(err, curve.ErrWeakKey)
		if !keyErr && !errors.Is(err, session.ErrNoPreKey) {
			t.Errorf("step %d (%s): got %v, want an invalid or missing key error", i, note, err)
		}
	case "untrusted_identity":
		require.ErrorIs(t, err, session.ErrUntrustedIdentity, "step %d (%s)", i, note)
	case "no_session":
		require.ErrorIs(t, err, session.ErrNoSession, "step %d (%s)", i, note)
	default:
		t.Fatalf("step %d: unknown expectation %q", i, expect)
	}
}
