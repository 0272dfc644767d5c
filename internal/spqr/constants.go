package spqr

// Protocol values from SparsePostQuantumRatchet v1.5.3, the SPQR crate that
// libsignal 0.101 and later pin.
const (
	// protocolVersion is the first byte of every SPQR V1 message. An empty
	// message or a first byte of 0x00 means V0, a session without SPQR.
	protocolVersion byte = 0x01

	// labelChainStart keys the chain from the PQXDH SPQR authentication key.
	// It has two spaces between "Chain" and "Start".
	labelChainStart = "Signal PQ Ratchet V1 Chain  Start"

	// labelChainNext follows a big-endian 32-bit counter in the info of each
	// chain step.
	labelChainNext = "Signal PQ Ratchet V1 Chain Next"

	// labelChainAddEpoch mixes an epoch secret into the chain root.
	labelChainAddEpoch = "Signal PQ Ratchet V1 Chain Add Epoch"

	// labelAuthenticatorUpdate, followed by the big-endian 64-bit epoch, is
	// the info of the HKDF that mixes a key into the braid's authenticator.
	labelAuthenticatorUpdate = "Signal_PQCKA_V1_MLKEM768:Authenticator Update"

	// labelEpochSecret, followed by the big-endian 64-bit epoch, is the info
	// of the HKDF that turns an ML-KEM shared key into an epoch secret.
	labelEpochSecret = "Signal_PQCKA_V1_MLKEM768:SCKA Key"

	// labelHeaderMAC starts the input of the MAC over an encapsulation key
	// header: label, big-endian 64-bit epoch, header.
	labelHeaderMAC = "Signal_PQCKA_V1_MLKEM768:ekheader"

	// labelCiphertextMAC starts the input of the MAC over a ciphertext:
	// label, big-endian 64-bit epoch, ct1, ct2.
	labelCiphertextMAC = "Signal_PQCKA_V1_MLKEM768:ciphertext"

	// macSize is the size of the braid's HMAC-SHA256 tags, never truncated.
	macSize = 32

	// KeySize is the size of an SPQR message key, of a chain key and of the
	// authentication key that starts the chain.
	KeySize = 32

	// ChunkSize is the size of the erasure-coded chunk that Hdr, Ek, EkCt1Ack,
	// Ct1 and Ct2 messages carry.
	ChunkSize = 32

	// maxChunkIndex is the largest chunk index a message may carry. SPQR
	// numbers chunks with a 16-bit index.
	maxChunkIndex = 0xFFFF

	// maxVarintLen is the number of bytes SPQR's varint decoder reads at most.
	maxVarintLen = 10
)

// Implementation limits. MaxJump and MaxOutOfOrderKeys are SPQR v1.5.3's
// defaults. libsignal passes the same values, its Double Ratchet limits,
// except in a session with itself (note to self), where it allows any jump.
const (
	// MaxJump is how far ahead of the highest index received so far a
	// message index may be. A jump of exactly MaxJump is accepted.
	MaxJump = 25_000

	// MaxOutOfOrderKeys is how far behind the highest index received so far a
	// skipped message key is kept. It also bounds the number of stored keys in
	// one chain epoch.
	MaxOutOfOrderKeys = 2_000

	// maxChainLinks bounds the chain epochs one state keeps. SPQR drops every
	// chain epoch more than one before the send epoch, and the braid adds at
	// most one epoch between two sends, so valid states hold up to four.
	// Simulated conversations with reordering and losses never held more
	// than three, and the limit leaves room for twice the bound.
	maxChainLinks = 8

	// stateFormatVersion is the first byte of MarshalBinary's output.
	// Version 1 was written before the braid existed and is still read.
	stateFormatVersion   byte = 2
	stateFormatVersionV1 byte = 1
)
