package transport

import (
	"errors"
	"fmt"
	"slices"
)

// Sentinel errors that callers branch on. The client returns a *StatusError
// for every failed request, and errors.Is matches it against the sentinel of
// its status.
var (
	// ErrNotFound reports an unknown account, device, username or
	// attachment.
	ErrNotFound = errors.New("transport: not found")
	// ErrUnauthorized reports a failed or missing authentication. A sealed
	// sender request with a wrong access key gets the same error as one for
	// an unknown account.
	ErrUnauthorized = errors.New("transport: unauthorized")
	// ErrForbidden reports a request that the authenticated device may not make.
	ErrForbidden = errors.New("transport: forbidden")
	// ErrBadRequest reports a malformed request or one with invalid values.
	ErrBadRequest = errors.New("transport: bad request")
	// ErrUsernameTaken reports a registration with a username already in use.
	ErrUsernameTaken = errors.New("transport: username already taken")
	// ErrTooLarge reports a request, envelope or attachment over its size limit.
	ErrTooLarge = errors.New("transport: too large")
	// ErrRateLimited reports a sender over its send rate.
	ErrRateLimited = errors.New("transport: rate limited")
	// ErrQueueFull reports a recipient device whose queue is at its count or
	// byte limit. The sender should retry later.
	ErrQueueFull = errors.New("transport: recipient queue full")
	// ErrMismatchedDevices matches a *MismatchedDevicesError.
	ErrMismatchedDevices = errors.New("transport: mismatched devices")
	// ErrStaleDevices matches a *StaleDevicesError.
	ErrStaleDevices = errors.New("transport: stale devices")
	// ErrServer reports a failure inside the server.
	ErrServer = errors.New("transport: server error")
	// ErrClosed reports use of a closed Client or Store.
	ErrClosed = errors.New("transport: closed")
	// ErrConnectionLost reports a request whose connection closed before the
	// response arrived. The request may or may not have run.
	ErrConnectionLost = errors.New("transport: connection lost")
	// ErrNoCertificateIssuer reports a sender certificate request to a
	// server configured without a CertificateIssuer.
	ErrNoCertificateIssuer = errors.New("transport: sender certificates not available")
)

// StatusError is a failed request as the server answered it.
type StatusError struct {
	Verb    string
	Status  uint32
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("transport: %s failed with status %d: %s", e.Verb, e.Status, e.Message)
}

// Is matches the sentinel error that belongs to the status code.
func (e *StatusError) Is(target error) bool {
	if e.Status == StatusConflict && e.Verb == VerbRegister {
		return target == ErrUsernameTaken
	}
	return statusSentinel(e.Status) == target
}

func statusSentinel(status uint32) error {
	switch status {
	case StatusBadRequest:
		return ErrBadRequest
	case StatusUnauthorized:
		return ErrUnauthorized
	case StatusForbidden:
		return ErrForbidden
	case StatusNotFound:
		return ErrNotFound
	case StatusConflict:
		return ErrMismatchedDevices
	case StatusGone:
		return ErrStaleDevices
	case StatusTooLarge:
		return ErrTooLarge
	case StatusTooManyRequests:
		return ErrRateLimited
	case StatusInsufficientStorage:
		return ErrQueueFull
	case StatusServerError:
		return ErrServer
	case StatusNotImplemented:
		return ErrNoCertificateIssuer
	}
	return nil
}

// MismatchedDevicesError lists the devices that a send lacked (Missing)
// and the device ids it named that the account does not have (Extra). The
// sender should fetch bundles for the missing devices, drop sessions for the
// extra ones and send again.
type MismatchedDevicesError struct {
	Missing []uint32
	Extra   []uint32
}

func (e *MismatchedDevicesError) Error() string {
	return fmt.Sprintf("transport: mismatched devices: missing %v, extra %v", e.Missing, e.Extra)
}

// Is reports whether target is ErrMismatchedDevices.
func (e *MismatchedDevicesError) Is(target error) bool { return target == ErrMismatchedDevices }

// StaleDevicesError lists devices whose registration id differs from the
// one the sender used, because they were registered again. The sender should
// fetch new bundles for them and send again.
type StaleDevicesError struct {
	Stale []uint32
}

func (e *StaleDevicesError) Error() string {
	return fmt.Sprintf("transport: stale devices %v", e.Stale)
}

// Is reports whether target is ErrStaleDevices.
func (e *StaleDevicesError) Is(target error) bool { return target == ErrStaleDevices }

// CheckDevices compares the per-device messages of a send with the
// destination's devices. It returns a *MismatchedDevicesError when the
// device sets differ and a *StaleDevicesError when they match but a
// registration id differs. Store implementations call it inside the
// transaction that enqueues the send.
func CheckDevices(devices []Device, msgs []OutgoingMessage) error {
	known := make(map[uint32]uint32, len(devices))
	for _, d := range devices {
		known[d.ID] = d.RegistrationID
	}
	seen := make(map[uint32]bool, len(msgs))
	var mismatch MismatchedDevicesError
	var stale StaleDevicesError
	for _, m := range msgs {
		seen[m.DeviceID] = true
		reg, ok := known[m.DeviceID]
		if !ok {
			mismatch.Extra = append(mismatch.Extra, m.DeviceID)
			continue
		}
		if reg != m.RegistrationID {
			stale.Stale = append(stale.Stale, m.DeviceID)
		}
	}
	for _, d := range devices {
		if !seen[d.ID] {
			mismatch.Missing = append(mismatch.Missing, d.ID)
		}
	}
	if len(mismatch.Missing) > 0 || len(mismatch.Extra) > 0 {
		slices.Sort(mismatch.Missing)
		slices.Sort(mismatch.Extra)
		return &mismatch
	}
	if len(stale.Stale) > 0 {
		slices.Sort(stale.Stale)
		return &stale
	}
	return nil
}
