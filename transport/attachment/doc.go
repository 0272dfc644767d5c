// Package attachment encrypts files for upload to a relay, in the layout
// that Signal uses for attachments.
//
// A random 64-byte key is split into an AES-256 key (first 32 bytes) and an
// HMAC-SHA256 key (last 32 bytes). The plaintext is padded with zero bytes to
// a size bucket ([PaddedSize]) so the relay learns only the bucket, then
// encrypted:
//
//	blob   = iv (16 bytes) || AES-256-CBC(padded plaintext, PKCS#7) || mac (32 bytes)
//	mac    = HMAC-SHA256(macKey, iv || ciphertext)
//	digest = SHA-256(blob)
//
// The sender puts the key, the digest and the plaintext size into the
// end-to-end encrypted message (a [Pointer]) and uploads the blob. The
// receiver checks the digest and the MAC before it decrypts, and cuts the
// padding off with the size.
package attachment
