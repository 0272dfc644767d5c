package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeysCreatedOnce(t *testing.T) {
	dir := t.TempDir()
	first, err := loadOrCreateKeys(dir)
	require.NoError(t, err)
	for _, name := range []string{trustRootFile, serverKeyFile, serverCertFile} {
		info, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), name)
	}
	again, err := loadOrCreateKeys(dir)
	require.NoError(t, err)
	assert.True(t, first.trustRoot.Equal(again.trustRoot))
	assert.Equal(t, first.issuer.ServerCertificate.Bytes(), again.issuer.ServerCertificate.Bytes())
	assert.True(t, first.issuer.ServerCertificate.Verify(again.trustRoot))
}

func TestKeysMismatchRejected(t *testing.T) {
	dir := t.TempDir()
	_, err := loadOrCreateKeys(dir)
	require.NoError(t, err)
	other := t.TempDir()
	_, err = loadOrCreateKeys(other)
	require.NoError(t, err)

	// A server key from another data directory does not match the
	// certificate.
	key, err := os.ReadFile(filepath.Join(other, serverKeyFile))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, serverKeyFile), key, 0o600))
	_, err = loadOrCreateKeys(dir)
	assert.Error(t, err)
}

func TestKeysWrongRootRejected(t *testing.T) {
	dir := t.TempDir()
	_, err := loadOrCreateKeys(dir)
	require.NoError(t, err)
	other := t.TempDir()
	_, err = loadOrCreateKeys(other)
	require.NoError(t, err)

	root, err := os.ReadFile(filepath.Join(other, trustRootFile))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, trustRootFile), root, 0o600))
	_, err = loadOrCreateKeys(dir)
	assert.Error(t, err)
}
