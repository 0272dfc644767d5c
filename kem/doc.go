// Package kem implements the Kyber1024 key encapsulation mechanism that
// libsignal uses in PQXDH, built on crypto/mlkem.
//
// # Wire format
//
// libsignal v0.103 serializes KEM keys and ciphertexts as the type byte
// [KeyTypeKyber1024] (0x08) followed by the raw bytes: a public key is
// 1 + 1568 bytes and a ciphertext is 1 + 1568 bytes. The shared secret is 32
// bytes.
//
// # Kyber and ML-KEM
//
// libsignal's type 0x08 is CRYSTALS-Kyber round 3, not FIPS 203 ML-KEM. The
// two share key and ciphertext formats and the underlying encryption scheme,
// but derive the shared secret differently. Kyber returns
// SHAKE256(K̄ || SHA3-256(c), 32), where K̄ is the key that ML-KEM returns
// and c is the 1568-byte ciphertext without the type byte. This package runs
// ML-KEM-1024 from crypto/mlkem and applies that step, so its shared secrets
// match libsignal's. Key generation differs between the two only in how the
// seed is expanded, so keys made here work with libsignal.
//
// On a ciphertext that fails the re-encryption check, the two schemes return
// different pseudorandom secrets (implicit rejection), so such a ciphertext
// yields a different shared secret here than in libsignal. Neither side
// learns anything from this, and the session fails to authenticate.
package kem
