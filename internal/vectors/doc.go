// Package vectors checks the primitives Parley builds on against test
// vectors published by others. It contains only tests.
//
// rfc5869_test.go runs the HKDF-SHA-256 test cases 1 to 3 of RFC 5869,
// appendix A, against crypto/hkdf. Because HKDF-Extract is HMAC-SHA-256 keyed
// with the salt, these cases also check crypto/hmac with SHA-256.
//
// The wycheproof_*_test.go files run cases selected from Project Wycheproof
// (https://github.com/C2SP/wycheproof, Apache-2.0; see WYCHEPROOF-NOTICE).
// The Go module proxy returned 403 Forbidden for the module
// github.com/C2SP/wycheproof when this package was written, so the cases are
// typed into Go tables, each with its Wycheproof tcId, comment, flags and
// result:
//
//   - X25519 against curve.NewPrivateKey, curve.NewPublicKeyFromRaw and
//     PrivateKey.Agree, including public keys on the twist, low-order and
//     non-canonical public keys and all-zero shared secrets. Parley rejects
//     some keys that Wycheproof marks acceptable, and the documentation of
//     TestWycheproofX25519 lists the rejections it allows.
//   - HKDF-SHA-256 against crypto/hkdf, including empty salts, the maximum
//     output length of 255 * 32 bytes and one byte more.
//   - HMAC-SHA-256 against crypto/hmac, with full and 128-bit truncated tags
//     and modified tags that must not verify.
//   - AES-CBC with PKCS#7 padding against internal/cbc, including nine kinds
//     of malformed padding and an empty ciphertext.
//   - AES-GCM-SIV against internal/gcmsiv, including every modified-tag case
//     and the cases whose counter wraps modulo 2^32.
//
// Each file's header names its source file and the cases it keeps.
package vectors
