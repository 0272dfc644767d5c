package sealedsender

import (
	"encoding/binary"
	"fmt"
	"math"
)

// SentMessage is a parsed multi-recipient message in sent form, as a server
// receives it from a sender. It refers to the bytes it was parsed from, which
// must not change while it is used.
type SentMessage struct {
	// Version is the version byte: 0x23, or 0x22 for the original sent form
	// that lists recipients by 16-byte ACI.
	Version byte
	// Recipients lists each recipient once, in order of first appearance.
	// A recipient listed more than once has the devices of every listing.
	Recipients []SentRecipient
	// shared is E.pub || ciphertext, the part every recipient receives.
	shared []byte
}

// SentRecipient is one recipient of a SentMessage.
type SentRecipient struct {
	ServiceID ServiceID
	// Devices is empty for an excluded recipient, which gets no message.
	Devices []Device
	// keyMaterial is C || AT, or nil for an excluded recipient.
	keyMaterial []byte
}

// Excluded reports whether the sender listed r only to tell the server
// that it was left out on purpose.
func (r *SentRecipient) Excluded() bool { return len(r.Devices) == 0 }

// ParseSentMessage parses a multi-recipient message in sent form, as
// libsignal's SealedSenderV2SentMessage::parse does: a version byte 0x22 or
// 0x23, a varint recipient count, each recipient's service ID, device list
// and key material, then the shared ephemeral key and ciphertext. A
// recipient listed twice is coalesced, and an error is returned if either
// listing has no devices. It does not panic on malformed input, which FuzzParseSentMessage checks.
func ParseSentMessage(b []byte) (*SentMessage, error) {
	if len(b) == 0 {
		return nil, malformed("empty message")
	}
	version := b[0]
	if version != versionV2UUID && version != versionV2Sent {
		return nil, &VersionError{Version: version}
	}
	rest := b[1:]
	count, n := binary.Uvarint(rest)
	if n <= 0 || count > math.MaxUint32 {
		return nil, malformed("sent message: invalid recipient count")
	}
	rest = rest[n:]

	idSize := serviceIDSize
	if version == versionV2UUID {
		idSize = uuidSize
	}
	// Each recipient takes at least an id and a device byte, so the input
	// length bounds how many can follow and how much to preallocate.
	capHint := min(count, uint64(len(rest)/(idSize+1)))
	m := &SentMessage{Version: version, Recipients: make([]SentRecipient, 0, capHint)}
	index := make(map[ServiceID]int, capHint)

	for range count {
		if len(rest) < idSize {
			return nil, malformed("sent message: truncated recipient")
		}
		var id ServiceID
		if version == versionV2UUID {
			id[0] = KindACI
			copy(id[1:], rest[:uuidSize])
		} else {
			copy(id[:], rest[:serviceIDSize])
			if !id.valid() {
				return nil, malformed("sent message: service id kind %d", id[0])
			}
		}
		rest = rest[idSize:]

		var devices []Device
		for {
			if len(rest) < 1 {
				return nil, malformed("sent message: truncated device list")
			}
			deviceID := rest[0]
			rest = rest[1:]
			if deviceID == 0 {
				if len(devices) > 0 {
					return nil, malformed("sent message: device id 0 in a device list")
				}
				break
			}
			if deviceID > maxDeviceID {
				return nil, malformed("sent message: device id %d", deviceID)
			}
			if len(rest) < 2 {
				return nil, malformed("sent message: truncated device list")
			}
			reg := binary.BigEndian.Uint16(rest)
			rest = rest[2:]
			devices = append(devices, Device{ID: deviceID, RegistrationID: reg & registrationIDMax})
			if reg&hasMoreDevices == 0 {
				break
			}
		}

		var keyMaterial []byte
		if len(devices) > 0 {
			if len(rest) < v2MessageKeySize+v2AuthTagSize {
				return nil, malformed("sent message: truncated key material")
			}
			keyMaterial = rest[: v2MessageKeySize+v2AuthTagSize : v2MessageKeySize+v2AuthTagSize]
			rest = rest[v2MessageKeySize+v2AuthTagSize:]
		}

		if i, ok := index[id]; ok {
			existing := &m.Recipients[i]
			if existing.Excluded() || len(devices) == 0 {
				return nil, malformed("sent message: recipient %s redundantly encoded as empty", id)
			}
			// As in libsignal, the key material of the first listing is
			// kept. A listing with different key material fails to
			// decrypt on the devices it names.
			existing.Devices = append(existing.Devices, devices...)
			continue
		}
		index[id] = len(m.Recipients)
		m.Recipients = append(m.Recipients, SentRecipient{ServiceID: id, Devices: devices, keyMaterial: keyMaterial})
	}

	if len(rest) < v2PublicKeySize {
		return nil, malformed("sent message: missing ephemeral key")
	}
	m.shared = rest
	return m, nil
}

// Recipient returns the recipient with the given service ID.
func (m *SentMessage) Recipient(id ServiceID) (*SentRecipient, bool) {
	for i := range m.Recipients {
		if m.Recipients[i].ServiceID == id {
			return &m.Recipients[i], true
		}
	}
	return nil, false
}

// ReceivedMessage returns the message in received form (version byte 0x22)
// that the server delivers to every device of r: 0x22 || C || AT || E.pub ||
// ciphertext. It returns an error for an excluded recipient.
func (m *SentMessage) ReceivedMessage(r *SentRecipient) ([]byte, error) {
	if r.Excluded() {
		return nil, fmt.Errorf("%w: recipient %s is excluded", ErrInvalidArgument, r.ServiceID)
	}
	out := make([]byte, 0, 1+len(r.keyMaterial)+len(m.shared))
	out = append(out, versionV2UUID)
	out = append(out, r.keyMaterial...)
	return append(out, m.shared...), nil
}
