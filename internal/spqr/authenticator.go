package spqr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"

	"github.com/parleyhq/parley/internal/mlkem768"
)

// authenticator is the braid's MAC key schedule. It starts from the PQXDH
// SPQR authentication key and absorbs every epoch secret, so the header
// and ciphertext MACs of an epoch are keyed by everything agreed before.
type authenticator struct {
	root [KeySize]byte
	mac  [KeySize]byte
}

// newAuthenticator returns the authenticator both sides start from:
// update(1, authKey) applied to all-zero keys.
func newAuthenticator(authKey [KeySize]byte) authenticator {
	var a authenticator
	a.update(1, authKey[:])
	return a
}

// update mixes k into the authenticator: O = HKDF(salt = 32 zero bytes,
// ikm = root ‖ k, info = "Signal_PQCKA_V1_MLKEM768:Authenticator Update" ‖
// BE64(epoch), 64 bytes), root = O[0:32], mac = O[32:64].
func (a *authenticator) update(epoch uint64, k []byte) {
	ikm := append(a.root[:len(a.root):len(a.root)], k...)
	o := hkdfSHA256(ikm, zeroSalt[:], string(binary.BigEndian.AppendUint64([]byte(labelAuthenticatorUpdate), epoch)), 2*KeySize)
	copy(a.root[:], o[:KeySize])
	copy(a.mac[:], o[KeySize:])
	clear(ikm)
	clear(o)
}

// tag computes HMAC-SHA256 under the MAC key over label ‖ BE64(epoch) ‖ parts.
func (a *authenticator) tag(label string, epoch uint64, parts ...[]byte) [macSize]byte {
	h := hmac.New(sha256.New, a.mac[:])
	h.Write([]byte(label))
	var e [8]byte
	binary.BigEndian.PutUint64(e[:], epoch)
	h.Write(e[:])
	for _, p := range parts {
		h.Write(p)
	}
	return [macSize]byte(h.Sum(nil))
}

func (a *authenticator) headerMAC(epoch uint64, hdr *[mlkem768.HeaderSize]byte) [macSize]byte {
	return a.tag(labelHeaderMAC, epoch, hdr[:])
}

func (a *authenticator) ciphertextMAC(epoch uint64, ct1 *[mlkem768.Ciphertext1Size]byte, ct2 *[mlkem768.Ciphertext2Size]byte) [macSize]byte {
	return a.tag(labelCiphertextMAC, epoch, ct1[:], ct2[:])
}

// epochSecret derives the secret of SCKA epoch `epoch` from the ML-KEM
// shared key: HKDF(salt = 32 zero bytes, ikm = sharedKey, info =
// "Signal_PQCKA_V1_MLKEM768:SCKA Key" ‖ BE64(epoch), 32 bytes). Both the
// authenticator and the chain absorb this value, not the shared key.
func epochSecret(epoch uint64, sharedKey *[mlkem768.SharedKeySize]byte) [KeySize]byte {
	o := hkdfSHA256(sharedKey[:], zeroSalt[:], string(binary.BigEndian.AppendUint64([]byte(labelEpochSecret), epoch)), KeySize)
	return [KeySize]byte(o)
}
