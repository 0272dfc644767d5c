//go:build !unix

package sqlstore

import (
	"fmt"
	"os"
)

const lockSupported = false

// lockFile opens path+".lock" without locking it.
//
// BUG(sqlstore): On systems other than Unix, Open does not detect a second
// Store on the same file and never returns ErrInUse.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening lock file: %w", err)
	}
	return f, nil
}
