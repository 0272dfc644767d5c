package spqr

import (
	"errors"
	"fmt"
)

var (
	// ErrVersion reports an SPQR message that is not version 1. libsignal
	// 0.103 requires version 1, so it also rejects an empty pq_ratchet field.
	// The error is a *VersionError.
	ErrVersion = errors.New("spqr: unsupported message version")

	// ErrMalformed reports SPQR message bytes that do not parse: a truncated
	// message or chunk, a varint without a terminator within 10 bytes, an
	// epoch of 0, an index above 2^32-1, a chunk index above 65535 or an
	// unknown message type. Bytes after a complete message are not an error,
	// because SPQR ignores them to leave room for later protocol versions.
	ErrMalformed = errors.New("spqr: malformed message")

	// ErrEpochOutOfRange reports a message for an epoch the state cannot
	// use. Received messages carry a *EpochError.
	ErrEpochOutOfRange = errors.New("spqr: epoch out of range")

	// ErrKeyAlreadyUsed reports a message index whose key was already
	// returned or was never stored. Index 0 is always rejected with it. The
	// error is a *KeyError.
	ErrKeyAlreadyUsed = errors.New("spqr: message key already used")

	// ErrKeyTrimmed reports a message index more than MaxOutOfOrderKeys
	// behind the highest index received in its chain epoch. The error is a
	// *KeyError.
	ErrKeyTrimmed = errors.New("spqr: message key too old")

	// ErrKeyJump reports a message index more than MaxJump ahead of the
	// highest index received in its chain epoch. The error is a *KeyError.
	ErrKeyJump = errors.New("spqr: message index too far ahead")

	// ErrInvalidState reports bytes that UnmarshalState cannot load, and a
	// state that cannot send because its counter or chain is exhausted.
	ErrInvalidState = errors.New("spqr: invalid state")
)

// VersionError reports the version byte of a message that is not SPQR V1.
// It matches ErrVersion with errors.Is.
type VersionError struct {
	// Version is the message's first byte, or 0 for an empty message. Both
	// mean V0, a peer without SPQR. SPQR itself accepts versions 2 and above
	// without producing a key, while this package rejects them.
	Version byte
}

func (e *VersionError) Error() string {
	if e.Version == 0 {
		return "spqr: message has no SPQR version (V0), version 1 is required"
	}
	return fmt.Sprintf("spqr: unsupported message version %d, version 1 is required", e.Version)
}

// Is reports whether target is ErrVersion.
func (e *VersionError) Is(target error) bool { return target == ErrVersion }

// EpochError reports a received message whose SCKA epoch the state cannot
// use. It matches ErrEpochOutOfRange with errors.Is.
type EpochError struct {
	Epoch   uint64 // the message's epoch
	Current uint64 // the state's epoch
}

func (e *EpochError) Error() string {
	return fmt.Sprintf("spqr: message epoch %d out of range at epoch %d", e.Epoch, e.Current)
}

// Is reports whether target is ErrEpochOutOfRange.
func (e *EpochError) Is(target error) bool { return target == ErrEpochOutOfRange }

// KeyError reports a message index for which no key can be returned.
type KeyError struct {
	Err     error  // ErrKeyAlreadyUsed, ErrKeyTrimmed or ErrKeyJump
	Epoch   uint64 // chain epoch, which is the message's epoch minus one
	Index   uint32 // the message's index
	Counter uint32 // highest index received so far in that chain epoch
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("%v: index %d in chain epoch %d, highest received %d", e.Err, e.Index, e.Epoch, e.Counter)
}

func (e *KeyError) Unwrap() error { return e.Err }

var (
	// ErrMAC reports a braid header or ciphertext whose MAC does not verify.
	// The peer does not hold the same authentication key and epoch secrets,
	// or a chunk was forged.
	ErrMAC = errors.New("spqr: braid MAC verification failed")

	// ErrEncapsulationKey reports a received ML-KEM key vector that does not
	// match the authenticated header, by hash or by the FIPS 203 modulus
	// check.
	ErrEncapsulationKey = errors.New("spqr: encapsulation key does not match its header")
)
