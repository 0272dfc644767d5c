// Package curve implements Curve25519 keys in libsignal's serialized form,
// X25519 key agreement, and XEdDSA signatures that libsignal accepts.
//
// # Keys
//
// A [PublicKey] is serialized as the type byte [KeyTypeDJB] (0x05) followed by
// the 32-byte little-endian X25519 u-coordinate, 33 bytes in all. Parsing
// rejects a wrong type byte or length, a u-coordinate that is not reduced
// modulo 2^255-19 (including any value with the top bit set), and the
// low-order u-coordinates whose X25519 output is all zero for every private key.
//
// A [PrivateKey] is a 32-byte X25519 scalar, clamped as RFC 7748 section 5
// describes. Its String, GoString and Format methods print a placeholder, so
// formatting a key or a [KeyPair] with the fmt package never prints the
// scalar. [PrivateKey.Bytes] returns the scalar, which must be kept secret.
//
// # Key agreement
//
// [PrivateKey.Agree] computes X25519 (RFC 7748) with crypto/ecdh and returns
// [ErrZeroSharedSecret] when the output is all zero, as RFC 7748 section 6.1
// recommends.
//
// # Signatures
//
// [PrivateKey.Sign] and [PublicKey.Verify] implement XEd25519 from the XEdDSA
// specification (https://signal.org/docs/specifications/xeddsa/) with the
// change that libsignal makes. The specification negates the private scalar
// so that the Edwards public key A always has sign bit 0. libsignal instead
// signs with A as it is and stores the sign bit of A in the top bit of
// signature byte 63, which is otherwise always zero because s < 2^253.
// Verification reads the sign from that bit, so signatures made either way
// verify. Verification is stricter than libsignal in one point. It rejects
// s >= L, the group order, while libsignal 0.103 reduces s modulo L and
// accepts s + L (testdata/xeddsa_libsignal.json records this for 20 keys).
// Signers never produce such an s.
package curve
