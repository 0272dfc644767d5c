package client

import (
	"context"
	"io"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/transport"
)

// DefaultCertificateValidity is how long the sender certificates of a
// CertificateIssuer stay valid when Validity is zero.
const DefaultCertificateValidity = 24 * time.Hour

// CertificateIssuer issues sealed sender certificates for a relay; pass it
// as transport.ServerOptions.CertificateIssuer. The operator keeps a trust
// root key pair offline, signs a server certificate for the issuer's key
// with it (sealedsender.NewServerCertificate), and gives clients the trust
// root's public key as Options.TrustRoots.
type CertificateIssuer struct {
	// ServerCertificate is embedded in every sender certificate.
	ServerCertificate *sealedsender.ServerCertificate
	// Key is the private key of ServerCertificate. It must be kept secret,
	// because anyone who holds it can issue certificates in any sender's
	// name.
	Key curve.PrivateKey
	// Validity is how long each certificate stays valid
	// (DefaultCertificateValidity when zero).
	Validity time.Duration
	// Rand is the source of randomness; nil means crypto/rand.Reader.
	Rand io.Reader
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// IssueSenderCertificate implements transport.CertificateIssuer.
func (i *CertificateIssuer) IssueSenderCertificate(_ context.Context, s transport.SenderIdentity) ([]byte, error) {
	now := time.Now
	if i.Now != nil {
		now = i.Now
	}
	validity := i.Validity
	if validity <= 0 {
		validity = DefaultCertificateValidity
	}
	sender := sealedsender.Sender{UUID: s.ServiceID, DeviceID: s.DeviceID, IdentityKey: s.IdentityKey}
	cert, err := sealedsender.NewSenderCertificate(i.Rand, sender, now().Add(validity), i.ServerCertificate, i.Key)
	if err != nil {
		return nil, err
	}
	return cert.Bytes(), nil
}

// NewCertificateIssuer creates a server key, signs a server certificate
// with keyID for it with trustRoot, and returns an issuer that uses them.
// rnd nil means crypto/rand.Reader.
func NewCertificateIssuer(rnd io.Reader, trustRoot curve.PrivateKey, keyID uint32) (*CertificateIssuer, error) {
	serverKey, err := curve.GenerateKeyPair(rnd)
	if err != nil {
		return nil, err
	}
	cert, err := sealedsender.NewServerCertificate(rnd, keyID, serverKey.Public, trustRoot)
	if err != nil {
		return nil, err
	}
	return &CertificateIssuer{ServerCertificate: cert, Key: serverKey.Private, Rand: rnd}, nil
}
