package session_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/x3dh"
)

// device is one test participant with its own store and cipher.
type device struct {
	t       testing.TB
	addr    keystore.Address
	regID   uint32
	id      curve.KeyPair
	store   *keystore.MemoryStore
	cipher  *session.Cipher
	nextKey uint32
}

var ctx = context.Background()

func newDevice(t testing.TB, name string, deviceID uint32) *device {
	t.Helper()
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	regID := uint32(len(name)*1000 + int(deviceID))
	st := keystore.NewMemoryStore(id, regID)
	d := &device{
		t:     t,
		addr:  keystore.Address{Name: name, DeviceID: deviceID},
		regID: regID,
		id:    id,
		store: st,
	}
	d.cipher = &session.Cipher{Store: st, LocalAddress: d.addr}
	return d
}

// bundle creates fresh prekeys, stores them and returns the public bundle.
func (d *device) bundle(oneTime, lastResort bool) *x3dh.Bundle {
	d.t.Helper()
	now := time.Now()
	d.nextKey++
	spk, err := session.NewSignedPreKey(nil, d.id, d.nextKey, now)
	require.NoError(d.t, err)
	kpk, err := session.NewKyberPreKey(nil, d.id, d.nextKey, now, lastResort)
	require.NoError(d.t, err)
	var opk *keystore.PreKey
	if oneTime {
		k, err := session.NewPreKey(nil, d.nextKey)
		require.NoError(d.t, err)
		opk = &k
	}
	require.NoError(d.t, d.store.Update(ctx, func(tx keystore.Tx) error {
		if opk != nil {
			if err := tx.StorePreKey(ctx, *opk); err != nil {
				return err
			}
		}
		if err := tx.StoreSignedPreKey(ctx, spk); err != nil {
			return err
		}
		return tx.StoreKyberPreKey(ctx, kpk)
	}))
	return session.NewBundle(d.id.Public, d.regID, d.addr.DeviceID, opk, spk, kpk)
}

type ciphertext struct {
	typ  session.MessageType
	data []byte
}

func (d *device) encrypt(to *device, text string) ciphertext {
	d.t.Helper()
	typ, data, err := d.cipher.Encrypt(ctx, to.addr, []byte(text))
	require.NoError(d.t, err)
	return ciphertext{typ, data}
}

func (d *device) decrypt(from *device, c ciphertext) (string, error) {
	pt, err := d.cipher.Decrypt(ctx, from.addr, c.typ, c.data)
	return string(pt), err
}

func (d *device) mustDecrypt(from *device, c ciphertext, want string) {
	d.t.Helper()
	got, err := d.decrypt(from, c)
	require.NoError(d.t, err)
	require.Equal(d.t, want, got)
}

// snapshot returns every stored session record and prekey id of d, to check
// that a failed call changed nothing.
func (d *device) snapshot(peers ...*device) string {
	d.t.Helper()
	var out string
	require.NoError(d.t, d.store.View(ctx, func(tx keystore.Tx) error {
		for _, p := range peers {
			rec, err := tx.Session(ctx, p.addr)
			if err != nil {
				return err
			}
			key, ok, err := tx.Identity(ctx, p.addr)
			if err != nil {
				return err
			}
			out += fmt.Sprintf("%s %x %v %x\n", p.addr, rec, ok, key.Bytes())
		}
		for id := uint32(1); id <= d.nextKey; id++ {
			_, err1 := tx.PreKey(ctx, id)
			_, err2 := tx.KyberPreKey(ctx, id)
			out += fmt.Sprintf("prekey %d %v %v\n", id, err1 == nil, err2 == nil)
		}
		return nil
	}))
	return out
}

// connect makes a start a session with b and b reply, so both sides send
// Whisper messages afterwards.
func connect(t *testing.T, a, b *device) {
	t.Helper()
	require.NoError(t, a.cipher.ProcessBundle(ctx, b.addr, b.bundle(true, false)))
	b.mustDecrypt(a, a.encrypt(b, "hello"), "hello")
	a.mustDecrypt(b, b.encrypt(a, "hi"), "hi")
}

const (
	aliceACI = "9d0652a3-dcc3-4d11-975f-74d61598733f"
	bobACI   = "796abedb-ca4e-4f18-8803-1fde5b921f9f"
)
