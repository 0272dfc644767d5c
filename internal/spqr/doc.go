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
// The chain is complete: the start from the PQXDH SPQR authentication key,
// the per-message steps, adding epochs, the send-epoch rules, and
// out-of-order receiving with up to MaxOutOfOrderKeys stored keys and jumps of
// up to MaxJump. So is the wire format of SPQR messages, [ParseMessage] and
// [Message.Append].
//
// The braid is not implemented yet. A [State] therefore stays at SCKA epoch 1
// and always sends type None, which is what SPQR's send-CT side sends while
// it waits for a header. It accepts every message type from the peer at
// epoch 1 and ignores the chunks. libsignal talks to such a peer indefinitely,
// but neither side's keys ever get post-quantum forward secrecy or
// post-compromise security from the braid, because no epoch is ever
// finished. Messages for any other epoch fail with [ErrEpochOutOfRange].
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
// version libsignal pins, and the chain is tested against values in its test
// fixtures.
package spqr
