package transport

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
)

func TestReregisterStaleThenRefresh(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.uploadPreKeys(t, 2)
	bob.client.Close()
	require.Eventually(t, func() bool { return r.srv.online(bob.addr.Name, 1) == nil }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, alice.client.Send(testContext(t), bob.message("queued for the old registration")))

	// Bob reinstalls: same account identity key, new registration id.
	newBob := &user{identity: bob.identity, regID: bob.regID + 1, accessKey: bob.accessKey}
	newBob.client = r.dial(t, ClientOptions{})
	addr, err := newBob.client.ReregisterDevice(testContext(t), bob.addr.Name, 1, bob.identity.Private, bob.identity, newBob.regID)
	require.NoError(t, err)
	assert.Equal(t, bob.addr, addr)
	newBob.addr = addr

	err = alice.client.Send(testContext(t), bob.message("uses the old registration id"))
	var stale *StaleDevicesError
	require.ErrorAs(t, err, &stale)
	assert.ErrorIs(t, err, ErrStaleDevices)
	assert.Equal(t, []uint32{1}, stale.Stale)

	// The old prekeys were deleted with the old registration.
	_, err = alice.client.FetchBundles(testContext(t), bob.addr.Name)
	require.ErrorIs(t, err, ErrNotFound)

	newBob.uploadPreKeys(t, 2)
	bundles, err := alice.client.FetchBundles(testContext(t), bob.addr.Name)
	require.NoError(t, err)
	require.Len(t, bundles, 1)
	assert.Equal(t, newBob.regID, bundles[0].RegistrationID)

	m := bob.message("after refresh")
	m.Messages[0].RegistrationID = bundles[0].RegistrationID
	require.NoError(t, alice.client.Send(testContext(t), m))
	assert.Equal(t, "after refresh", string(receive(t, newBob.client).Content), "the old queue must be gone")
	receiveNone(t, newBob.client, 200*time.Millisecond)
}

func TestReregisterLinkedDevice(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	second := bob.addDevice(t, r)
	oldCreds := second.creds()
	second.client.Close()
	old := r.dial(t, ClientOptions{Credentials: oldCreds, DisableReconnect: true})
	require.Eventually(t, func() bool { return r.srv.online(bob.addr.Name, 2) != nil }, 5*time.Second, 10*time.Millisecond)

	newKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	newRegID := second.regID + 1
	fresh := r.dial(t, ClientOptions{})
	_, err = fresh.ReregisterDevice(testContext(t), bob.addr.Name, 2, bob.identity.Private, newKey, newRegID)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = old.Receive(ctx)
	require.ErrorIs(t, err, ErrClosed, "the old registration's connection must be closed")

	_, err = r.dial(t, ClientOptions{}).Authenticate(testContext(t), *oldCreds)
	assert.ErrorIs(t, err, ErrUnauthorized, "the old device key must no longer authenticate")
	newCreds := Credentials{ServiceID: bob.addr.Name, DeviceID: 2, Key: newKey.Private}
	_, err = r.dial(t, ClientOptions{}).Authenticate(testContext(t), newCreds)
	assert.NoError(t, err)

	m := bob.message("to both")
	m.Messages = append(m.Messages, OutgoingMessage{DeviceID: 2, RegistrationID: second.regID, Content: []byte("old")})
	err = alice.client.Send(testContext(t), m)
	var stale *StaleDevicesError
	require.ErrorAs(t, err, &stale)
	assert.Equal(t, []uint32{2}, stale.Stale)

	m.Messages[1].RegistrationID = newRegID
	require.NoError(t, alice.client.Send(testContext(t), m))
}

func TestReregisterRejects(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)

	tests := []struct {
		name     string
		deviceID uint32
		account  curve.PrivateKey
		device   curve.KeyPair
		regID    uint32
		want     error
	}{
		{"wrong account key", 1, other.Private, bob.identity, 7, ErrUnauthorized},
		{"device 1 new key", 1, bob.identity.Private, other, 7, ErrBadRequest},
		{"unknown device", 5, bob.identity.Private, other, 7, ErrNotFound},
		{"registration id 0", 1, bob.identity.Private, bob.identity, 0, ErrBadRequest},
		{"device id 0", 0, bob.identity.Private, bob.identity, 7, ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := r.dial(t, ClientOptions{})
			_, err := c.ReregisterDevice(testContext(t), bob.addr.Name, tt.deviceID, tt.account, tt.device, tt.regID)
			assert.ErrorIs(t, err, tt.want)
		})
	}

	devices, err := r.store.Devices(testContext(t), bob.addr.Name)
	require.NoError(t, err)
	require.Len(t, devices, 1)
	assert.Equal(t, bob.regID, devices[0].RegistrationID, "a rejected request must change nothing")
}

// TestReregisterDeviceIDWire checks the device id field against bytes
// written out by hand: the tag (6<<3)|0 = 0x30, then 300 as the varint
// 0xac 0x02.
func TestReregisterDeviceIDWire(t *testing.T) {
	req := &wire.AddDeviceRequest{ServiceId: "s"}
	setReregisterDeviceID(req, 300)
	b, err := proto.Marshal(req)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x0a, 0x01, 's', 0x30, 0xac, 0x02}, b)

	var back wire.AddDeviceRequest
	require.NoError(t, proto.Unmarshal(b, &back))
	id, ok := reregisterDeviceID(&back)
	require.True(t, ok)
	assert.Equal(t, uint32(300), id)
}
