package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/parleyhq/parley/keystore/sqlstore"
)

// OpenStore opens the encrypted key store at path with passphrase, creating
// it with a new identity on the first run. A wrong passphrase returns an
// error that wraps sqlstore.ErrWrongKey.
func OpenStore(path string, passphrase []byte) (*sqlstore.Store, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		identity, regID, err := NewIdentity(nil)
		if err != nil {
			return nil, err
		}
		return sqlstore.Create(path, identity, regID, sqlstore.Options{Passphrase: passphrase})
	}
	if err != nil {
		return nil, err
	}
	store, err := sqlstore.Open(path, sqlstore.Options{Passphrase: passphrase})
	if errors.Is(err, sqlstore.ErrWrongKey) {
		return nil, fmt.Errorf("client: wrong passphrase for %s: %w", path, err)
	}
	return store, err
}
