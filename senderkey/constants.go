package senderkey

// Protocol values, from libsignal 0.103 (rust/protocol/src/protocol.rs and
// sender_keys.rs).
const (
	// messageVersion is the sender key message version. It is the high
	// nibble of a message's first byte.
	messageVersion = 3
	// versionByte is the first byte of every message we write:
	// messageVersion in both nibbles, as libsignal writes it.
	versionByte = messageVersion<<4 | messageVersion

	// SignatureSize is the length of the XEdDSA signature that ends a
	// SenderKeyMessage.
	SignatureSize = 64
	// ChainKeySize is the length of a sender chain key.
	ChainKeySize = 32
	// DistributionIDSize is the length of a distribution ID, a UUID.
	DistributionIDSize = 16

	// messageKeySeedLabel and chainKeyLabel are the HMAC-SHA256 inputs that
	// derive a message key seed and the next chain key from a chain key.
	messageKeySeedLabel = 0x01
	chainKeyLabel       = 0x02
	// messageKeyInfo is the HKDF info that expands a seed into a message key.
	messageKeyInfo = "WhisperGroup"
	// ivSize and cipherKeySize split the 48 HKDF output bytes: the AES-CBC
	// IV first, then the AES-256 key.
	ivSize        = 16
	cipherKeySize = 32
)

// Implementation limits, the same values as libsignal 0.103
// (rust/protocol/src/consts.rs).
const (
	// MaxForwardJumps is the largest number of iterations that one message
	// may skip ahead of the receiving chain.
	MaxForwardJumps = 25000
	// MaxSkippedKeys is the number of skipped message keys kept per state.
	// When a jump skips more, the oldest keys are dropped and their
	// messages can no longer be decrypted.
	MaxSkippedKeys = 2000
	// MaxStates is the number of sender key states kept per record. Adding
	// a state to a full record drops the oldest one.
	MaxStates = 5
)

// recordFormatVersion is the format_version written into stored records.
const recordFormatVersion = 1
