package sqlstore

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/x3dh"
)

// device is a Parley device whose keys live in a sqlstore file.
type device struct {
	t      testing.TB
	addr   keystore.Address
	regID  uint32
	id     curve.KeyPair
	path   string
	opts   Options
	store  *Store
	cipher *session.Cipher
}

func newDevice(t testing.TB, addr keystore.Address, opts Options) *device {
	t.Helper()
	d := &device{
		t:     t,
		addr:  addr,
		regID: 1000 + addr.DeviceID,
		id:    newIdentity(t),
		path:  filepath.Join(t.TempDir(), "device.db"),
		opts:  opts,
	}
	s, err := Create(d.path, d.id, d.regID, opts)
	require.NoError(t, err)
	d.attach(s)
	t.Cleanup(func() { d.store.Close() })
	return d
}

func (d *device) attach(s *Store) {
	d.store = s
	d.cipher = &session.Cipher{Store: s, LocalAddress: d.addr}
}

// reopen closes the store and opens the file again.
func (d *device) reopen() {
	d.t.Helper()
	require.NoError(d.t, d.store.Close())
	s, err := Open(d.path, d.opts)
	require.NoError(d.t, err)
	d.attach(s)
}

// bundle stores fresh prekeys with the given id and returns the bundle.
func (d *device) bundle(id uint32) *x3dh.Bundle {
	d.t.Helper()
	now := time.Now()
	spk, err := session.NewSignedPreKey(nil, d.id, id, now)
	require.NoError(d.t, err)
	kpk, err := session.NewKyberPreKey(nil, d.id, id, now, false)
	require.NoError(d.t, err)
	opk, err := session.NewPreKey(nil, id)
	require.NoError(d.t, err)
	require.NoError(d.t, d.cipher.Store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StorePreKey(ctx, opk); err != nil {
			return err
		}
		if err := tx.StoreSignedPreKey(ctx, spk); err != nil {
			return err
		}
		return tx.StoreKyberPreKey(ctx, kpk)
	}))
	return session.NewBundle(d.id.Public, d.regID, d.addr.DeviceID, &opk, spk, kpk)
}

type message struct {
	typ  session.MessageType
	data []byte
}

func (d *device) encrypt(to *device, text string) message {
	d.t.Helper()
	typ, data, err := d.cipher.Encrypt(ctx, to.addr, []byte(text))
	require.NoError(d.t, err)
	return message{typ, data}
}

func (d *device) mustDecrypt(from *device, m message, want string) {
	d.t.Helper()
	got, err := d.cipher.Decrypt(ctx, from.addr, m.typ, m.data)
	require.NoError(d.t, err)
	require.Equal(d.t, want, string(got))
}

func TestSessionOverSQLStore(t *testing.T) {
	a := newDevice(t, alice, testOptions("alice"))
	b := newDevice(t, bob, testOptions("bob"))
	require.NoError(t, a.cipher.ProcessBundle(ctx, b.addr, b.bundle(1)))

	first := a.encrypt(b, "hello")
	require.Equal(t, session.MessageTypePreKey, first.typ)
	b.mustDecrypt(a, first, "hello")
	require.NoError(t, b.store.View(ctx, func(tx keystore.Tx) error {
		_, err := tx.PreKey(ctx, 1)
		require.ErrorIs(t, err, keystore.ErrNotFound, "the one-time prekey is used up")
		_, err = tx.KyberPreKey(ctx, 1)
		require.ErrorIs(t, err, keystore.ErrNotFound, "the one-time Kyber prekey is used up")
		return nil
	}))
	a.mustDecrypt(b, b.encrypt(a, "hi"), "hi")

	// Messages in flight across a restart of both sides.
	pending := a.encrypt(b, "sent before restart")
	late := b.encrypt(a, "late reply")
	a.reopen()
	b.reopen()
	b.mustDecrypt(a, pending, "sent before restart")
	a.mustDecrypt(b, late, "late reply")

	for i := range 10 {
		text := fmt.Sprintf("round %d", i)
		if i%2 == 0 {
			b.mustDecrypt(a, a.encrypt(b, text), text)
		} else {
			a.mustDecrypt(b, b.encrypt(a, text), text)
		}
		if i == 5 {
			a.reopen()
		}
	}
	info, err := a.cipher.SessionInfo(ctx, b.addr)
	require.NoError(t, err)
	require.True(t, info.Acknowledged)
	require.True(t, info.RemoteIdentity.Equal(b.id.Public))
}
