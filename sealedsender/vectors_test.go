package sealedsender_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/sealedsender"
)

// hexBytes decodes a hex string from JSON.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	b, err := hex.DecodeString(s)
	*h = b
	return err
}

type vectorContent struct {
	Type        uint8    `json:"type"`
	Contents    hexBytes `json:"contents"`
	ContentHint uint32   `json:"content_hint"`
	GroupID     hexBytes `json:"group_id"`
}

// libsignalVectors is testdata/sealedsender/libsignal.json, written by
// interop/node/gen-sealed-vectors.mjs with libsignal-client 0.103.0.
type libsignalVectors struct {
	Time           int64    `json:"time"`
	TrustRoot      hexBytes `json:"trust_root"`
	OtherTrustRoot hexBytes `json:"other_trust_root"`
	ServerCert     hexBytes `json:"server_cert"`
	ServerKeyID    uint32   `json:"server_key_id"`
	Sender         struct {
		UUID        string   `json:"uuid"`
		E164        string   `json:"e164"`
		Device      uint32   `json:"device"`
		IdentityKey hexBytes `json:"identity_key"`
	} `json:"sender"`
	SenderCert        hexBytes `json:"sender_cert"`
	SenderCertExpires uint64   `json:"sender_cert_expires"`
	ExpiredSenderCert hexBytes `json:"expired_sender_cert"`
	Recipient         struct {
		IdentityPrivate hexBytes `json:"identity_private"`
		IdentityKey     hexBytes `json:"identity_key"`
	} `json:"recipient"`
	V1 struct {
		Message hexBytes `json:"message"`
		vectorContent
	} `json:"v1"`
	V1Expired hexBytes `json:"v1_expired"`
	V2        struct {
		Sent       hexBytes `json:"sent"`
		Recipients []struct {
			ServiceID       string   `json:"service_id"`
			Devices         []uint8  `json:"devices"`
			RegistrationIDs []uint16 `json:"registration_ids"`
			Received        hexBytes `json:"received"`
		} `json:"recipients"`
		Excluded []string `json:"excluded"`
		vectorContent
	} `json:"v2"`
}

func loadVectors(t *testing.T) (*libsignalVectors, curve.KeyPair, sealedsender.Trust, time.Time) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "sealedsender", "libsignal.json"))
	require.NoError(t, err)
	var v libsignalVectors
	require.NoError(t, json.Unmarshal(b, &v))
	priv, err := curve.NewPrivateKey(v.Recipient.IdentityPrivate)
	require.NoError(t, err)
	recipient := curve.NewKeyPair(priv)
	require.Equal(t, hex.EncodeToString(v.Recipient.IdentityKey), hex.EncodeToString(recipient.Public.Bytes()))
	root, err := curve.NewPublicKey(v.TrustRoot)
	require.NoError(t, err)
	return &v, recipient, sealedsender.Trust{Roots: []curve.PublicKey{root}}, time.UnixMilli(v.Time)
}

func checkContent(t *testing.T, v *libsignalVectors, want vectorContent, got *sealedsender.Content) {
	t.Helper()
	assert.Equal(t, sealedsender.MessageType(want.Type), got.Type)
	assert.Equal(t, hex.EncodeToString(want.Contents), hex.EncodeToString(got.Message))
	assert.Equal(t, sealedsender.ContentHint(want.ContentHint), got.ContentHint)
	assert.Equal(t, hex.EncodeToString(want.GroupID), hex.EncodeToString(got.GroupID))
	assert.Equal(t, hex.EncodeToString(v.SenderCert), hex.EncodeToString(got.Certificate.Bytes()))
}

func TestVectorsCertificates(t *testing.T) {
	v, _, trust, now := loadVectors(t)

	server, err := sealedsender.ParseServerCertificate(v.ServerCert)
	require.NoError(t, err)
	assert.Equal(t, v.ServerKeyID, server.KeyID())
	assert.True(t, server.Verify(trust.Roots[0]))

	cert, err := sealedsender.ParseSenderCertificate(v.SenderCert)
	require.NoError(t, err)
	s := cert.Sender()
	assert.Equal(t, v.Sender.UUID, s.UUID)
	assert.Equal(t, v.Sender.E164, s.E164)
	assert.Equal(t, v.Sender.Device, s.DeviceID)
	assert.Equal(t, hex.EncodeToString(v.Sender.IdentityKey), hex.EncodeToString(s.IdentityKey.Bytes()))
	assert.Equal(t, v.SenderCertExpires, cert.ExpiresMillis())
	assert.Equal(t, v.ServerKeyID, cert.ServerKeyID())
	assert.NoError(t, cert.Validate(trust, now))

	other, err := curve.NewPublicKey(v.OtherTrustRoot)
	require.NoError(t, err)
	assert.ErrorIs(t, cert.Validate(sealedsender.Trust{Roots: []curve.PublicKey{other}}, now), sealedsender.ErrUntrustedRoot)
	assert.NoError(t, cert.Validate(sealedsender.Trust{Roots: []curve.PublicKey{other, trust.Roots[0]}}, now))

	expired, err := sealedsender.ParseSenderCertificate(v.ExpiredSenderCert)
	require.NoError(t, err)
	assert.ErrorIs(t, expired.Validate(trust, now), sealedsender.ErrExpired)
}

func TestVectorsV1(t *testing.T) {
	v, recipient, trust, now := loadVectors(t)
	c, err := sealedsender.Unseal(recipient, v.V1.Message)
	require.NoError(t, err)
	checkContent(t, v, v.V1.vectorContent, c)
	assert.NoError(t, c.Certificate.Validate(trust, now))

	c, err = sealedsender.Unseal(recipient, v.V1Expired)
	require.NoError(t, err)
	assert.ErrorIs(t, c.Certificate.Validate(trust, now), sealedsender.ErrExpired)

	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	_, err = sealedsender.Unseal(other, v.V1.Message)
	assert.ErrorIs(t, err, sealedsender.ErrDecrypt)
}

func TestVectorsV2(t *testing.T) {
	v, recipient, trust, now := loadVectors(t)
	m, err := sealedsender.ParseSentMessage(v.V2.Sent)
	require.NoError(t, err)
	assert.Equal(t, byte(0x23), m.Version)

	var included, excluded int
	for _, want := range v.V2.Recipients {
		id, ok := sealedsender.ParseServiceID(want.ServiceID)
		require.True(t, ok)
		r, ok := m.Recipient(id)
		require.True(t, ok, want.ServiceID)
		require.Len(t, r.Devices, len(want.Devices))
		for i := range want.Devices {
			assert.Equal(t, want.Devices[i], r.Devices[i].ID)
			assert.Equal(t, want.RegistrationIDs[i], r.Devices[i].RegistrationID)
		}
		got, err := m.ReceivedMessage(r)
		require.NoError(t, err)
		assert.Equal(t, hex.EncodeToString(want.Received), hex.EncodeToString(got), want.ServiceID)
		included++
	}
	for _, s := range v.V2.Excluded {
		id, ok := sealedsender.ParseServiceID(s)
		require.True(t, ok)
		r, ok := m.Recipient(id)
		require.True(t, ok, s)
		assert.True(t, r.Excluded())
		excluded++
	}
	assert.Len(t, m.Recipients, included+excluded)

	bobID, _ := sealedsender.ParseServiceID("bbbbbbbb-7000-11eb-b32a-33b8a8a487a6")
	r, ok := m.Recipient(bobID)
	require.True(t, ok)
	received, err := m.ReceivedMessage(r)
	require.NoError(t, err)
	c, err := sealedsender.Unseal(recipient, received)
	require.NoError(t, err)
	checkContent(t, v, v.V2.vectorContent, c)
	assert.NoError(t, c.Certificate.Validate(trust, now))

	// Carol's copy does not open with Bob's key.
	carolID, _ := sealedsender.ParseServiceID("cccccccc-7000-11eb-b32a-33b8a8a487a6")
	r, ok = m.Recipient(carolID)
	require.True(t, ok)
	received, err = m.ReceivedMessage(r)
	require.NoError(t, err)
	_, err = sealedsender.Unseal(recipient, received)
	assert.ErrorIs(t, err, sealedsender.ErrDecrypt)
}
