package ratchet

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/parleyhq/parley/curve"
)

// MessageKeys encrypt and authenticate one message. They must be kept secret.
type MessageKeys struct {
	CipherKey [32]byte
	MACKey    [32]byte
	IV        [16]byte
}

// chainKey is one step of a symmetric KDF chain.
type chainKey struct {
	key   [32]byte
	index uint32
}

// seed returns the message key seed of this step.
func (c chainKey) seed() [32]byte {
	return hmacByte(c.key, messageKeySeedByte)
}

func (c chainKey) next() chainKey {
	return chainKey{key: hmacByte(c.key, chainKeySeedByte), index: c.index + 1}
}

func hmacByte(key [32]byte, b byte) [32]byte {
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte{b})
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// deriveMessageKeys expands a message key seed, salted with the SPQR key.
func deriveMessageKeys(seed, spqrKey [32]byte) (MessageKeys, error) {
	out, err := hkdf.Key(sha256.New, seed[:], spqrKey[:], messageKeysInfo, 80)
	if err != nil {
		return MessageKeys{}, fmt.Errorf("ratchet: hkdf: %w", err)
	}
	var k MessageKeys
	copy(k.CipherKey[:], out[0:32])
	copy(k.MACKey[:], out[32:64])
	copy(k.IV[:], out[64:80])
	clear(out)
	return k, nil
}

// rootStep is one DH ratchet step: it mixes DH(ours, theirs) into the root
// key and returns the new root key and a fresh chain.
func rootStep(root [32]byte, ours curve.PrivateKey, theirs curve.PublicKey) ([32]byte, chainKey, error) {
	shared, err := ours.Agree(theirs)
	if err != nil {
		return [32]byte{}, chainKey{}, fmt.Errorf("ratchet: %w", err)
	}
	out, err := hkdf.Key(sha256.New, shared[:], root[:], ratchetInfo, 64)
	clear(shared[:])
	if err != nil {
		return [32]byte{}, chainKey{}, fmt.Errorf("ratchet: hkdf: %w", err)
	}
	var newRoot [32]byte
	var ck chainKey
	copy(newRoot[:], out[:32])
	copy(ck.key[:], out[32:])
	clear(out)
	return newRoot, ck, nil
}

// Format prints a placeholder for every verb, so the keys never reach a log.
func (k MessageKeys) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, "ratchet.MessageKeys(REDACTED)")
}
