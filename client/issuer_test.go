package client

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/transport"
)

func TestIssuerCertificate(t *testing.T) {
	root, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	issuer, err := NewCertificateIssuer(nil, root.Private, 7)
	require.NoError(t, err)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	issuer.Now = func() time.Time { return now }
	issuer.Validity = time.Hour
	identity, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)

	b, err := issuer.IssueSenderCertificate(context.Background(), transport.SenderIdentity{
		ServiceID: "9d0652a3-dcc3-4d11-975f-74d61598733f", DeviceID: 3, IdentityKey: identity.Public,
	})
	require.NoError(t, err)
	cert, err := sealedsender.ParseSenderCertificate(b)
	require.NoError(t, err)
	sender := cert.Sender()
	assert.Equal(t, "9d0652a3-dcc3-4d11-975f-74d61598733f", sender.UUID)
	assert.Equal(t, uint32(3), sender.DeviceID)
	assert.True(t, sender.IdentityKey.Equal(identity.Public))
	assert.Equal(t, uint32(7), cert.ServerKeyID())
	assert.True(t, now.Add(time.Hour).Equal(cert.Expires()), "expiry %v", cert.Expires())

	trust := sealedsender.Trust{Roots: []curve.PublicKey{root.Public}}
	assert.NoError(t, cert.Validate(trust, now))
	assert.ErrorIs(t, cert.Validate(trust, now.Add(2*time.Hour)), sealedsender.ErrExpired)
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	assert.ErrorIs(t, cert.Validate(sealedsender.Trust{Roots: []curve.PublicKey{other.Public}}, now), sealedsender.ErrUntrustedRoot)
}
