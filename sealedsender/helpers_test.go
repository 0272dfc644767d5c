package sealedsender_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/x3dh"
)

var ctx = context.Background()

// testNow is the validation time of the tests; certificates expire an hour
// later.
var testNow = time.UnixMilli(1_700_000_000_000)

// authority is a trust root and a server key, as the relay holds them.
type authority struct {
	root      curve.KeyPair
	serverKey curve.KeyPair
	server    *sealedsender.ServerCertificate
}

func newAuthority(t testing.TB, keyID uint32) *authority {
	t.Helper()
	root, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	serverKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	server, err := sealedsender.NewServerCertificate(nil, keyID, serverKey.Public, root.Private)
	require.NoError(t, err)
	return &authority{root: root, serverKey: serverKey, server: server}
}

func (a *authority) trust() sealedsender.Trust {
	return sealedsender.Trust{Roots: []curve.PublicKey{a.root.Public}}
}

func (a *authority) issue(t testing.TB, d *device, expires time.Time) *sealedsender.SenderCertificate {
	t.Helper()
	cert, err := sealedsender.NewSenderCertificate(nil, sealedsender.Sender{
		UUID:        d.addr.Name,
		E164:        d.e164,
		DeviceID:    d.addr.DeviceID,
		IdentityKey: d.id.Public,
	}, expires, a.server, a.serverKey.Private)
	require.NoError(t, err)
	return cert
}

// device is one test participant with its own store and ciphers.
type device struct {
	t       testing.TB
	addr    keystore.Address
	e164    string
	regID   uint32
	id      curve.KeyPair
	store   *keystore.MemoryStore
	cipher  *sealedsender.Cipher
	cert    *sealedsender.SenderCertificate
	nextKey uint32
}

func newDevice(t testing.TB, auth *authority, name string, deviceID uint32) *device {
	t.Helper()
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	regID := 1000 + deviceID
	st := keystore.NewMemoryStore(id, regID)
	d := &device{t: t, addr: keystore.Address{Name: name, DeviceID: deviceID}, regID: regID, id: id, store: st}
	d.cipher = &sealedsender.Cipher{
		Sessions: &session.Cipher{Store: st, LocalAddress: d.addr},
		Trust:    auth.trust(),
		Now:      func() time.Time { return testNow },
	}
	d.cert = auth.issue(t, d, testNow.Add(time.Hour))
	return d
}

// bundle creates fresh prekeys, stores them and returns the public bundle.
func (d *device) bundle() *x3dh.Bundle {
	d.t.Helper()
	d.nextKey++
	spk, err := session.NewSignedPreKey(nil, d.id, d.nextKey, testNow)
	require.NoError(d.t, err)
	kpk, err := session.NewKyberPreKey(nil, d.id, d.nextKey, testNow, true)
	require.NoError(d.t, err)
	opk, err := session.NewPreKey(nil, d.nextKey)
	require.NoError(d.t, err)
	require.NoError(d.t, d.store.Update(ctx, func(tx keystore.Tx) error {
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

// connect starts a session from d to peer with peer's bundle.
func (d *device) connect(peer *device) {
	d.t.Helper()
	require.NoError(d.t, d.cipher.Sessions.ProcessBundle(ctx, peer.addr, peer.bundle()))
}
