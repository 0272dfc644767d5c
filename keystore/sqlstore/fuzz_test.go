package sqlstore

import (
	"bytes"
	"testing"
	"time"

	"github.com/parleyhq/parley/session"
)

// FuzzDecodeRecords feeds arbitrary plaintext to the decoders of sealed
// values. They must reject or accept without panicking, and what they
// accept must encode back to the same bytes.
func FuzzDecodeRecords(f *testing.F) {
	id, err := session.NewPreKey(nil, 1)
	if err != nil {
		f.Fatal(err)
	}
	spk, err := session.NewSignedPreKey(nil, id.KeyPair, 2, time.Unix(1700000000, 5))
	if err != nil {
		f.Fatal(err)
	}
	kpk, err := session.NewKyberPreKey(nil, id.KeyPair, 3, time.Unix(1700000000, 5), true)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(encodePreKey(id))
	f.Add(encodeSignedPreKey(spk))
	f.Add(encodeKyberPreKey(kpk))
	f.Add(encodeLocal(id.KeyPair, 7))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := decodePreKey(1, b); err == nil && !bytes.Equal(encodePreKey(k), b) {
			t.Errorf("prekey does not round-trip")
		}
		if k, err := decodeSignedPreKey(1, b); err == nil && !bytes.Equal(encodeSignedPreKey(k), b) {
			t.Errorf("signed prekey does not round-trip")
		}
		if k, err := decodeKyberPreKey(1, b); err == nil && !bytes.Equal(encodeKyberPreKey(k), b) {
			t.Errorf("kyber prekey does not round-trip")
		}
		if kp, reg, err := decodeLocal(b); err == nil && !bytes.Equal(encodeLocal(kp, reg), b) {
			t.Errorf("local identity does not round-trip")
		}
	})
}
