package sealedsender_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/session"
)

const (
	advAliceACI = "11111111-2222-4333-8444-555555555555"
	advBobACI   = "66666666-7777-4888-9999-aaaaaaaaaaaa"
	advEveACI   = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"
)

type advPKI struct {
	root, server curve.KeyPair
	serverCert   *sealedsender.ServerCertificate
}

func newAdvPKI(t *testing.T) *advPKI {
	t.Helper()
	root, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	server, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	sc, err := sealedsender.NewServerCertificate(nil, 3, server.Public, root.Private)
	require.NoError(t, err)
	return &advPKI{root: root, server: server, serverCert: sc}
}

func (p *advPKI) issue(t *testing.T, uuid string, id curve.PublicKey, expires time.Time) *sealedsender.SenderCertificate {
	t.Helper()
	c, err := sealedsender.NewSenderCertificate(nil, sealedsender.Sender{UUID: uuid, DeviceID: 1, IdentityKey: id}, expires, p.serverCert, p.server.Private)
	require.NoError(t, err)
	return c
}

func (p *advPKI) trust() sealedsender.Trust {
	return sealedsender.Trust{Roots: []curve.PublicKey{p.root.Public}}
}

func advKey(t *testing.T) curve.KeyPair {
	t.Helper()
	k, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	return k
}

func TestAdversarialSealedBorrowedCertificate(t *testing.T) {
	pki := newAdvPKI(t)
	alice, eve, bob := advKey(t), advKey(t), advKey(t)
	aliceCert := pki.issue(t, advAliceACI, alice.Public, time.Now().Add(time.Hour))

	// Eve holds a copy of Alice's valid certificate and seals with her
	// own identity key.
	content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: aliceCert, Message: []byte("spoof")}
	msg, err := sealedsender.EncryptV1(nil, eve, bob.Public, content)
	if err != nil {
		return // refusing to seal is fine too
	}
	_, err = sealedsender.Unseal(bob, msg)
	require.ErrorIs(t, err, sealedsender.ErrDecrypt)

	// The same with v2.
	bobID, ok := sealedsender.ParseServiceID(advBobACI)
	require.True(t, ok)
	sent, err := sealedsender.EncryptV2(nil, eve, []sealedsender.Recipient{{ServiceID: bobID, IdentityKey: bob.Public, Devices: []sealedsender.Device{{ID: 1, RegistrationID: 5}}}}, nil, content)
	if err != nil {
		return
	}
	sm, err := sealedsender.ParseSentMessage(sent)
	require.NoError(t, err)
	r, ok := sm.Recipient(bobID)
	require.True(t, ok)
	recv, err := sm.ReceivedMessage(r)
	require.NoError(t, err)
	_, err = sealedsender.Unseal(bob, recv)
	require.ErrorIs(t, err, sealedsender.ErrDecrypt)
}

func TestAdversarialSealedCertificateForOtherSender(t *testing.T) {
	// Eve has a genuine certificate of her own, for her own key, and claims
	// to be Alice nowhere: the receiver must report Eve.
	pki := newAdvPKI(t)
	eve, bob := advKey(t), advKey(t)
	eveCert := pki.issue(t, advEveACI, eve.Public, time.Now().Add(time.Hour))
	msg, err := sealedsender.EncryptV1(nil, eve, bob.Public, &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: eveCert, Message: []byte("x")})
	require.NoError(t, err)
	c, err := sealedsender.Unseal(bob, msg)
	require.NoError(t, err)
	require.NoError(t, c.Certificate.Validate(pki.trust(), time.Now()))
	assert.Equal(t, advEveACI, c.Certificate.Sender().UUID)

	// A certificate chain from another trust root is rejected.
	other := newAdvPKI(t)
	fake := other.issue(t, advAliceACI, eve.Public, time.Now().Add(time.Hour))
	assert.ErrorIs(t, fake.Validate(pki.trust(), time.Now()), sealedsender.ErrUntrustedRoot)

	// The relay refuses to sign with a key that is not the server
	// certificate's.
	_, err = sealedsender.NewSenderCertificate(nil, sealedsender.Sender{UUID: advAliceACI, DeviceID: 1, IdentityKey: eve.Public}, time.Now().Add(time.Hour), pki.serverCert, pki.root.Private)
	assert.ErrorIs(t, err, sealedsender.ErrInvalidArgument)
}

func TestAdversarialSealedExpiryBoundary(t *testing.T) {
	pki := newAdvPKI(t)
	alice, bob := advKey(t), advKey(t)
	expires := time.UnixMilli(time.Now().Add(time.Hour).UnixMilli())
	cert := pki.issue(t, advAliceACI, alice.Public, expires)
	require.True(t, cert.Expires().Equal(expires))

	assert.NoError(t, cert.Validate(pki.trust(), expires))
	assert.NoError(t, cert.Validate(pki.trust(), expires.Add(-time.Millisecond)))
	assert.ErrorIs(t, cert.Validate(pki.trust(), expires.Add(time.Millisecond)), sealedsender.ErrExpired)

	// Through Cipher.Open with an injected clock.
	msg, err := sealedsender.EncryptV1(nil, alice, bob.Public, &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: cert, Message: []byte("x")})
	require.NoError(t, err)
	st := keystore.NewMemoryStore(bob, 9)
	now := expires.Add(time.Millisecond)
	c := &sealedsender.Cipher{
		Sessions: &session.Cipher{Store: st, LocalAddress: keystore.Address{Name: advBobACI, DeviceID: 1}},
		Trust:    pki.trust(),
		Now:      func() time.Time { return now },
	}
	_, err = c.Open(context.Background(), msg)
	assert.ErrorIs(t, err, sealedsender.ErrExpired)
	now = expires
	_, err = c.Open(context.Background(), msg)
	assert.NoError(t, err)
}

func TestAdversarialSealedV2RepeatedRecipient(t *testing.T) {
	pki := newAdvPKI(t)
	alice, bob := advKey(t), advKey(t)
	cert := pki.issue(t, advAliceACI, alice.Public, time.Now().Add(time.Hour))
	bobID, ok := sealedsender.ParseServiceID(advBobACI)
	require.True(t, ok)
	content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: cert, Message: []byte("multi")}

	// The sender lists Bob twice with different devices.
	sent, err := sealedsender.EncryptV2(nil, alice, []sealedsender.Recipient{
		{ServiceID: bobID, IdentityKey: bob.Public, Devices: []sealedsender.Device{{ID: 1, RegistrationID: 11}}},
		{ServiceID: bobID, IdentityKey: bob.Public, Devices: []sealedsender.Device{{ID: 2, RegistrationID: 22}}},
	}, nil, content)
	require.NoError(t, err)
	sm, err := sealedsender.ParseSentMessage(sent)
	require.NoError(t, err)
	require.Len(t, sm.Recipients, 1)
	assert.Equal(t, []sealedsender.Device{{ID: 1, RegistrationID: 11}, {ID: 2, RegistrationID: 22}}, sm.Recipients[0].Devices)

	// A hand-made sent message that repeats Bob's listing on the wire.
	require.Equal(t, byte(0x23), sent[0])
	require.Equal(t, byte(1), sent[1])
	body := sent[2:]
	idLen, devLen, keyLen := 17, 3*2, 48
	bobEntry := body[:idLen+devLen+keyLen]
	shared := body[idLen+devLen+keyLen:]
	first := append(append([]byte(nil), bobEntry[:idLen]...), 1, 0, 11)
	first = append(first, bobEntry[idLen+devLen:]...)
	second := append(append([]byte(nil), bobEntry[:idLen]...), 2)
	second = binary.BigEndian.AppendUint16(second, 22)
	second = append(second, bobEntry[idLen+devLen:]...)
	dup := append([]byte{0x23, 2}, first...)
	dup = append(dup, second...)
	dup = append(dup, shared...)

	sm, err = sealedsender.ParseSentMessage(dup)
	require.NoError(t, err)
	require.Len(t, sm.Recipients, 1)
	assert.Len(t, sm.Recipients[0].Devices, 2)
	recv, err := sm.ReceivedMessage(&sm.Recipients[0])
	require.NoError(t, err)
	c, err := sealedsender.Unseal(bob, recv)
	require.NoError(t, err)
	assert.Equal(t, "multi", string(c.Message))

	// A repeated listing with no devices is rejected.
	empty := append([]byte{0x23, 2}, first...)
	empty = append(empty, bobEntry[:idLen]...)
	empty = append(empty, 0)
	empty = append(empty, shared...)
	_, err = sealedsender.ParseSentMessage(empty)
	assert.ErrorIs(t, err, sealedsender.ErrMalformed)
}

func TestAdversarialSealedGarbage(t *testing.T) {
	bob := advKey(t)
	inputs := [][]byte{
		nil, {0x11}, {0x22}, {0x23}, {0x31}, {0x11, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f},
		append([]byte{0x22}, make([]byte, 80)...),
		append([]byte{0x23, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, make([]byte, 40)...),
	}
	for i, in := range inputs {
		_, err := sealedsender.Unseal(bob, in)
		assert.Error(t, err, "input %d", i)
		if i != 6 { // 0x22 with zero recipients parses
			_, err = sealedsender.ParseSentMessage(in)
			assert.Error(t, err, "input %d", i)
		}
	}
}
