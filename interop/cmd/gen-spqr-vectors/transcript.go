package main

import (
	"encoding/hex"
	"encoding/json"
)

// Directions of a transcript step.
const (
	toParley    = "libsignal_to_parley"
	toLibsignal = "parley_to_libsignal"
)

// hexBytes is a byte string written as lowercase hex.
type hexBytes []byte

func (h hexBytes) MarshalJSON() ([]byte, error) {
	return json.Marshal(hex.EncodeToString(h))
}

// transcript is the layout of testdata/spqr/epochs.json, read back by
// session/spqr_vectors_test.go.
type transcript struct {
	Description string      `json:"description"`
	Seed        hexBytes    `json:"seed"`
	Now         int64       `json:"now"`
	Parley      parleySide  `json:"parley"`
	Bundle      bundleJSON  `json:"bundle"`
	Libsignal   remoteSide  `json:"libsignal"`
	Stats       statsRecord `json:"stats"`
	FinalEpoch  uint64      `json:"final_pq_epoch"`
	Steps       []step      `json:"steps"`
}

type parleySide struct {
	Name           string `json:"name"`
	Device         uint32 `json:"device"`
	RegistrationID uint32 `json:"registration_id"`
}

type remoteSide struct {
	Name           string   `json:"name"`
	Device         uint32   `json:"device"`
	RegistrationID uint32   `json:"registration_id"`
	IdentityKey    hexBytes `json:"identity_key"`
}

// bundleJSON is Parley's public prekey bundle as libsignal received it.
// Keys are serialized: EC public keys with the 0x05 prefix, the Kyber1024
// key with the 0x08 prefix.
type bundleJSON struct {
	IdentityKey           hexBytes `json:"identity_key"`
	PreKeyID              uint32   `json:"pre_key_id"`
	PreKey                hexBytes `json:"pre_key"`
	SignedPreKeyID        uint32   `json:"signed_pre_key_id"`
	SignedPreKey          hexBytes `json:"signed_pre_key"`
	SignedPreKeySignature hexBytes `json:"signed_pre_key_signature"`
	KyberPreKeyID         uint32   `json:"kyber_pre_key_id"`
	KyberPreKey           hexBytes `json:"kyber_pre_key"`
	KyberPreKeySignature  hexBytes `json:"kyber_pre_key_signature"`
}

// step is one message in the order Parley handled it: decrypted for
// libsignal_to_parley, encrypted for parley_to_libsignal. SentIndex is the
// message's position in the order the two sides sent, so a step whose
// SentIndex is lower than an earlier step's was delivered out of order.
// PQEpoch is Parley's SPQR epoch after the step.
type step struct {
	Direction   string   `json:"direction"`
	SentIndex   int      `json:"sent_index"`
	MessageType string   `json:"message_type"`
	Plaintext   string   `json:"plaintext"`
	Ciphertext  hexBytes `json:"ciphertext"`
	PQEpoch     uint64   `json:"pq_epoch"`
}

// statsRecord summarizes the run for a reader of the file.
type statsRecord struct {
	Messages          int `json:"messages"`
	FromLibsignal     int `json:"from_libsignal"`
	FromParley        int `json:"from_parley"`
	ReorderedBursts   int `json:"reordered_bursts"`
	FirstStepAtEpoch4 int `json:"first_step_at_epoch_4"`
}
