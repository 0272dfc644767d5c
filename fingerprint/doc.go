// Package fingerprint computes Signal safety numbers: the 60-digit string
// and the QR code payload that two users compare to check that each of them
// sees the other's real identity key. The output matches libsignal 0.103's
// Fingerprint byte for byte.
//
// # Computation
//
// Each side's fingerprint is an iterated hash of its identity key and a
// stable identifier:
//
//	H_1 = SHA-512(0x0000 || key || identifier || key)
//	H_i = SHA-512(H_(i-1) || key)   for i = 2 ... n
//
// where key is the 33-byte serialized public key and n is [Iterations]
// (5,200) in Signal apps. The first 30 bytes of H_n give 30 digits: six
// 5-byte big-endian numbers, each taken modulo 100000 and zero-padded to five
// digits. The display string is the two sides' 30 digits, the smaller first,
// so both users see the same 60 digits.
//
// # Scannable form
//
// [Fingerprint.Scannable] returns a CombinedFingerprints protobuf with the
// version (field 1) and the first 32 bytes of the local and remote hashes
// (fields 2 and 3, each a message whose field 1 is the content). The other
// side passes the scanned bytes to [Fingerprint.Compare], which checks that
// the scanned local content equals its remote one and the other way round.
//
// # Versions and identifiers
//
// [Version2], which Signal apps use, takes the 16 raw bytes of each side's
// ACI as the identifier. [Version1] takes the E.164 phone number as a string.
// The version is written into the scannable form only, so a scanned
// fingerprint of another version yields a [*VersionMismatchError] instead of
// a silent mismatch.
//
// # Security
//
// A safety number authenticates both identity keys only when the users
// compare all 60 digits or scan the code. Each side's 30 digits carry about
// 100 bits of its hash (six numbers below 100000), and the iteration count
// makes each attempt in a search for a key with the same digits cost 5,200
// hashes. Neither form is secret, but [Fingerprint.Compare] still compares
// the contents in constant time.
package fingerprint
