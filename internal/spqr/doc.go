// Package spqr implements the parts of SPQR, Signal's Sparse Post-Quantum
// Ratchet, that a session needs to exchange messages with libsignal 0.103.
// libsignal requires SPQR version 1 in every 1:1 message: each message
// carries a few SPQR bytes, and the SPQR message key of each message salts
// the derivation of its Double Ratchet message keys.
//
// SPQR has two layers. The symmetric chain turns a root secret into one key
// per message and direction, grouped in chain epochs. The ML-KEM braid runs
// one incremental ML-KEM-768 exchange per SCKA epoch, sent in 32-byte chunks
// that ride on ordinary messages, and mixes each finished epoch's secret into
// the chain.
//
// # What is implemented
//
// Both layers, as in SparsePostQuantumRatchet v1.5.3. The chain: the start
// from the PQXDH SPQR authentication key, the per-message steps, adding
// epochs, the send-epoch rules, and out-of-order receiving with up to
// MaxOutOfOrderKeys stored keys and jumps of up to MaxJump. The braid: the
// eleven states of the send-EK and send-CT sides, the authenticator that
// MACs each header and ciphertext, and the epoch secrets that start new
// chain epochs. Its payloads travel with a GF(2^16) erasure code that
// recovers an N-chunk payload from any N distinct chunks, so lost and
// reordered messages only delay an epoch. The wire format is [ParseMessage] and [Message.Append].
//
// Two differences from SPQR remain. Messages with an SPQR version byte of 2
// or more fail with [ErrVersion], where SPQR accepts them without a key.
// States stored in the format written before the braid existed still load.
// They lack the authentication key the braid's MACs need, so they stay at
// epoch 1, sending type None and ignoring chunks. libsignal accepts that
// indefinitely, but such a session gets no post-quantum forward secrecy.
//
// # Using a State
//
// A session's initiator creates its state with [NewState] and [AliceToBob],
// the responder with [BobToAlice], both from the same authentication key. Each
// outgoing message calls [State.Send] once and each incoming message calls
// [State.Receive] once. Receive runs before the enclosing message is
// authenticated, so callers receive into [State.Clone] and keep the clone only
// after the message verifies. [State.MarshalBinary] and [UnmarshalState]
// store a state, keys included.
//
// The facts come from the SparsePostQuantumRatchet source at v1.5.3, the
// version libsignal pins. The chain and the first epoch are tested against
// values in its test fixtures, and the interop tests run the braid against
// libsignal-client 0.103 for several epochs.
package spqr
