package sealedsender_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/senderkey"
)

const (
	aliceACI = "aaaaaaaa-7000-11eb-b32a-33b8a8a487a6"
	bobACI   = "bbbbbbbb-7000-11eb-b32a-33b8a8a487a6"
	carolACI = "cccccccc-7000-11eb-b32a-33b8a8a487a6"
)

func TestV1PreKeyThenWhisper(t *testing.T) {
	auth := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	bob := newDevice(t, auth, bobACI, 2)
	alice.connect(bob)

	sealed, err := alice.cipher.Encrypt(ctx, bob.addr, alice.cert, []byte("hello bob"), sealedsender.HintResendable, []byte("group"))
	require.NoError(t, err)
	assert.Equal(t, byte(0x11), sealed[0])

	res, err := bob.cipher.Decrypt(ctx, sealed)
	require.NoError(t, err)
	assert.Equal(t, []byte("hello bob"), res.Plaintext)
	assert.Equal(t, aliceACI, res.Sender.UUID)
	assert.Equal(t, uint32(1), res.Sender.DeviceID)
	assert.True(t, res.Sender.IdentityKey.Equal(alice.id.Public))
	assert.Equal(t, sealedsender.TypePreKey, res.Content.Type)
	assert.Equal(t, sealedsender.HintResendable, res.Content.ContentHint)
	assert.Equal(t, []byte("group"), res.Content.GroupID)

	reply, err := bob.cipher.Encrypt(ctx, alice.addr, bob.cert, []byte("hi alice"), sealedsender.HintDefault, nil)
	require.NoError(t, err)
	res, err = alice.cipher.Decrypt(ctx, reply)
	require.NoError(t, err)
	assert.Equal(t, []byte("hi alice"), res.Plaintext)
	assert.Equal(t, sealedsender.TypeWhisper, res.Content.Type)
	assert.Equal(t, sealedsender.HintDefault, res.Content.ContentHint)
	assert.Nil(t, res.Content.GroupID)
}

// groupSetup gives the sender a sender key for a distribution and hands the
// distribution message to every recipient.
func groupSetup(t *testing.T, sender *device, recipients ...*device) [16]byte {
	t.Helper()
	dist := [16]byte{1, 2, 3, 4}
	skdm, err := senderkey.NewDistributionMessage(ctx, sender.store, sender.addr, dist, nil)
	require.NoError(t, err)
	for _, r := range recipients {
		require.NoError(t, senderkey.ProcessDistributionMessage(ctx, r.store, sender.addr, skdm))
	}
	return dist
}

func TestV2SenderKeyToSeveral(t *testing.T) {
	auth := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	bob := newDevice(t, auth, bobACI, 1)
	bob2 := newDevice(t, auth, bobACI, 2)
	// bob2 is another device of Bob's account and shares its identity key.
	bob2.id = bob.id
	bob2.store = keystore.NewMemoryStore(bob.id, bob2.regID)
	bob2.cipher.Sessions.Store = bob2.store
	carol := newDevice(t, auth, carolACI, 3)
	for _, r := range []*device{bob, bob2, carol} {
		alice.connect(r)
	}
	dist := groupSetup(t, alice, bob, bob2, carol)

	inner, err := senderkey.Encrypt(ctx, alice.store, alice.addr, dist, []byte("to the group"), nil)
	require.NoError(t, err)
	content := &sealedsender.Content{
		Type: sealedsender.TypeSenderKey, Certificate: alice.cert, Message: inner,
		ContentHint: sealedsender.HintImplicit, GroupID: []byte("gid"),
	}
	excluded, ok := sealedsender.ParseServiceID("PNI:dddddddd-7000-11eb-b32a-33b8a8a487a6")
	require.True(t, ok)
	// Bob's first device is listed twice: the sent form lists it once.
	sent, err := alice.cipher.SealMulti(ctx, []keystore.Address{bob.addr, carol.addr, bob2.addr, bob.addr}, []sealedsender.ServiceID{excluded}, content)
	require.NoError(t, err)
	assert.Equal(t, byte(0x23), sent[0])

	parsed, err := sealedsender.ParseSentMessage(sent)
	require.NoError(t, err)
	require.Len(t, parsed.Recipients, 3)
	assert.Equal(t, bobACI, parsed.Recipients[0].ServiceID.String())
	assert.Equal(t, []sealedsender.Device{{ID: 1, RegistrationID: 1001}, {ID: 2, RegistrationID: 1002}, {ID: 1, RegistrationID: 1001}}, parsed.Recipients[0].Devices)
	assert.Equal(t, carolACI, parsed.Recipients[1].ServiceID.String())
	assert.True(t, parsed.Recipients[2].Excluded())
	assert.Equal(t, excluded, parsed.Recipients[2].ServiceID)

	for _, r := range []*device{bob, bob2, carol} {
		id, _ := sealedsender.ParseServiceID(r.addr.Name)
		rcpt, ok := parsed.Recipient(id)
		require.True(t, ok)
		received, err := parsed.ReceivedMessage(rcpt)
		require.NoError(t, err)
		assert.Equal(t, byte(0x22), received[0])

		res, err := r.cipher.Decrypt(ctx, received)
		require.NoError(t, err, r.addr.String())
		assert.Equal(t, []byte("to the group"), res.Plaintext)
		assert.Equal(t, sealedsender.TypeSenderKey, res.Content.Type)
		assert.Equal(t, sealedsender.HintImplicit, res.Content.ContentHint)
		assert.Equal(t, []byte("gid"), res.Content.GroupID)
		assert.Equal(t, aliceACI, res.Sender.UUID)
	}

	rcpt, _ := parsed.Recipient(excluded)
	_, err = parsed.ReceivedMessage(rcpt)
	assert.ErrorIs(t, err, sealedsender.ErrInvalidArgument)
}

// sealV1 seals a content with type Whisper and a fixed body from alice to
// bob, without a session.
func sealV1(t *testing.T, alice, bob *device, cert *sealedsender.SenderCertificate) []byte {
	t.Helper()
	content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: cert, Message: []byte("inner")}
	sealed, err := sealedsender.EncryptV1(nil, alice.id, bob.id.Public, content)
	require.NoError(t, err)
	return sealed
}

func sealV2(t *testing.T, alice, bob *device, cert *sealedsender.SenderCertificate) []byte {
	t.Helper()
	content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: cert, Message: []byte("inner")}
	id, _ := sealedsender.ParseServiceID(bob.addr.Name)
	sent, err := sealedsender.EncryptV2(nil, alice.id, []sealedsender.Recipient{{
		ServiceID: id, IdentityKey: bob.id.Public, Devices: []sealedsender.Device{{ID: uint8(bob.addr.DeviceID), RegistrationID: 7}},
	}}, nil, content)
	require.NoError(t, err)
	parsed, err := sealedsender.ParseSentMessage(sent)
	require.NoError(t, err)
	received, err := parsed.ReceivedMessage(&parsed.Recipients[0])
	require.NoError(t, err)
	return received
}

func TestOpenRejects(t *testing.T) {
	auth := newAuthority(t, 1)
	other := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	bob := newDevice(t, auth, bobACI, 2)

	for name, seal := range map[string]func(*testing.T, *device, *device, *sealedsender.SenderCertificate) []byte{"v1": sealV1, "v2": sealV2} {
		t.Run(name+" ok", func(t *testing.T) {
			c, err := bob.cipher.Open(ctx, seal(t, alice, bob, alice.cert))
			require.NoError(t, err)
			assert.Equal(t, []byte("inner"), c.Message)
		})
		t.Run(name+" wrong root", func(t *testing.T) {
			_, err := bob.cipher.Open(ctx, seal(t, alice, bob, other.issue(t, alice, testNow.Add(time.Hour))))
			assert.ErrorIs(t, err, sealedsender.ErrUntrustedRoot)
		})
		t.Run(name+" expired", func(t *testing.T) {
			_, err := bob.cipher.Open(ctx, seal(t, alice, bob, auth.issue(t, alice, testNow.Add(-time.Millisecond))))
			assert.ErrorIs(t, err, sealedsender.ErrExpired)
		})
		t.Run(name+" expires now", func(t *testing.T) {
			_, err := bob.cipher.Open(ctx, seal(t, alice, bob, auth.issue(t, alice, testNow)))
			assert.NoError(t, err)
		})
		t.Run(name+" self", func(t *testing.T) {
			me := &device{t: t, addr: bob.addr, id: bob.id}
			_, err := bob.cipher.Open(ctx, seal(t, bob, bob, auth.issue(t, me, testNow.Add(time.Hour))))
			assert.ErrorIs(t, err, sealedsender.ErrSelfSend)
		})
		t.Run(name+" own other device", func(t *testing.T) {
			me := &device{t: t, addr: keystore.Address{Name: bobACI, DeviceID: 3}, id: bob.id}
			_, err := bob.cipher.Open(ctx, seal(t, bob, bob, auth.issue(t, me, testNow.Add(time.Hour))))
			assert.NoError(t, err)
		})
		t.Run(name+" wrong recipient", func(t *testing.T) {
			carol := newDevice(t, auth, carolACI, 1)
			_, err := carol.cipher.Open(ctx, seal(t, alice, bob, alice.cert))
			assert.ErrorIs(t, err, sealedsender.ErrDecrypt)
		})
		t.Run(name+" certificate of another key", func(t *testing.T) {
			mallory := newDevice(t, auth, carolACI, 1)
			// Mallory seals with her own key under Alice's certificate.
			content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: alice.cert, Message: []byte("x")}
			_, err := sealedsender.EncryptV1(nil, mallory.id, bob.id.Public, content)
			assert.ErrorIs(t, err, sealedsender.ErrInvalidArgument)
		})
	}
}

func TestSelfSendByE164(t *testing.T) {
	auth := newAuthority(t, 1)
	bob := newDevice(t, auth, bobACI, 2)
	bob.cipher.LocalE164 = "+15550001111"
	me := &device{t: t, addr: keystore.Address{Name: carolACI, DeviceID: 2}, id: bob.id, e164: "+15550001111"}
	_, err := bob.cipher.Open(ctx, sealV1(t, bob, bob, auth.issue(t, me, testNow.Add(time.Hour))))
	assert.ErrorIs(t, err, sealedsender.ErrSelfSend)
}

// TestTamperBytes flips bytes across a sealed message and truncates it at
// many lengths, and expects an error, never a panic or a different content.
// The first 120 bytes (version, keys, tags and the start of the body) are
// all tried, and past them every 7th byte, to keep the test fast under
// -race.
func TestTamperBytes(t *testing.T) {
	auth := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	bob := newDevice(t, auth, bobACI, 2)
	for name, sealed := range map[string][]byte{"v1": sealV1(t, alice, bob, alice.cert), "v2": sealV2(t, alice, bob, alice.cert)} {
		// Byte 0 is skipped: like libsignal, Unseal reads only the high
		// nibble of the version byte, and the version byte is not
		// authenticated, so 0x10 still opens as v1 and 0x23 as v2.
		for i := 1; i < len(sealed); i++ {
			if i > 120 && i%7 != 0 {
				continue
			}
			bad := bytes.Clone(sealed)
			bad[i] ^= 0x01
			_, err := sealedsender.Unseal(bob.id, bad)
			if !assert.Error(t, err, "%s byte %d", name, i) {
				continue
			}
			assert.True(t, errors.Is(err, sealedsender.ErrDecrypt) || errors.Is(err, sealedsender.ErrMalformed), "%s byte %d: %v", name, i, err)
		}
		for n := range len(sealed) {
			if n > 120 && n%7 != 0 {
				continue
			}
			_, err := sealedsender.Unseal(bob.id, sealed[:n])
			assert.Error(t, err, "%s truncated to %d", name, n)
		}
	}
}

func TestUnknownVersion(t *testing.T) {
	auth := newAuthority(t, 1)
	bob := newDevice(t, auth, bobACI, 2)
	for _, v := range []byte{0x33, 0x44, 0xff} {
		_, err := sealedsender.Unseal(bob.id, []byte{v, 1, 2, 3})
		var verr *sealedsender.VersionError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, v, verr.Version)
		assert.ErrorIs(t, err, sealedsender.ErrMalformed)
	}
	_, err := sealedsender.Unseal(bob.id, nil)
	assert.ErrorIs(t, err, sealedsender.ErrMalformed)
}

// certByID builds a sender certificate that names its server certificate by
// key id, signed with the authority's server key.
func certByID(t *testing.T, auth *authority, sender sealedsender.Sender, keyID uint32, expires uint64) *sealedsender.SenderCertificate {
	t.Helper()
	inner, err := proto.Marshal(&wire.SenderCertificate_Certificate{
		SenderUuid:   &wire.SenderCertificate_Certificate_UuidString{UuidString: sender.UUID},
		SenderDevice: proto.Uint32(sender.DeviceID),
		Expires:      proto.Uint64(expires),
		IdentityKey:  sender.IdentityKey.Bytes(),
		Signer:       &wire.SenderCertificate_Certificate_Id{Id: keyID},
	})
	require.NoError(t, err)
	sig, err := auth.serverKey.Private.Sign(nil, inner)
	require.NoError(t, err)
	outer, err := proto.Marshal(&wire.SenderCertificate{Certificate: inner, Signature: sig})
	require.NoError(t, err)
	cert, err := sealedsender.ParseSenderCertificate(outer)
	require.NoError(t, err)
	return cert
}

func TestCertificateByID(t *testing.T) {
	auth := newAuthority(t, 0x7357)
	key, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	sender := sealedsender.Sender{UUID: aliceACI, DeviceID: 1, IdentityKey: key.Public}
	expires := uint64(testNow.UnixMilli())
	cert := certByID(t, auth, sender, 0x7357, expires)
	assert.Nil(t, cert.ServerCertificate())
	assert.Equal(t, uint32(0x7357), cert.ServerKeyID())

	err = cert.Validate(auth.trust(), testNow)
	assert.ErrorIs(t, err, sealedsender.ErrUnknownServerCertificate)

	trust := auth.trust()
	trust.ServerCertificates = []*sealedsender.ServerCertificate{newAuthority(t, 1).server, auth.server}
	assert.NoError(t, cert.Validate(trust, testNow))
	assert.ErrorIs(t, cert.Validate(trust, testNow.Add(time.Millisecond)), sealedsender.ErrExpired)
}

func TestValidateSeveralRoots(t *testing.T) {
	auth := newAuthority(t, 1)
	other := newAuthority(t, 2)
	alice := newDevice(t, auth, aliceACI, 1)
	trust := sealedsender.Trust{Roots: []curve.PublicKey{other.root.Public, auth.root.Public}}
	assert.NoError(t, alice.cert.Validate(trust, testNow))
	assert.ErrorIs(t, alice.cert.Validate(sealedsender.Trust{Roots: []curve.PublicKey{other.root.Public}}, testNow), sealedsender.ErrUntrustedRoot)
	assert.ErrorIs(t, alice.cert.Validate(sealedsender.Trust{}, testNow), sealedsender.ErrUntrustedRoot)
}

func TestValidateRevokedServerID(t *testing.T) {
	auth := newAuthority(t, 0xDEADC357)
	alice := newDevice(t, auth, aliceACI, 1)
	assert.ErrorIs(t, alice.cert.Validate(auth.trust(), testNow), sealedsender.ErrUntrustedRoot)
}

func TestValidateBadSenderSignature(t *testing.T) {
	auth := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	var outer wire.SenderCertificate
	require.NoError(t, proto.Unmarshal(alice.cert.Bytes(), &outer))
	outer.Signature[5] ^= 1
	b, err := proto.Marshal(&outer)
	require.NoError(t, err)
	cert, err := sealedsender.ParseSenderCertificate(b)
	require.NoError(t, err)
	assert.ErrorIs(t, cert.Validate(auth.trust(), testNow), sealedsender.ErrInvalidCertificate)
}

func TestCertificateFields(t *testing.T) {
	auth := newAuthority(t, 42)
	alice := newDevice(t, auth, aliceACI, 7)
	alice.e164 = "+15550002222"
	cert := auth.issue(t, alice, time.UnixMilli(31337))

	parsed, err := sealedsender.ParseSenderCertificate(cert.Bytes())
	require.NoError(t, err)
	s := parsed.Sender()
	assert.Equal(t, aliceACI, s.UUID)
	assert.Equal(t, "+15550002222", s.E164)
	assert.Equal(t, uint32(7), s.DeviceID)
	assert.True(t, s.IdentityKey.Equal(alice.id.Public))
	assert.Equal(t, uint64(31337), parsed.ExpiresMillis())
	assert.Equal(t, uint32(42), parsed.ServerKeyID())
	require.NotNil(t, parsed.ServerCertificate())
	assert.True(t, parsed.ServerCertificate().Key().Equal(auth.serverKey.Public))
	assert.True(t, parsed.ServerCertificate().Verify(auth.root.Public))
	assert.Equal(t, cert.Bytes(), parsed.Bytes())
}

func TestCertificateUUIDBytes(t *testing.T) {
	auth := newAuthority(t, 1)
	key, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	inner, err := proto.Marshal(&wire.SenderCertificate_Certificate{
		SenderUuid:   &wire.SenderCertificate_Certificate_UuidBytes{UuidBytes: []byte{0xaa, 0xaa, 0xaa, 0xaa, 0x70, 0x00, 0x11, 0xeb, 0xb3, 0x2a, 0x33, 0xb8, 0xa8, 0xa4, 0x87, 0xa6}},
		SenderDevice: proto.Uint32(1),
		Expires:      proto.Uint64(31337),
		IdentityKey:  key.Public.Bytes(),
		Signer:       &wire.SenderCertificate_Certificate_Certificate{Certificate: auth.server.Bytes()},
	})
	require.NoError(t, err)
	sig, err := auth.serverKey.Private.Sign(nil, inner)
	require.NoError(t, err)
	outer, err := proto.Marshal(&wire.SenderCertificate{Certificate: inner, Signature: sig})
	require.NoError(t, err)
	cert, err := sealedsender.ParseSenderCertificate(outer)
	require.NoError(t, err)
	assert.Equal(t, aliceACI, cert.Sender().UUID)
	assert.NoError(t, cert.Validate(auth.trust(), time.UnixMilli(31336)))
}

func TestParseSenderCertificateMissingFields(t *testing.T) {
	auth := newAuthority(t, 1)
	key, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	full := func() *wire.SenderCertificate_Certificate {
		return &wire.SenderCertificate_Certificate{
			SenderUuid:   &wire.SenderCertificate_Certificate_UuidString{UuidString: aliceACI},
			SenderDevice: proto.Uint32(1),
			Expires:      proto.Uint64(1),
			IdentityKey:  key.Public.Bytes(),
			Signer:       &wire.SenderCertificate_Certificate_Certificate{Certificate: auth.server.Bytes()},
		}
	}
	cases := map[string]func(c *wire.SenderCertificate_Certificate){
		"no uuid": func(c *wire.SenderCertificate_Certificate) { c.SenderUuid = nil },
		"short uuid": func(c *wire.SenderCertificate_Certificate) {
			c.SenderUuid = &wire.SenderCertificate_Certificate_UuidBytes{UuidBytes: []byte{1}}
		},
		"no device":  func(c *wire.SenderCertificate_Certificate) { c.SenderDevice = nil },
		"device 0":   func(c *wire.SenderCertificate_Certificate) { c.SenderDevice = proto.Uint32(0) },
		"device 128": func(c *wire.SenderCertificate_Certificate) { c.SenderDevice = proto.Uint32(128) },
		"no expiry":  func(c *wire.SenderCertificate_Certificate) { c.Expires = nil },
		"no key":     func(c *wire.SenderCertificate_Certificate) { c.IdentityKey = nil },
		"bad key":    func(c *wire.SenderCertificate_Certificate) { c.IdentityKey = []byte{5, 1} },
		"no signer":  func(c *wire.SenderCertificate_Certificate) { c.Signer = nil },
		"bad server cert": func(c *wire.SenderCertificate_Certificate) {
			c.Signer = &wire.SenderCertificate_Certificate_Certificate{Certificate: []byte{0xff}}
		},
	}
	for name, mutate := range cases {
		c := full()
		mutate(c)
		inner, err := proto.Marshal(c)
		require.NoError(t, err)
		outer, err := proto.Marshal(&wire.SenderCertificate{Certificate: inner, Signature: make([]byte, 64)})
		require.NoError(t, err)
		_, err = sealedsender.ParseSenderCertificate(outer)
		assert.ErrorIs(t, err, sealedsender.ErrMalformed, name)
	}
	_, err = sealedsender.ParseSenderCertificate([]byte{0x0a, 0x01})
	assert.ErrorIs(t, err, sealedsender.ErrMalformed, "truncated")
	_, err = sealedsender.ParseSenderCertificate(nil)
	assert.ErrorIs(t, err, sealedsender.ErrMalformed, "empty")
}

func TestDecryptPlaintextType(t *testing.T) {
	auth := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	bob := newDevice(t, auth, bobACI, 2)
	content := &sealedsender.Content{Type: sealedsender.TypePlaintext, Certificate: alice.cert, Message: []byte{0xc0, 1}}
	sealed, err := sealedsender.EncryptV1(nil, alice.id, bob.id.Public, content)
	require.NoError(t, err)
	_, err = bob.cipher.Decrypt(ctx, sealed)
	assert.ErrorIs(t, err, sealedsender.ErrUnsupportedType)
}

func TestDecryptSenderKeyFunc(t *testing.T) {
	auth := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	bob := newDevice(t, auth, bobACI, 2)
	var got keystore.Address
	bob.cipher.SenderKeyDecrypt = func(_ context.Context, _ keystore.Store, sender keystore.Address, message []byte) ([]byte, error) {
		got = sender
		return append([]byte("decrypted "), message...), nil
	}
	content := &sealedsender.Content{Type: sealedsender.TypeSenderKey, Certificate: alice.cert, Message: []byte("skm")}
	sealed, err := sealedsender.EncryptV1(nil, alice.id, bob.id.Public, content)
	require.NoError(t, err)
	res, err := bob.cipher.Decrypt(ctx, sealed)
	require.NoError(t, err)
	assert.Equal(t, []byte("decrypted skm"), res.Plaintext)
	assert.Equal(t, alice.addr, got)
}

func TestRandError(t *testing.T) {
	auth := newAuthority(t, 1)
	alice := newDevice(t, auth, aliceACI, 1)
	bob := newDevice(t, auth, bobACI, 2)
	content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: alice.cert, Message: []byte("x")}
	_, err := sealedsender.EncryptV1(bytes.NewReader(nil), alice.id, bob.id.Public, content)
	assert.Error(t, err)
	id, _ := sealedsender.ParseServiceID(bobACI)
	_, err = sealedsender.EncryptV2(bytes.NewReader(nil), alice.id, []sealedsender.Recipient{{ServiceID: id, IdentityKey: bob.id.Public, Devices: []sealedsender.Device{{ID: 1}}}}, nil, content)
	assert.Error(t, err)
}
