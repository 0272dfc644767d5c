package sealedsender_test

import (
	"encoding/hex"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/nodepeer"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/senderkey"
	"github.com/parleyhq/parley/x3dh"
)

// libsignal is one libsignal actor run by interop/node/sealed.mjs. Its
// state travels through JSON between runs.
type libsignal struct {
	t     *testing.T
	state json.RawMessage
	addr  keystore.Address
}

type op map[string]any

// run runs ops in one sealed.mjs process and returns their results. It
// fails the test for an op that failed unless that op has "fail": true.
func (l *libsignal) run(ops ...op) []map[string]any {
	l.t.Helper()
	in := struct {
		State json.RawMessage `json:"state,omitempty"`
		Ops   []op            `json:"ops"`
	}{State: l.state, Ops: ops}
	var out struct {
		State   json.RawMessage  `json:"state"`
		Results []map[string]any `json:"results"`
	}
	nodepeer.RunScript(l.t, "sealed.mjs", in, &out)
	l.state = out.State
	require.Len(l.t, out.Results, len(ops))
	for i, r := range out.Results {
		if ops[i]["fail"] != true {
			require.Equal(l.t, true, r["ok"], "op %v: %v", ops[i]["op"], r["message"])
		}
	}
	return out.Results
}

func (l *libsignal) one(o op) map[string]any {
	l.t.Helper()
	return l.run(o)[0]
}

func newLibsignal(t *testing.T, name string, device uint32) (*libsignal, curve.PublicKey) {
	t.Helper()
	l := &libsignal{t: t, addr: keystore.Address{Name: name, DeviceID: device}}
	r := l.one(op{"op": "init", "name": name, "device": device, "registration_id": 100 + device})
	return l, mustKey(t, r["identity_key"])
}

func unhexField(t *testing.T, v any) []byte {
	t.Helper()
	s, ok := v.(string)
	require.True(t, ok, "expected a hex string, got %v", v)
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func mustKey(t *testing.T, v any) curve.PublicKey {
	t.Helper()
	k, err := curve.NewPublicKey(unhexField(t, v))
	require.NoError(t, err)
	return k
}

func jsonAddress(a keystore.Address) op { return op{"name": a.Name, "device": a.DeviceID} }

func jsonBundle(b *x3dh.Bundle) op {
	return op{
		"registration_id": b.RegistrationID, "device_id": b.DeviceID,
		"pre_key_id": b.PreKeyID, "pre_key": hex.EncodeToString(b.PreKey.Bytes()),
		"signed_pre_key_id": b.SignedPreKeyID, "signed_pre_key": hex.EncodeToString(b.SignedPreKey.Bytes()),
		"signed_pre_key_signature": hex.EncodeToString(b.SignedPreKeySignature),
		"kyber_pre_key_id":         b.KyberPreKeyID, "kyber_pre_key": hex.EncodeToString(b.KyberPreKey.Bytes()),
		"kyber_pre_key_signature": hex.EncodeToString(b.KyberPreKeySignature),
		"identity_key":            hex.EncodeToString(b.IdentityKey.Bytes()),
	}
}

func fromJSONBundle(t *testing.T, v any) *x3dh.Bundle {
	t.Helper()
	m := v.(map[string]any)
	b := &x3dh.Bundle{
		RegistrationID: uint32(m["registration_id"].(float64)), DeviceID: uint32(m["device_id"].(float64)),
		HasPreKey: true, PreKeyID: uint32(m["pre_key_id"].(float64)), PreKey: mustKey(t, m["pre_key"]),
		SignedPreKeyID: uint32(m["signed_pre_key_id"].(float64)), SignedPreKey: mustKey(t, m["signed_pre_key"]),
		SignedPreKeySignature: unhexField(t, m["signed_pre_key_signature"]),
		KyberPreKeyID:         uint32(m["kyber_pre_key_id"].(float64)),
		KyberPreKeySignature:  unhexField(t, m["kyber_pre_key_signature"]),
		IdentityKey:           mustKey(t, m["identity_key"]),
	}
	var err error
	b.KyberPreKey, err = kem.NewPublicKey(unhexField(t, m["kyber_pre_key"]))
	require.NoError(t, err)
	return b
}

// libsignalAuthority is a trust root and server key made by libsignal.
type libsignalAuthority struct {
	root          curve.PublicKey
	serverPrivate string
	serverCert    string
}

func newLibsignalAuthority(t *testing.T, l *libsignal, keyID uint32) *libsignalAuthority {
	t.Helper()
	r := l.one(op{"op": "server_cert", "key_id": keyID})
	return &libsignalAuthority{
		root:          mustKey(t, r["trust_root_public"]),
		serverPrivate: r["server_private"].(string),
		serverCert:    r["server_cert"].(string),
	}
}

func (a *libsignalAuthority) issue(t *testing.T, l *libsignal, uuid string, device uint32, key curve.PublicKey, expires time.Time) string {
	t.Helper()
	r := l.one(op{
		"op": "sender_cert", "uuid": uuid, "e164": nil, "device": device,
		"identity_key": hex.EncodeToString(key.Bytes()), "expiration": expires.UnixMilli(),
		"server_cert": a.serverCert, "server_private": a.serverPrivate,
	})
	return r["sender_cert"].(string)
}

func TestInteropCertificates(t *testing.T) {
	l, _ := newLibsignal(t, aliceACI, 1)
	lauth := newLibsignalAuthority(t, l, 0x1234)
	key, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)

	t.Run("libsignal made, Go validates", func(t *testing.T) {
		certHex := lauth.issue(t, l, aliceACI, 3, key.Public, testNow)
		cert, err := sealedsender.ParseSenderCertificate(unhexField(t, certHex))
		require.NoError(t, err)
		assert.Equal(t, aliceACI, cert.Sender().UUID)
		assert.Equal(t, uint32(3), cert.Sender().DeviceID)
		assert.True(t, cert.Sender().IdentityKey.Equal(key.Public))
		assert.Equal(t, uint64(testNow.UnixMilli()), cert.ExpiresMillis())
		assert.Equal(t, uint32(0x1234), cert.ServerKeyID())

		trust := sealedsender.Trust{Roots: []curve.PublicKey{lauth.root}}
		assert.NoError(t, cert.Validate(trust, testNow))
		assert.ErrorIs(t, cert.Validate(trust, testNow.Add(time.Millisecond)), sealedsender.ErrExpired)
		other := newAuthority(t, 1)
		assert.ErrorIs(t, cert.Validate(other.trust(), testNow), sealedsender.ErrUntrustedRoot)
	})

	t.Run("Go made, libsignal validates", func(t *testing.T) {
		auth := newAuthority(t, 0x4321)
		cert, err := sealedsender.NewSenderCertificate(nil, sealedsender.Sender{
			UUID: bobACI, E164: "+15550003333", DeviceID: 5, IdentityKey: key.Public,
		}, testNow, auth.server, auth.serverKey.Private)
		require.NoError(t, err)
		certHex := hex.EncodeToString(cert.Bytes())
		root := hex.EncodeToString(auth.root.Public.Bytes())
		wrong := hex.EncodeToString(lauth.root.Bytes())
		rs := l.run(
			op{"op": "validate_cert", "sender_cert": certHex, "trust_roots": []string{root}, "time": testNow.UnixMilli()},
			op{"op": "validate_cert", "sender_cert": certHex, "trust_roots": []string{wrong, root}, "time": testNow.UnixMilli()},
			op{"op": "validate_cert", "sender_cert": certHex, "trust_roots": []string{wrong}, "time": testNow.UnixMilli()},
			op{"op": "validate_cert", "sender_cert": certHex, "trust_roots": []string{root}, "time": testNow.UnixMilli() + 1},
		)
		assert.Equal(t, true, rs[0]["valid"])
		assert.Equal(t, true, rs[1]["valid"])
		assert.Equal(t, false, rs[2]["valid"], "wrong root")
		assert.Equal(t, false, rs[3]["valid"], "expired")
		assert.Equal(t, bobACI, rs[0]["uuid"])
		assert.Equal(t, "+15550003333", rs[0]["e164"])
		assert.Equal(t, float64(5), rs[0]["device"])
		assert.Equal(t, float64(testNow.UnixMilli()), rs[0]["expiration"])
		assert.Equal(t, hex.EncodeToString(key.Public.Bytes()), rs[0]["identity_key"])
		assert.Equal(t, float64(0x4321), rs[0]["server_key_id"])
	})
}

func TestInteropV1(t *testing.T) {
	// Alice runs libsignal and Bob runs Parley, each with a trust root of
	// its own side.
	alice, aliceKey := newLibsignal(t, aliceACI, 1)
	lauth := newLibsignalAuthority(t, alice, 1)
	auth := newAuthority(t, 2)
	bob := newDevice(t, auth, bobACI, 2)
	bob.cipher.Trust = sealedsender.Trust{Roots: []curve.PublicKey{lauth.root}}
	aliceCert := lauth.issue(t, alice, aliceACI, 1, aliceKey, testNow.Add(time.Hour))
	aliceRoot := hex.EncodeToString(auth.root.Public.Bytes())

	alice.one(op{"op": "process_bundle", "address": jsonAddress(bob.addr), "bundle": jsonBundle(bob.bundle())})
	r := alice.one(op{"op": "seal_v1", "address": jsonAddress(bob.addr), "plaintext": hex.EncodeToString([]byte("first")),
		"sender_cert": aliceCert, "content_hint": 1, "group_id": "abcd"})
	res, err := bob.cipher.Decrypt(ctx, unhexField(t, r["message"]))
	require.NoError(t, err)
	assert.Equal(t, []byte("first"), res.Plaintext)
	assert.Equal(t, sealedsender.TypePreKey, res.Content.Type)
	assert.Equal(t, sealedsender.HintResendable, res.Content.ContentHint)
	assert.Equal(t, []byte{0xab, 0xcd}, res.Content.GroupID)
	assert.Equal(t, aliceACI, res.Sender.UUID)
	assert.Equal(t, uint32(1), res.Sender.DeviceID)
	assert.True(t, res.Sender.IdentityKey.Equal(aliceKey))

	// Bob replies under a Parley certificate; libsignal checks it against
	// Parley's trust root.
	reply, err := bob.cipher.Encrypt(ctx, alice.addr, bob.cert, []byte("reply"), sealedsender.HintImplicit, []byte{1, 2, 3})
	require.NoError(t, err)
	rs := alice.run(
		op{"op": "open_usmc", "message": hex.EncodeToString(reply)},
		op{"op": "open", "message": hex.EncodeToString(reply), "trust_root": hex.EncodeToString(lauth.root.Bytes()), "time": testNow.UnixMilli(), "fail": true},
		op{"op": "open", "message": hex.EncodeToString(reply), "trust_root": aliceRoot, "time": testNow.Add(2 * time.Hour).UnixMilli(), "fail": true},
		op{"op": "open", "message": hex.EncodeToString(reply), "trust_root": aliceRoot, "time": testNow.UnixMilli()},
	)
	assert.Equal(t, float64(sealedsender.TypeWhisper), rs[0]["type"])
	assert.Equal(t, float64(sealedsender.HintImplicit), rs[0]["content_hint"])
	assert.Equal(t, "010203", rs[0]["group_id"])
	assert.Equal(t, false, rs[1]["ok"], "wrong trust root")
	assert.Contains(t, rs[1]["message"], "trust root validation failed")
	assert.Equal(t, false, rs[2]["ok"], "expired")
	assert.Equal(t, hex.EncodeToString([]byte("reply")), rs[3]["plaintext"])
	assert.Equal(t, bobACI, rs[3]["sender_uuid"])
	assert.Equal(t, float64(2), rs[3]["device_id"])

	// Alice's next message is a Whisper message.
	r = alice.one(op{"op": "seal_v1", "address": jsonAddress(bob.addr), "plaintext": hex.EncodeToString([]byte("second")), "sender_cert": aliceCert})
	sealed := unhexField(t, r["message"])
	res, err = bob.cipher.Decrypt(ctx, sealed)
	require.NoError(t, err)
	assert.Equal(t, []byte("second"), res.Plaintext)
	assert.Equal(t, sealedsender.TypeWhisper, res.Content.Type)
	assert.Equal(t, sealedsender.HintDefault, res.Content.ContentHint)
	assert.Nil(t, res.Content.GroupID)

	t.Run("wrong root", func(t *testing.T) {
		c := *bob.cipher
		c.Trust = auth.trust()
		_, err := c.Open(ctx, sealed)
		assert.ErrorIs(t, err, sealedsender.ErrUntrustedRoot)
	})
	t.Run("expired", func(t *testing.T) {
		c := *bob.cipher
		c.Now = func() time.Time { return testNow.Add(time.Hour + time.Millisecond) }
		_, err := c.Open(ctx, sealed)
		assert.ErrorIs(t, err, sealedsender.ErrExpired)
	})
}

func TestInteropV1ToLibsignalPreKey(t *testing.T) {
	bob, _ := newLibsignal(t, bobACI, 3)
	auth := newAuthority(t, 9)
	alice := newDevice(t, auth, aliceACI, 1)
	b := bob.one(op{"op": "bundle"})
	require.NoError(t, alice.cipher.Sessions.ProcessBundle(ctx, bob.addr, fromJSONBundle(t, b["bundle"])))

	sealed, err := alice.cipher.Encrypt(ctx, bob.addr, alice.cert, []byte("hello libsignal"), sealedsender.HintDefault, nil)
	require.NoError(t, err)
	root := hex.EncodeToString(auth.root.Public.Bytes())
	rs := bob.run(
		op{"op": "open_usmc", "message": hex.EncodeToString(sealed)},
		op{"op": "open", "message": hex.EncodeToString(sealed), "trust_root": root, "time": testNow.UnixMilli()},
	)
	// open_usmc reports libsignal's CiphertextMessageType, where PreKey is 3.
	assert.Equal(t, float64(3), rs[0]["type"])
	assert.Equal(t, float64(0), rs[0]["content_hint"])
	assert.Nil(t, rs[0]["group_id"])
	assert.Equal(t, hex.EncodeToString(alice.cert.Bytes()), rs[0]["sender_cert"])
	assert.Equal(t, hex.EncodeToString([]byte("hello libsignal")), rs[1]["plaintext"])
	assert.Equal(t, aliceACI, rs[1]["sender_uuid"])
	assert.Equal(t, float64(1), rs[1]["device_id"])
}

// newSecondDevice returns another device of first's account, with the same
// identity key and its own store.
func newSecondDevice(t *testing.T, auth *authority, first *device, deviceID uint32) *device {
	t.Helper()
	d := newDevice(t, auth, first.addr.Name, deviceID)
	d.id = first.id
	d.store = keystore.NewMemoryStore(first.id, d.regID)
	d.cipher.Sessions.Store = d.store
	d.cert = auth.issue(t, d, testNow.Add(time.Hour))
	return d
}

func TestInteropV2FromLibsignal(t *testing.T) {
	alice, aliceKey := newLibsignal(t, aliceACI, 1)
	lauth := newLibsignalAuthority(t, alice, 1)
	auth := newAuthority(t, 2)
	bob := newDevice(t, auth, bobACI, 1)
	bob2 := newSecondDevice(t, auth, bob, 2)
	carol := newDevice(t, auth, carolACI, 4)
	recipients := []*device{bob, bob2, carol}
	var addrs []op
	for _, d := range recipients {
		d.cipher.Trust = sealedsender.Trust{Roots: []curve.PublicKey{lauth.root}}
		alice.one(op{"op": "process_bundle", "address": jsonAddress(d.addr), "bundle": jsonBundle(d.bundle())})
		addrs = append(addrs, jsonAddress(d.addr))
	}
	aliceCert := lauth.issue(t, alice, aliceACI, 1, aliceKey, testNow.Add(time.Hour))
	const excluded = "PNI:dddddddd-7000-11eb-b32a-33b8a8a487a6"

	r := alice.one(op{"op": "seal_v2", "addresses": addrs, "plaintext": hex.EncodeToString([]byte("group hello")),
		"sender_cert": aliceCert, "content_hint": 2, "group_id": "0102", "inner": "sender_key",
		"distribution_id": "d1d1d1d1-0000-4000-8000-000000000001", "excluded": []string{excluded}})
	sent := unhexField(t, r["message"])
	skdm := unhexField(t, r["skdm"])

	parsed, err := sealedsender.ParseSentMessage(sent)
	require.NoError(t, err)
	require.Len(t, parsed.Recipients, 3)
	assert.Equal(t, bobACI, parsed.Recipients[0].ServiceID.String())
	assert.Equal(t, []sealedsender.Device{{ID: 1, RegistrationID: uint16(bob.regID)}, {ID: 2, RegistrationID: uint16(bob2.regID)}}, parsed.Recipients[0].Devices)
	assert.Equal(t, carolACI, parsed.Recipients[1].ServiceID.String())
	assert.Equal(t, excluded, parsed.Recipients[2].ServiceID.String())
	assert.True(t, parsed.Recipients[2].Excluded())

	// libsignal's split of the same bytes gives the same received forms.
	split := alice.one(op{"op": "split_v2", "message": hex.EncodeToString(sent)})
	libReceived := map[string]string{}
	for _, x := range split["recipients"].([]any) {
		m := x.(map[string]any)
		libReceived[m["service_id"].(string)] = m["received"].(string)
	}
	assert.Equal(t, []any{excluded}, split["excluded"])

	for _, d := range recipients {
		require.NoError(t, senderkey.ProcessDistributionMessage(ctx, d.store, alice.addr, skdm))
		id, _ := sealedsender.ParseServiceID(d.addr.Name)
		rcpt, ok := parsed.Recipient(id)
		require.True(t, ok)
		received, err := parsed.ReceivedMessage(rcpt)
		require.NoError(t, err)
		assert.Equal(t, libReceived[d.addr.Name], hex.EncodeToString(received))

		res, err := d.cipher.Decrypt(ctx, received)
		require.NoError(t, err, d.addr.String())
		assert.Equal(t, []byte("group hello"), res.Plaintext)
		assert.Equal(t, sealedsender.TypeSenderKey, res.Content.Type)
		assert.Equal(t, sealedsender.HintImplicit, res.Content.ContentHint)
		assert.Equal(t, []byte{1, 2}, res.Content.GroupID)
		assert.Equal(t, aliceACI, res.Sender.UUID)
	}
}

func TestInteropV2ToLibsignal(t *testing.T) {
	auth := newAuthority(t, 3)
	alice := newDevice(t, auth, aliceACI, 1)
	bob, _ := newLibsignal(t, bobACI, 1)
	carol, _ := newLibsignal(t, carolACI, 2)
	for _, l := range []*libsignal{bob, carol} {
		b := l.one(op{"op": "bundle"})
		require.NoError(t, alice.cipher.Sessions.ProcessBundle(ctx, l.addr, fromJSONBundle(t, b["bundle"])))
	}
	// The inner message is a PreKey message for Bob, so Bob decrypts it
	// fully and Carol, for whom it is not meant, unseals it only.
	typ, inner, err := alice.cipher.Sessions.Encrypt(ctx, bob.addr, []byte("for bob"))
	require.NoError(t, err)
	require.Equal(t, "prekey", typ.String())
	content := &sealedsender.Content{Type: sealedsender.TypePreKey, Certificate: alice.cert, Message: inner,
		ContentHint: sealedsender.HintResendable, GroupID: []byte("g")}
	sent, err := alice.cipher.SealMulti(ctx, []keystore.Address{bob.addr, carol.addr}, nil, content)
	require.NoError(t, err)

	split := bob.one(op{"op": "split_v2", "message": hex.EncodeToString(sent)})
	received := map[string]string{}
	var ids []string
	for _, x := range split["recipients"].([]any) {
		m := x.(map[string]any)
		received[m["service_id"].(string)] = m["received"].(string)
		ids = append(ids, m["service_id"].(string))
		assert.Equal(t, []any{float64(map[string]uint32{bobACI: 1, carolACI: 2}[m["service_id"].(string)])}, m["devices"])
		assert.Equal(t, []any{float64(map[string]uint32{bobACI: 101, carolACI: 102}[m["service_id"].(string)])}, m["registration_ids"])
	}
	sort.Strings(ids)
	assert.Equal(t, []string{bobACI, carolACI}, ids)

	parsed, err := sealedsender.ParseSentMessage(sent)
	require.NoError(t, err)
	for i := range parsed.Recipients {
		ours, err := parsed.ReceivedMessage(&parsed.Recipients[i])
		require.NoError(t, err)
		assert.Equal(t, received[parsed.Recipients[i].ServiceID.String()], hex.EncodeToString(ours))
	}

	root := hex.EncodeToString(auth.root.Public.Bytes())
	r := bob.one(op{"op": "open", "message": received[bobACI], "trust_root": root, "time": testNow.UnixMilli()})
	assert.Equal(t, hex.EncodeToString([]byte("for bob")), r["plaintext"])
	assert.Equal(t, aliceACI, r["sender_uuid"])

	u := carol.one(op{"op": "open_usmc", "message": received[carolACI]})
	assert.Equal(t, float64(3), u["type"], "CiphertextMessageType PreKey")
	assert.Equal(t, hex.EncodeToString(inner), u["contents"])
	assert.Equal(t, float64(sealedsender.HintResendable), u["content_hint"])
	assert.Equal(t, hex.EncodeToString([]byte("g")), u["group_id"])

	// A copy tampered in its authentication tag is rejected by libsignal.
	bad := unhexField(t, received[carolACI])
	bad[1+32] ^= 1
	u = carol.one(op{"op": "open_usmc", "message": hex.EncodeToString(bad), "fail": true})
	assert.Equal(t, false, u["ok"])
}
