package sealedsender

import (
	"crypto/rand"
	"io"

	"github.com/parleyhq/parley/curve"
)

// Unseal removes the sealed sender layer of a v1 message or a v2 message in
// received form (version byte 0x22) addressed to the holder of recipient,
// the local identity key pair. It authenticates the sender's identity key
// against the certificate in the content, but does not validate the
// certificate: call [SenderCertificate.Validate] next, or use [Cipher].
//
// Like libsignal, it reads a first byte whose high nibble is 0 or 1 as v1
// and 2 as v2, and rejects other values with a *VersionError. It does not
// panic on malformed input, which FuzzUnseal checks.
func Unseal(recipient curve.KeyPair, message []byte) (*Content, error) {
	if len(message) == 0 {
		return nil, malformed("empty message")
	}
	switch message[0] >> 4 {
	case 0, majorVersionV1:
		m, err := parseV1(message[1:])
		if err != nil {
			return nil, err
		}
		return decryptV1(recipient, m)
	case majorVersionV2:
		m, err := parseV2Received(message[1:])
		if err != nil {
			return nil, err
		}
		return decryptV2(recipient, m)
	}
	return nil, &VersionError{Version: message[0]}
}

func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
