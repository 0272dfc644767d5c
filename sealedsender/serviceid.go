package sealedsender

import (
	"encoding/hex"
	"strings"
)

// ServiceID is a Signal service ID in its 17-byte fixed-width binary form: a
// kind byte (0 for an ACI, 1 for a PNI) and the 16 UUID bytes.
type ServiceID [serviceIDSize]byte

// Service ID kinds.
const (
	KindACI byte = 0
	KindPNI byte = 1
)

// ParseServiceID parses the string form of a service ID: a hyphenated UUID
// for an ACI, or "PNI:" and a hyphenated UUID for a PNI. Hex digits may be
// upper or lower case. ok is false for any other string.
func ParseServiceID(s string) (id ServiceID, ok bool) {
	if rest, found := strings.CutPrefix(s, "PNI:"); found {
		id[0] = KindPNI
		s = rest
	}
	u, ok := parseUUID(s)
	if !ok {
		return ServiceID{}, false
	}
	copy(id[1:], u[:])
	return id, true
}

// Kind returns KindACI or KindPNI.
func (id ServiceID) Kind() byte { return id[0] }

// UUID returns the 16 UUID bytes.
func (id ServiceID) UUID() [uuidSize]byte {
	var u [uuidSize]byte
	copy(u[:], id[1:])
	return u
}

// String returns the string form: a lowercase hyphenated UUID for an ACI and
// "PNI:" followed by one for a PNI.
func (id ServiceID) String() string {
	u := formatUUID(id.UUID())
	if id[0] == KindPNI {
		return "PNI:" + u
	}
	return u
}

func (id ServiceID) valid() bool { return id[0] == KindACI || id[0] == KindPNI }

func parseUUID(s string) (u [uuidSize]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	digits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return u, false
	}
	return u, true
}

func formatUUID(u [uuidSize]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
