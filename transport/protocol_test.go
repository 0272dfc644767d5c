package transport

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
)

// rawConn is a WebSocket connection that speaks frames directly, for tests
// that send what the Client never would.
type rawConn struct {
	t     *testing.T
	ws    *websocket.Conn
	nonce []byte
}

func (r *relay) rawDial(t *testing.T) *rawConn {
	t.Helper()
	client := r.http.Client()
	ws, _, err := websocket.Dial(testContext(t), r.url+WebSocketPath, &websocket.DialOptions{HTTPClient: client})
	require.NoError(t, err)
	t.Cleanup(func() { ws.CloseNow() })
	c := &rawConn{t: t, ws: ws}
	f := c.read()
	ch := f.GetChallenge()
	require.NotNil(t, ch, "first frame is not a challenge")
	require.Len(t, ch.Nonce, ChallengeSize)
	c.nonce = ch.Nonce
	return c
}

func (c *rawConn) read() *wire.Frame {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	require.NoError(c.t, err)
	f, err := decodeFrame(data)
	require.NoError(c.t, err)
	return f
}

func (c *rawConn) writeRaw(typ websocket.MessageType, b []byte) {
	c.t.Helper()
	require.NoError(c.t, c.ws.Write(testContext(c.t), typ, b))
}

func (c *rawConn) request(id uint64, verb string, body proto.Message) *wire.Response {
	c.t.Helper()
	b, err := proto.Marshal(body)
	require.NoError(c.t, err)
	f, err := proto.Marshal(&wire.Frame{Kind: &wire.Frame_Request{Request: &wire.Request{Id: id, Verb: verb, Body: b}}})
	require.NoError(c.t, err)
	c.writeRaw(websocket.MessageBinary, f)
	for range 100 {
		// Skip pushes such as QueueDrained.
		if resp := c.read().GetResponse(); resp != nil {
			return resp
		}
	}
	c.t.Fatal("no response")
	return nil
}

func TestMalformedFramesKeepConnection(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	c := r.rawDial(t)

	cases := []struct {
		name string
		typ  websocket.MessageType
		data []byte
	}{
		{"garbage", websocket.MessageBinary, []byte{0xff, 0xff, 0xff}},
		{"text", websocket.MessageText, []byte("hello")},
		{"empty", websocket.MessageBinary, nil},
		{"request without id", websocket.MessageBinary, mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Request{Request: &wire.Request{Verb: "user.lookup"}}})},
		{"server frame", websocket.MessageBinary, mustMarshal(t, &wire.Frame{Kind: &wire.Frame_QueueDrained{QueueDrained: &wire.QueueDrained{}}})},
	}
	for _, tc := range cases {
		c.writeRaw(tc.typ, tc.data)
		resp := c.read().GetResponse()
		require.NotNil(t, resp, tc.name)
		assert.Equal(t, uint32(StatusBadRequest), resp.Status, tc.name)
		assert.Zero(t, resp.Id, tc.name)
	}

	resp := c.request(5, "no.such.verb", &wire.PreKeyCountRequest{})
	assert.Equal(t, uint64(5), resp.Id)
	assert.Equal(t, uint32(StatusNotFound), resp.Status)

	resp = c.request(6, VerbLookupUser, &wire.LookupUserRequest{Username: "x"})
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)

	// A malformed body of a known verb.
	f := mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Request{Request: &wire.Request{Id: 7, Verb: VerbLookupUser, Body: []byte{0x0a, 0x05}}}})
	c.writeRaw(websocket.MessageBinary, f)
	resp = c.read().GetResponse()
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)

	// The connection still serves requests.
	var out wire.LookupUserResponse
	resp = c.request(8, VerbLookupUser, &wire.LookupUserRequest{Username: usernameOf(bob)})
	require.Equal(t, uint32(StatusOK), resp.Status, resp.Message)
	require.NoError(t, proto.Unmarshal(resp.Body, &out))
	assert.Equal(t, bob.addr.Name, out.ServiceId)
	assert.Equal(t, uint64(len(cases)), r.srv.metrics.drops[dropMalformedFrame].Load())
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

func usernameOf(u *user) string {
	return u.username
}

func TestAuthenticationForgedAndReplayed(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()

	// A valid signature over connection A's nonce.
	a := r.rawDial(t)
	sigA, err := bob.creds().sign(nil, a.nonce)
	require.NoError(t, err)

	// Replayed on connection B, it fails.
	b := r.rawDial(t)
	resp := b.request(1, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: sigA})
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	assert.Equal(t, "authentication failed", resp.Message)

	// Signed by another key, it fails with the same message.
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	forged, err := other.Private.Sign(nil, authenticateTranscript(b.nonce, bob.addr.Name, 1))
	require.NoError(t, err)
	resp = b.request(2, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: forged})
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	assert.Equal(t, "authentication failed", resp.Message)

	// An unknown device gets the same answer too.
	unknown, err := bob.creds().sign(nil, b.nonce)
	require.NoError(t, err)
	resp = b.request(3, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 9, Signature: unknown})
	assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	assert.Equal(t, "authentication failed", resp.Message)

	// On its own connection the signature works once, and a second
	// authentication on that connection is rejected.
	resp = a.request(1, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: sigA})
	require.Equal(t, uint32(StatusOK), resp.Status, resp.Message)
	resp = a.request(2, VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: bob.addr.Name, DeviceId: 1, Signature: sigA})
	assert.Equal(t, uint32(StatusBadRequest), resp.Status)
}

func TestAuthenticationFailuresCloseConnection(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	c := r.rawDial(t)
	for i := range maxAuthFailures {
		resp := c.request(uint64(i+1), VerbAuthenticate, &wire.AuthenticateRequest{ServiceId: "nobody", DeviceId: 1, Signature: make([]byte, 64)})
		assert.Equal(t, uint32(StatusUnauthorized), resp.Status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.ws.Read(ctx)
	require.Error(t, err)
}

func TestAddDeviceNeedsAccountSignature(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	impostor, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	deviceKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	c := r.dial(t, ClientOptions{})
	_, err = c.AddDevice(testContext(t), bob.addr.Name, impostor.Private, deviceKey, 77)
	require.ErrorIs(t, err, ErrUnauthorized)
	devices, err := r.store.Devices(testContext(t), bob.addr.Name)
	require.NoError(t, err)
	assert.Len(t, devices, 1)
}

func TestAddedDeviceAuthenticates(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	second := bob.addDevice(t, r)
	assert.Equal(t, uint32(2), second.addr.DeviceID)
	second.client.Close()

	c := r.dial(t, ClientOptions{})
	_, err := c.Authenticate(testContext(t), *second.creds())
	require.NoError(t, err)

	// The account key is not the device key of device 2.
	wrong := r.dial(t, ClientOptions{})
	_, err = wrong.Authenticate(testContext(t), Credentials{ServiceID: bob.addr.Name, DeviceID: 2, Key: bob.identity.Private})
	require.ErrorIs(t, err, ErrUnauthorized)
}

func TestSealedSender(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	anon := r.dial(t, ClientOptions{})
	ctx := testContext(t)

	require.NoError(t, anon.SendSealed(ctx, bob.message("sealed"), bob.accessKey))
	e := receive(t, bob.client)
	assert.Equal(t, "sealed", string(e.Content))
	assert.Empty(t, e.SourceServiceID)
	assert.Zero(t, e.SourceDeviceID)

	wrongKey := bob.accessKey
	wrongKey[15] ^= 1
	errWrong := anon.SendSealed(ctx, bob.message("x"), wrongKey)
	require.ErrorIs(t, errWrong, ErrUnauthorized)

	unknown := bob.message("x")
	unknown.Destination = "00000000-0000-4000-8000-000000000000"
	errUnknown := anon.SendSealed(ctx, unknown, bob.accessKey)
	require.ErrorIs(t, errUnknown, ErrUnauthorized)
	assert.Equal(t, errWrong.Error(), errUnknown.Error())
}

type fixedIssuer struct{}

func (fixedIssuer) IssueSenderCertificate(ctx context.Context, s SenderIdentity) ([]byte, error) {
	return []byte(s.ServiceID + "." + strconv.FormatUint(uint64(s.DeviceID), 10) + "." + s.IdentityKey.Fingerprint()), nil
}

func TestSenderCertificate(t *testing.T) {
	r := newRelay(t, ServerOptions{CertificateIssuer: fixedIssuer{}})
	bob := r.register(t, "bob", ClientOptions{})
	cert, err := bob.client.SenderCertificate(testContext(t))
	require.NoError(t, err)
	assert.Equal(t, bob.addr.Name+".1."+bob.identity.Public.Fingerprint(), string(cert))

	plain := newRelay(t, ServerOptions{})
	alice := plain.register(t, "alice", ClientOptions{})
	_, err = alice.client.SenderCertificate(testContext(t))
	assert.ErrorIs(t, err, ErrNoCertificateIssuer)
}

func TestRateLimit(t *testing.T) {
	r := newRelay(t, ServerOptions{SendRate: 0.001, SendBurst: 2})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)
	require.NoError(t, alice.client.Send(ctx, bob.message("1")))
	require.NoError(t, alice.client.Send(ctx, bob.message("2")))
	require.ErrorIs(t, alice.client.Send(ctx, bob.message("3")), ErrRateLimited)
}

func TestAttachmentUploadDownload(t *testing.T) {
	r := newRelay(t, ServerOptions{MaxAttachmentSize: 1 << 16})
	bob := r.register(t, "bob", ClientOptions{})
	ctx := testContext(t)
	blob := make([]byte, 40000)
	for i := range blob {
		blob[i] = byte(i)
	}
	id, err := bob.client.UploadAttachment(ctx, blob)
	require.NoError(t, err)
	assert.Len(t, id, 32)

	anon := r.dial(t, ClientOptions{})
	got, err := anon.DownloadAttachment(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, blob, got)

	_, err = anon.DownloadAttachment(ctx, "0123")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = anon.UploadAttachment(ctx, blob)
	assert.ErrorIs(t, err, ErrUnauthorized)
	_, err = bob.client.UploadAttachment(ctx, make([]byte, 1<<16+1))
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestHealthAndMetrics(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	alice := r.register(t, "alice", ClientOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	bob.client.Close()
	require.NoError(t, alice.client.Send(testContext(t), bob.message("x")))

	client := r.http.Client()
	get := func(path string) string {
		resp, err := client.Get(r.url + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, "ok\n", get("/healthz"))
	m := get("/metrics")
	assert.Contains(t, m, "# TYPE parley_relay_connections gauge\n")
	assert.Contains(t, m, "parley_relay_queue_depth 1\n")
	assert.Contains(t, m, "parley_relay_sends_total 1\n")
	assert.Contains(t, m, `parley_relay_drops_total{reason="queue_full"} 0`)
}

func TestPinnedCertificateMismatch(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	other, err := SelfSignedCertificate([]string{"127.0.0.1"}, time.Hour, nil)
	require.NoError(t, err)
	_, err = Dial(testContext(t), r.url, ClientOptions{PinnedCertificate: other.Leaf, DisableReconnect: true})
	require.Error(t, err)

	// Without a pin, the self-signed certificate fails verification.
	_, err = Dial(testContext(t), r.url, ClientOptions{TLSConfig: &tls.Config{}})
	require.Error(t, err)
}

func TestShutdownClosesConnections(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	bob := r.register(t, "bob", ClientOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, r.srv.Shutdown(ctx))
	assert.Zero(t, r.srv.metrics.connections.Load())
	// The client keeps trying to reconnect and the server refuses it.
	short, cancelShort := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort()
	_, _, err := bob.client.LookupUser(short, "bob")
	require.Error(t, err)
	resp, err := r.http.Client().Get(r.url + WebSocketPath)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

func TestLoadOrCreateCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := dir+"/cert.pem", dir+"/key.pem"
	created, err := LoadOrCreateCertificate(certFile, keyFile, []string{"127.0.0.1", "relay.test"})
	require.NoError(t, err)
	loaded, err := LoadOrCreateCertificate(certFile, keyFile, nil)
	require.NoError(t, err)
	assert.Equal(t, created.Certificate[0], loaded.Certificate[0])
	assert.Equal(t, []string{"relay.test"}, loaded.Leaf.DNSNames)
}
