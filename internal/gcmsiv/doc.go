// Package gcmsiv implements AES-GCM-SIV, the nonce-misuse-resistant AEAD of
// RFC 8452 (AEAD_AES_128_GCM_SIV and AEAD_AES_256_GCM_SIV), with the POLYVAL
// universal hash of RFC 8452 section 3. Go's standard library has no
// AES-GCM-SIV, and sealed sender v2 needs AES-256-GCM-SIV.
//
// [New] returns a [crypto/cipher.AEAD] with a 12-byte nonce and a 16-byte
// tag appended to the ciphertext. Keys are derived per nonce as RFC 8452
// section 4 describes, so every Seal and Open runs the AES key schedule for
// the derived encryption key.
//
// # Constant time
//
// POLYVAL multiplies with integer multiplications on masked operands, so no
// table lookup or branch depends on the key or the data. AES comes from
// crypto/aes, which is constant time on platforms with AES instructions.
// The tag comparison uses crypto/subtle, and Open zeroes its output when the
// tag does not verify.
//
// # Tests
//
// The tests check POLYVAL and the whole AEAD against the AES-256 and AES-128
// test vectors of RFC 8452 appendix C.
//
// TODO: add the Wycheproof aes_gcm_siv_test.json vectors. They could not be
// fetched when this package was written, because the Go module proxy serves
// only Go modules and the Wycheproof repository is not one.
package gcmsiv
