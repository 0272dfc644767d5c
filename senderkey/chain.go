package senderkey

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"math"
)

// errChainExhausted is returned when a chain would pass iteration 2^32-1.
var errChainExhausted = errors.New("senderkey: sender chain has reached its last iteration")

// chainKey is one step of a sender chain: the chain key for iteration.
type chainKey struct {
	iteration uint32
	key       [ChainKeySize]byte
}

// derive returns HMAC-SHA256(key, label).
func (c *chainKey) derive(label byte) [32]byte {
	mac := hmac.New(sha256.New, c.key[:])
	mac.Write([]byte{label})
	var out [32]byte
	mac.Sum(out[:0])
	return out
}

// messageKeySeed returns HMAC-SHA256(chain key, 0x01), the seed of the
// message key for c.iteration.
func (c *chainKey) messageKeySeed() [32]byte {
	return c.derive(messageKeySeedLabel)
}

// next returns the chain key for the following iteration,
// HMAC-SHA256(chain key, 0x02).
func (c *chainKey) next() (chainKey, error) {
	if c.iteration == math.MaxUint32 {
		return chainKey{}, errChainExhausted
	}
	return chainKey{iteration: c.iteration + 1, key: c.derive(chainKeyLabel)}, nil
}

// messageKey is the AES-256-CBC key and IV of one message.
type messageKey struct {
	iv        [ivSize]byte
	cipherKey [cipherKeySize]byte
}

// newMessageKey expands a message key seed with
// HKDF-SHA256(salt = none, ikm = seed, info = "WhisperGroup", 48) into the IV
// (first 16 bytes) and the AES-256 key (last 32 bytes).
func newMessageKey(seed [32]byte) messageKey {
	okm, err := hkdf.Key(sha256.New, seed[:], nil, messageKeyInfo, ivSize+cipherKeySize)
	if err != nil {
		// 48 bytes is far below HKDF-SHA256's limit of 255*32.
		panic("senderkey: unreachable: " + err.Error())
	}
	var k messageKey
	copy(k.iv[:], okm[:ivSize])
	copy(k.cipherKey[:], okm[ivSize:])
	clear(okm)
	return k
}
