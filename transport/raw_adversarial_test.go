package transport

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// advAuth authenticates a raw connection as u's device.
func advAuth(t *testing.T, c *rawConn, u *user) {
	t.Helper()
	sig, err := u.creds().sign(nil, c.nonce)
	require.NoError(t, err)
	resp := c.request(1, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: u.addr.Name, DeviceId: u.addr.DeviceID, Signature: sig})
	require.Equal(t, uint32(StatusOK), resp.Status, resp.Message)
}

// advFrame marshals a request frame with a raw body.
func advFrame(t *testing.T, id uint64, verb string, body []byte) []byte {
	return mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Request{Request: &wire.Request{Id: id, Verb: verb, Body: body}}})
}

// advResponse reads frames until a response arrives.
func advResponse(t *testing.T, c *rawConn) *wire.Response {
	t.Helper()
	for range 100 {
		if resp := c.read().GetResponse(); resp != nil {
			return resp
		}
	}
	t.Fatal("no response")
	return nil
}

func TestAdversarialMalformedFrames(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	c := r.rawDial(t)

	// A length prefix far beyond the frame, in the frame and in a body.
	huge := protowire.AppendTag(nil, 1, protowire.BytesType)
	huge = protowire.AppendVarint(huge, 1<<62)
	huge = append(huge, 1, 2, 3)
	bodyHuge := protowire.AppendTag(nil, 1, protowire.BytesType)
	bodyHuge = protowire.AppendVarint(bodyHuge, 0xffffffff)
	// Field 1 of a Request (uint64 id) sent as a string.
	wrongType := protowire.AppendTag(nil, 1, protowire.BytesType)
	wrongType = protowire.AppendBytes(wrongType, []byte("not a number"))
	wrongFrame := protowire.AppendTag(nil, 1, protowire.BytesType)
	wrongFrame = protowire.AppendBytes(wrongFrame, wrongType)
	// A Frame with two kinds: the last one wins in protobuf, and it is a
	// server-only kind.
	two := append(mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Request{Request: &wire.Request{Id: 3, Verb: VerbLookupUser}}}),
		mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Challenge{Challenge: &wire.Challenge{Nonce: make([]byte, 32)}}})...)
	longVerb := advFrame(t, 4, strings.Repeat("v", maxVerbLength+1), nil)
	for name, data := range map[string][]byte{
		"huge length":      huge,
		"wrong wire type":  wrongFrame,
		"two kinds":        two,
		"long verb":        longVerb,
		"client envelope":  mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Envelope{Envelope: &wire.Envelope{Id: 1, Content: []byte("x")}}}),
		"client challenge": mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Challenge{Challenge: &wire.Challenge{Nonce: make([]byte, 32)}}}),
		"ack before auth":  mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Ack{Ack: &wire.Ack{Id: 1}}}),
	} {
		c.writeRaw(websocket.MessageBinary, data)
		resp := advResponse(t, c)
		assert.NotEqual(t, uint32(StatusOK), resp.Status, name)
		assert.Zero(t, resp.Id, name)
	}

	// Bodies that do not parse as the verb's message.
	for i, verb := range []string{VerbRegister, VerbAuthenticate, VerbAddDevice, VerbSend, VerbLookupUser, VerbDownloadAttachment} {
		id := uint64(10 + i)
		c.writeRaw(websocket.MessageBinary, advFrame(t, id, verb, bodyHuge))
		resp := advResponse(t, c)
		assert.Equal(t, id, resp.Id, verb)
		assert.Equal(t, uint32(StatusBadRequest), resp.Status, verb)
	}
	// A body of another message type: a SendRequest as a register body puts
	// a string in username and a message id in the identity key.
	resp := c.request(20, VerbRegister, &wire.SendRequest{Destination: "abc", MessageId: make([]byte, 16)})
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)

	// Requests that need authentication.
	for i, verb := range []string{VerbUploadPreKeys, VerbPreKeyCount, VerbFetchBundles, VerbSenderCertificate, VerbUploadAttachment} {
		resp := c.request(uint64(30+i), verb, &wire.PreKeyCountRequest{})
		assert.Equal(t, uint32(StatusUnauthorized), resp.Status, verb)
	}
	resp = c.request(40, VerbSend, &wire.SendRequest{Destination: bob.addr.Name, MessageId: make([]byte, 16),
		Messages: []*wire.OutgoingMessage{{DeviceId: 1, RegistrationId: bob.regID, Content: []byte("x")}}})
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)

	// The connection still works.
	resp = c.request(50, VerbLookupUser, &wire.LookupUserRequest{Username: usernameOf(bob)})
	assert.Equal(t, uint32(StatusOK), resp.Status, resp.Message)
}

func TestAdversarialAuthSignatures(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	second := bob.addDevice(t, r)
	c := r.rawDial(t)

	// Device 1's key signing for device 2, a signature for device 1 sent
	// as device 2, and a signature over another label.
	as1, err := bob.identity.Private.Sign(nil, authenticateTranscript(c.nonce, bob.addr.Name, 2))
	require.NoError(t, err)
	resp := c.request(1, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 2, Signature: as1})
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	for2, err := second.creds().sign(nil, c.nonce)
	require.NoError(t, err)
	resp = c.request(2, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: for2})
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	c2 := r.rawDial(t)
	otherLabel, err := bob.identity.Private.Sign(nil, transcript(labelRegister, c2.nonce, []byte(bob.addr.Name), uint32Bytes(1)))
	require.NoError(t, err)
	resp = c2.request(1, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: otherLabel})
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	assert.Equal(t, "authentication failed", resp.Message)

	// A register signature replayed from another connection.
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	a, b := r.rawDial(t), r.rawDial(t)
	reg := &wire.RegisterRequest{Username: "carol_adv", IdentityKey: id.Public.Bytes(), RegistrationId: 5, UnidentifiedAccessKey: make([]byte, 16)}
	reg.Signature, err = id.Private.Sign(nil, registerTranscript(a.nonce, reg.Username, reg.IdentityKey, reg.RegistrationId, reg.UnidentifiedAccessKey))
	require.NoError(t, err)
	resp = b.request(1, VerbRegister, reg)
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	_, err = r.store.AccountByUsername(testContext(t), "carol_adv")
	require.ErrorIs(t, err, ErrNotFound)
	resp = a.request(1, VerbRegister, reg)
	require.Equal(t, uint32(StatusOK), resp.Status, resp.Message)
	// Registering again on the authenticated connection is rejected.
	resp = a.request(2, VerbRegister, reg)
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)
	// And an authenticate on it too.
	resp = a.request(3, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: as1})
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)
}

func TestAdversarialUsernames(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	c := r.dial(t, ClientOptions{})
	ctx := testContext(t)
	bad := []string{"", "ab", "Bob", "bøb", "ｂｏｂ", "bob\x00x", "bob bob", "bob\u202e", strings.Repeat("a", maxUsernameLength+1), strings.Repeat("é", 40)}
	for _, name := range bad {
		id, err := curve.GenerateKeyPair(nil)
		require.NoError(t, err)
		_, err = c.Register(ctx, Registration{Username: name, IdentityKey: id, RegistrationID: 9})
		assert.ErrorIs(t, err, ErrBadRequest, "%q", name)
		_, _, err = c.LookupUser(ctx, name)
		assert.ErrorIs(t, err, ErrBadRequest, "%q", name)
	}
	long := strings.Repeat("z", maxUsernameLength)
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	addr, err := c.Register(ctx, Registration{Username: long, IdentityKey: id, RegistrationID: 9})
	require.NoError(t, err)
	got, _, err := c.LookupUser(ctx, long)
	require.NoError(t, err)
	assert.Equal(t, addr.Name, got)

	// The same username from another key, and from the same key.
	for _, key := range []bool{false, true} {
		other := id
		if !key {
			other, err = curve.GenerateKeyPair(nil)
			require.NoError(t, err)
		}
		d := r.dial(t, ClientOptions{})
		_, err = d.Register(ctx, Registration{Username: long, IdentityKey: other, RegistrationID: 10})
		require.ErrorIs(t, err, ErrUsernameTaken)
	}
	n, err := r.store.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestAdversarialSealedIndistinguishable(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	c := r.rawDial(t)
	req := func(dest string, key []byte) *wire.SendRequest {
		return &wire.SendRequest{Destination: dest, MessageId: make([]byte, 16), UnidentifiedAccessKey: key,
			Messages: []*wire.OutgoingMessage{{DeviceId: 1, RegistrationId: bob.regID, Content: []byte("x")}}}
	}
	wrong := bytes.Clone(bob.accessKey[:])
	wrong[0] ^= 1
	unknown := "00000000-0000-4000-8000-000000000000"
	cases := map[string]*wire.SendRequest{
		"wrong key":        req(bob.addr.Name, wrong),
		"unknown":          req(unknown, bob.accessKey[:]),
		"unknown zero key": req(unknown, make([]byte, 16)),
		"short key":        req(bob.addr.Name, wrong[:15]),
	}
	var ref *wire.Response
	times := map[string][]time.Duration{}
	const rounds = 15
	id := uint64(0)
	for range rounds {
		for name, rq := range cases {
			id++
			start := time.Now()
			resp := c.request(id, VerbSend, rq)
			times[name] = append(times[name], time.Since(start))
			resp.Id = 0
			if ref == nil {
				ref = resp
			}
			assert.True(t, proto.Equal(ref, resp), "%s: %v vs %v", name, resp, ref)
		}
	}
	assert.Equal(t, uint32(StatusUnauthorized), ref.Status)
	median := func(d []time.Duration) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return s[len(s)/2]
	}
	w, u := median(times["wrong key"]), median(times["unknown"])
	// Timings are logged for a reader, not asserted: a loaded machine makes
	// any threshold flaky. The identical responses above are the check.
	t.Logf("median wrong key %v, unknown account %v", w, u)
	got, err := r.store.Envelopes(testContext(t), bob.addr.Name, 1, 0, 10)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestAdversarialPreKeyUploads(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	mallory := r.register(t, "mallory", ClientOptions{})
	ctx := testContext(t)
	now := time.Now()
	signed, err := session.NewSignedPreKey(nil, bob.identity, 1, now)
	require.NoError(t, err)

	many := func(n int) PreKeys {
		p := PreKeys{Signed: &signed}
		for i := 1; i <= n; i++ {
			pk, err := session.NewPreKey(nil, uint32(i))
			require.NoError(t, err)
			p.OneTime = append(p.OneTime, pk)
		}
		return p
	}
	require.ErrorIs(t, bob.client.UploadPreKeys(ctx, many(MaxPreKeysPerUpload+1)), ErrBadRequest)
	count, err := bob.client.PreKeyCount(ctx)
	require.NoError(t, err)
	assert.Zero(t, count.EC)

	// Kyber one over the limit, with EC keys within it.
	p := many(1)
	for i := 1; i <= MaxPreKeysPerUpload+1; i++ {
		k, err := session.NewKyberPreKey(nil, bob.identity, uint32(i), now, false)
		require.NoError(t, err)
		p.Kyber = append(p.Kyber, k)
	}
	require.ErrorIs(t, bob.client.UploadPreKeys(ctx, p), ErrBadRequest)

	// Signed by another identity: Mallory's signed prekey uploaded by Bob,
	// and Bob's by Mallory.
	forged, err := session.NewSignedPreKey(nil, mallory.identity, 2, now)
	require.NoError(t, err)
	require.ErrorIs(t, bob.client.UploadPreKeys(ctx, PreKeys{Signed: &forged}), ErrBadRequest)
	require.ErrorIs(t, mallory.client.UploadPreKeys(ctx, PreKeys{Signed: &signed}), ErrBadRequest)
	forgedKyber, err := session.NewKyberPreKey(nil, mallory.identity, 3, now, false)
	require.NoError(t, err)
	require.ErrorIs(t, bob.client.UploadPreKeys(ctx, PreKeys{Signed: &signed, Kyber: []keystore.KyberPreKey{forgedKyber}}), ErrBadRequest)
	require.ErrorIs(t, bob.client.UploadPreKeys(ctx, PreKeys{LastResort: &forgedKyber}), ErrBadRequest)

	// Exactly the limit is accepted.
	require.NoError(t, bob.client.UploadPreKeys(ctx, many(MaxPreKeysPerUpload)))
	count, err = r.store.PreKeyCount(ctx, bob.addr.Name, 1)
	require.NoError(t, err)
	assert.Equal(t, MaxPreKeysPerUpload, count.EC)

	// Raw: a signed prekey with a flipped signature bit, and a key that is
	// not a curve point encoding.
	c := r.rawDial(t)
	advAuth(t, c, bob)
	sig := bytes.Clone(signed.Signature)
	sig[5] ^= 1
	resp := c.request(2, VerbUploadPreKeys, &wire.UploadPreKeysRequest{SignedPreKey: &wire.PublicSignedPreKey{Id: 1, PublicKey: signed.KeyPair.Public.Bytes(), Signature: sig}})
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)
	resp = c.request(3, VerbUploadPreKeys, &wire.UploadPreKeysRequest{PreKeys: []*wire.PublicPreKey{{Id: 500, PublicKey: make([]byte, 33)}}})
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)
	resp = c.request(4, VerbUploadPreKeys, &wire.UploadPreKeysRequest{PreKeys: []*wire.PublicPreKey{{Id: 501}}})
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)
	count, err = r.store.PreKeyCount(ctx, bob.addr.Name, 1)
	require.NoError(t, err)
	assert.Equal(t, MaxPreKeysPerUpload, count.EC)
	assert.Zero(t, count.Kyber)
}

func TestAdversarialFetchRacesUpload(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.uploadPreKeys(t, 20)
	ctx := testContext(t)
	now := time.Now()

	const fetchers, each = 4, 15
	var mu sync.Mutex
	seen := map[uint32]int{}
	var wg sync.WaitGroup
	for range fetchers {
		f := r.register(t, "fetcher", ClientOptions{})
		wg.Go(func() {
			for range each {
				b, err := f.client.FetchBundle(ctx, bob.addr)
				if !assert.NoError(t, err) {
					return
				}
				if b.HasPreKey {
					mu.Lock()
					seen[b.PreKeyID]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Go(func() {
		for batch := range 4 {
			var p PreKeys
			for i := range 10 {
				pk, err := session.NewPreKey(nil, uint32(100+batch*10+i))
				if !assert.NoError(t, err) {
					return
				}
				p.OneTime = append(p.OneTime, pk)
			}
			k, err := session.NewKyberPreKey(nil, bob.identity, 1000, now, true)
			if !assert.NoError(t, err) {
				return
			}
			p.LastResort = &k
			assert.NoError(t, bob.client.UploadPreKeys(ctx, p))
		}
	})
	wg.Wait()
	for id, n := range seen {
		assert.Equal(t, 1, n, "one-time prekey %d handed out %d times", id, n)
	}
	count, err := r.store.PreKeyCount(ctx, bob.addr.Name, 1)
	require.NoError(t, err)
	assert.Equal(t, 60, len(seen)+count.EC)
}

func TestAdversarialSendToSelf(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)
	err := bob.client.Send(ctx, bob.message("me"))
	var mismatch *MismatchedDevicesError
	require.ErrorAs(t, err, &mismatch)
	assert.Equal(t, []uint32{1}, mismatch.Extra)
	receiveNone(t, bob.client, 200*time.Millisecond)
}

func TestAdversarialSizeLimits(t *testing.T) {
	const env, att = 2048, 8192
	r := newRelay(t, ServerOptions{MaxEnvelopeSize: env, MaxAttachmentSize: att, MaxFrameSize: 4096})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)

	require.NoError(t, alice.client.Send(ctx, bob.message(strings.Repeat("e", env))))
	assert.Len(t, receive(t, bob.client).Content, env)
	require.ErrorIs(t, alice.client.Send(ctx, bob.message(strings.Repeat("e", env+1))), ErrTooLarge)

	id, err := alice.client.UploadAttachment(ctx, bytes.Repeat([]byte{7}, att))
	require.NoError(t, err)
	data, err := bob.client.DownloadAttachment(ctx, id)
	require.NoError(t, err)
	assert.Len(t, data, att)
	_, err = alice.client.UploadAttachment(ctx, bytes.Repeat([]byte{7}, att+1))
	require.ErrorIs(t, err, ErrTooLarge)

	// Before authentication the read limit is one frame, so a message over
	// MaxFrameSize closes the connection.
	c := r.rawDial(t)
	require.NoError(t, c.ws.Write(testContext(t), websocket.MessageBinary, make([]byte, 4097)))
	rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err = c.ws.Read(rctx)
	require.Error(t, err)
	assert.Equal(t, websocket.StatusMessageTooBig, websocket.CloseStatus(err))
}

func TestAdversarialRequestIDReuse(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	c := r.rawDial(t)
	for range 3 {
		c.writeRaw(websocket.MessageBinary, advFrame(t, 7, VerbLookupUser, mustMarshal(t, &wire.LookupUserRequest{Username: usernameOf(bob)})))
	}
	c.writeRaw(websocket.MessageBinary, advFrame(t, 7, VerbLookupUser, mustMarshal(t, &wire.LookupUserRequest{Username: "nobody"})))
	for range 3 {
		resp := advResponse(t, c)
		assert.Equal(t, uint64(7), resp.Id)
		assert.Equal(t, uint32(StatusOK), resp.Status)
	}
	resp := advResponse(t, c)
	assert.Equal(t, uint32(StatusNotFound), resp.Status)
	// The maximum id.
	resp = c.request(^uint64(0), VerbLookupUser, &wire.LookupUserRequest{Username: usernameOf(bob)})
	assert.Equal(t, ^uint64(0), resp.Id)
}

func TestAdversarialNewestConnectionWins(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	const n = 5
	conns := make([]*rawConn, n)
	for i := range conns {
		conns[i] = r.rawDial(t)
		advAuth(t, conns[i], bob)
	}
	for _, c := range conns[:n-1] {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var err error
		for err == nil {
			_, _, err = c.ws.Read(ctx)
		}
		cancel()
		assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err), "%v", err)
	}
	require.NoError(t, alice.client.Send(testContext(t), bob.message("newest")))
	for range 10 {
		if e := conns[n-1].read().GetEnvelope(); e != nil {
			assert.Equal(t, "newest", string(e.Content))
			return
		}
	}
	t.Fatal("newest connection got no envelope")
}

func TestAdversarialAckOthersEnvelope(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	second := bob.addDevice(t, r)
	bob.client.Close()
	second.client.Close()
	ctx := testContext(t)
	msg := bob.message("for device 1")
	msg.Messages = append(msg.Messages, OutgoingMessage{DeviceID: 2, RegistrationID: second.regID, Type: 2, Content: []byte("for device 2")})
	require.NoError(t, alice.client.Send(ctx, msg))
	e1, err := r.store.Envelopes(ctx, bob.addr.Name, 1, 0, 10)
	require.NoError(t, err)
	require.Len(t, e1, 1)

	// Device 2 of the same account acks device 1's envelope, and Alice
	// acks it too: it stays queued.
	for _, u := range []*user{second, alice} {
		c := r.rawDial(t)
		advAuth(t, c, u)
		c.writeRaw(websocket.MessageBinary, mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Ack{Ack: &wire.Ack{Id: e1[0].ID}}}))
		// A request after the ack orders it before the check.
		c.request(9, VerbPreKeyCount, &wire.PreKeyCountRequest{})
	}
	got, err := r.store.Envelopes(ctx, bob.addr.Name, 1, 0, 10)
	require.NoError(t, err)
	assert.Len(t, got, 1)
}

func TestAdversarialSlowConsumer(t *testing.T) {
	r := newRelay(t, ServerOptions{WriteTimeout: 300 * time.Millisecond, DeliveryWindow: 8})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	ctx := testContext(t)
	big := strings.Repeat("s", 100<<10)
	for range 40 {
		require.NoError(t, alice.client.Send(ctx, bob.message(big)))
	}
	runtime.GC()
	baseGoroutines := runtime.NumGoroutine()

	// Bob authenticates and then never reads or acks, while Alice keeps
	// sending. The server pushes at most the window and holds no more.
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	c := r.rawDial(t)
	advAuth(t, c, bob)
	for range 40 {
		require.NoError(t, alice.client.Send(ctx, bob.message(big)))
	}
	time.Sleep(300 * time.Millisecond)
	assert.LessOrEqual(t, r.srv.metrics.deliveries.Load(), uint64(8))
	assert.LessOrEqual(t, runtime.NumGoroutine(), baseGoroutines+10)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("heap in use before %d KiB, after %d KiB", before.HeapInuse>>10, after.HeapInuse>>10)
	// 80 queued envelopes of 100 KiB are 8 MiB; the window is 800 KiB.
	assert.Less(t, int64(after.HeapInuse)-int64(before.HeapInuse), int64(6<<20))
	c.ws.CloseNow()
	require.Eventually(t, func() bool { return r.srv.online(bob.addr.Name, 1) == nil }, 5*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseGoroutines+2 }, 5*time.Second, 20*time.Millisecond,
		"goroutines %d, before %d", runtime.NumGoroutine(), baseGoroutines)
	got, err := r.store.Envelopes(ctx, bob.addr.Name, 1, 0, 100)
	require.NoError(t, err)
	assert.Len(t, got, 80)
}

func TestAdversarialShutdownKeepsAcknowledgedSends(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	const senders, perSender = 4, 200
	var okIDs sync.Map
	var wg sync.WaitGroup
	var started atomic.Int32
	for s := range senders {
		u := r.register(t, "sender", ClientOptions{})
		wg.Go(func() {
			for i := range perSender {
				m := bob.message(fmt.Sprintf("%d/%d", s, i))
				m.ID[0], m.ID[1], m.ID[2] = byte(s), byte(i), byte(i>>8)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				err := u.client.Send(ctx, m)
				cancel()
				started.Add(1)
				if err != nil {
					// After the shutdown every send fails; stop at the first.
					if !errors.Is(err, ErrConnectionLost) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrClosed) {
						t.Errorf("send: %v", err)
					}
					return
				}
				okIDs.Store(string(m.Messages[0].Content), true)
			}
		})
	}
	require.Eventually(t, func() bool { return started.Load() > 50 }, 10*time.Second, time.Millisecond)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	require.NoError(t, r.srv.Shutdown(sctx))
	cancel()
	wg.Wait()

	stored := map[string]bool{}
	got, err := r.store.Envelopes(testContext(t), bob.addr.Name, 1, 0, senders*perSender)
	require.NoError(t, err)
	for _, e := range got {
		assert.False(t, stored[string(e.Content)], "duplicate %s", e.Content)
		stored[string(e.Content)] = true
	}
	n := 0
	okIDs.Range(func(k, _ any) bool {
		n++
		assert.True(t, stored[k.(string)], "acknowledged send %s lost", k)
		return true
	})
	t.Logf("%d sends acknowledged, %d stored", n, len(stored))
	assert.Positive(t, n)
}

func TestAdversarialLogsNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newRelay(t, ServerOptions{Logger: logger, WriteTimeout: 200 * time.Millisecond})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.uploadPreKeys(t, 3)
	ctx := testContext(t)
	plaintext := "PLAINTEXT-b7c1e0d9-never-log-me"
	attachment := "ATTACHMENT-6f0a2c44-never-log-me"

	// A real session: Alice encrypts for Bob from his fetched bundle.
	aliceCipher := &session.Cipher{Store: keystore.NewMemoryStore(alice.identity, alice.regID), LocalAddress: alice.addr}
	bundle, err := alice.client.FetchBundle(ctx, bob.addr)
	require.NoError(t, err)
	require.NoError(t, aliceCipher.ProcessBundle(ctx, bob.addr, bundle))
	ctType, ct, err := aliceCipher.Encrypt(ctx, bob.addr, []byte(plaintext))
	require.NoError(t, err)
	m := bob.message("")
	m.Messages[0].Type, m.Messages[0].Content = uint32(ctType), ct
	require.NoError(t, alice.client.Send(ctx, m))
	receive(t, bob.client)

	// The plaintext itself as content, over the limit, sealed with a wrong
	// key, and in malformed frames.
	require.NoError(t, alice.client.Send(ctx, bob.message(plaintext)))
	_ = alice.client.SendSealed(ctx, bob.message(plaintext), [16]byte{1})
	id, err := alice.client.UploadAttachment(ctx, []byte(attachment))
	require.NoError(t, err)
	_, err = bob.client.DownloadAttachment(ctx, id)
	require.NoError(t, err)
	c := r.rawDial(t)
	c.writeRaw(websocket.MessageBinary, append([]byte{0xff}, plaintext...))
	c.writeRaw(websocket.MessageText, []byte(plaintext))
	c.writeRaw(websocket.MessageBinary, advFrame(t, 1, plaintext, []byte(attachment)))
	for range 3 {
		c.read()
	}
	sig, err := alice.identity.Private.Sign(nil, []byte(plaintext))
	require.NoError(t, err)
	// The claimed service id of a failed authentication is logged, so it is
	// a plain one here.
	c.request(2, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: sig})
	r.srv.Shutdown(ctx)

	mu.Lock()
	log := buf.String()
	mu.Unlock()
	require.NotEmpty(t, log)
	priv := [][]byte{alice.identity.Private.Bytes(), bob.identity.Private.Bytes()}
	for _, k := range priv {
		for _, enc := range []string{string(k), hex.EncodeToString(k), base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k), fmt.Sprint(k)} {
			assert.NotContains(t, log, enc)
		}
	}
	for _, s := range []string{plaintext, attachment, base64.StdEncoding.EncodeToString([]byte(plaintext)), base64.StdEncoding.EncodeToString([]byte(attachment)), hex.EncodeToString([]byte(plaintext)), "b7c1e0d9", "6f0a2c44"} {
		assert.NotContains(t, log, s)
	}
	assert.NotContains(t, log, base64.StdEncoding.EncodeToString(ct))
	assert.NotContains(t, log, hex.EncodeToString(sig))
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
