package session_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/ratchet"
	"github.com/parleyhq/parley/senderkey"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/x3dh"
)

// leaks returns the fmt verbs whose output of v contains the first bytes of
// secret in hex or decimal.
func leaks(v any, secret []byte) []string {
	var out []string
	h := hex.EncodeToString(secret[:8])
	var dec []string
	for _, b := range secret[:8] {
		dec = append(dec, fmt.Sprint(b))
	}
	d := strings.Join(dec, " ")
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		s := fmt.Sprintf(f, v)
		if strings.Contains(strings.ToLower(s), h) || strings.Contains(s, d) || strings.Contains(s, fmt.Sprintf("%#x", secret[0])+", "+fmt.Sprintf("%#x", secret[1])) {
			out = append(out, f)
		}
	}
	return out
}

// TestFormatHidesSecrets formats every exported type that holds key
// material with each fmt verb and checks that no secret byte appears.
func TestFormatHidesSecrets(t *testing.T) {
	k, _ := curve.GenerateKeyPair(nil)
	priv := k.Private.Bytes()
	kk, _ := kem.GenerateKeyPair(nil)
	seed := kk.Private.Seed()
	report := func(name string, v any, s []byte) {
		if l := leaks(v, s); len(l) > 0 {
			t.Errorf("%s prints secret bytes with %v", name, l)
		}
	}
	report("curve.PrivateKey", k.Private, priv)
	report("*curve.PrivateKey", &k.Private, priv)
	report("curve.KeyPair", k, priv)
	report("*curve.KeyPair", &k, priv)
	report("kem.PrivateKey", kk.Private, seed)
	report("kem.KeyPair", kk, seed)
	report("*kem.KeyPair", &kk, seed)
	pk, _ := session.NewPreKey(nil, 1)
	report("keystore.PreKey", pk, pk.KeyPair.Private.Bytes())
	spk, _ := session.NewSignedPreKey(nil, k, 1, time.Now())
	report("keystore.SignedPreKey", spk, spk.KeyPair.Private.Bytes())
	kpk, _ := session.NewKyberPreKey(nil, k, 1, time.Now(), true)
	report("keystore.KyberPreKey", kpk, kpk.KeyPair.Private.Seed())
	st := keystore.NewMemoryStore(k, 1)
	report("*keystore.MemoryStore", st, priv)
	rk := [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}
	s := ratchet.NewResponder(rk, rk, rk, k)
	report("*ratchet.State", s, rk[:])
	report("*ratchet.State(priv)", s, priv)
	_, mk, _ := s.Send(nil)
	report("ratchet.MessageKeys", mk, mk.CipherKey[:])
	sk := x3dh.SharedKeys{RootKey: rk}
	report("x3dh.SharedKeys", sk, rk[:])
	rkeys := x3dh.ResponderKeys{Identity: k, SignedPreKey: k, KyberPreKey: kk.Private}
	report("x3dh.ResponderKeys", rkeys, priv)
	report("x3dh.ResponderKeys(kyber)", rkeys, seed)
	c := &session.Cipher{Store: st}
	report("session.Cipher", c, priv)
	report("session.Cipher val", *c, priv)
	var dist [16]byte
	skdm, _ := senderkey.NewDistributionMessage(ctx, st, keystore.Address{Name: "a", DeviceID: 1}, dist, nil)
	dm, _ := senderkey.ParseDistributionMessage(skdm)
	ck := dm.ChainKey()
	report("*senderkey.DistributionMessage", dm, ck[:])
	report("senderkey.DistributionMessage", *dm, ck[:])
}
