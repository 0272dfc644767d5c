package ratchet

// Protocol values.
const (
	ratchetInfo     = "WhisperRatchet"
	messageKeysInfo = "WhisperMessageKeys"

	messageKeySeedByte = 0x01
	chainKeySeedByte   = 0x02
)

// Limits shared with libsignal 0.103; a peer that exceeds them is rejected
// by libsignal too.
const (
	// MaxForwardJump is the largest number of message keys one message may
	// skip in its chain.
	MaxForwardJump = 25000
	// MaxSkippedKeys is the number of skipped message keys kept per
	// receiving chain.
	MaxSkippedKeys = 2000
	// MaxReceiverChains is the number of receiving chains kept per session.
	MaxReceiverChains = 5
)
