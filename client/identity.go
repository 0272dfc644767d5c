package client

import (
	"context"
	"fmt"
	"slices"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/fingerprint"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
)

// IdentityChangedError is returned by a send to a contact whose verified
// identity key differs from the key in the bundle the relay returned. The
// message was not sent. Call Client.TrustIdentity with NewKey to accept the
// key, ideally after comparing the new safety number in person.
type IdentityChangedError struct {
	ServiceID string
	NewKey    curve.PublicKey
}

func (e *IdentityChangedError) Error() string {
	return fmt.Sprintf("client: verified identity key of %q changed to %s; compare safety numbers and accept the new key with TrustIdentity", e.ServiceID, e.NewKey.Fingerprint())
}

// trustStore applies the client's identity policy to the session cipher.
// A message from a new identity key is always accepted, and the client
// reports it with an IdentityChangeEvent. Sending to a new key is rejected
// only when the contact's old key was marked verified.
type trustStore struct{ keystore.Store }

func (s trustStore) Update(ctx context.Context, fn func(tx keystore.Tx) error) error {
	return s.Store.Update(ctx, func(tx keystore.Tx) error { return fn(trustTx{tx}) })
}

func (s trustStore) View(ctx context.Context, fn func(tx keystore.Tx) error) error {
	return s.Store.View(ctx, func(tx keystore.Tx) error { return fn(trustTx{tx}) })
}

type trustTx struct{ keystore.Tx }

func (tx trustTx) IsTrustedIdentity(ctx context.Context, addr keystore.Address, key curve.PublicKey, dir keystore.Direction) (bool, error) {
	if dir == keystore.Receiving {
		return true, nil
	}
	st, err := loadState(ctx, tx.Tx)
	if err != nil {
		return false, err
	}
	old, ok, err := accountIdentity(ctx, tx.Tx, st, addr)
	if err != nil || !ok || old.Equal(key) {
		return err == nil, err
	}
	ct := st.Contacts[addr.Name]
	return ct == nil || !ct.Verified, nil
}

// accountIdentity returns the identity key stored for addr or, when there
// is none, for another known device of the same account. All devices of an
// account share its identity key, so a new device with a different key is
// an identity change too.
func accountIdentity(ctx context.Context, tx keystore.Tx, st *state, addr keystore.Address) (curve.PublicKey, bool, error) {
	key, ok, err := tx.Identity(ctx, addr)
	if err != nil || ok {
		return key, ok, err
	}
	ct := st.Contacts[addr.Name]
	if ct == nil {
		return curve.PublicKey{}, false, nil
	}
	for _, d := range ct.Devices {
		if d == addr.DeviceID {
			continue
		}
		key, ok, err := tx.Identity(ctx, keystore.Address{Name: addr.Name, DeviceID: d})
		if err != nil || ok {
			return key, ok, err
		}
	}
	return curve.PublicKey{}, false, nil
}

// identity returns the identity key of addr's account as accountIdentity
// finds it.
func (c *Client) identity(ctx context.Context, addr keystore.Address) (curve.PublicKey, bool, error) {
	var key curve.PublicKey
	var ok bool
	err := c.store.View(ctx, func(tx keystore.Tx) error {
		st, err := loadState(ctx, tx)
		if err != nil {
			return err
		}
		key, ok, err = accountIdentity(ctx, tx, st, addr)
		return err
	})
	return key, ok, err
}

// noteIdentity compares the identity key of addr with before, the key stored
// before a session operation, and reports a change: it emits an
// IdentityChangeEvent and clears the contact's verified mark.
func (c *Client) noteIdentity(ctx context.Context, addr keystore.Address, before curve.PublicKey, hadBefore bool) error {
	if !hadBefore {
		return nil
	}
	after, ok, err := c.identity(ctx, addr)
	if err != nil || !ok || after.Equal(before) {
		return err
	}
	var wasVerified bool
	err = c.update(ctx, func(_ keystore.Tx, st *state) error {
		ct := st.contact(addr.Name)
		wasVerified = ct.Verified
		ct.Verified = false
		return nil
	})
	if err != nil {
		return err
	}
	c.emit(&IdentityChangeEvent{ServiceID: addr.Name, DeviceID: addr.DeviceID, OldKey: before, NewKey: after, WasVerified: wasVerified})
	return nil
}

// Contact is another account that the client stores.
type Contact struct {
	ServiceID string
	Username  string
	// Devices are the device ids the client has sessions with.
	Devices []uint32
	// Verified is true when the user marked the contact's current identity
	// key as verified.
	Verified bool
}

func contactFromState(id string, ct *contactState) Contact {
	return Contact{ServiceID: id, Username: ct.Username, Devices: slices.Clone(ct.Devices), Verified: ct.Verified}
}

// Lookup finds the account with username on the relay and remembers it as
// a contact.
func (c *Client) Lookup(ctx context.Context, username string) (Contact, error) {
	conn, err := c.anonymousTransport(ctx)
	if err != nil {
		return Contact{}, err
	}
	serviceID, _, err := conn.LookupUser(ctx, username)
	if err != nil {
		return Contact{}, err
	}
	var out Contact
	err = c.update(ctx, func(_ keystore.Tx, st *state) error {
		ct := st.contact(serviceID)
		ct.Username = username
		out = contactFromState(serviceID, ct)
		return nil
	})
	return out, err
}

// Contacts returns the stored contacts in no particular order.
func (c *Client) Contacts() []Contact {
	st := c.snapshot()
	out := make([]Contact, 0, len(st.Contacts))
	for id, ct := range st.Contacts {
		out = append(out, contactFromState(id, ct))
	}
	return out
}

// Contact returns the contact with serviceID.
func (c *Client) Contact(serviceID string) (Contact, bool) {
	ct, ok := c.snapshot().Contacts[serviceID]
	if !ok {
		return Contact{}, false
	}
	return contactFromState(serviceID, ct), true
}

// ContactByUsername returns the contact with username, if the client knows
// it.
func (c *Client) ContactByUsername(username string) (Contact, bool) {
	for id, ct := range c.snapshot().Contacts {
		if ct.Username == username {
			return contactFromState(id, ct), true
		}
	}
	return Contact{}, false
}

// remoteIdentity returns the stored identity key of the first known device
// of serviceID.
func (c *Client) remoteIdentity(ctx context.Context, serviceID string) (curve.PublicKey, error) {
	devices := []uint32{1}
	if ct, ok := c.snapshot().Contacts[serviceID]; ok && len(ct.Devices) > 0 {
		devices = ct.Devices
	}
	for _, d := range devices {
		key, ok, err := c.identity(ctx, keystore.Address{Name: serviceID, DeviceID: d})
		if err != nil {
			return curve.PublicKey{}, err
		}
		if ok {
			return key, nil
		}
	}
	return curve.PublicKey{}, fmt.Errorf("client: no identity key known for %q: exchange a message first", serviceID)
}

// SafetyNumber returns the safety number of the conversation with
// serviceID: 60 digits (DisplayString) and a QR payload (Scannable) that
// both users see alike when each has the other's real identity key.
// Comparing them in person or over a trusted channel detects a relay that
// substituted keys.
func (c *Client) SafetyNumber(ctx context.Context, serviceID string) (*fingerprint.Fingerprint, error) {
	st, err := c.requireRegistered()
	if err != nil {
		return nil, err
	}
	local, ok := sealedsender.ParseServiceID(st.ServiceID)
	if !ok {
		return nil, fmt.Errorf("client: own service id %q is not a UUID", st.ServiceID)
	}
	remote, ok := sealedsender.ParseServiceID(serviceID)
	if !ok {
		return nil, fmt.Errorf("client: service id %q is not a UUID", serviceID)
	}
	remoteKey, err := c.remoteIdentity(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	var localKey curve.PublicKey
	err = c.store.View(ctx, func(tx keystore.Tx) error {
		kp, err := tx.IdentityKeyPair(ctx)
		localKey = kp.Public
		return err
	})
	if err != nil {
		return nil, err
	}
	localUUID, remoteUUID := local.UUID(), remote.UUID()
	return fingerprint.New(fingerprint.Version2, fingerprint.Iterations, localUUID[:], localKey, remoteUUID[:], remoteKey)
}

// MarkVerified records that the user compared the safety number with
// serviceID and it matched. It applies to the identity key stored now: if
// the key changes later, the mark is cleared and sends to the contact fail
// with an *IdentityChangedError until the new key is accepted.
func (c *Client) MarkVerified(ctx context.Context, serviceID string) error {
	if _, err := c.remoteIdentity(ctx, serviceID); err != nil {
		return err
	}
	return c.update(ctx, func(_ keystore.Tx, st *state) error {
		st.contact(serviceID).Verified = true
		return nil
	})
}

// TrustIdentity accepts key as the identity key of every device of
// serviceID and clears the verified mark; use it after an
// *IdentityChangedError. The sessions with the old key are deleted, so the
// next send starts new ones from fresh bundles.
func (c *Client) TrustIdentity(ctx context.Context, serviceID string, key curve.PublicKey) error {
	return c.update(ctx, func(tx keystore.Tx, st *state) error {
		ct := st.contact(serviceID)
		ct.Verified = false
		for _, d := range ct.Devices {
			addr := keystore.Address{Name: serviceID, DeviceID: d}
			if _, err := tx.SaveIdentity(ctx, addr, key); err != nil {
				return err
			}
			if err := tx.DeleteSession(ctx, addr); err != nil {
				return err
			}
		}
		ct.Devices = nil
		return nil
	})
}
