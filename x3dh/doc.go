// Package x3dh implements PQXDH, the post-quantum extended triple
// Diffie-Hellman key agreement that starts a Signal session, in the form
// libsignal 0.103 speaks it: Curve25519 for the Diffie-Hellman parts and
// Kyber1024 (key type 0x08) for the KEM part. Despite the package name,
// plain X3DH without a Kyber prekey is rejected, as libsignal rejects it.
//
// The initiator fetches a [Bundle] of the responder's public prekeys, checks
// its signatures and calls [Initiate]. The responder calls [Respond] with the
// private halves named in the first message. Both sides derive the same
// [SharedKeys]. See https://signal.org/docs/specifications/pqxdh/.
package x3dh
