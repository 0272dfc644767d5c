// Package vectors checks the primitives Parley builds on against test
// vectors published by others. It contains only tests.
//
// rfc5869_test.go runs the HKDF-SHA-256 test cases 1 to 3 of RFC 5869,
// appendix A, against crypto/hkdf. Because HKDF-Extract is HMAC-SHA-256 keyed
// with the salt, these cases also check crypto/hmac with SHA-256.
//
// TODO: run Project Wycheproof (https://github.com/C2SP/wycheproof,
// Apache-2.0) for x25519, hkdf_sha256, hmac_sha256 and aes_cbc_pkcs5 here,
// loading the JSON files at test time as the module
// github.com/C2SP/wycheproof. When this package was written, the Go module
// proxy  returned 403 Forbidden for that module, so no
// Wycheproof cases run yet.
package vectors
