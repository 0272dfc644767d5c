package sealedsender

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/senderkey"
	"github.com/parleyhq/parley/session"
)

// SenderKeyDecryptFunc decrypts a sender-key inner message from sender. It
// has the signature of [senderkey.Decrypt].
type SenderKeyDecryptFunc func(ctx context.Context, store keystore.Store, sender keystore.Address, message []byte) ([]byte, error)

// Cipher seals and opens messages for one local device with the keys in a
// key store, and hands inner messages to the right cipher. It is safe for
// concurrent use when its session cipher is.
type Cipher struct {
	// Sessions encrypts and decrypts 1:1 inner messages. Its Store holds
	// the local identity key pair and the remote identity keys, and its
	// LocalAddress (service ID string and device id) is this device, whose
	// own messages Open rejects.
	Sessions *session.Cipher
	// SenderKeyDecrypt decrypts sender-key inner messages; nil means
	// senderkey.Decrypt.
	SenderKeyDecrypt SenderKeyDecryptFunc
	// LocalE164 is this account's phone number, or "". A message whose
	// certificate names it and this device id is also rejected as sent by
	// this device.
	LocalE164 string
	// Trust lists the trust roots and the server certificates known by id.
	Trust Trust
	// Rand is the source of randomness; nil means crypto/rand.Reader.
	Rand io.Reader
	// Now returns the current time, used for certificate expiry; nil means
	// time.Now.
	Now func() time.Time
}

func (c *Cipher) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Cipher) store() keystore.Store { return c.Sessions.Store }

// Seal seals content for recipient with sealed sender v1, reading the local
// identity key pair and recipient's identity key from the key store. It
// returns an error wrapping session.ErrNoSession when the store has no
// identity key for recipient.
func (c *Cipher) Seal(ctx context.Context, recipient keystore.Address, content *Content) ([]byte, error) {
	var (
		local  curve.KeyPair
		remote curve.PublicKey
	)
	err := c.store().View(ctx, func(tx keystore.Tx) error {
		var err error
		if local, err = tx.IdentityKeyPair(ctx); err != nil {
			return err
		}
		remote, err = remoteIdentity(ctx, tx, recipient)
		return err
	})
	if err != nil {
		return nil, err
	}
	return EncryptV1(c.Rand, local, remote, content)
}

// Encrypt encrypts plaintext for recipient on the current session and seals
// the result with sealed sender v1 under cert, the local device's sender
// certificate. The inner message is a PreKey message until the recipient
// has replied, and a Whisper message after. The session advances even if
// sealing fails afterwards.
func (c *Cipher) Encrypt(ctx context.Context, recipient keystore.Address, cert *SenderCertificate, plaintext []byte, hint ContentHint, groupID []byte) ([]byte, error) {
	typ, inner, err := c.Sessions.Encrypt(ctx, recipient, plaintext)
	if err != nil {
		return nil, err
	}
	content := &Content{Certificate: cert, Message: inner, ContentHint: hint, GroupID: groupID}
	switch typ {
	case session.MessageTypePreKey:
		content.Type = TypePreKey
	case session.MessageTypeWhisper:
		content.Type = TypeWhisper
	default:
		return nil, fmt.Errorf("%w: session message type %s", ErrUnsupportedType, typ)
	}
	return c.Seal(ctx, recipient, content)
}

// SealMulti seals content once for every address in recipients with sealed
// sender v2 and returns the sent form for the server. Addresses with the
// same Name are one account, whose identity key is read from the key store
// and whose devices' registration ids are read from their sessions.
// excluded names accounts that get no copy. Every Name must be a service ID
// string and every device id must be 1 to 127.
func (c *Cipher) SealMulti(ctx context.Context, recipients []keystore.Address, excluded []ServiceID, content *Content) ([]byte, error) {
	var (
		local curve.KeyPair
		list  []Recipient
	)
	err := c.store().View(ctx, func(tx keystore.Tx) error {
		var err error
		if local, err = tx.IdentityKeyPair(ctx); err != nil {
			return err
		}
		index := make(map[string]int, len(recipients))
		for _, addr := range recipients {
			if addr.DeviceID < 1 || addr.DeviceID > maxDeviceID {
				return fmt.Errorf("%w: device id of %q is outside 1 to %d", ErrInvalidArgument, addr.String(), maxDeviceID)
			}
			reg, err := remoteRegistrationID(ctx, tx, addr)
			if err != nil {
				return err
			}
			device := Device{ID: uint8(addr.DeviceID), RegistrationID: reg}
			if i, ok := index[addr.Name]; ok {
				list[i].Devices = append(list[i].Devices, device)
				continue
			}
			id, ok := ParseServiceID(addr.Name)
			if !ok {
				return fmt.Errorf("%w: %q is not a service ID", ErrInvalidArgument, addr.Name)
			}
			key, err := remoteIdentity(ctx, tx, addr)
			if err != nil {
				return err
			}
			index[addr.Name] = len(list)
			list = append(list, Recipient{ServiceID: id, IdentityKey: key, Devices: []Device{device}})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return EncryptV2(c.Rand, local, list, excluded, content)
}

func remoteIdentity(ctx context.Context, tx keystore.Tx, addr keystore.Address) (curve.PublicKey, error) {
	key, ok, err := tx.Identity(ctx, addr)
	if err != nil {
		return curve.PublicKey{}, err
	}
	if !ok {
		return curve.PublicKey{}, fmt.Errorf("%w with %q: no identity key", session.ErrNoSession, addr.String())
	}
	return key, nil
}

// remoteRegistrationID reads the remote registration id of the current
// session with addr, as libsignal's multi-recipient encryption does.
func remoteRegistrationID(ctx context.Context, tx keystore.Tx, addr keystore.Address) (uint16, error) {
	info, err := session.ReadInfo(ctx, tx, addr)
	if err != nil {
		return 0, err
	}
	reg := info.RemoteRegistrationID
	if reg > registrationIDMax {
		return 0, fmt.Errorf("%w: registration id %d of %q does not fit in 14 bits", ErrInvalidArgument, reg, addr.String())
	}
	return uint16(reg), nil
}

// Open unseals message with the local identity key pair, then, in
// libsignal's order, validates the sender certificate against c.Trust at
// c.Now() and rejects a message that claims to come from this device. It
// does not decrypt the inner message; see [Cipher.Decrypt].
func (c *Cipher) Open(ctx context.Context, message []byte) (*Content, error) {
	var local curve.KeyPair
	err := c.store().View(ctx, func(tx keystore.Tx) error {
		var err error
		local, err = tx.IdentityKeyPair(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	content, err := Unseal(local, message)
	if err != nil {
		return nil, err
	}
	if err := content.Certificate.Validate(c.Trust, c.now()); err != nil {
		return nil, err
	}
	sender := content.Certificate.Sender()
	self := c.Sessions.LocalAddress
	isLocal := sender.UUID == self.Name || (c.LocalE164 != "" && sender.E164 == c.LocalE164)
	if isLocal && sender.DeviceID == self.DeviceID {
		return nil, ErrSelfSend
	}
	return content, nil
}

// Result is a decrypted sealed message.
type Result struct {
	// Sender is the sender named by the validated certificate: service ID
	// string, device id and identity key.
	Sender Sender
	// Content is the unsealed content, with the inner message still
	// encrypted.
	Content *Content
	// Plaintext is the decrypted inner message.
	Plaintext []byte
}

// Decrypt opens message as [Cipher.Open] does and decrypts the inner
// message from the sender's address: PreKey and Whisper messages with
// c.Sessions, sender-key messages with c.SenderKeyDecrypt. A plaintext
// content message returns ErrUnsupportedType, as in libsignal; read it with
// Open.
func (c *Cipher) Decrypt(ctx context.Context, message []byte) (*Result, error) {
	content, err := c.Open(ctx, message)
	if err != nil {
		return nil, err
	}
	sender := content.Certificate.Sender()
	from := keystore.Address{Name: sender.UUID, DeviceID: sender.DeviceID}

	var plaintext []byte
	switch content.Type {
	case TypePreKey:
		plaintext, err = c.Sessions.Decrypt(ctx, from, session.MessageTypePreKey, content.Message)
	case TypeWhisper:
		plaintext, err = c.Sessions.Decrypt(ctx, from, session.MessageTypeWhisper, content.Message)
	case TypeSenderKey:
		decrypt := c.SenderKeyDecrypt
		if decrypt == nil {
			decrypt = senderkey.Decrypt
		}
		plaintext, err = decrypt(ctx, c.store(), from, content.Message)
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedType, content.Type)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Sender: sender, Content: content, Plaintext: plaintext}, nil
}
