package transport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"os"
	"time"
)

// SelfSignedCertificate creates an ECDSA P-256 certificate for hosts (DNS
// names or IP addresses) valid from now for validFor, signed by its own key.
// Leaf is set, so a client can pin it with ClientOptions.PinnedCertificate.
// rand nil means crypto/rand.Reader.
func SelfSignedCertificate(hosts []string, validFor time.Duration, rnd io.Reader) (tls.Certificate, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if len(hosts) == 0 {
		return tls.Certificate{}, errors.New("transport: self-signed certificate needs at least one host")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rnd)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: generate certificate key: %w", err)
	}
	serialBytes := make([]byte, 16)
	if _, err := io.ReadFull(rnd, serialBytes); err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: read randomness for certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(serialBytes),
		Subject:               pkix.Name{CommonName: hosts[0]},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validFor),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rnd, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: parse created certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// LoadOrCreateCertificate loads a PEM certificate and key from certFile and
// keyFile. When neither file exists, it creates a self-signed certificate
// for hosts valid for one year, writes both files (the key with mode 0600)
// and returns it. A relay run for the first time thus gets a certificate
// that its clients pin.
func LoadOrCreateCertificate(certFile, keyFile string, hosts []string) (tls.Certificate, error) {
	_, certErr := os.Stat(certFile)
	_, keyErr := os.Stat(keyFile)
	if errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist) {
		cert, err := SelfSignedCertificate(hosts, 365*24*time.Hour, nil)
		if err != nil {
			return tls.Certificate{}, err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("transport: encode certificate key: %w", err)
		}
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
		if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
			return tls.Certificate{}, fmt.Errorf("transport: write key: %w", err)
		}
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
		if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
			return tls.Certificate{}, fmt.Errorf("transport: write certificate: %w", err)
		}
		return cert, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("transport: load certificate %q and key %q: %w", certFile, keyFile, err)
	}
	return cert, nil
}
