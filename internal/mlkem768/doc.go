// Package mlkem768 implements ML-KEM-768 (FIPS 203) with the encapsulation
// split in two, as SPQR's ML-KEM braid needs it.
//
// The encapsulation key is sent in two parts: a 64-byte header ρ ‖ H(ek)
// and the 1152-byte vector ByteEncode_12(t̂). [Encapsulate1] needs only
// the header and yields the first ciphertext part ct1 (the compressed u)
// and the shared key. [Encapsulate2] takes the vector, checks it against
// the header and yields ct2 (the compressed v). ct1 ‖ ct2 is an ordinary
// FIPS 203 ciphertext, and keys and ciphertexts interoperate with
// crypto/mlkem: the tests compare every step with it and with the
// accumulated vectors of C2SP CCTV.
//
// crypto/mlkem has no split encapsulation, so this package carries its own
// arithmetic. Its field and NTT code avoids branches and divisions on
// secret values, but it has not been reviewed for timing leaks as closely
// as the standard library's.
package mlkem768
