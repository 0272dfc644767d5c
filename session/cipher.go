package session

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/internal/cbc"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/ratchet"
)

// Cipher encrypts and decrypts 1:1 messages for one local device. Every
// method runs in one keystore transaction, so a failed call changes no
// stored state. A Cipher is safe for concurrent use when its Store is.
type Cipher struct {
	Store keystore.Store
	// LocalAddress is this device's address. When both it and a remote
	// address are service IDs, PreKey messages bind them in their
	// addresses field.
	LocalAddress keystore.Address
	// Rand is the source of randomness; nil means crypto/rand.Reader.
	Rand io.Reader
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (c *Cipher) rand() io.Reader {
	if c.Rand == nil {
		return rand.Reader
	}
	return c.Rand
}

func (c *Cipher) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Encrypt encrypts plaintext for remote on the current session. It returns
// a PreKey message until the remote device has replied, and a Whisper
// message after. A plaintext that would make a message larger than 1 MiB is
// rejected without using a message key.
func (c *Cipher) Encrypt(ctx context.Context, remote keystore.Address, plaintext []byte) (MessageType, []byte, error) {
	var (
		typ MessageType
		out []byte
	)
	err := c.Store.Update(ctx, func(tx keystore.Tx) error {
		rec, err := loadRecord(ctx, tx, remote)
		if err != nil {
			return err
		}
		if rec.current == nil {
			return fmt.Errorf("%w with %q", ErrNoSession, remote.String())
		}
		st := rec.current.clone()
		if st.pending != nil && c.now().After(st.pending.createdAt.Add(MaxUnacknowledgedAge)) {
			return fmt.Errorf("%w with %q: unacknowledged for more than 30 days", ErrNoSession, remote.String())
		}

		h, keys, err := st.ratchet.Send(c.rand())
		if err != nil {
			return err
		}
		body, err := cbc.Encrypt(keys.CipherKey[:], keys.IV[:], plaintext)
		if err != nil {
			return fmt.Errorf("session: encrypting: %w", err)
		}
		msg := &SignalMessage{
			Version:         uint8(st.version),
			RatchetKey:      h.RatchetKey,
			Counter:         h.Counter,
			PreviousCounter: h.PreviousCounter,
			Ciphertext:      body,
			PQRatchet:       h.PQ,
		}
		if st.pending != nil {
			msg.Addresses = encodeAddresses(c.LocalAddress, remote)
		}
		if msg, err = newSignalMessage(msg, keys.MACKey, st.localIdentity, st.remoteIdentity); err != nil {
			return err
		}

		typ, out = MessageTypeWhisper, msg.serialized
		if pp := st.pending; pp != nil {
			pk, err := newPreKeySignalMessage(&PreKeySignalMessage{
				Version:         uint8(st.version),
				RegistrationID:  st.localRegID,
				HasPreKeyID:     pp.hasPreKeyID,
				PreKeyID:        pp.preKeyID,
				SignedPreKeyID:  pp.signedPreKeyID,
				KyberPreKeyID:   pp.kyberPreKeyID,
				KyberCiphertext: pp.kyberCiphertext,
				BaseKey:         pp.baseKey,
				IdentityKey:     st.localIdentity,
				Message:         msg,
			})
			if err != nil {
				return err
			}
			typ, out = MessageTypePreKey, pk.serialized
		}
		if len(out) > maxMessageSize {
			return fmt.Errorf("session: plaintext of %d bytes makes a %d-byte message, more than the %d bytes a receiver accepts", len(plaintext), len(out), maxMessageSize)
		}

		if err := checkTrusted(ctx, tx, remote, st, keystore.Sending); err != nil {
			return err
		}
		if _, err := tx.SaveIdentity(ctx, remote, st.remoteIdentity); err != nil {
			return err
		}
		rec.current = st
		return storeRecord(ctx, tx, remote, rec)
	})
	if err != nil {
		return 0, nil, err
	}
	return typ, out, nil
}

// Decrypt authenticates and decrypts a message from remote of the given
// type. On any error the stored state is left unchanged.
func (c *Cipher) Decrypt(ctx context.Context, remote keystore.Address, typ MessageType, ciphertext []byte) ([]byte, error) {
	switch typ {
	case MessageTypeWhisper:
		m, err := ParseSignalMessage(ciphertext)
		if err != nil {
			return nil, err
		}
		return c.decryptSignal(ctx, remote, m)
	case MessageTypePreKey:
		m, err := ParsePreKeySignalMessage(ciphertext)
		if err != nil {
			return nil, err
		}
		return c.decryptPreKey(ctx, remote, m)
	}
	return nil, fmt.Errorf("%w: unsupported message type %d", ErrInvalidMessage, typ)
}

func (c *Cipher) decryptSignal(ctx context.Context, remote keystore.Address, m *SignalMessage) ([]byte, error) {
	var plaintext []byte
	err := c.Store.Update(ctx, func(tx keystore.Tx) error {
		rec, err := loadRecord(ctx, tx, remote)
		if err != nil {
			return err
		}
		if rec.current == nil && len(rec.previous) == 0 {
			return fmt.Errorf("%w with %q", ErrNoSession, remote.String())
		}
		if plaintext, err = c.decryptWithRecord(rec, remote, m, MessageTypeWhisper); err != nil {
			return err
		}
		if err := checkTrusted(ctx, tx, remote, rec.current, keystore.Receiving); err != nil {
			return err
		}
		if _, err := tx.SaveIdentity(ctx, remote, rec.current.remoteIdentity); err != nil {
			return err
		}
		return storeRecord(ctx, tx, remote, rec)
	})
	if err != nil {
		return nil, err
	}
	return plaintext, nil
}

// decryptWithRecord tries the current state, then each archived state. A
// message that decrypts on an archived state makes that state current.
func (c *Cipher) decryptWithRecord(rec *record, remote keystore.Address, m *SignalMessage, typ MessageType) ([]byte, error) {
	if rec.current != nil && rec.current.version == uint32(m.Version) {
		st := rec.current.clone()
		plaintext, err := c.decryptWithState(st, remote, m)
		if err == nil {
			rec.current = st
			return plaintext, nil
		}
		if errors.Is(err, ErrDuplicateMessage) {
			return nil, err
		}
		if typ == MessageTypePreKey {
			return nil, errDecryptionFailed
		}
	}

	for i, p := range rec.previous {
		if p.GetSessionVersion() != uint32(m.Version) {
			continue
		}
		st, err := stateFromProto(p)
		if err != nil {
			continue
		}
		plaintext, err := c.decryptWithState(st, remote, m)
		if err == nil {
			if err := rec.promoteArchived(i, st); err != nil {
				return nil, err
			}
			return plaintext, nil
		}
		if errors.Is(err, ErrDuplicateMessage) {
			return nil, err
		}
	}
	return nil, errDecryptionFailed
}

// decryptWithState advances st for m and decrypts it. st is a copy that the
// caller keeps only on success.
func (c *Cipher) decryptWithState(st *state, remote keystore.Address, m *SignalMessage) ([]byte, error) {
	keys, err := st.ratchet.Receive(c.rand(), ratchet.Header{
		RatchetKey:      m.RatchetKey,
		Counter:         m.Counter,
		PreviousCounter: m.PreviousCounter,
		PQ:              m.PQRatchet,
	})
	if err != nil {
		if errors.Is(err, ErrDuplicateMessage) {
			return nil, err
		}
		return nil, errDecryptionFailed
	}
	if !m.verifyMAC(keys.MACKey, st.remoteIdentity, st.localIdentity, encodeAddresses(remote, c.LocalAddress)) {
		return nil, errDecryptionFailed
	}
	plaintext, err := cbc.Decrypt(keys.CipherKey[:], keys.IV[:], m.Ciphertext)
	if err != nil {
		return nil, errDecryptionFailed
	}
	st.pending = nil
	return plaintext, nil
}

func loadRecord(ctx context.Context, tx keystore.Tx, addr keystore.Address) (*record, error) {
	b, err := tx.Session(ctx, addr)
	if err != nil {
		return nil, err
	}
	return parseRecord(b)
}

func storeRecord(ctx context.Context, tx keystore.Tx, addr keystore.Address, rec *record) error {
	b, err := rec.marshal()
	if err != nil {
		return err
	}
	return tx.StoreSession(ctx, addr, b)
}

func checkTrusted(ctx context.Context, tx keystore.Tx, addr keystore.Address, st *state, dir keystore.Direction) error {
	ok, err := tx.IsTrustedIdentity(ctx, addr, st.remoteIdentity, dir)
	if err != nil {
		return err
	}
	if !ok {
		return &UntrustedIdentityError{Address: addr}
	}
	return nil
}
