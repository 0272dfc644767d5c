package client

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/senderkey"
)

// GroupID is a random 16-byte group id.
type GroupID [16]byte

// String returns the id as 32 lowercase hex digits.
func (id GroupID) String() string { return hex.EncodeToString(id[:]) }

// ParseGroupID parses the form that GroupID.String returns.
func ParseGroupID(s string) (GroupID, error) {
	var id GroupID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("client: invalid group id %q: want 32 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

// Group is a group the client is a member of.
type Group struct {
	ID      GroupID
	Name    string
	Members []Member
}

// Member is one member of a group.
type Member struct {
	ServiceID string
	// Username is the name the group's creator gave for the member; a
	// claim, like Sender.Username.
	Username string
}

func groupFromState(g *groupState) Group {
	out := Group{Name: g.Name}
	copy(out.ID[:], g.ID)
	for _, m := range g.Members {
		out.Members = append(out.Members, Member{ServiceID: m.ServiceID, Username: m.Username})
	}
	return out
}

func (g *groupState) isMember(serviceID string) bool {
	return slices.ContainsFunc(g.Members, func(m memberState) bool { return m.ServiceID == serviceID })
}

func (g *groupState) distributionID() [16]byte {
	var id [16]byte
	copy(id[:], g.DistributionID)
	return id
}

func (g *groupState) context() *wire.AppGroupContext {
	gc := &wire.AppGroupContext{Id: g.ID, Name: g.Name}
	for _, m := range g.Members {
		gc.Members = append(gc.Members, &wire.AppGroupMember{ServiceId: m.ServiceID, Username: m.Username})
	}
	return gc
}

// forgetDistribution records that device d of serviceID no longer has this
// device's sender keys, because its session was replaced.
func (st *state) forgetDistribution(serviceID string, d uint32) {
	addr := keystore.Address{Name: serviceID, DeviceID: d}.String()
	for _, g := range st.Groups {
		g.Distributed = slices.DeleteFunc(g.Distributed, func(s string) bool { return s == addr })
	}
}

// Groups returns the groups the client is a member of.
func (c *Client) Groups() []Group {
	st := c.snapshot()
	out := make([]Group, 0, len(st.Groups))
	for _, g := range st.Groups {
		out = append(out, groupFromState(g))
	}
	return out
}

// Group returns the group with id.
func (c *Client) Group(id GroupID) (Group, bool) {
	g, ok := c.snapshot().Groups[id.String()]
	if !ok {
		return Group{}, false
	}
	return groupFromState(g), true
}

// CreateGroup creates a group with this account and the accounts in
// members (service IDs), and sends each member this device's sender key
// for it. Members join the group when that sender key arrives.
//
// NOTE: membership is fixed at creation. Removing a member would need a
// new distribution ID so that the former member cannot read later
// messages, which this client does not implement yet.
func (c *Client) CreateGroup(ctx context.Context, name string, members []string) (Group, error) {
	st, err := c.requireRegistered()
	if err != nil {
		return Group{}, err
	}
	var id, dist [16]byte
	if _, err := io.ReadFull(c.opts.Rand, id[:]); err != nil {
		return Group{}, fmt.Errorf("client: read randomness for group id: %w", err)
	}
	if _, err := io.ReadFull(c.opts.Rand, dist[:]); err != nil {
		return Group{}, fmt.Errorf("client: read randomness for distribution id: %w", err)
	}

	g := &groupState{ID: id[:], Name: name, DistributionID: dist[:]}
	g.Members = append(g.Members, memberState{ServiceID: st.ServiceID, Username: st.Username})
	for _, m := range members {
		if m == st.ServiceID || g.isMember(m) {
			continue
		}
		var username string
		if ct, ok := st.Contacts[m]; ok {
			username = ct.Username
		}
		g.Members = append(g.Members, memberState{ServiceID: m, Username: username})
	}

	err = c.update(ctx, func(_ keystore.Tx, st *state) error {
		st.Groups[GroupID(id).String()] = g
		return nil
	})
	if err != nil {
		return Group{}, err
	}
	var errs []error
	for _, m := range g.Members[1:] {
		if err := c.distribute(ctx, GroupID(id), m.ServiceID); err != nil {
			errs = append(errs, err)
		}
	}
	return groupFromState(g), errors.Join(errs...)
}

// SendGroupText sends text to every other member of the group and returns
// its timestamp.
func (c *Client) SendGroupText(ctx context.Context, id GroupID, text string) (uint64, error) {
	ts := c.nextTimestamp()
	content := &wire.AppContent{Timestamp: ts, Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{
		Text:  text,
		Group: &wire.AppGroupContext{Id: id[:]},
	}}}
	return ts, c.sendGroup(ctx, id, content, false, sealedsender.HintResendable)
}

// SendGroupFile uploads f encrypted, as SendFile does, and sends it to the
// group.
func (c *Client) SendGroupFile(ctx context.Context, id GroupID, f File, caption string) (uint64, error) {
	if _, ok := c.Group(id); !ok {
		return 0, ErrUnknownGroup
	}
	ptr, err := c.uploadFile(ctx, f)
	if err != nil {
		return 0, err
	}
	ts := c.nextTimestamp()
	content := &wire.AppContent{Timestamp: ts, Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{
		Text:       caption,
		Attachment: ptr,
		Group:      &wire.AppGroupContext{Id: id[:]},
	}}}
	return ts, c.sendGroup(ctx, id, content, false, sealedsender.HintResendable)
}

// SendGroupTyping sends the group a typing indicator: started or stopped.
func (c *Client) SendGroupTyping(ctx context.Context, id GroupID, started bool) error {
	return c.sendGroup(ctx, id, typingContent(c.nextTimestamp(), started, id[:]), true, sealedsender.HintImplicit)
}

// errUndistributed reports a member device that has not received this
// device's sender key for the group.
var errUndistributed = errors.New("client: member device lacks the sender key")

// sendGroup encrypts content once with this device's sender key for the
// group and sends the ciphertext to every device of every other member.
// Members whose devices lack the sender key get it 1:1 first.
func (c *Client) sendGroup(ctx context.Context, id GroupID, content *wire.AppContent, ephemeral bool, hint sealedsender.ContentHint) error {
	st, err := c.requireRegistered()
	if err != nil {
		return err
	}
	g, ok := st.Groups[id.String()]
	if !ok {
		return ErrUnknownGroup
	}
	plaintext, err := encodeContent(content)
	if err != nil {
		return err
	}
	self := keystore.Address{Name: st.ServiceID, DeviceID: st.DeviceID}
	var remaining []string
	for _, m := range g.Members {
		if m.ServiceID != st.ServiceID {
			remaining = append(remaining, m.ServiceID)
		}
	}
	var errs []error
	for attempt := 0; attempt < maxSendAttempts && len(remaining) > 0; attempt++ {
		for _, m := range remaining {
			if err := c.distribute(ctx, id, m); err != nil {
				return err
			}
		}
		ct, err := senderkey.Encrypt(ctx, c.store, self, g.distributionID(), plaintext, c.opts.Rand)
		if err != nil {
			return fmt.Errorf("client: encrypt group message: %w", err)
		}
		enc := func(_ context.Context, addr keystore.Address) (sealedsender.MessageType, []byte, error) {
			if !c.distributed(id, addr) {
				return 0, nil, errUndistributed
			}
			return sealedsender.TypeSenderKey, ct, nil
		}
		var next []string
		errs = errs[:0]
		for _, m := range remaining {
			err := c.deliver(ctx, m, ephemeral, hint, id[:], enc)
			switch {
			case errors.Is(err, errUndistributed):
				next = append(next, m)
			case err != nil:
				errs = append(errs, fmt.Errorf("client: send to group member %q: %w", m, err))
			}
		}
		remaining = next
	}
	if len(remaining) > 0 {
		errs = append(errs, fmt.Errorf("client: group members %q did not get the sender key after %d attempts", remaining, maxSendAttempts))
	}
	return errors.Join(errs...)
}

func (c *Client) distributed(id GroupID, addr keystore.Address) bool {
	g, ok := c.snapshot().Groups[id.String()]
	return ok && slices.Contains(g.Distributed, addr.String())
}

// distribute sends this device's sender key for the group to member when
// one of its devices lacks it.
func (c *Client) distribute(ctx context.Context, id GroupID, member string) error {
	devices, err := c.ensureSessions(ctx, member)
	if err != nil {
		return err
	}
	st := c.snapshot()
	g, ok := st.Groups[id.String()]
	if !ok {
		return ErrUnknownGroup
	}
	missing := false
	for _, d := range devices {
		if !slices.Contains(g.Distributed, keystore.Address{Name: member, DeviceID: d}.String()) {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	self := keystore.Address{Name: st.ServiceID, DeviceID: st.DeviceID}

	skdm, err := senderkey.NewDistributionMessage(ctx, c.store, self, g.distributionID(), c.opts.Rand)
	if err != nil {
		return fmt.Errorf("client: create sender key: %w", err)
	}
	content := &wire.AppContent{Timestamp: c.nextTimestamp(), Body: &wire.AppContent_SenderKeyDistribution{
		SenderKeyDistribution: &wire.AppSenderKeyDistribution{Group: g.context(), DistributionMessage: skdm},
	}}
	if err := c.sendContent(ctx, member, content, false, sealedsender.HintImplicit); err != nil {
		return fmt.Errorf("client: send sender key to %q: %w", member, err)
	}
	// deliver may have changed the device list; every device it lists now
	// got this message.
	return c.update(ctx, func(_ keystore.Tx, st *state) error {
		g, ok := st.Groups[id.String()]
		if !ok {
			return ErrUnknownGroup
		}
		for _, d := range st.contact(member).Devices {
			addr := keystore.Address{Name: member, DeviceID: d}.String()
			if !slices.Contains(g.Distributed, addr) {
				g.Distributed = append(g.Distributed, addr)
			}
		}
		return nil
	})
}
