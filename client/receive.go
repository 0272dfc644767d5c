package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/senderkey"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/transport"
	"github.com/parleyhq/parley/transport/attachment"
)

// requestTimeout bounds each request that the receive loop makes on its
// own: a delivery receipt, or the lookup that confirms a sender's username.
const requestTimeout = 30 * time.Second

// maxAttachmentSize bounds the size that a received attachment pointer may
// state. It is far above the relay's default limit and keeps the value
// within an int on every platform.
const maxAttachmentSize = 1 << 30

// Run receives and decrypts messages until ctx ends or the connection
// closes for good, and passes each resulting event to Options.OnEvent. It
// acknowledges an envelope to the relay, which then deletes it, only after
// the keys and state that decrypting it changed are committed to the key
// store and OnEvent has returned. An envelope whose acknowledgement is lost
// comes again and is then dropped as a duplicate. Envelopes that fail to
// decrypt are reported as DecryptErrorEvents and acknowledged too.
//
// Run returns ctx.Err() when ctx ends or the Client closes, and an error
// matching transport.ErrClosed when the connection closes for good. Call
// it from one goroutine at a time.
func (c *Client) Run(ctx context.Context) error {
	if _, err := c.requireRegistered(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.ctx, cancel)
	defer stop()
	for {
		env, err := c.tc.Receive(ctx)
		if err != nil {
			return err
		}
		result := c.process(ctx, env)
		for _, ev := range result.events {
			c.emit(ev)
		}
		if err := c.tc.Ack(ctx, env.ID); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if result.receiptTo != "" && !c.opts.DisableDeliveryReceipts {
			receiptCtx, cancel := context.WithTimeout(ctx, requestTimeout)
			err := c.SendReceipt(receiptCtx, result.receiptTo, DeliveryReceipt, []uint64{result.receiptFor})
			cancel()
			if err != nil && ctx.Err() == nil {
				c.emit(&ErrorEvent{Op: "send delivery receipt", Err: err})
			}
		}
	}
}

// processed is the result of one envelope: the events to emit and, for a
// data message, the service ID and timestamp for a delivery receipt.
type processed struct {
	events     []Event
	receiptTo  string
	receiptFor uint64
}

func (c *Client) process(ctx context.Context, env transport.Envelope) processed {
	addr := keystore.Address{Name: env.SourceServiceID, DeviceID: env.SourceDeviceID}
	sealed := env.Type == envelopeSealed
	fail := func(err error) processed {
		return processed{events: []Event{&DecryptErrorEvent{ServiceID: addr.Name, DeviceID: addr.DeviceID, Sealed: sealed, ServerTime: env.ServerTime, Err: err}}}
	}

	var typ sealedsender.MessageType
	var body []byte
	var certKey curve.PublicKey
	switch env.Type {
	case envelopeSealed:
		content, err := c.sealed.Open(ctx, env.Content)
		if err != nil {
			return fail(err)
		}
		s := content.Certificate.Sender()
		addr = keystore.Address{Name: s.UUID, DeviceID: s.DeviceID}
		typ, body, certKey = content.Type, content.Message, s.IdentityKey
	case envelopeWhisper:
		typ, body = sealedsender.TypeWhisper, env.Content
	case envelopePreKey:
		typ, body = sealedsender.TypePreKey, env.Content
	case envelopeSenderKey:
		typ, body = sealedsender.TypeSenderKey, env.Content
	default:
		return fail(fmt.Errorf("client: unknown envelope type %d", env.Type))
	}
	if addr.Name == "" || addr.DeviceID == 0 {
		return fail(errors.New("client: envelope names no sender"))
	}
	if addr.Name == c.Address().Name {
		return fail(errors.New("client: envelope claims to come from this account"))
	}

	plaintext, err := c.decryptInner(ctx, addr, typ, body, certKey)
	if errors.Is(err, session.ErrDuplicateMessage) || errors.Is(err, senderkey.ErrDuplicateMessage) {
		// Already received: an acknowledgement was lost.
		return processed{}
	}
	if err != nil {
		return fail(err)
	}
	content, err := decodeContent(plaintext)
	if err != nil {
		return fail(err)
	}
	sender, err := c.recordSender(ctx, addr, typ, content, sealed)
	if err != nil {
		return fail(err)
	}
	ev, err := c.contentEvent(ctx, sender, typ, content, env)
	if err != nil {
		return fail(err)
	}
	out := processed{}
	if ev != nil {
		out.events = append(out.events, ev)
	}
	if _, ok := ev.(*MessageEvent); ok {
		out.receiptTo, out.receiptFor = addr.Name, content.Timestamp
	}
	return out
}

// decryptInner decrypts a session or sender-key message from addr. certKey
// is the identity key of a sealed sender certificate, or the zero key.
func (c *Client) decryptInner(ctx context.Context, addr keystore.Address, typ sealedsender.MessageType, body []byte, certKey curve.PublicKey) ([]byte, error) {
	if typ == sealedsender.TypeSenderKey {
		return senderkey.Decrypt(ctx, c.store, addr, body)
	}
	var st session.MessageType
	switch typ {
	case sealedsender.TypePreKey:
		st = session.MessageTypePreKey
	case sealedsender.TypeWhisper:
		st = session.MessageTypeWhisper
	default:
		return nil, fmt.Errorf("client: unsupported inner message type %s", typ)
	}

	before, had, err := c.identity(ctx, addr)
	if err != nil {
		return nil, err
	}
	plaintext, err := c.sessions.Decrypt(ctx, addr, st, body)
	if err != nil {
		return nil, err
	}
	if st == session.MessageTypePreKey {
		// The message may have used up a one-time prekey.
		c.RefillPreKeys()
	}
	if err := c.noteIdentity(ctx, addr, before, had); err != nil {
		return nil, err
	}

	if !certKey.IsZero() {
		info, err := c.sessions.SessionInfo(ctx, addr)
		if err != nil {
			return nil, err
		}
		if !info.RemoteIdentity.Equal(certKey) {
			return nil, errors.New("client: sender certificate and session name different identity keys")
		}
	}
	return plaintext, nil
}

// recordSender updates what the client knows about the sender of a
// message (device, access key, username) and returns the Sender.
func (c *Client) recordSender(ctx context.Context, addr keystore.Address, typ sealedsender.MessageType, content *wire.AppContent, sealed bool) (Sender, error) {
	key, _, err := c.identity(ctx, addr)
	if err != nil {
		return Sender{}, err
	}
	sender := Sender{ServiceID: addr.Name, DeviceID: addr.DeviceID, IdentityKey: key, Sealed: sealed}
	username := ""
	if ct, ok := c.snapshot().Contacts[addr.Name]; (!ok || ct.Username == "") && validUsername(content.Username) {
		username = c.checkUsername(ctx, content.Username, addr.Name)
	}
	err = c.update(ctx, func(_ keystore.Tx, st *state) error {
		ct := st.contact(addr.Name)
		if typ != sealedsender.TypeSenderKey {
			ct.addDevice(addr.DeviceID)
			if len(content.AccessKey) == transport.AccessKeySize {
				ct.AccessKey = slices.Clone(content.AccessKey)
			}
		}
		if ct.Username == "" && username != "" {
			ct.Username = username
		}
		sender.Username, sender.Verified = ct.Username, ct.Verified
		return nil
	})
	return sender, err
}

// checkUsername returns claim when the relay maps that username to
// serviceID, and "" when it does not or the lookup fails, so that a sender
// cannot pass itself off under another user's name.
func (c *Client) checkUsername(ctx context.Context, claim, serviceID string) string {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	conn, err := c.anonymousTransport(ctx)
	if err != nil {
		return ""
	}
	id, _, err := conn.LookupUser(ctx, claim)
	if err != nil || id != serviceID {
		return ""
	}
	return claim
}

// contentEvent turns decrypted content into an event. It returns nil for
// content without a body that this client supports.
func (c *Client) contentEvent(ctx context.Context, sender Sender, typ sealedsender.MessageType, content *wire.AppContent, env transport.Envelope) (Event, error) {
	viaGroupKey := typ == sealedsender.TypeSenderKey
	switch body := content.Body.(type) {
	case *wire.AppContent_Data:
		ev := &MessageEvent{Sender: sender, Timestamp: content.Timestamp, ServerTime: env.ServerTime, Text: body.Data.Text}
		group, err := c.groupRef(body.Data.Group.GetId(), sender.ServiceID, viaGroupKey)
		if err != nil {
			return nil, err
		}
		ev.Group = group
		if p := body.Data.Attachment; p != nil {
			if ev.Attachment, err = attachmentFromWire(p); err != nil {
				return nil, err
			}
		}
		return ev, nil
	case *wire.AppContent_Typing:
		group, err := c.groupRef(body.Typing.GroupId, sender.ServiceID, viaGroupKey)
		if err != nil {
			return nil, err
		}
		return &TypingEvent{Sender: sender, Started: body.Typing.Action == wire.AppTypingMessage_STARTED, Group: group}, nil
	case *wire.AppContent_Receipt:
		if viaGroupKey {
			return nil, errors.New("client: receipt sent with a group key")
		}
		typ := DeliveryReceipt
		if body.Receipt.Type == wire.AppReceiptMessage_READ {
			typ = ReadReceipt
		}
		return &ReceiptEvent{Sender: sender, Type: typ, Timestamps: body.Receipt.Timestamps}, nil
	case *wire.AppContent_SenderKeyDistribution:
		if viaGroupKey {
			return nil, errors.New("client: sender key sent with a group key")
		}
		return c.acceptDistribution(ctx, sender, body.SenderKeyDistribution)
	}
	return nil, nil
}

// groupRef checks that a message naming group id comes from one of its
// members, and that a message sent with a group key names a group.
func (c *Client) groupRef(id []byte, sender string, viaGroupKey bool) (*GroupRef, error) {
	if len(id) == 0 {
		if viaGroupKey {
			return nil, errors.New("client: group key message names no group")
		}
		return nil, nil
	}
	if len(id) != len(GroupID{}) {
		return nil, fmt.Errorf("client: group id has %d bytes, want %d", len(id), len(GroupID{}))
	}
	g, ok := c.snapshot().Groups[GroupID(id).String()]
	if !ok {
		return nil, fmt.Errorf("%w: %x", ErrUnknownGroup, id)
	}
	if !g.isMember(sender) {
		return nil, fmt.Errorf("client: %q is not a member of group %x", sender, id)
	}
	return &GroupRef{ID: GroupID(id), Name: g.Name}, nil
}

// acceptDistribution stores a member's sender key and joins the group it
// names if the client is not a member yet.
func (c *Client) acceptDistribution(ctx context.Context, sender Sender, skd *wire.AppSenderKeyDistribution) (Event, error) {
	gc := skd.GetGroup()
	if len(gc.GetId()) != len(GroupID{}) {
		return nil, errors.New("client: sender key names no valid group id")
	}
	self := c.Address()
	var members []memberState
	for _, m := range gc.Members {
		if _, ok := sealedsender.ParseServiceID(m.ServiceId); !ok {
			return nil, fmt.Errorf("client: group member %q is not a service id", m.ServiceId)
		}
		if !validUsername(m.Username) {
			m.Username = ""
		}
		members = append(members, memberState{ServiceID: m.ServiceId, Username: m.Username})
	}

	g := &groupState{ID: gc.Id, Name: gc.Name, Members: members}
	if !g.isMember(sender.ServiceID) || !g.isMember(self.Name) {
		return nil, errors.New("client: sender key for a group that does not list both sender and receiver")
	}

	from := keystore.Address{Name: sender.ServiceID, DeviceID: sender.DeviceID}
	if err := senderkey.ProcessDistributionMessage(ctx, c.store, from, skd.DistributionMessage); err != nil {
		return nil, fmt.Errorf("client: store sender key of %s: %w", from, err)
	}
	// Membership is fixed when the client joins: a later sender key keeps
	// the stored name and members, so that no member can add listeners to
	// the other members' copies of the group.
	var joined bool
	err := c.update(ctx, func(_ keystore.Tx, st *state) error {
		key := GroupID(gc.Id).String()
		old, ok := st.Groups[key]
		if ok {
			if !old.isMember(sender.ServiceID) {
				return fmt.Errorf("client: %q sent a sender key for group %s without being a member", sender.ServiceID, key)
			}
			return nil
		}
		var dist [16]byte
		if _, err := io.ReadFull(c.opts.Rand, dist[:]); err != nil {
			return fmt.Errorf("client: read randomness for distribution id: %w", err)
		}
		g.DistributionID = dist[:]
		st.Groups[key] = g
		joined = true
		return nil
	})
	if err != nil || !joined {
		return nil, err
	}
	return &GroupEvent{Sender: sender, Group: groupFromState(g)}, nil
}

func attachmentFromWire(p *wire.AppAttachmentPointer) (*Attachment, error) {
	if len(p.Key) != attachment.KeySize || len(p.Digest) != attachment.DigestSize || p.Size > maxAttachmentSize || p.Id == "" {
		return nil, errors.New("client: invalid attachment pointer")
	}
	a := &Attachment{FileName: p.FileName, ContentType: p.ContentType, Size: int(p.Size), id: p.Id}
	copy(a.pointer.Key[:], p.Key)
	copy(a.pointer.Digest[:], p.Digest)
	a.pointer.Size = int(p.Size)
	return a, nil
}

// validUsername reports whether s has the relay's username form: 3 to 64
// characters from a-z, 0-9, '_', '.' and '-'.
func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}
