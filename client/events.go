package client

import (
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/transport/attachment"
)

// Event is something the client received or noticed: a *MessageEvent,
// *ReceiptEvent, *TypingEvent, *GroupEvent, *IdentityChangeEvent,
// *DecryptErrorEvent or *ErrorEvent.
type Event interface{ event() }

// Sender is the authenticated sender of a received message. With sealed
// sender the relay does not know it: the sender certificate, validated
// against Options.TrustRoots, names it. Otherwise the relay names it and
// the session's keys confirm it.
type Sender struct {
	ServiceID string
	DeviceID  uint32
	// Username is the sender's username on the relay, or "" while the
	// client has not confirmed one. A username that a message claims is
	// used only after the relay maps it to ServiceID.
	Username string
	// IdentityKey is the sender's identity key. Compare safety numbers
	// (Client.SafetyNumber) to be sure it is the person you expect.
	IdentityKey curve.PublicKey
	// Sealed is true when the message came with sealed sender.
	Sealed bool
	// Verified is true when the user marked the sender's current identity
	// key as verified with Client.MarkVerified.
	Verified bool
}

// GroupRef names the group a message belongs to.
type GroupRef struct {
	ID   GroupID
	Name string
}

// MessageEvent is a text or file message.
type MessageEvent struct {
	Sender Sender
	// Timestamp is the sender's timestamp in milliseconds since the Unix
	// epoch. Receipts name the message by it.
	Timestamp  uint64
	ServerTime time.Time
	Text       string
	// Attachment is the file sent with the message, or nil. Fetch it with
	// Client.Download.
	Attachment *Attachment
	// Group is the group the message was sent to, or nil for a 1:1
	// message.
	Group *GroupRef
}

// Attachment is a file in a received message, stored encrypted on the
// relay. It holds the file's key, so keep it as secret as the message.
type Attachment struct {
	FileName    string
	ContentType string
	// Size is the file size in bytes.
	Size int

	id      string
	pointer attachment.Pointer
}

// ReceiptType is the kind of a receipt: delivery or read.
type ReceiptType int

const (
	// DeliveryReceipt means that the recipient's device received the
	// messages.
	DeliveryReceipt ReceiptType = iota
	// ReadReceipt means that the recipient read the messages.
	ReadReceipt
)

func (t ReceiptType) String() string {
	if t == ReadReceipt {
		return "read"
	}
	return "delivered"
}

// ReceiptEvent acknowledges messages this client sent.
type ReceiptEvent struct {
	Sender Sender
	Type   ReceiptType
	// Timestamps are the timestamps that the send methods returned.
	Timestamps []uint64
}

// TypingEvent reports that the sender started or stopped typing.
type TypingEvent struct {
	Sender  Sender
	Started bool
	// Group is the group the sender types in, or nil.
	Group *GroupRef
}

// GroupEvent reports a group that the client joined: a member sent it the
// group's sender key for the first time.
type GroupEvent struct {
	Sender Sender
	Group  Group
}

// IdentityChangeEvent reports that a contact's identity key changed: the
// contact reinstalled, or someone (such as the relay) is trying to
// intercept the conversation. The client accepts the new key for receiving;
// if the old key was verified, sending to the contact fails with an
// *IdentityChangedError until the user marks the new key verified or
// accepts it with Client.TrustIdentity.
type IdentityChangeEvent struct {
	ServiceID   string
	DeviceID    uint32
	OldKey      curve.PublicKey
	NewKey      curve.PublicKey
	WasVerified bool
}

// DecryptErrorEvent reports an envelope that could not be decrypted or
// parsed. The client acknowledges it, so the relay deletes it.
type DecryptErrorEvent struct {
	// ServiceID and DeviceID name the sender when the relay or a valid
	// sender certificate named it, and are empty otherwise.
	ServiceID  string
	DeviceID   uint32
	Sealed     bool
	ServerTime time.Time
	Err        error
}

// ErrorEvent reports a failure in a background task of the client.
type ErrorEvent struct {
	Op  string
	Err error
}

func (*MessageEvent) event()        {}
func (*ReceiptEvent) event()        {}
func (*TypingEvent) event()         {}
func (*GroupEvent) event()          {}
func (*IdentityChangeEvent) event() {}
func (*DecryptErrorEvent) event()   {}
func (*ErrorEvent) event()          {}
