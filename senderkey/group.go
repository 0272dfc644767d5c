package senderkey

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/cbc"
	"github.com/parleyhq/parley/keystore"
)

// NewDistributionMessage returns the serialized SenderKeyDistributionMessage
// for our own chain in the distribution distributionID, where sender is our
// own address. The first call for a distribution creates the chain: a random
// 31-bit chain ID, a random chain key and a new signing key pair, read from
// rand in that order (nil means crypto/rand.Reader). Later calls return the
// chain's current iteration and chain key, so members who receive the message
// can decrypt only what is sent after it.
//
// The message carries the chain key in the clear. Send it to each member
// over an authenticated, encrypted channel, such as a 1:1 session.
func NewDistributionMessage(ctx context.Context, store keystore.Store, sender keystore.Address, distributionID [16]byte, rand io.Reader) ([]byte, error) {
	var out []byte
	err := store.Update(ctx, func(tx keystore.Tx) error {
		rec, err := loadRecord(ctx, tx, sender, distributionID)
		if err != nil {
			return err
		}
		if len(rec.states) == 0 {
			st, err := newSendingState(randOrDefault(rand))
			if err != nil {
				return err
			}
			rec.addState(st)
			if err := storeRecord(ctx, tx, sender, distributionID, rec); err != nil {
				return err
			}
		}
		m, err := newDistributionMessage(distributionID, rec.states[0])
		if err != nil {
			return err
		}
		out = m.serialized
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// newSendingState creates a chain at iteration 0 as libsignal's
// create_sender_key_distribution_message does.
func newSendingState(rand io.Reader) (*state, error) {
	var b [4]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, fmt.Errorf("senderkey: reading random chain ID: %w", err)
	}
	// libsignal keeps chain IDs to 31 bits for its Java clients.
	chainID := binary.LittleEndian.Uint32(b[:]) >> 1

	st := &state{version: messageVersion, chainID: chainID}
	if _, err := io.ReadFull(rand, st.chain.key[:]); err != nil {
		return nil, fmt.Errorf("senderkey: reading random chain key: %w", err)
	}
	kp, err := curve.GenerateKeyPair(rand)
	if err != nil {
		return nil, fmt.Errorf("senderkey: generating signing key: %w", err)
	}
	st.signingKey, st.signingPrivate, st.hasSigningPrivate = kp.Public, kp.Private, true
	return st, nil
}

// ProcessDistributionMessage parses skdm, a SenderKeyDistributionMessage
// from sender, and adds its chain to the record of sender and the message's
// distribution ID. Processing a message again for a chain already in the
// record (same chain ID and signing key) keeps the stored chain, so it cannot
// rewind the chain and reopen old iterations, and moves it to the front. A
// chain with the same ID but another signing key replaces the stored one. A
// record keeps the MaxStates most recently added chains.
//
// The caller must have authenticated skdm as coming from sender.
func ProcessDistributionMessage(ctx context.Context, store keystore.Store, sender keystore.Address, skdm []byte) error {
	m, err := ParseDistributionMessage(skdm)
	if err != nil {
		return err
	}
	return store.Update(ctx, func(tx keystore.Tx) error {
		rec, err := loadRecord(ctx, tx, sender, m.DistributionID)
		if err != nil {
			return err
		}
		rec.addState(&state{
			version:    uint32(m.Version),
			chainID:    m.ChainID,
			chain:      chainKey{iteration: m.Iteration, key: m.chainKey},
			signingKey: m.SigningKey,
		})
		return storeRecord(ctx, tx, sender, m.DistributionID, rec)
	})
}

// Encrypt encrypts plaintext as a SenderKeyMessage on our own chain in the
// distribution distributionID, where sender is our own address, and advances
// the chain. It returns an error wrapping ErrNoSenderKey until
// NewDistributionMessage has created the chain. The signature reads 64
// bytes from rand (nil means crypto/rand.Reader).
func Encrypt(ctx context.Context, store keystore.Store, sender keystore.Address, distributionID [16]byte, plaintext []byte, rand io.Reader) ([]byte, error) {
	var out []byte
	err := store.Update(ctx, func(tx keystore.Tx) error {
		rec, err := loadRecord(ctx, tx, sender, distributionID)
		if err != nil {
			return err
		}
		if len(rec.states) == 0 {
			return fmt.Errorf("%w for %q in distribution %s", ErrNoSenderKey, sender.String(), formatUUID(distributionID))
		}
		st := rec.states[0]
		if !st.hasSigningPrivate {
			return fmt.Errorf("senderkey: chain %d of %q in distribution %s was received, not created here, and has no signing private key", st.chainID, sender.String(), formatUUID(distributionID))
		}

		next, err := st.chain.next()
		if err != nil {
			return err
		}
		key := newMessageKey(st.chain.messageKeySeed())
		ciphertext, err := cbc.Encrypt(key.cipherKey[:], key.iv[:], plaintext)
		clear(key.cipherKey[:])
		if err != nil {
			return fmt.Errorf("senderkey: encrypting: %w", err)
		}
		m, err := newMessage(distributionID, st.chainID, st.chain.iteration, ciphertext, st.signingPrivate, randOrDefault(rand))
		if err != nil {
			return err
		}
		st.chain = next
		if err := storeRecord(ctx, tx, sender, distributionID, rec); err != nil {
			return err
		}
		out = m.serialized
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Decrypt verifies and decrypts message, a SenderKeyMessage from sender. On
// any error the stored state is left unchanged. The errors callers branch on
// wrap ErrNoSenderKey (no chain for the message's distribution ID and chain
// ID), ErrInvalidSignature, ErrDuplicateMessage, ErrTooFarAhead and
// ErrInvalidMessage (malformed, or a ciphertext that does not decrypt).
//
// The order of checks follows libsignal's group_decrypt: the signature is
// verified before the chain is advanced or any ciphertext is decrypted.
func Decrypt(ctx context.Context, store keystore.Store, sender keystore.Address, message []byte) ([]byte, error) {
	m, err := ParseMessage(message)
	if err != nil {
		return nil, err
	}
	var plaintext []byte
	err = store.Update(ctx, func(tx keystore.Tx) error {
		rec, err := loadRecord(ctx, tx, sender, m.DistributionID)
		if err != nil {
			return err
		}
		st := rec.stateForChain(m.ChainID)
		if st == nil {
			return fmt.Errorf("%w for %q in distribution %s with chain ID %d", ErrNoSenderKey, sender.String(), formatUUID(m.DistributionID), m.ChainID)
		}
		if uint32(m.Version) != st.version {
			return fmt.Errorf("%w: message version %d, chain has version %d", ErrInvalidMessage, m.Version, st.version)
		}
		content, signature := m.signedPart()
		if err := st.signingKey.Verify(content, signature); err != nil {
			return ErrInvalidSignature
		}

		key, err := st.messageKeyFor(m.Iteration)
		if err != nil {
			return err
		}
		plaintext, err = cbc.Decrypt(key.cipherKey[:], key.iv[:], m.Ciphertext)
		clear(key.cipherKey[:])
		if err != nil {
			return fmt.Errorf("%w: decryption failed", ErrInvalidMessage)
		}
		return storeRecord(ctx, tx, sender, m.DistributionID, rec)
	})
	if err != nil {
		return nil, err
	}
	return plaintext, nil
}

// randOrDefault returns r, or crypto/rand.Reader when r is nil.
func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
