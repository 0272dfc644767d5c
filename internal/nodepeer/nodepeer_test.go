package nodepeer

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	aliceAddress = Address{Name: "9d0652a3-dcc3-4d11-975f-74d61598733f", Device: 1}
	bobAddress   = Address{Name: "796abedb-ca4e-4f18-8803-1fde5b921f9b", Device: 2}
)

// startPair starts two peers, Alice and Bob, and gives Alice a session with
// Bob built from a bundle with or without a one-time prekey.
func startPair(t *testing.T, oneTime bool) (alice, bob *Peer, bobIdentity []byte) {
	t.Helper()
	alice = Start(t)
	bob = Start(t)

	aliceIdentity, err := alice.Init(aliceAddress.Name, aliceAddress.Device, 1111)
	require.NoError(t, err)
	require.Len(t, aliceIdentity, 33)
	bobIdentity, err = bob.Init(bobAddress.Name, bobAddress.Device, 2222)
	require.NoError(t, err)
	require.Len(t, bobIdentity, 33)

	bundle, err := bob.Bundle(oneTime)
	require.NoError(t, err)
	require.NoError(t, alice.ProcessBundle(bobAddress, bundle))
	return alice, bob, bobIdentity
}

// send encrypts plaintext at from and decrypts it at to, checking the type.
func send(t *testing.T, from *Peer, fromAddr Address, to *Peer, toAddr Address, plaintext, wantType string) {
	t.Helper()
	messageType, ciphertext, err := from.Encrypt(toAddr, []byte(plaintext))
	require.NoError(t, err)
	require.Equal(t, wantType, messageType)
	got, err := to.Decrypt(fromAddr, messageType, ciphertext)
	require.NoError(t, err)
	require.Equal(t, plaintext, string(got))
}

func requireCategory(t *testing.T, err error, category string) {
	t.Helper()
	var peerErr *Error
	require.ErrorAs(t, err, &peerErr)
	require.Equal(t, category, peerErr.Category, "message: %s", peerErr.Message)
}

func TestBundleShape(t *testing.T) {
	p := Start(t)
	identity, err := p.Init(bobAddress.Name, bobAddress.Device, 77)
	require.NoError(t, err)

	first, err := p.Bundle(true)
	require.NoError(t, err)
	assert.Equal(t, uint32(77), first.RegistrationID)
	assert.Equal(t, bobAddress.Device, first.DeviceID)
	require.NotNil(t, first.PreKeyID)
	assert.Len(t, first.PreKey, 33)
	assert.Len(t, first.SignedPreKey, 33)
	assert.Len(t, first.SignedPreKeySignature, 64)
	assert.Len(t, first.KyberPreKey, 1569)
	assert.Equal(t, byte(0x08), first.KyberPreKey[0])
	assert.Len(t, first.KyberPreKeySignature, 64)
	assert.Equal(t, identity, first.IdentityKey)

	second, err := p.Bundle(false)
	require.NoError(t, err)
	assert.Nil(t, second.PreKeyID)
	assert.Nil(t, second.PreKey)
	assert.NotEqual(t, first.SignedPreKeyID, second.SignedPreKeyID)
	assert.NotEqual(t, first.KyberPreKeyID, second.KyberPreKeyID)
}

func TestConversation(t *testing.T) {
	alice, bob, _ := startPair(t, true)

	has, err := alice.HasSession(bobAddress)
	require.NoError(t, err)
	assert.True(t, has)
	has, err = bob.HasSession(aliceAddress)
	require.NoError(t, err)
	assert.False(t, has)

	send(t, alice, aliceAddress, bob, bobAddress, "a1", MessageTypePreKey)
	send(t, alice, aliceAddress, bob, bobAddress, "a2", MessageTypePreKey)
	has, err = bob.HasSession(aliceAddress)
	require.NoError(t, err)
	assert.True(t, has)

	send(t, bob, bobAddress, alice, aliceAddress, "b1", MessageTypeWhisper)
	send(t, alice, aliceAddress, bob, bobAddress, "a3", MessageTypeWhisper)
	send(t, bob, bobAddress, alice, aliceAddress, "b2", MessageTypeWhisper)
	send(t, bob, bobAddress, alice, aliceAddress, "", MessageTypeWhisper)
	send(t, alice, aliceAddress, bob, bobAddress, "a4", MessageTypeWhisper)
}

func TestTamperedMessage(t *testing.T) {
	alice, bob, _ := startPair(t, true)
	send(t, alice, aliceAddress, bob, bobAddress, "hello", MessageTypePreKey)
	send(t, bob, bobAddress, alice, aliceAddress, "reply", MessageTypeWhisper)

	messageType, ciphertext, err := alice.Encrypt(bobAddress, []byte("tamper me"))
	require.NoError(t, err)
	require.Equal(t, MessageTypeWhisper, messageType)

	tampered := append([]byte(nil), ciphertext...)
	tampered[len(tampered)-1] ^= 0x01
	_, err = bob.Decrypt(aliceAddress, messageType, tampered)
	requireCategory(t, err, CategoryInvalidMessage)

	got, err := bob.Decrypt(aliceAddress, messageType, ciphertext)
	require.NoError(t, err, "a rejected copy must not change the session")
	assert.Equal(t, "tamper me", string(got))

	_, err = bob.Decrypt(aliceAddress, messageType, ciphertext)
	requireCategory(t, err, CategoryDuplicate)
}

func TestNoOneTimePreKey(t *testing.T) {
	alice, bob, _ := startPair(t, false)
	send(t, alice, aliceAddress, bob, bobAddress, "a1", MessageTypePreKey)
	send(t, bob, bobAddress, alice, aliceAddress, "b1", MessageTypeWhisper)
	send(t, alice, aliceAddress, bob, bobAddress, "a2", MessageTypeWhisper)
}

func TestNewIdentity(t *testing.T) {
	alice, bob, oldIdentity := startPair(t, true)
	send(t, alice, aliceAddress, bob, bobAddress, "a1", MessageTypePreKey)
	send(t, bob, bobAddress, alice, aliceAddress, "b1", MessageTypeWhisper)

	require.NoError(t, bob.NewIdentity())
	has, err := bob.HasSession(aliceAddress)
	require.NoError(t, err)
	assert.False(t, has)

	messageType, ciphertext, err := alice.Encrypt(bobAddress, []byte("to the old install"))
	require.NoError(t, err)
	_, err = bob.Decrypt(aliceAddress, messageType, ciphertext)
	requireCategory(t, err, CategoryNoSession)

	bundle, err := bob.Bundle(true)
	require.NoError(t, err)
	require.NotEqual(t, oldIdentity, bundle.IdentityKey)
	err = alice.ProcessBundle(bobAddress, bundle)
	requireCategory(t, err, CategoryUntrustedIdentity)

	require.NoError(t, alice.SaveIdentity(bobAddress, bundle.IdentityKey))
	require.NoError(t, alice.ProcessBundle(bobAddress, bundle))
	send(t, alice, aliceAddress, bob, bobAddress, "a2", MessageTypePreKey)
	send(t, bob, bobAddress, alice, aliceAddress, "b2", MessageTypeWhisper)
}

func TestRejectedRequests(t *testing.T) {
	alice, bob, _ := startPair(t, true)
	stranger := Address{Name: "0d7c7a4e-3b5e-4c43-9d0e-5d5a1a7f0b11", Device: 1}

	_, _, err := alice.Encrypt(stranger, []byte("x"))
	requireCategory(t, err, CategoryNoSession)

	_, err = alice.Decrypt(bobAddress, "bogus", []byte{0x44})
	requireCategory(t, err, CategoryOther)

	_, err = alice.Decrypt(bobAddress, MessageTypeWhisper, nil)
	requireCategory(t, err, CategoryInvalidMessage)

	_, err = alice.Init("", 1, 1)
	requireCategory(t, err, CategoryOther)

	_, err = alice.HasSession(Address{Name: "x", Device: 500})
	requireCategory(t, err, CategoryOther)

	bundle, err := bob.Bundle(true)
	require.NoError(t, err)
	bundle.SignedPreKeySignature[10] ^= 0x01
	err = alice.ProcessBundle(stranger, bundle)
	requireCategory(t, err, CategoryInvalidKey)

	bundle, err = bob.Bundle(true)
	require.NoError(t, err)
	bundle.KyberPreKey = bundle.KyberPreKey[:100]
	err = alice.ProcessBundle(stranger, bundle)
	requireCategory(t, err, CategoryInvalidKey)

	// The peer keeps serving after rejected requests.
	send(t, alice, aliceAddress, bob, bobAddress, "still here", MessageTypePreKey)
}

func TestStopped(t *testing.T) {
	p := Start(t)
	_, err := p.Init(aliceAddress.Name, aliceAddress.Device, 1)
	require.NoError(t, err)
	p.stop()
	_, err = p.HasSession(bobAddress)
	require.ErrorIs(t, err, ErrClosed)
}

func TestDecodeResponse(t *testing.T) {
	var result struct {
		HasSession bool `json:"has_session"`
	}
	require.NoError(t, decodeResponse([]byte(`{"id":3,"ok":true,"has_session":true}`), 3, &result))
	assert.True(t, result.HasSession)

	err := decodeResponse([]byte(`{"id":3,"ok":false,"error":"duplicate","message":"old counter"}`), 3, nil)
	var peerErr *Error
	require.ErrorAs(t, err, &peerErr)
	assert.Equal(t, &Error{Category: CategoryDuplicate, Message: "old counter"}, peerErr)

	cases := map[string]string{
		"wrong id":         `{"id":4,"ok":true}`,
		"null id":          `{"id":null,"ok":false,"error":"other","message":"invalid JSON request"}`,
		"missing id":       `{"ok":true}`,
		"unknown category": `{"id":3,"ok":false,"error":"surprise","message":"m"}`,
		"not JSON":         `hello`,
		"bad hex":          `{"id":3,"ok":true,"plaintext":"zz"}`,
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			var result struct {
				Plaintext hexBytes `json:"plaintext"`
			}
			err := decodeResponse([]byte(line), 3, &result)
			require.Error(t, err)
			assert.False(t, errors.As(err, new(*Error)), "a malformed response is not a peer Error")
		})
	}
}

func TestEncodeRequest(t *testing.T) {
	line, err := encodeRequest(9, "encrypt", map[string]any{
		"address":   aliceAddress.wire(),
		"plaintext": hexBytes{0xab, 0x01},
		"id":        "ignored",
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":9,"cmd":"encrypt","address":{"name":"9d0652a3-dcc3-4d11-975f-74d61598733f","device":1},"plaintext":"ab01"}`, string(line))
	assert.Equal(t, byte('\n'), line[len(line)-1])
}

func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"id":1,"ok":true,"bundle":{"pre_key_id":null,"pre_key":null,"identity_key":"05"}}`))
	f.Add([]byte(`{"id":1,"ok":false,"error":"invalid_key","message":"bad key type <0x04>"}`))
	f.Add([]byte(`{"id":1,"ok":true,"plaintext":"00ff"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var result struct {
			Bundle    wireBundle `json:"bundle"`
			Plaintext hexBytes   `json:"plaintext"`
		}
		err := decodeResponse(line, 1, &result)
		var peerErr *Error
		if errors.As(err, &peerErr) && peerErr.Category == "" {
			t.Fatalf("peer error without a category from %q", line)
		}
	})
}

func BenchmarkRoundTrip(b *testing.B) {
	alice := Start(b)
	bob := Start(b)
	_, err := alice.Init(aliceAddress.Name, aliceAddress.Device, 1)
	require.NoError(b, err)
	_, err = bob.Init(bobAddress.Name, bobAddress.Device, 2)
	require.NoError(b, err)
	bundle, err := bob.Bundle(true)
	require.NoError(b, err)
	require.NoError(b, alice.ProcessBundle(bobAddress, bundle))

	plaintext := []byte("benchmark message")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		messageType, ciphertext, err := alice.Encrypt(bobAddress, plaintext)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bob.Decrypt(aliceAddress, messageType, ciphertext); err != nil {
			b.Fatal(fmt.Errorf("message %d: %w", i, err))
		}
	}
}
