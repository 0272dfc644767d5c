//go:build unix

package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockSupported reports whether lockFile detects a second Store.
const lockSupported = true

// lockFile takes an exclusive flock on path+".lock", creating it if
// needed. The lock belongs to the open file description, so a second Open
// in the same process conflicts too, and the kernel drops it when the
// process exits, even by SIGKILL.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is locked", ErrInUse, path)
		}
		return nil, fmt.Errorf("sqlstore: locking %s: %w", path, err)
	}
	return f, nil
}
