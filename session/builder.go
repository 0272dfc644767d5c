package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/ratchet"
	"github.com/parleyhq/parley/x3dh"
)

// ProcessBundle starts a session with remote from its prekey bundle, as the
// initiator. It checks that the bundle's identity key is trusted and that its
// signatures verify, then makes the new session current. Messages to remote
// are PreKey messages until remote replies.
func (c *Cipher) ProcessBundle(ctx context.Context, remote keystore.Address, b *x3dh.Bundle) error {
	return c.Store.Update(ctx, func(tx keystore.Tx) error {
		trusted, err := tx.IsTrustedIdentity(ctx, remote, b.IdentityKey, keystore.Sending)
		if err != nil {
			return err
		}
		if !trusted {
			return &UntrustedIdentityError{Address: remote}
		}
		if err := b.Verify(); err != nil {
			return err
		}
		identity, err := tx.IdentityKeyPair(ctx)
		if err != nil {
			return err
		}
		regID, err := tx.LocalRegistrationID(ctx)
		if err != nil {
			return err
		}

		init, err := x3dh.Initiate(c.rand(), identity, b)
		if err != nil {
			return err
		}
		rs, err := ratchet.NewInitiator(c.rand(), init.Keys.RootKey, init.Keys.ChainKey, init.Keys.SPQRKey, b.SignedPreKey)
		if err != nil {
			return err
		}
		st := &state{
			version:        CurrentVersion,
			localIdentity:  identity.Public,
			remoteIdentity: b.IdentityKey,
			localRegID:     regID,
			remoteRegID:    b.RegistrationID,
			aliceBaseKey:   init.BaseKey.Public,
			pending: &pendingPreKey{
				hasPreKeyID:     b.HasPreKey,
				preKeyID:        b.PreKeyID,
				signedPreKeyID:  b.SignedPreKeyID,
				baseKey:         init.BaseKey.Public,
				kyberPreKeyID:   b.KyberPreKeyID,
				kyberCiphertext: init.KyberCiphertext,
				createdAt:       c.now(),
			},
			ratchet: rs,
		}

		if _, err := tx.SaveIdentity(ctx, remote, b.IdentityKey); err != nil {
			return err
		}
		rec, err := loadRecord(ctx, tx, remote)
		if err != nil {
			return err
		}
		if err := rec.promote(st); err != nil {
			return err
		}
		return storeRecord(ctx, tx, remote, rec)
	})
}

// decryptPreKey builds the responder's session from a PreKey message, or
// finds the session that an earlier copy of the message built, and then
// decrypts the inner message. The new session, the saved identity and the
// used prekeys commit together only if the message authenticates.
func (c *Cipher) decryptPreKey(ctx context.Context, remote keystore.Address, m *PreKeySignalMessage) ([]byte, error) {
	var plaintext []byte
	err := c.Store.Update(ctx, func(tx keystore.Tx) error {
		trusted, err := tx.IsTrustedIdentity(ctx, remote, m.IdentityKey, keystore.Receiving)
		if err != nil {
			return err
		}
		if !trusted {
			return &UntrustedIdentityError{Address: remote}
		}
		rec, err := loadRecord(ctx, tx, remote)
		if err != nil {
			return err
		}

		found, err := rec.findBaseKey(uint32(m.Version), m.BaseKey)
		if err != nil {
			return err
		}
		if !found {
			st, err := c.respond(ctx, tx, m)
			if err != nil {
				return err
			}
			if err := rec.promote(st); err != nil {
				return err
			}
		}

		if plaintext, err = c.decryptWithRecord(rec, remote, m.Message, MessageTypePreKey); err != nil {
			return err
		}
		if _, err := tx.SaveIdentity(ctx, remote, m.IdentityKey); err != nil {
			return err
		}
		if !found {
			if err := tx.MarkKyberPreKeyUsed(ctx, m.KyberPreKeyID, m.SignedPreKeyID, m.BaseKey); err != nil {
				return fmt.Errorf("session: kyber prekey %d: %w", m.KyberPreKeyID, err)
			}
			if m.HasPreKeyID {
				if err := tx.RemovePreKey(ctx, m.PreKeyID); err != nil {
					return err
				}
			}
		}
		return storeRecord(ctx, tx, remote, rec)
	})
	if err != nil {
		return nil, err
	}
	return plaintext, nil
}

// respond runs the responder's side of PQXDH for m with the prekeys it
// names.
func (c *Cipher) respond(ctx context.Context, tx keystore.Tx, m *PreKeySignalMessage) (*state, error) {
	if m.Version != CurrentVersion {
		return nil, fmt.Errorf("%w: version %d", ErrLegacyMessage, m.Version)
	}
	identity, err := tx.IdentityKeyPair(ctx)
	if err != nil {
		return nil, err
	}
	regID, err := tx.LocalRegistrationID(ctx)
	if err != nil {
		return nil, err
	}
	spk, err := tx.SignedPreKey(ctx, m.SignedPreKeyID)
	if err != nil {
		return nil, noPreKey(err)
	}
	kpk, err := tx.KyberPreKey(ctx, m.KyberPreKeyID)
	if err != nil {
		return nil, noPreKey(err)
	}
	keys := x3dh.ResponderKeys{
		Identity:     identity,
		SignedPreKey: spk.KeyPair,
		KyberPreKey:  kpk.KeyPair.Private,
	}
	if m.HasPreKeyID {
		opk, err := tx.PreKey(ctx, m.PreKeyID)
		if err != nil {
			return nil, noPreKey(err)
		}
		keys.OneTimePreKey = &curve.KeyPair{Private: opk.KeyPair.Private, Public: opk.KeyPair.Public}
	}

	shared, err := x3dh.Respond(keys, m.IdentityKey, m.BaseKey, m.KyberCiphertext)
	if err != nil {
		return nil, errDecryptionFailed
	}
	return &state{
		version:        CurrentVersion,
		localIdentity:  identity.Public,
		remoteIdentity: m.IdentityKey,
		localRegID:     regID,
		remoteRegID:    m.RegistrationID,
		aliceBaseKey:   m.BaseKey,
		ratchet:        ratchet.NewResponder(shared.RootKey, shared.ChainKey, shared.SPQRKey, spk.KeyPair),
	}, nil
}

func noPreKey(err error) error {
	if errors.Is(err, keystore.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNoPreKey, err)
	}
	return err
}
