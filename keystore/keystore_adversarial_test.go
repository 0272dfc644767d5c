package keystore_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// advFormats renders v with every common verb.
func advFormats(v any) string {
	var b strings.Builder
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		fmt.Fprintf(&b, f+"\n", v)
	}
	return b.String()
}

// assertNoSecret checks that none of the formatted forms contains the first
// 8 bytes of secret in hex or as a decimal byte list.
func assertNoSecret(t *testing.T, name string, v any, secret []byte) {
	t.Helper()
	out := strings.ToLower(advFormats(v))
	assert.NotContains(t, out, hex.EncodeToString(secret[:8]), name)
	dec := make([]string, 8)
	for i, c := range secret[:8] {
		dec[i] = fmt.Sprint(c)
	}
	assert.NotContains(t, out, strings.Join(dec, " "), name)
}

func TestAdversarialKeyTypesRedacted(t *testing.T) {
	k, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	priv := k.Private.Bytes()
	kk, err := kem.GenerateKeyPair(nil)
	require.NoError(t, err)
	seed := kk.Private.Seed()
	pk, err := session.NewPreKey(nil, 1)
	require.NoError(t, err)
	spk, err := session.NewSignedPreKey(nil, k, 2, time.Now())
	require.NoError(t, err)
	kpk, err := session.NewKyberPreKey(nil, k, 3, time.Now(), false)
	require.NoError(t, err)

	assertNoSecret(t, "curve.PrivateKey", k.Private, priv)
	assertNoSecret(t, "*curve.PrivateKey", &k.Private, priv)
	assertNoSecret(t, "curve.KeyPair", k, priv)
	assertNoSecret(t, "*curve.KeyPair", &k, priv)
	assertNoSecret(t, "kem.PrivateKey", kk.Private, seed)
	assertNoSecret(t, "kem.KeyPair", kk, seed)
	assertNoSecret(t, "*kem.KeyPair", &kk, seed)
	assertNoSecret(t, "keystore.PreKey", pk, pk.KeyPair.Private.Bytes())
	assertNoSecret(t, "keystore.SignedPreKey", spk, spk.KeyPair.Private.Bytes())
	assertNoSecret(t, "keystore.KyberPreKey", kpk, kpk.KeyPair.Private.Seed())
	assertNoSecret(t, "[]keystore.PreKey", []keystore.PreKey{pk}, pk.KeyPair.Private.Bytes())
	assertNoSecret(t, "map of KeyPair", map[string]curve.KeyPair{"a": k}, priv)
}

func TestAdversarialMemoryStoreRollback(t *testing.T) {
	ctx := context.Background()
	k, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	st := keystore.NewMemoryStore(k, 1)
	addr := keystore.Address{Name: "x", DeviceID: 1}
	pk, err := session.NewPreKey(nil, 1)
	require.NoError(t, err)
	require.NoError(t, st.Update(ctx, func(tx keystore.Tx) error { return tx.StorePreKey(ctx, pk) }))

	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	boom := errors.New("boom")
	mutate := func(tx keystore.Tx) error {
		if err := tx.StoreSession(ctx, addr, []byte("rec")); err != nil {
			return err
		}
		if _, err := tx.SaveIdentity(ctx, addr, other.Public); err != nil {
			return err
		}
		if err := tx.RemovePreKey(ctx, 1); err != nil {
			return err
		}
		return tx.StoreSenderKey(ctx, addr, [16]byte{1}, []byte("sk"))
	}
	require.ErrorIs(t, st.Update(ctx, func(tx keystore.Tx) error {
		if err := mutate(tx); err != nil {
			return err
		}
		return boom
	}), boom)
	assert.Panics(t, func() {
		_ = st.Update(ctx, func(tx keystore.Tx) error {
			_ = mutate(tx)
			panic("mid-transaction")
		})
	})
	require.NoError(t, st.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, addr)
		require.NoError(t, err)
		assert.Nil(t, rec)
		_, ok, err := tx.Identity(ctx, addr)
		require.NoError(t, err)
		assert.False(t, ok)
		_, err = tx.PreKey(ctx, 1)
		assert.NoError(t, err)
		sk, err := tx.SenderKey(ctx, addr, [16]byte{1})
		require.NoError(t, err)
		assert.Nil(t, sk)
		return nil
	}))
	// Writes in View fail.
	err = st.View(ctx, func(tx keystore.Tx) error { return tx.StoreSession(ctx, addr, []byte("r")) })
	assert.ErrorIs(t, err, keystore.ErrReadOnly)
}
