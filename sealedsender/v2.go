package sealedsender

import (
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/gcmsiv"
)

// Device is one device of a v2 recipient.
type Device struct {
	// ID is the device id, 1 to 127.
	ID uint8
	// RegistrationID is the device's registration id, which fits in 14
	// bits. The server checks it against the account.
	RegistrationID uint16
}

// Recipient is one recipient account of a v2 message.
type Recipient struct {
	ServiceID   ServiceID
	IdentityKey curve.PublicKey
	// Devices lists the devices that should receive the message.
	Devices []Device
}

// v2Keys holds the keys derived from the message key M.
type v2Keys struct {
	ephemeral curve.KeyPair
	key       [32]byte
}

// deriveV2Keys derives the ephemeral key pair E from r = HKDF(M, "Sealed
// Sender v2: r (2023-08)") and the AES-256-GCM-SIV key K = HKDF(M, "Sealed
// Sender v2: K"), both with no salt and 32 bytes long.
func deriveV2Keys(m *[v2MessageKeySize]byte) (v2Keys, error) {
	r, err := hkdf.Key(sha256.New, m[:], nil, v2LabelR, 32)
	if err != nil {
		return v2Keys{}, fmt.Errorf("sealedsender: hkdf: %w", err)
	}
	priv, err := curve.NewPrivateKey(r)
	clear(r)
	if err != nil {
		return v2Keys{}, err
	}
	k, err := hkdf.Key(sha256.New, m[:], nil, v2LabelK, 32)
	if err != nil {
		return v2Keys{}, fmt.Errorf("sealedsender: hkdf: %w", err)
	}
	var keys v2Keys
	keys.ephemeral = curve.NewKeyPair(priv)
	copy(keys.key[:], k)
	clear(k)
	return keys, nil
}

// v2Mask returns HKDF(DH(E, R) || E || R, "Sealed Sender v2: DH", 32), the
// pad that C = pad XOR M uses. Keys are in their 33-byte serialized form.
func v2Mask(shared [32]byte, ephemeral, recipient curve.PublicKey) ([v2MessageKeySize]byte, error) {
	ikm := make([]byte, 0, 32+2*curve.PublicKeySize)
	ikm = append(ikm, shared[:]...)
	ikm = append(ikm, ephemeral.Bytes()...)
	ikm = append(ikm, recipient.Bytes()...)
	out, err := hkdf.Key(sha256.New, ikm, nil, v2LabelDH, v2MessageKeySize)
	clear(ikm)
	if err != nil {
		return [v2MessageKeySize]byte{}, fmt.Errorf("sealedsender: hkdf: %w", err)
	}
	return [v2MessageKeySize]byte(out), nil
}

// v2AuthTag returns AT = HKDF(DH(S, R) || E || C || S || R, "Sealed Sender
// v2: DH-sender", 16), which binds C to the sender's identity key S.
func v2AuthTag(shared [32]byte, ephemeral curve.PublicKey, c []byte, sender, recipient curve.PublicKey) ([v2AuthTagSize]byte, error) {
	ikm := make([]byte, 0, 32+3*curve.PublicKeySize+len(c))
	ikm = append(ikm, shared[:]...)
	ikm = append(ikm, ephemeral.Bytes()...)
	ikm = append(ikm, c...)
	ikm = append(ikm, sender.Bytes()...)
	ikm = append(ikm, recipient.Bytes()...)
	out, err := hkdf.Key(sha256.New, ikm, nil, v2LabelDHSender, v2AuthTagSize)
	clear(ikm)
	if err != nil {
		return [v2AuthTagSize]byte{}, fmt.Errorf("sealedsender: hkdf: %w", err)
	}
	return [v2AuthTagSize]byte(out), nil
}

// EncryptV2 seals content once for many recipients with sealed sender v2 and
// returns the sent form (version byte 0x23) that a client uploads. The
// server splits it with [ParseSentMessage]. A recipient listed more than
// once is written once with the devices of every listing. excluded names
// accounts that get no copy but are listed for the server. sender is the
// sender's identity key pair, whose public key must be the one in content's
// certificate. rand supplies the 32-byte message key; nil means
// crypto/rand.Reader.
func EncryptV2(rand io.Reader, sender curve.KeyPair, recipients []Recipient, excluded []ServiceID, content *Content) ([]byte, error) {
	body, err := content.Marshal()
	if err != nil {
		return nil, err
	}
	if !content.Certificate.sender.IdentityKey.Equal(sender.Public) {
		return nil, fmt.Errorf("%w: sender key pair does not match the certificate", ErrInvalidArgument)
	}
	merged, err := mergeRecipients(recipients, excluded)
	if err != nil {
		return nil, err
	}

	var m [v2MessageKeySize]byte
	if _, err := io.ReadFull(randOrDefault(rand), m[:]); err != nil {
		return nil, fmt.Errorf("sealedsender: reading message key: %w", err)
	}
	defer clear(m[:])
	keys, err := deriveV2Keys(&m)
	if err != nil {
		return nil, err
	}
	defer clear(keys.key[:])
	aead, err := gcmsiv.New(keys.key[:])
	if err != nil {
		return nil, err
	}

	size := 1 + binary.MaxVarintLen64 + v2PublicKeySize + len(body) + gcmsiv.TagSize
	for _, r := range merged {
		size += serviceIDSize + 3*len(r.Devices) + v2MessageKeySize + v2AuthTagSize
	}
	size += len(excluded) * (serviceIDSize + 1)
	out := make([]byte, 0, size)
	out = append(out, versionV2Sent)
	out = binary.AppendUvarint(out, uint64(len(merged)+len(excluded)))

	for _, r := range merged {
		out = append(out, r.ServiceID[:]...)
		for i, d := range r.Devices {
			reg := d.RegistrationID
			if i < len(r.Devices)-1 {
				reg |= hasMoreDevices
			}
			out = append(out, d.ID)
			out = binary.BigEndian.AppendUint16(out, reg)
		}

		shared, err := keys.ephemeral.Private.Agree(r.IdentityKey)
		if err != nil {
			return nil, fmt.Errorf("sealedsender: identity key of %s: %w", r.ServiceID, err)
		}
		mask, err := v2Mask(shared, keys.ephemeral.Public, r.IdentityKey)
		clear(shared[:])
		if err != nil {
			return nil, err
		}
		var c [v2MessageKeySize]byte
		subtle.XORBytes(c[:], mask[:], m[:])
		out = append(out, c[:]...)

		shared, err = sender.Private.Agree(r.IdentityKey)
		if err != nil {
			return nil, fmt.Errorf("sealedsender: identity key of %s: %w", r.ServiceID, err)
		}
		at, err := v2AuthTag(shared, keys.ephemeral.Public, c[:], sender.Public, r.IdentityKey)
		clear(shared[:])
		if err != nil {
			return nil, err
		}
		out = append(out, at[:]...)
	}
	for _, id := range excluded {
		out = append(out, id[:]...)
		out = append(out, 0)
	}

	raw := keys.ephemeral.Public.Raw()
	out = append(out, raw[:]...)
	var nonce [gcmsiv.NonceSize]byte
	return aead.Seal(out, nonce[:], body, nil), nil
}

// mergeRecipients checks the recipient list and merges repeated service IDs
// in order of first appearance.
func mergeRecipients(recipients []Recipient, excluded []ServiceID) ([]Recipient, error) {
	index := make(map[ServiceID]int, len(recipients))
	merged := make([]Recipient, 0, len(recipients))
	for _, r := range recipients {
		if !r.ServiceID.valid() {
			return nil, fmt.Errorf("%w: service id kind %d", ErrInvalidArgument, r.ServiceID[0])
		}
		if len(r.Devices) == 0 {
			return nil, fmt.Errorf("%w: recipient %s has no devices", ErrInvalidArgument, r.ServiceID)
		}
		for _, d := range r.Devices {
			if d.ID < 1 || d.ID > maxDeviceID {
				return nil, fmt.Errorf("%w: device id %d of %s is outside 1 to %d", ErrInvalidArgument, d.ID, r.ServiceID, maxDeviceID)
			}
			if d.RegistrationID > registrationIDMax {
				return nil, fmt.Errorf("%w: registration id %d of %s.%d does not fit in 14 bits", ErrInvalidArgument, d.RegistrationID, r.ServiceID, d.ID)
			}
		}
		if i, ok := index[r.ServiceID]; ok {
			if !merged[i].IdentityKey.Equal(r.IdentityKey) {
				return nil, fmt.Errorf("%w: recipient %s listed with two identity keys", ErrInvalidArgument, r.ServiceID)
			}
			merged[i].Devices = append(merged[i].Devices, r.Devices...)
			continue
		}
		index[r.ServiceID] = len(merged)
		r.Devices = append([]Device(nil), r.Devices...)
		merged = append(merged, r)
	}
	for _, id := range excluded {
		if !id.valid() {
			return nil, fmt.Errorf("%w: service id kind %d", ErrInvalidArgument, id[0])
		}
		if _, ok := index[id]; ok {
			return nil, fmt.Errorf("%w: recipient %s is both included and excluded", ErrInvalidArgument, id)
		}
	}
	return merged, nil
}

// v2Received is a parsed received-form v2 message: 0x22 || C || AT ||
// E.pub || ciphertext.
type v2Received struct {
	c          []byte
	at         []byte
	ephemeral  curve.PublicKey
	ciphertext []byte
}

func parseV2Received(body []byte) (*v2Received, error) {
	if len(body) < v2ReceivedHeader-1 {
		return nil, malformed("v2 message has %d bytes, expected at least %d", len(body)+1, v2ReceivedHeader)
	}
	c := body[:v2MessageKeySize]
	at := body[v2MessageKeySize : v2MessageKeySize+v2AuthTagSize]
	rawE := body[v2MessageKeySize+v2AuthTagSize : v2ReceivedHeader-1]
	e, err := curve.NewPublicKeyFromRaw(rawE)
	if err != nil {
		return nil, malformed("v2 ephemeral key: %v", err)
	}
	return &v2Received{c: c, at: at, ephemeral: e, ciphertext: body[v2ReceivedHeader-1:]}, nil
}

// decryptV2 recovers M from C, checks that M derives the ephemeral key in
// the message, decrypts the content and checks AT against the sender key in
// the certificate. Every authentication failure returns ErrDecrypt.
func decryptV2(recipient curve.KeyPair, m *v2Received) (*Content, error) {
	shared, err := recipient.Private.Agree(m.ephemeral)
	if err != nil {
		return nil, ErrDecrypt
	}
	mask, err := v2Mask(shared, m.ephemeral, recipient.Public)
	clear(shared[:])
	if err != nil {
		return nil, err
	}
	var messageKey [v2MessageKeySize]byte
	subtle.XORBytes(messageKey[:], mask[:], m.c)
	defer clear(messageKey[:])
	keys, err := deriveV2Keys(&messageKey)
	if err != nil {
		return nil, err
	}
	defer clear(keys.key[:])
	expected, got := keys.ephemeral.Public.Raw(), m.ephemeral.Raw()
	if subtle.ConstantTimeCompare(expected[:], got[:]) != 1 {
		return nil, ErrDecrypt
	}

	aead, err := gcmsiv.New(keys.key[:])
	if err != nil {
		return nil, err
	}
	var nonce [gcmsiv.NonceSize]byte
	body, err := aead.Open(nil, nonce[:], m.ciphertext, nil)
	if err != nil {
		return nil, ErrDecrypt
	}
	content, err := ParseContent(body)
	if err != nil {
		return nil, err
	}

	senderKey := content.Certificate.sender.IdentityKey
	shared, err = recipient.Private.Agree(senderKey)
	if err != nil {
		return nil, ErrDecrypt
	}
	at, err := v2AuthTag(shared, m.ephemeral, m.c, senderKey, recipient.Public)
	clear(shared[:])
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(at[:], m.at) != 1 {
		return nil, ErrDecrypt
	}
	return content, nil
}
