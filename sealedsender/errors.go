package sealedsender

import (
	"errors"
	"fmt"
)

// Errors returned by this package. Functions wrap them with details, so
// compare with errors.Is.
var (
	// ErrMalformed means that a message, a certificate or the content of a
	// message could not be parsed.
	ErrMalformed = errors.New("sealedsender: malformed input")
	// ErrDecrypt means that a sealed message did not authenticate. The
	// error does not say which check failed.
	ErrDecrypt = errors.New("sealedsender: decryption failed")
	// ErrInvalidCertificate means that a sender certificate's signature
	// does not verify with its server key.
	ErrInvalidCertificate = errors.New("sealedsender: invalid certificate signature")
	// ErrUntrustedRoot means that no trust root signed the server
	// certificate, or that the server certificate is revoked.
	ErrUntrustedRoot = errors.New("sealedsender: trust root validation failed")
	// ErrExpired means that the sender certificate expired before the
	// validation time.
	ErrExpired = errors.New("sealedsender: certificate expired")
	// ErrUnknownServerCertificate means that a sender certificate names its
	// server certificate by a key id that the trust configuration lacks.
	ErrUnknownServerCertificate = errors.New("sealedsender: unknown server certificate id")
	// ErrSelfSend means that a message claims to come from this device.
	ErrSelfSend = errors.New("sealedsender: message sent by this device")
	// ErrUnsupportedType means that no cipher is configured for the inner
	// message type.
	ErrUnsupportedType = errors.New("sealedsender: unsupported inner message type")
	// ErrInvalidArgument means that the caller passed an invalid recipient
	// list, device id or registration id.
	ErrInvalidArgument = errors.New("sealedsender: invalid argument")
)

// VersionError is returned for a sealed message whose version byte this
// package does not support. It matches ErrMalformed.
type VersionError struct {
	// Version is the first byte of the message.
	Version byte
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("sealedsender: unknown message version byte 0x%02x", e.Version)
}

// Is makes errors.Is(err, ErrMalformed) true.
func (e *VersionError) Is(target error) bool { return target == ErrMalformed }

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}
