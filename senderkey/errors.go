package senderkey

import (
	"encoding/hex"
	"errors"
)

var (
	// ErrDuplicateMessage is returned for a message whose iteration was
	// already decrypted, or whose skipped key was dropped because more than
	// MaxSkippedKeys keys were skipped after it.
	ErrDuplicateMessage = errors.New("senderkey: duplicate message")
	// ErrNoSenderKey is returned when there is no sender key state for the
	// message: no record for its sender and distribution ID, or no state
	// in the record with its chain ID. The sender must send a new
	// distribution message. Encrypt returns it when the sender has not
	// created its own state with NewDistributionMessage.
	ErrNoSenderKey = errors.New("senderkey: no sender key state")
	// ErrInvalidSignature is returned when a message's signature does not
	// verify with the signing key of its chain.
	ErrInvalidSignature = errors.New("senderkey: invalid message signature")
	// ErrInvalidMessage is returned for a message or distribution message
	// that is malformed, or whose ciphertext does not decrypt.
	ErrInvalidMessage = errors.New("senderkey: invalid message")
	// ErrTooFarAhead is returned for a message more than MaxForwardJumps
	// iterations ahead of its receiving chain.
	ErrTooFarAhead = errors.New("senderkey: message too far ahead of the chain")
)

// formatUUID returns id in the usual 8-4-4-4-12 hexadecimal UUID form.
func formatUUID(id [DistributionIDSize]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}
