package sealedsender

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
)

// MessageType is the type of the inner message of a sealed message, with the
// numbering of UnidentifiedSenderMessage.Message.Type.
type MessageType uint8

const (
	// TypePreKey is a PreKeySignalMessage, which starts a session.
	TypePreKey MessageType = 1
	// TypeWhisper is a SignalMessage in an established session.
	TypeWhisper MessageType = 2
	// TypeSenderKey is a SenderKeyMessage for a group.
	TypeSenderKey MessageType = 7
	// TypePlaintext is a PlaintextContent, which is not encrypted.
	TypePlaintext MessageType = 8
)

func (t MessageType) valid() bool {
	return t == TypePreKey || t == TypeWhisper || t == TypeSenderKey || t == TypePlaintext
}

func (t MessageType) String() string {
	switch t {
	case TypePreKey:
		return "prekey"
	case TypeWhisper:
		return "whisper"
	case TypeSenderKey:
		return "senderkey"
	case TypePlaintext:
		return "plaintext"
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// ContentHint is the sender's advice on how the receiver should treat a
// message that it cannot decrypt.
type ContentHint uint32

const (
	// HintDefault means that the sender will not resend, so the receiver
	// should show an error at once. It is not written on the wire.
	HintDefault ContentHint = 0
	// HintResendable means that the sender will try to resend.
	HintResendable ContentHint = 1
	// HintImplicit means that the message is implicit, such as a receipt,
	// so the receiver shows no error.
	HintImplicit ContentHint = 2
)

// Content is the plaintext of a sealed message: the sender's certificate and
// the inner message, which is encrypted for the recipient by a session or a
// sender key. Unknown content hints are kept as they are.
type Content struct {
	Type        MessageType
	Certificate *SenderCertificate
	Message     []byte
	ContentHint ContentHint
	// GroupID is the group the message belongs to, or nil. An empty group
	// id is not written.
	GroupID []byte
}

// Marshal returns the serialized UnidentifiedSenderMessage.Message.
func (c *Content) Marshal() ([]byte, error) {
	if !c.Type.valid() {
		return nil, fmt.Errorf("%w: message type %d", ErrInvalidArgument, uint8(c.Type))
	}
	if c.Certificate == nil {
		return nil, fmt.Errorf("%w: missing sender certificate", ErrInvalidArgument)
	}
	m := &wire.UnidentifiedSenderMessage_Message{
		Type:              wire.UnidentifiedSenderMessage_Message_Type(c.Type).Enum(),
		SenderCertificate: c.Certificate.serialized,
		Content:           c.Message,
	}
	if m.Content == nil {
		m.Content = []byte{}
	}
	if c.ContentHint != HintDefault {
		m.ContentHint = proto.Uint32(uint32(c.ContentHint))
	}
	if len(c.GroupID) > 0 {
		m.GroupId = c.GroupID
	}
	return proto.Marshal(m)
}

// ParseContent parses a serialized UnidentifiedSenderMessage.Message and the
// sender certificate in it. It checks no signature.
func ParseContent(b []byte) (*Content, error) {
	var m wire.UnidentifiedSenderMessage_Message
	if err := proto.Unmarshal(b, &m); err != nil {
		return nil, malformed("content: %v", err)
	}
	// An unknown enum value lands in the unknown fields, so a nil Type
	// covers both a missing and an unknown type.
	if m.Type == nil || !MessageType(m.GetType()).valid() {
		return nil, malformed("content: missing or unknown message type")
	}
	if m.SenderCertificate == nil || m.Content == nil {
		return nil, malformed("content: missing sender certificate or message")
	}
	cert, err := ParseSenderCertificate(m.SenderCertificate)
	if err != nil {
		return nil, err
	}
	c := &Content{
		Type:        MessageType(m.GetType()),
		Certificate: cert,
		Message:     m.Content,
		ContentHint: ContentHint(m.GetContentHint()),
		GroupID:     m.GroupId,
	}
	return c, nil
}
