package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// Parley's device. Its prekey ids are all 1 because it publishes one bundle.
const (
	parleyName     = "5b1f0c3e-8a42-4d6b-9e07-2c9d4f6a1b83"
	parleyDeviceID = 1
	parleyRegID    = 4321
	parleyKeyID    = 1
)

// parleyDevice is the responder of the recorded session. Every random byte
// it uses, for its keys and for its Cipher, comes from one ChaCha8 stream,
// so a replay that makes the same calls in the same order gets the same
// bytes. session/spqr_vectors_test.go rebuilds it with the same steps as
// newParleyDevice, so any change here must be made there too.
type parleyDevice struct {
	cipher *session.Cipher
	bundle bundleJSON
}

func newParleyDevice(ctx context.Context, seed [32]byte, now time.Time) (*parleyDevice, error) {
	stream := rand.NewChaCha8(seed)

	identity, err := curve.GenerateKeyPair(stream)
	if err != nil {
		return nil, fmt.Errorf("generating identity key: %w", err)
	}
	preKey, err := session.NewPreKey(stream, parleyKeyID)
	if err != nil {
		return nil, err
	}
	signedPreKey, err := session.NewSignedPreKey(stream, identity, parleyKeyID, now)
	if err != nil {
		return nil, err
	}
	kyberPreKey, err := session.NewKyberPreKey(stream, identity, parleyKeyID, now, false)
	if err != nil {
		return nil, err
	}

	store := keystore.NewMemoryStore(identity, parleyRegID)
	err = store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StorePreKey(ctx, preKey); err != nil {
			return err
		}
		if err := tx.StoreSignedPreKey(ctx, signedPreKey); err != nil {
			return err
		}
		return tx.StoreKyberPreKey(ctx, kyberPreKey)
	})
	if err != nil {
		return nil, fmt.Errorf("storing prekeys: %w", err)
	}

	return &parleyDevice{
		cipher: &session.Cipher{
			Store:        store,
			LocalAddress: keystore.Address{Name: parleyName, DeviceID: parleyDeviceID},
			Rand:         stream,
			Now:          func() time.Time { return now },
		},
		bundle: bundleJSON{
			IdentityKey:           identity.Public.Bytes(),
			PreKeyID:              preKey.ID,
			PreKey:                preKey.KeyPair.Public.Bytes(),
			SignedPreKeyID:        signedPreKey.ID,
			SignedPreKey:          signedPreKey.KeyPair.Public.Bytes(),
			SignedPreKeySignature: signedPreKey.Signature,
			KyberPreKeyID:         kyberPreKey.ID,
			KyberPreKey:           kyberPreKey.KeyPair.Public.Bytes(),
			KyberPreKeySignature:  kyberPreKey.Signature,
		},
	}, nil
}
