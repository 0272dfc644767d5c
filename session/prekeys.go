package session

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/x3dh"
)

// NewPreKey generates a one-time prekey. rand nil means crypto/rand.Reader.
func NewPreKey(rand io.Reader, id uint32) (keystore.PreKey, error) {
	kp, err := curve.GenerateKeyPair(rand)
	if err != nil {
		return keystore.PreKey{}, fmt.Errorf("session: generating prekey: %w", err)
	}
	return keystore.PreKey{ID: id, KeyPair: kp}, nil
}

// NewSignedPreKey generates a signed prekey; identity signs its serialized
// public key.
func NewSignedPreKey(rand io.Reader, identity curve.KeyPair, id uint32, now time.Time) (keystore.SignedPreKey, error) {
	kp, err := curve.GenerateKeyPair(rand)
	if err != nil {
		return keystore.SignedPreKey{}, fmt.Errorf("session: generating signed prekey: %w", err)
	}
	sig, err := identity.Private.Sign(rand, kp.Public.Bytes())
	if err != nil {
		return keystore.SignedPreKey{}, fmt.Errorf("session: signing prekey: %w", err)
	}
	return keystore.SignedPreKey{ID: id, CreatedAt: now, KeyPair: kp, Signature: sig}, nil
}

// NewKyberPreKey generates a Kyber1024 prekey; identity signs its serialized
// public key. A last-resort key stays usable after its first use.
func NewKyberPreKey(rand io.Reader, identity curve.KeyPair, id uint32, now time.Time, lastResort bool) (keystore.KyberPreKey, error) {
	kp, err := kem.GenerateKeyPair(rand)
	if err != nil {
		return keystore.KyberPreKey{}, fmt.Errorf("session: generating kyber prekey: %w", err)
	}
	sig, err := identity.Private.Sign(rand, kp.Public.Bytes())
	if err != nil {
		return keystore.KyberPreKey{}, fmt.Errorf("session: signing kyber prekey: %w", err)
	}
	return keystore.KyberPreKey{ID: id, CreatedAt: now, KeyPair: kp, Signature: sig, LastResort: lastResort}, nil
}

// NewBundle assembles the public bundle of a device from its prekeys.
// preKey may be nil for a bundle without a one-time prekey.
func NewBundle(identity curve.PublicKey, registrationID, deviceID uint32, preKey *keystore.PreKey, signed keystore.SignedPreKey, kyber keystore.KyberPreKey) *x3dh.Bundle {
	b := &x3dh.Bundle{
		RegistrationID:        registrationID,
		DeviceID:              deviceID,
		SignedPreKeyID:        signed.ID,
		SignedPreKey:          signed.KeyPair.Public,
		SignedPreKeySignature: signed.Signature,
		KyberPreKeyID:         kyber.ID,
		KyberPreKey:           kyber.KeyPair.Public,
		KyberPreKeySignature:  kyber.Signature,
		IdentityKey:           identity,
	}
	if preKey != nil {
		b.HasPreKey = true
		b.PreKeyID = preKey.ID
		b.PreKey = preKey.KeyPair.Public
	}
	return b
}

// Info describes the current session with an address.
type Info struct {
	RemoteIdentity curve.PublicKey
	// Acknowledged is false on the initiator's side until the first reply.
	Acknowledged bool
	// PQEpoch is the current epoch of the sparse post-quantum ratchet.
	PQEpoch uint64
	// ArchivedStates is the number of earlier states kept for late messages.
	ArchivedStates int
	// RemoteRegistrationID is the registration ID the remote device
	// announced in its bundle or first message.
	RemoteRegistrationID uint32
}

// SessionInfo returns information on the current session with remote, or
// ErrNoSession.
func (c *Cipher) SessionInfo(ctx context.Context, remote keystore.Address) (Info, error) {
	var info Info
	err := c.Store.View(ctx, func(tx keystore.Tx) error {
		var err error
		info, err = ReadInfo(ctx, tx, remote)
		return err
	})
	return info, err
}

// ReadInfo is SessionInfo inside a transaction the caller already holds.
func ReadInfo(ctx context.Context, tx keystore.Tx, remote keystore.Address) (Info, error) {
	rec, err := loadRecord(ctx, tx, remote)
	if err != nil {
		return Info{}, err
	}
	if rec.current == nil {
		return Info{}, fmt.Errorf("%w with %q", ErrNoSession, remote.String())
	}
	return Info{
		RemoteIdentity:       rec.current.remoteIdentity,
		Acknowledged:         rec.current.pending == nil,
		PQEpoch:              rec.current.ratchet.PQEpoch(),
		ArchivedStates:       len(rec.previous),
		RemoteRegistrationID: rec.current.remoteRegID,
	}, nil
}
