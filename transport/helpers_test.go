package transport

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// relay is a Server on a SQLite store behind a real TLS listener on
// 127.0.0.1 with httptest's self-signed certificate.
type relay struct {
	srv   *Server
	store *SQLiteStore
	http  *httptest.Server
	url   string
	cert  *x509.Certificate
}

func newRelay(t testing.TB, opts ServerOptions) *relay {
	t.Helper()
	store, err := OpenSQLite(filepath.Join(t.TempDir(), "relay.db"))
	require.NoError(t, err)
	srv := NewServer(store, opts)
	hs := httptest.NewUnstartedServer(srv)
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	hs.StartTLS()
	r := &relay{srv: srv, store: store, http: hs, url: hs.URL, cert: hs.Certificate()}
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
		store.Close()
	})
	return r
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (r *relay) dial(t testing.TB, opts ClientOptions) *Client {
	t.Helper()
	opts.PinnedCertificate = r.cert
	if opts.MinBackoff == 0 {
		opts.MinBackoff = 10 * time.Millisecond
		opts.MaxBackoff = 100 * time.Millisecond
	}
	c, err := Dial(testContext(t), r.url, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

var userCounter atomic.Uint32

// user is a registered account with device 1 and its keys.
type user struct {
	username  string
	addr      keystore.Address
	identity  curve.KeyPair
	regID     uint32
	accessKey [AccessKeySize]byte
	client    *Client
	deviceKey *curve.KeyPair
}

func (r *relay) register(t testing.TB, name string, opts ClientOptions) *user {
	t.Helper()
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	n := userCounter.Add(1)
	u := &user{identity: id, regID: 100 + n, username: fmt.Sprintf("%s%d", name, n)}
	u.accessKey[0] = byte(n)
	u.client = r.dial(t, opts)
	u.addr, err = u.client.Register(testContext(t), Registration{
		Username:       u.username,
		IdentityKey:    id,
		RegistrationID: u.regID,
		AccessKey:      u.accessKey,
	})
	require.NoError(t, err)
	return u
}

func (u *user) creds() *Credentials {
	key := u.identity.Private
	if u.deviceKey != nil {
		key = u.deviceKey.Private
	}
	return &Credentials{ServiceID: u.addr.Name, DeviceID: u.addr.DeviceID, Key: key}
}

// uploadPreKeys uploads a signed prekey, a last-resort Kyber prekey with id
// 1000, and n one-time prekeys of each kind with ids 1..n.
func (u *user) uploadPreKeys(t testing.TB, n int) {
	t.Helper()
	now := time.Now()
	signed, err := session.NewSignedPreKey(nil, u.identity, 1, now)
	require.NoError(t, err)
	last, err := session.NewKyberPreKey(nil, u.identity, 1000, now, true)
	require.NoError(t, err)
	p := PreKeys{Signed: &signed, LastResort: &last}
	for i := 1; i <= n; i++ {
		pk, err := session.NewPreKey(nil, uint32(i))
		require.NoError(t, err)
		p.OneTime = append(p.OneTime, pk)
		kk, err := session.NewKyberPreKey(nil, u.identity, uint32(i), now, false)
		require.NoError(t, err)
		p.Kyber = append(p.Kyber, kk)
	}
	require.NoError(t, u.client.UploadPreKeys(testContext(t), p))
}

func (u *user) message(content string) Message {
	return Message{
		Destination: u.addr.Name,
		Messages:    []OutgoingMessage{{DeviceID: 1, RegistrationID: u.regID, Type: 2, Content: []byte(content)}},
	}
}

func receive(t testing.TB, c *Client) Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := c.Receive(ctx)
	require.NoError(t, err)
	return e
}

// receiveNone checks that nothing arrives within d.
func receiveNone(t testing.TB, c *Client, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	e, err := c.Receive(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "unexpected envelope %d", e.ID)
}
