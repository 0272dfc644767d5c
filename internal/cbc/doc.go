// Package cbc implements AES in CBC mode with PKCS#7 padding, the cipher that
// Signal uses for message bodies (AES-256-CBC) and sender key messages.
//
// CBC mode is defined in NIST SP 800-38A, section 6.2. PKCS#7 padding is
// defined in RFC 5652, section 6.3: every plaintext gets 1 to 16 padding
// bytes, each equal to the padding length, so a block-aligned plaintext gains
// a whole block.
//
// # Security
//
// CBC provides no integrity. A receiver must authenticate the ciphertext
// (Signal uses an HMAC or a signature over the whole message) before it calls
// [Decrypt]. Otherwise the padding check turns into a padding oracle. Decrypt
// checks the padding without branching on the padding bytes, but that reduces
// the risk and does not replace the MAC check.
package cbc
