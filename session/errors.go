package session

import (
	"errors"
	"fmt"

	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/ratchet"
)

var (
	// ErrNoSession is returned when there is no usable session with the
	// remote address: none was built, or the initiator's session went 30
	// days without a reply.
	ErrNoSession = errors.New("session: no session")
	// ErrDuplicateMessage is returned for a message that was already
	// decrypted, or whose key was dropped from the skipped-key window.
	ErrDuplicateMessage = ratchet.ErrDuplicateMessage
	// ErrInvalidMessage is returned for a message that is malformed or that
	// fails to authenticate. Authentication failures carry no detail on
	// which check failed.
	ErrInvalidMessage = errors.New("session: invalid message")
	// ErrLegacyMessage is returned for a version 3 (X3DH without Kyber)
	// message, which libsignal 0.103 no longer accepts either.
	ErrLegacyMessage = errors.New("session: X3DH messages without a Kyber prekey are no longer supported")
	// ErrUntrustedIdentity is matched by an *UntrustedIdentityError.
	ErrUntrustedIdentity = errors.New("session: untrusted identity")
	// ErrNoPreKey is returned when a PreKey message names a prekey that the
	// store does not have. It wraps keystore.ErrNotFound.
	ErrNoPreKey = errors.New("session: prekey not found")
)

// UntrustedIdentityError is returned when the identity store does not trust
// the remote identity key. The application decides whether to trust the new
// key, for example after comparing safety numbers, and saves it with the
// identity store's SaveIdentity before retrying.
type UntrustedIdentityError struct {
	Address keystore.Address
}

func (e *UntrustedIdentityError) Error() string {
	return fmt.Sprintf("session: untrusted identity key for %q", e.Address.String())
}

// Is makes errors.Is(err, ErrUntrustedIdentity) true.
func (e *UntrustedIdentityError) Is(target error) bool {
	return target == ErrUntrustedIdentity
}

// errDecryptionFailed is the single error for every authentication failure.
var errDecryptionFailed = fmt.Errorf("%w: decryption failed", ErrInvalidMessage)
