package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/kem"
)

// MessageType is the type of a ciphertext, with libsignal's numbering.
type MessageType uint8

const (
	// MessageTypeWhisper is a SignalMessage, sent once the session is
	// acknowledged.
	MessageTypeWhisper MessageType = 2
	// MessageTypePreKey is a PreKeySignalMessage, which carries what the
	// responder needs to build the session.
	MessageTypePreKey MessageType = 3
)

func (t MessageType) String() string {
	switch t {
	case MessageTypeWhisper:
		return "whisper"
	case MessageTypePreKey:
		return "prekey"
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

const (
	// CurrentVersion is the session and message version of PQXDH sessions.
	CurrentVersion = 4
	legacyVersion  = 3
	macSize        = 8
	// maxMessageSize bounds what the parsers accept, well above any
	// message a client sends.
	maxMessageSize = 1 << 20
)

func versionByte(v uint8) byte {
	return v<<4 | CurrentVersion
}

func checkVersion(b byte) error {
	switch v := b >> 4; {
	case v == CurrentVersion:
		return nil
	case v <= legacyVersion:
		return fmt.Errorf("%w: version %d", ErrLegacyMessage, v)
	default:
		return fmt.Errorf("%w: unknown version %d", ErrInvalidMessage, v)
	}
}

// SignalMessage is a Double Ratchet message: a version byte, a protobuf and
// an 8-byte MAC.
type SignalMessage struct {
	Version         uint8
	RatchetKey      curve.PublicKey
	Counter         uint32
	PreviousCounter uint32
	Ciphertext      []byte
	// PQRatchet is the SPQR message.
	PQRatchet []byte
	// Addresses binds the message to its sender and recipient; it is sent
	// only inside PreKey messages.
	Addresses  []byte
	serialized []byte
}

// ParseSignalMessage parses a SignalMessage without authenticating it.
func ParseSignalMessage(b []byte) (*SignalMessage, error) {
	if len(b) < 1+macSize {
		return nil, fmt.Errorf("%w: signal message is %d bytes", ErrInvalidMessage, len(b))
	}
	if len(b) > maxMessageSize {
		return nil, fmt.Errorf("%w: signal message is %d bytes, more than %d", ErrInvalidMessage, len(b), maxMessageSize)
	}
	if err := checkVersion(b[0]); err != nil {
		return nil, err
	}
	var p wire.SignalMessage
	if err := proto.Unmarshal(b[1:len(b)-macSize], &p); err != nil {
		return nil, fmt.Errorf("%w: signal message: %w", ErrInvalidMessage, err)
	}
	if wire.HasMisencodedField(&p) {
		return nil, fmt.Errorf("%w: signal message has a field with the wrong wire type", ErrInvalidMessage)
	}
	if p.RatchetKey == nil || p.Counter == nil || p.Ciphertext == nil {
		return nil, fmt.Errorf("%w: signal message is missing a field", ErrInvalidMessage)
	}
	rk, err := curve.NewPublicKey(p.RatchetKey)
	if err != nil {
		return nil, fmt.Errorf("%w: ratchet key: %w", ErrInvalidMessage, err)
	}
	if p.Addresses != nil && len(p.Addresses) != addressesSize {
		return nil, fmt.Errorf("%w: addresses field is %d bytes", ErrInvalidMessage, len(p.Addresses))
	}
	return &SignalMessage{
		Version:         b[0] >> 4,
		RatchetKey:      rk,
		Counter:         p.GetCounter(),
		PreviousCounter: p.GetPreviousCounter(),
		Ciphertext:      p.Ciphertext,
		PQRatchet:       p.PqRatchet,
		Addresses:       p.Addresses,
		serialized:      append([]byte(nil), b...),
	}, nil
}

// Bytes returns the serialized message.
func (m *SignalMessage) Bytes() []byte {
	return append([]byte(nil), m.serialized...)
}

// newSignalMessage serializes and MACs a message.
func newSignalMessage(m *SignalMessage, macKey [32]byte, sender, receiver curve.PublicKey) (*SignalMessage, error) {
	p := &wire.SignalMessage{
		RatchetKey:      m.RatchetKey.Bytes(),
		Counter:         proto.Uint32(m.Counter),
		PreviousCounter: proto.Uint32(m.PreviousCounter),
		Ciphertext:      m.Ciphertext,
		PqRatchet:       m.PQRatchet,
		Addresses:       m.Addresses,
	}
	if len(p.PqRatchet) == 0 {
		p.PqRatchet = nil
	}
	b := []byte{versionByte(m.Version)}
	b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(b, p)
	if err != nil {
		return nil, fmt.Errorf("session: encoding signal message: %w", err)
	}
	mac := messageMAC(macKey, sender, receiver, b)
	m.serialized = append(b, mac[:]...)
	return m, nil
}

// messageMAC is the first 8 bytes of HMAC-SHA256 over both identity keys
// and the message without its MAC.
func messageMAC(macKey [32]byte, sender, receiver curve.PublicKey, body []byte) [macSize]byte {
	h := hmac.New(sha256.New, macKey[:])
	h.Write(sender.Bytes())
	h.Write(receiver.Bytes())
	h.Write(body)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	var mac [macSize]byte
	copy(mac[:], sum[:])
	return mac
}

// verifyMAC checks the MAC and, when present, the addresses field against
// expectedAddresses, in constant time.
func (m *SignalMessage) verifyMAC(macKey [32]byte, sender, receiver curve.PublicKey, expectedAddresses []byte) bool {
	n := len(m.serialized)
	want := messageMAC(macKey, sender, receiver, m.serialized[:n-macSize])
	if !hmac.Equal(want[:], m.serialized[n-macSize:]) {
		return false
	}
	if m.Addresses == nil {
		return true
	}
	return expectedAddresses != nil && subtle.ConstantTimeCompare(expectedAddresses, m.Addresses) == 1
}

// PreKeySignalMessage starts a session: it carries the initiator's PQXDH
// values and the first SignalMessage.
type PreKeySignalMessage struct {
	Version        uint8
	RegistrationID uint32
	// HasPreKeyID is true when a one-time prekey was used.
	HasPreKeyID     bool
	PreKeyID        uint32
	SignedPreKeyID  uint32
	KyberPreKeyID   uint32
	KyberCiphertext []byte
	BaseKey         curve.PublicKey
	IdentityKey     curve.PublicKey
	Message         *SignalMessage
	serialized      []byte
}

// ParsePreKeySignalMessage parses a PreKeySignalMessage and the
// SignalMessage inside it, without authenticating either.
func ParsePreKeySignalMessage(b []byte) (*PreKeySignalMessage, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty prekey message", ErrInvalidMessage)
	}
	if len(b) > maxMessageSize {
		return nil, fmt.Errorf("%w: prekey message is %d bytes, more than %d", ErrInvalidMessage, len(b), maxMessageSize)
	}
	if err := checkVersion(b[0]); err != nil {
		return nil, err
	}
	var p wire.PreKeySignalMessage
	if err := proto.Unmarshal(b[1:], &p); err != nil {
		return nil, fmt.Errorf("%w: prekey message: %w", ErrInvalidMessage, err)
	}
	if wire.HasMisencodedField(&p) {
		return nil, fmt.Errorf("%w: prekey message has a field with the wrong wire type", ErrInvalidMessage)
	}
	if p.BaseKey == nil || p.IdentityKey == nil || p.Message == nil || p.SignedPreKeyId == nil {
		return nil, fmt.Errorf("%w: prekey message is missing a field", ErrInvalidMessage)
	}
	if p.KyberPreKeyId == nil || p.KyberCiphertext == nil {
		return nil, fmt.Errorf("%w: prekey message is missing the kyber prekey id or ciphertext", ErrInvalidMessage)
	}
	if len(p.KyberCiphertext) != kem.CiphertextSize {
		return nil, fmt.Errorf("%w: kyber ciphertext is %d bytes, want %d", ErrInvalidMessage, len(p.KyberCiphertext), kem.CiphertextSize)
	}
	base, err := curve.NewPublicKey(p.BaseKey)
	if err != nil {
		return nil, fmt.Errorf("%w: base key: %w", ErrInvalidMessage, err)
	}
	ik, err := curve.NewPublicKey(p.IdentityKey)
	if err != nil {
		return nil, fmt.Errorf("%w: identity key: %w", ErrInvalidMessage, err)
	}
	inner, err := ParseSignalMessage(p.Message)
	if err != nil {
		return nil, err
	}
	if inner.Version != b[0]>>4 {
		return nil, fmt.Errorf("%w: inner message version %d differs from %d", ErrInvalidMessage, inner.Version, b[0]>>4)
	}
	return &PreKeySignalMessage{
		Version:         b[0] >> 4,
		RegistrationID:  p.GetRegistrationId(),
		HasPreKeyID:     p.PreKeyId != nil,
		PreKeyID:        p.GetPreKeyId(),
		SignedPreKeyID:  p.GetSignedPreKeyId(),
		KyberPreKeyID:   p.GetKyberPreKeyId(),
		KyberCiphertext: p.KyberCiphertext,
		BaseKey:         base,
		IdentityKey:     ik,
		Message:         inner,
		serialized:      append([]byte(nil), b...),
	}, nil
}

// Bytes returns the serialized message.
func (m *PreKeySignalMessage) Bytes() []byte {
	return append([]byte(nil), m.serialized...)
}

func newPreKeySignalMessage(m *PreKeySignalMessage) (*PreKeySignalMessage, error) {
	p := &wire.PreKeySignalMessage{
		BaseKey:         m.BaseKey.Bytes(),
		IdentityKey:     m.IdentityKey.Bytes(),
		Message:         m.Message.serialized,
		RegistrationId:  proto.Uint32(m.RegistrationID),
		SignedPreKeyId:  proto.Uint32(m.SignedPreKeyID),
		KyberPreKeyId:   proto.Uint32(m.KyberPreKeyID),
		KyberCiphertext: m.KyberCiphertext,
	}
	if m.HasPreKeyID {
		p.PreKeyId = proto.Uint32(m.PreKeyID)
	}
	b := []byte{versionByte(m.Version)}
	b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(b, p)
	if err != nil {
		return nil, fmt.Errorf("session: encoding prekey message: %w", err)
	}
	m.serialized = b
	return m, nil
}
