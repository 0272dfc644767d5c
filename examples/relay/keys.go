package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/client"
	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/sealedsender"
)

// File names in the data directory. The private keys are raw 32-byte
// scalars with mode 0600; the server certificate is its serialized form.
const (
	trustRootFile  = "trust-root.key"
	serverKeyFile  = "server.key"
	serverCertFile = "server.crt"
	serverKeyID    = 1
)

type relayKeys struct {
	trustRoot curve.PublicKey
	issuer    *client.CertificateIssuer
}

// loadOrCreateKeys reads the trust root and server keys from dir, creating
// them when none exist.
//
// NOTE: the trust root private key is kept in the data directory so that a
// first run needs no setup. It is needed only to sign a new server
// certificate, so an operator should move it offline.
func loadOrCreateKeys(dir string) (*relayKeys, error) {
	_, err := os.Stat(filepath.Join(dir, serverCertFile))
	if errors.Is(err, fs.ErrNotExist) {
		return createKeys(dir)
	}
	if err != nil {
		return nil, err
	}
	cert, err := readServerCertificate(dir)
	if err != nil {
		return nil, err
	}
	key, err := readPrivateKey(filepath.Join(dir, serverKeyFile))
	if err != nil {
		return nil, err
	}
	if !key.PublicKey().Equal(cert.Key()) {
		return nil, fmt.Errorf("%s does not match the key in %s", serverKeyFile, serverCertFile)
	}
	root, err := readPrivateKey(filepath.Join(dir, trustRootFile))
	if err != nil {
		return nil, fmt.Errorf("%w (the trust root key is needed to print its public key)", err)
	}
	if !cert.Verify(root.PublicKey()) {
		return nil, fmt.Errorf("%s is not signed by %s", serverCertFile, trustRootFile)
	}
	return &relayKeys{trustRoot: root.PublicKey(), issuer: &client.CertificateIssuer{ServerCertificate: cert, Key: key}}, nil
}

func createKeys(dir string) (*relayKeys, error) {
	root, err := curve.GenerateKeyPair(nil)
	if err != nil {
		return nil, err
	}
	issuer, err := client.NewCertificateIssuer(nil, root.Private, serverKeyID)
	if err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{
		{trustRootFile, root.Private.Bytes()},
		{serverKeyFile, issuer.Key.Bytes()},
		// Written last: its presence marks a complete set.
		{serverCertFile, issuer.ServerCertificate.Bytes()},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return &relayKeys{trustRoot: root.Public, issuer: issuer}, nil
}

func readPrivateKey(path string) (curve.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return curve.PrivateKey{}, err
	}
	k, err := curve.NewPrivateKey(b)
	if err != nil {
		return curve.PrivateKey{}, fmt.Errorf("read %s: %w", path, err)
	}
	return k, nil
}

func readServerCertificate(dir string) (*sealedsender.ServerCertificate, error) {
	b, err := os.ReadFile(filepath.Join(dir, serverCertFile))
	if err != nil {
		return nil, err
	}
	cert, err := sealedsender.ParseServerCertificate(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", serverCertFile, err)
	}
	return cert, nil
}
