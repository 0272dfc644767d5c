// Package ratchet implements the Double Ratchet as libsignal 0.103 runs it,
// together with the sparse post-quantum ratchet (SPQR) that salts every
// message key.
//
// A [State] holds the root key, the sending chain, up to five receiving
// chains with their skipped message keys, and the SPQR state. [State.Send]
// and [State.Receive] advance it and return the keys for one message; the
// message format and its MAC belong to package session. Receive changes the
// state before the caller has checked the MAC, so callers work on a
// [State.Clone] and keep it only once the message has authenticated.
//
// # Key derivation
//
// A DH ratchet step is HKDF-SHA256 with the root key as salt, the X25519
// output as input and the info "WhisperRatchet", giving a new root key and a
// chain key. Each chain step takes HMAC-SHA256(chain key, 0x01) as the
// message key seed and HMAC-SHA256(chain key, 0x02) as the next chain key.
// Message keys are HKDF-SHA256 with the SPQR key as salt, the seed as input
// and the info "WhisperMessageKeys": an AES-256 key, an HMAC-SHA256 key and a
// CBC IV. See https://signal.org/docs/specifications/doubleratchet/.
//
// # Limits
//
// A message may skip at most [MaxForwardJump] keys of its chain, each
// receiving chain keeps at most [MaxSkippedKeys] skipped keys (the oldest are
// dropped), and at most [MaxReceiverChains] receiving chains are kept.
package ratchet
