package session

import (
	"encoding/hex"
	"strings"

	"github.com/parleyhq/parley/keystore"
)

// addressesSize is the size of the addresses field: two 17-byte service IDs
// in fixed-width form, each followed by a device byte.
const addressesSize = 36

// serviceIDBinary returns the fixed-width binary form of a service ID
// string: a kind byte (0x00 for an ACI, written as a bare UUID, and 0x01 for
// a PNI, written "PNI:" and a UUID) followed by the 16 UUID bytes. ok is
// false when name is not a service ID.
func serviceIDBinary(name string) (out [17]byte, ok bool) {
	s := name
	if rest, found := strings.CutPrefix(s, "PNI:"); found {
		out[0] = 0x01
		s = rest
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return out, false
	}
	hexDigits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(out[1:], []byte(hexDigits)); err != nil {
		return out, false
	}
	return out, true
}

// encodeAddresses returns the addresses field that binds a PreKey message
// to its sender and recipient, or nil when either name is not a service ID
// or a device ID does not fit in a byte.
func encodeAddresses(sender, recipient keystore.Address) []byte {
	s, ok1 := serviceIDBinary(sender.Name)
	r, ok2 := serviceIDBinary(recipient.Name)
	if !ok1 || !ok2 || sender.DeviceID > 0xFF || recipient.DeviceID > 0xFF {
		return nil
	}
	b := make([]byte, 0, addressesSize)
	b = append(b, s[:]...)
	b = append(b, byte(sender.DeviceID))
	b = append(b, r[:]...)
	b = append(b, byte(recipient.DeviceID))
	return b
}
