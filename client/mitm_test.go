package client

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/transport"
)

// mitmStore is a relay store that, once armed, substitutes an attacker's
// identity key and prekeys for one account, as a malicious relay would. With
// fakeDevice set it also claims that the account has that extra device and
// keeps whatever is sent to it.
type mitmStore struct {
	*transport.SQLiteStore

	mu         sync.Mutex
	target     string
	fakeDevice uint32
	attacker   curve.KeyPair
	bundle     transport.StoredBundle
	captured   int
}

func newMITM(t *testing.T) (*mitmStore, func(*transport.SQLiteStore) transport.Store) {
	attacker, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	now := time.Now()
	signed, err := session.NewSignedPreKey(nil, attacker, 900, now)
	require.NoError(t, err)
	kyber, err := session.NewKyberPreKey(nil, attacker, 901, now, true)
	require.NoError(t, err)
	m := &mitmStore{attacker: attacker, bundle: transport.StoredBundle{
		Signed:     transport.SignedPublicKey{ID: signed.ID, PublicKey: signed.KeyPair.Public.Bytes(), Signature: signed.Signature},
		Kyber:      transport.SignedPublicKey{ID: kyber.ID, PublicKey: kyber.KeyPair.Public.Bytes(), Signature: kyber.Signature},
		LastResort: true,
	}}
	return m, func(s *transport.SQLiteStore) transport.Store {
		m.SQLiteStore = s
		return m
	}
}

// arm starts the attack on serviceID.
func (m *mitmStore) arm(serviceID string, fakeDevice uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.target, m.fakeDevice = serviceID, fakeDevice
}

func (m *mitmStore) armed(serviceID string) (bool, uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.target != "" && m.target == serviceID, m.fakeDevice
}

func (m *mitmStore) Account(ctx context.Context, serviceID string) (transport.Account, error) {
	a, err := m.SQLiteStore.Account(ctx, serviceID)
	if on, _ := m.armed(serviceID); on && err == nil {
		a.IdentityKey = m.attacker.Public
	}
	return a, err
}

func (m *mitmStore) TakeBundles(ctx context.Context, serviceID string, deviceID uint32) ([]transport.StoredBundle, error) {
	on, fake := m.armed(serviceID)
	if !on {
		return m.SQLiteStore.TakeBundles(ctx, serviceID, deviceID)
	}
	if fake != 0 {
		if deviceID != fake {
			return m.SQLiteStore.TakeBundles(ctx, serviceID, deviceID)
		}
		b := m.bundle
		b.DeviceID, b.RegistrationID = fake, 99
		return []transport.StoredBundle{b}, nil
	}
	// Every device of the account gets the attacker's keys.
	real, err := m.SQLiteStore.TakeBundles(ctx, serviceID, deviceID)
	if err != nil {
		return nil, err
	}
	out := make([]transport.StoredBundle, len(real))
	for i, r := range real {
		out[i] = m.bundle
		out[i].DeviceID, out[i].RegistrationID = r.DeviceID, r.RegistrationID
	}
	return out, nil
}

func (m *mitmStore) Enqueue(ctx context.Context, r transport.EnqueueRequest) (transport.EnqueueResult, error) {
	on, fake := m.armed(r.Destination)
	if !on || fake == 0 {
		return m.SQLiteStore.Enqueue(ctx, r)
	}
	i := slices.IndexFunc(r.Messages, func(o transport.OutgoingMessage) bool { return o.DeviceID == fake })
	if i < 0 {
		return transport.EnqueueResult{}, &transport.MismatchedDevicesError{Missing: []uint32{fake}}
	}
	m.mu.Lock()
	m.captured++
	m.mu.Unlock()
	r.Messages = slices.Delete(r.Messages, i, i+1)
	return m.SQLiteStore.Enqueue(ctx, r)
}

func TestSubstitutedKeysChangeSafetyNumber(t *testing.T) {
	mitm, wrap := newMITM(t)
	r := newTestRelayWith(t, wrap)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	ctx := testContext(t)
	bobID := bob.Address().Name

	// The relay hands alice its own keys for bob at first contact. Nothing
	// can tell alice yet, and bob cannot read what she sends.
	mitm.arm(bobID, 0)
	_, err := alice.Lookup(ctx, "bob")
	require.NoError(t, err)
	_, err = alice.SendText(ctx, bobID, "for bob's eyes only")
	require.NoError(t, err)
	next[*DecryptErrorEvent](t, bob, nil)
	aliceView, err := alice.SafetyNumber(ctx, bobID)
	require.NoError(t, err)

	// Comparing safety numbers reveals it.
	_, err = bob.Lookup(ctx, "alice")
	require.NoError(t, err)
	_, err = bob.SendText(ctx, alice.Address().Name, "did you write?")
	require.NoError(t, err)
	bobView, err := bob.SafetyNumber(ctx, alice.Address().Name)
	require.NoError(t, err)
	assert.NotEqual(t, aliceView.DisplayString(), bobView.DisplayString())

	// Bob's real key then reaches alice and shows up as a change.
	change := next[*IdentityChangeEvent](t, alice, nil)
	assert.True(t, change.OldKey.Equal(mitm.attacker.Public))
	assert.True(t, change.NewKey.Equal(identityOf(t, bob)))
}

func TestFakeDeviceBlockedWhenVerified(t *testing.T) {
	mitm, wrap := newMITM(t)
	r := newTestRelayWith(t, wrap)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)
	bobID := bob.Address().Name
	require.NoError(t, alice.MarkVerified(ctx, bobID))

	// The relay claims that bob has a second device with its own keys.
	mitm.arm(bobID, 2)
	_, err := alice.SendText(ctx, bobID, "verified only")
	var changed *IdentityChangedError
	require.ErrorAs(t, err, &changed)
	assert.True(t, changed.NewKey.Equal(mitm.attacker.Public))
	assert.Zero(t, mitm.captured)
	ct, _ := alice.Contact(bobID)
	assert.Equal(t, []uint32{1}, ct.Devices)
}

func TestFakeDeviceWarnsWhenUnverified(t *testing.T) {
	mitm, wrap := newMITM(t)
	r := newTestRelayWith(t, wrap)
	alice := newTestClient(t, r, "alice", Options{})
	bob := newTestClient(t, r, "bob", Options{})
	connect(t, alice, bob)
	ctx := testContext(t)
	bobID := bob.Address().Name

	mitm.arm(bobID, 2)
	_, err := alice.SendText(ctx, bobID, "unverified")
	require.NoError(t, err)
	change := next[*IdentityChangeEvent](t, alice, nil)
	assert.Equal(t, uint32(2), change.DeviceID)
	assert.True(t, change.OldKey.Equal(identityOf(t, bob)))
	assert.True(t, change.NewKey.Equal(mitm.attacker.Public))
	assert.Equal(t, 1, mitm.captured)
	next(t, bob, func(m *MessageEvent) bool { return m.Text == "unverified" })
}
