package transport

import (
	"encoding/binary"
	"io"

	"github.com/parleyhq/parley/curve"
)

// transcript builds the byte string that a challenge signature covers: the
// label, then the nonce and each field, each preceded by its length as a
// 4-byte big-endian integer. The length prefixes keep two different field
// lists from encoding to the same bytes.
func transcript(label string, nonce []byte, fields ...[]byte) []byte {
	n := len(label) + 4 + len(nonce)
	for _, f := range fields {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, label...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(nonce)))
	b = append(b, nonce...)
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

func uint32Bytes(v uint32) []byte {
	return binary.BigEndian.AppendUint32(nil, v)
}

// authenticateTranscript is signed by a device key to authenticate as
// (serviceID, deviceID) on the connection that received nonce.
func authenticateTranscript(nonce []byte, serviceID string, deviceID uint32) []byte {
	return transcript(labelAuthenticate, nonce, []byte(serviceID), uint32Bytes(deviceID))
}

// registerTranscript is signed by the new account's identity key.
func registerTranscript(nonce []byte, username string, identityKey []byte, registrationID uint32, accessKey []byte) []byte {
	return transcript(labelRegister, nonce, []byte(username), identityKey, uint32Bytes(registrationID), accessKey)
}

// addDeviceTranscript is signed by both the account identity key and the new
// device key.
func addDeviceTranscript(nonce []byte, serviceID string, deviceKey []byte, registrationID uint32) []byte {
	return transcript(labelAddDevice, nonce, []byte(serviceID), deviceKey, uint32Bytes(registrationID))
}

// reregisterTranscript is signed by both the account identity key and the
// device's new key to register an existing device again.
func reregisterTranscript(nonce []byte, serviceID string, deviceID uint32, deviceKey []byte, registrationID uint32) []byte {
	return transcript(labelReregister, nonce, []byte(serviceID), uint32Bytes(deviceID), deviceKey, uint32Bytes(registrationID))
}

// Credentials authenticate a device. Key is the device key and must be kept
// secret. For device 1 it is the account identity key.
type Credentials struct {
	ServiceID string
	DeviceID  uint32
	Key       curve.PrivateKey
}

func (c Credentials) sign(rand io.Reader, nonce []byte) ([]byte, error) {
	return c.Key.Sign(rand, authenticateTranscript(nonce, c.ServiceID, c.DeviceID))
}
