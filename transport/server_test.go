package transport

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

func TestOfflineDeliveryInOrder(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()

	ctx := testContext(t)
	for i := range 20 {
		require.NoError(t, alice.client.Send(ctx, bob.message(fmt.Sprintf("m%02d", i))))
	}

	drained := make(chan struct{}, 1)
	bobAgain := r.dial(t, ClientOptions{Credentials: bob.creds(), OnQueueDrained: func() { drained <- struct{}{} }})
	for i := range 20 {
		e := receive(t, bobAgain)
		assert.Equal(t, fmt.Sprintf("m%02d", i), string(e.Content))
		assert.Equal(t, alice.addr.Name, e.SourceServiceID)
		assert.Equal(t, uint32(1), e.SourceDeviceID)
		require.NoError(t, bobAgain.Ack(ctx, e.ID))
	}
	select {
	case <-drained:
	case <-time.After(10 * time.Second):
		t.Fatal("no queue drained marker")
	}
	depth, err := r.store.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Zero(t, depth)
}

func TestOnlineDelivery(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)
	require.NoError(t, alice.client.Send(ctx, bob.message("hello")))
	e := receive(t, bob.client)
	assert.Equal(t, "hello", string(e.Content))
	assert.Equal(t, uint32(2), e.Type)
}

func TestRedeliveryAfterDrop(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)
	for i := range 3 {
		require.NoError(t, alice.client.Send(ctx, bob.message(fmt.Sprintf("m%d", i))))
	}
	first := receive(t, bob.client)
	require.NoError(t, bob.client.Ack(ctx, first.ID))
	unacked := receive(t, bob.client)
	assert.Equal(t, "m1", string(unacked.Content))
	bob.client.Close()

	again := r.dial(t, ClientOptions{Credentials: bob.creds()})
	e := receive(t, again)
	assert.Equal(t, unacked.ID, e.ID)
	assert.Equal(t, "m1", string(e.Content))
	require.NoError(t, again.Ack(ctx, e.ID))
	e = receive(t, again)
	assert.Equal(t, "m2", string(e.Content))
	require.NoError(t, again.Ack(ctx, e.ID))
	again.Close()

	third := r.dial(t, ClientOptions{Credentials: bob.creds()})
	receiveNone(t, third, 200*time.Millisecond)
}

func TestReconnectResumes(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)
	require.NoError(t, alice.client.Send(ctx, bob.message("before")))
	e := receive(t, bob.client)

	// Drop the connection under the client; it reconnects and authenticates
	// again, and the unacknowledged envelope comes back.
	bob.client.mu.Lock()
	cc := bob.client.cur
	bob.client.mu.Unlock()
	cc.ws.CloseNow()

	again := receive(t, bob.client)
	assert.Equal(t, e.ID, again.ID)
	require.NoError(t, bob.client.Ack(ctx, again.ID))
	require.NoError(t, alice.client.Send(ctx, bob.message("after")))
	assert.Equal(t, "after", string(receive(t, bob.client).Content))
}

func TestIdempotentSend(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	ctx := testContext(t)
	m := bob.message("once")
	m.ID = [16]byte{1, 2, 3}
	require.NoError(t, alice.client.Send(ctx, m))
	require.NoError(t, alice.client.Send(ctx, m))
	depth, err := r.store.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), depth)
	m.ID[0] = 9
	require.NoError(t, alice.client.Send(ctx, m))
	depth, err = r.store.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), depth)
}

func TestConcurrentBundleFetch(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	const keys = 30
	bob.uploadPreKeys(t, keys)

	const fetchers, perFetcher = 6, 7
	var mu sync.Mutex
	ecSeen := map[uint32]int{}
	kyberSeen := map[uint32]int{}
	lastResort := 0
	var wg sync.WaitGroup
	for range fetchers {
		c := r.register(t, "fetcher", ClientOptions{}).client
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perFetcher {
				b, err := c.FetchBundle(testContext(t), bob.addr)
				if !assert.NoError(t, err) {
					return
				}
				assert.NoError(t, b.Verify())
				mu.Lock()
				if b.HasPreKey {
					ecSeen[b.PreKeyID]++
				}
				if b.KyberPreKeyID == 1000 {
					lastResort++
				} else {
					kyberSeen[b.KyberPreKeyID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, ecSeen, keys)
	assert.Len(t, kyberSeen, keys)
	for id, n := range ecSeen {
		assert.Equal(t, 1, n, "prekey %d handed out %d times", id, n)
	}
	for id, n := range kyberSeen {
		assert.Equal(t, 1, n, "kyber prekey %d handed out %d times", id, n)
	}
	assert.Equal(t, fetchers*perFetcher-keys, lastResort)
}

func TestFetchUnknownUser(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	_, err := alice.client.FetchBundles(testContext(t), "00000000-0000-4000-8000-000000000000")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "not found")
}

func TestFetchAllDevices(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.uploadPreKeys(t, 2)
	second := bob.addDevice(t, r)
	second.uploadPreKeys(t, 2)

	bundles, err := alice.client.FetchBundles(testContext(t), bob.addr.Name)
	require.NoError(t, err)
	require.Len(t, bundles, 2)
	assert.Equal(t, uint32(1), bundles[0].DeviceID)
	assert.Equal(t, uint32(2), bundles[1].DeviceID)
	assert.Equal(t, second.regID, bundles[1].RegistrationID)
	for _, b := range bundles {
		assert.True(t, b.IdentityKey.Equal(bob.identity.Public))
		assert.NoError(t, b.Verify())
	}
}

// addDevice links a second device of u's account with its own device key.
// The device's prekeys are signed by the account identity key, as all
// devices of an account share it.
func (u *user) addDevice(t testing.TB, r *relay) *user {
	t.Helper()
	deviceKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	d := &user{identity: u.identity, regID: u.regID + 5000, accessKey: u.accessKey}
	d.client = r.dial(t, ClientOptions{})
	d.addr, err = d.client.AddDevice(testContext(t), u.addr.Name, u.identity.Private, deviceKey, d.regID)
	require.NoError(t, err)
	d.deviceKey = &deviceKey
	return d
}

func TestMismatchedDevices(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.addDevice(t, r)

	m := bob.message("x")
	m.Messages = append(m.Messages, OutgoingMessage{DeviceID: 7, RegistrationID: 1, Content: []byte("y")})
	err := alice.client.Send(testContext(t), m)
	var mismatch *MismatchedDevicesError
	require.ErrorAs(t, err, &mismatch)
	assert.ErrorIs(t, err, ErrMismatchedDevices)
	assert.Equal(t, []uint32{2}, mismatch.Missing)
	assert.Equal(t, []uint32{7}, mismatch.Extra)
}

func TestStaleDevices(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	m := bob.message("x")
	m.Messages[0].RegistrationID = bob.regID + 1
	err := alice.client.Send(testContext(t), m)
	var stale *StaleDevicesError
	require.ErrorAs(t, err, &stale)
	assert.Equal(t, []uint32{1}, stale.Stale)
}

func TestSendToOwnDevices(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	second := bob.addDevice(t, r)
	m := Message{Destination: bob.addr.Name, Messages: []OutgoingMessage{{DeviceID: 2, RegistrationID: second.regID, Content: []byte("sync")}}}
	require.NoError(t, bob.client.Send(testContext(t), m))
	e := receive(t, second.client)
	assert.Equal(t, "sync", string(e.Content))
	assert.Equal(t, uint32(2), e.DestinationDeviceID)
}

func TestEphemeralDroppedOffline(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)

	m := bob.message("typing")
	m.Ephemeral = true
	require.NoError(t, alice.client.Send(ctx, m))
	e := receive(t, bob.client)
	assert.True(t, e.Ephemeral)
	require.NoError(t, bob.client.Ack(ctx, e.ID))

	bob.client.Close()
	require.Eventually(t, func() bool { return r.srv.online(bob.addr.Name, 1) == nil }, 5*time.Second, 10*time.Millisecond)
	m.ID = [16]byte{}
	require.NoError(t, alice.client.Send(ctx, m))
	depth, err := r.store.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Zero(t, depth)
	assert.Equal(t, uint64(1), r.srv.metrics.drops[dropEphemeralOffline].Load())
}

func TestQueueLimits(t *testing.T) {
	r := newRelay(t, ServerOptions{MaxQueueCount: 2, MaxEnvelopeSize: 64})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	ctx := testContext(t)
	require.NoError(t, alice.client.Send(ctx, bob.message("1")))
	require.NoError(t, alice.client.Send(ctx, bob.message("2")))
	err := alice.client.Send(ctx, bob.message("3"))
	require.ErrorIs(t, err, ErrQueueFull)

	err = alice.client.Send(ctx, bob.message(string(make([]byte, 65))))
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestQueueBytesLimit(t *testing.T) {
	r := newRelay(t, ServerOptions{MaxQueueBytes: 10})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	ctx := testContext(t)
	require.NoError(t, alice.client.Send(ctx, bob.message("123456")))
	require.ErrorIs(t, alice.client.Send(ctx, bob.message("123456")), ErrQueueFull)
}

func TestEnvelopeExpiry(t *testing.T) {
	var now atomicTime
	now.Store(time.Now())
	r := newRelay(t, ServerOptions{Now: now.Load, MaxEnvelopeAge: time.Hour, ExpireInterval: 10 * time.Millisecond})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	ctx := testContext(t)
	require.NoError(t, alice.client.Send(ctx, bob.message("old")))
	now.Store(now.Load().Add(2 * time.Hour))
	require.Eventually(t, func() bool {
		depth, err := r.store.QueueDepth(ctx)
		return err == nil && depth == 0
	}, 5*time.Second, 10*time.Millisecond)
	// The counter is updated just after the delete commits.
	require.Eventually(t, func() bool { return r.srv.metrics.drops[dropExpired].Load() == 1 }, 5*time.Second, 10*time.Millisecond)
}

type atomicTime struct {
	mu sync.Mutex
	t  time.Time
}

func (a *atomicTime) Load() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.t
}

func (a *atomicTime) Store(t time.Time) {
	a.mu.Lock()
	a.t = t
	a.mu.Unlock()
}

func TestDeviceCannotAckOthersQueue(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	mallory := r.register(t, "mallory", ClientOptions{})
	ctx := testContext(t)
	require.NoError(t, alice.client.Send(ctx, bob.message("secret")))
	e := receive(t, bob.client)

	// Mallory acks Bob's envelope id: nothing is deleted and Mallory
	// receives nothing.
	require.NoError(t, mallory.client.Ack(ctx, e.ID))
	receiveNone(t, mallory.client, 200*time.Millisecond)
	got, err := r.store.Envelopes(ctx, bob.addr.Name, 1, 0, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	none, err := r.store.Envelopes(ctx, mallory.addr.Name, 1, 0, 10)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestConnectionReplaced(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	old := r.dial(t, ClientOptions{Credentials: bob.creds(), DisableReconnect: true})
	bob.client.Close()
	require.Eventually(t, func() bool { return r.srv.online(bob.addr.Name, 1) != nil }, 5*time.Second, 10*time.Millisecond)

	newer := r.dial(t, ClientOptions{Credentials: bob.creds()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := old.Receive(ctx)
	require.ErrorIs(t, err, ErrClosed)

	require.NoError(t, alice.client.Send(testContext(t), bob.message("to newer")))
	assert.Equal(t, "to newer", string(receive(t, newer).Content))
}

func TestLookupUser(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	c := r.dial(t, ClientOptions{})
	ctx := testContext(t)
	id, key, err := c.LookupUser(ctx, bob.username)
	require.NoError(t, err)
	assert.Equal(t, bob.addr.Name, id)
	assert.True(t, key.Equal(bob.identity.Public))
	_, _, err = c.LookupUser(ctx, "nobody")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestUsernameTaken(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	c := r.dial(t, ClientOptions{})
	_, err = c.Register(testContext(t), Registration{Username: bob.username, IdentityKey: id, RegistrationID: 1})
	require.ErrorIs(t, err, ErrUsernameTaken)
}

func TestRequireAuthentication(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	c := r.dial(t, ClientOptions{})
	ctx := testContext(t)
	err := c.Send(ctx, bob.message("x"))
	assert.ErrorIs(t, err, ErrUnauthorized)
	_, err = c.FetchBundles(ctx, bob.addr.Name)
	assert.ErrorIs(t, err, ErrUnauthorized)
	_, err = c.PreKeyCount(ctx)
	assert.ErrorIs(t, err, ErrUnauthorized)
}

func TestPreKeyCountAndLowPush(t *testing.T) {
	r := newRelay(t, ServerOptions{PreKeyLowThreshold: 3})
	alice := r.register(t, "alice", ClientOptions{})
	low := make(chan PreKeyCount, 4)
	bob := r.register(t, "bob", ClientOptions{OnPreKeyStatus: func(c PreKeyCount) { low <- c }})
	bob.uploadPreKeys(t, 4)
	ctx := testContext(t)
	count, err := bob.client.PreKeyCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, PreKeyCount{EC: 4, Kyber: 4}, count)

	_, err = alice.client.FetchBundle(ctx, bob.addr)
	require.NoError(t, err)
	select {
	case <-low:
		t.Fatal("push with 3 prekeys left")
	case <-time.After(100 * time.Millisecond):
	}
	_, err = alice.client.FetchBundle(ctx, bob.addr)
	require.NoError(t, err)
	select {
	case c := <-low:
		assert.Equal(t, PreKeyCount{EC: 2, Kyber: 2}, c)
	case <-time.After(5 * time.Second):
		t.Fatal("no prekey status push")
	}
}

func TestUploadRejectsBadSignature(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	mallory := &user{identity: other, client: bob.client}
	// Keys signed by a key that is not the account identity key.
	err = func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		mallory.uploadPreKeys(&captureT{TB: t}, 1)
		return nil
	}()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid signature")
}

// captureT turns a failed require into a panic that the caller recovers.
type captureT struct{ testing.TB }

func (c *captureT) Errorf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (c *captureT) FailNow()                          { panic("failed") }
func (c *captureT) Helper()                           {}
