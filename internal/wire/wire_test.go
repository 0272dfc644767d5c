package wire

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// The expected encodings below are written by hand from the protobuf
// encoding rules (https://protobuf.dev/programming-guides/encoding/): a key
// byte is field_number<<3 | wire_type, where wire type 0 is a varint and 2
// is a length-delimited byte string.

func repeatByte(b byte, n int) []byte {
	return bytes.Repeat([]byte{b}, n)
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func marshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestSignalMessageEncoding(t *testing.T) {
	ratchetKey := append([]byte{0x05}, repeatByte(0xab, 32)...)
	m := &SignalMessage{
		RatchetKey:      ratchetKey,
		Counter:         proto.Uint32(300),
		PreviousCounter: proto.Uint32(0),
		Ciphertext:      repeatByte(0xcc, 16),
		PqRatchet:       []byte{0x01, 0x01, 0x01, 0x00},
	}

	want := mustHex(t, "0a21"+hex.EncodeToString(ratchetKey)+
		"10ac02"+ // counter 300 as the varint ac 02
		"1800"+ // previous_counter 0, present
		"2210"+hex.EncodeToString(repeatByte(0xcc, 16))+
		"2a0401010100")

	assert.Equal(t, want, marshal(t, m))

	var got SignalMessage
	require.NoError(t, proto.Unmarshal(want, &got))
	assert.True(t, proto.Equal(m, &got))
	assert.Nil(t, got.Addresses, "absent addresses field")
}

func TestPreKeyMessageEncoding(t *testing.T) {
	m := &PreKeySignalMessage{
		PreKeyId:        proto.Uint32(0),
		BaseKey:         []byte{0x05, 0x01},
		IdentityKey:     []byte{0x05, 0x02},
		Message:         []byte{0x44, 0x00},
		RegistrationId:  proto.Uint32(16383),
		SignedPreKeyId:  proto.Uint32(1),
		KyberPreKeyId:   proto.Uint32(2),
		KyberCiphertext: []byte{0x08},
	}

	// Fields come out in field-number order: 1, 2, 3, 4, 5, 6, 7, 8.
	want := mustHex(t, "0800"+
		"12020501"+
		"1a020502"+
		"22024400"+
		"28ff7f"+ // registration_id 16383
		"3001"+
		"3802"+
		"420108")

	assert.Equal(t, want, marshal(t, m))
}

func TestPreKeyIDAbsent(t *testing.T) {
	withoutID := &PreKeySignalMessage{
		BaseKey:        []byte{0x05, 0x01},
		SignedPreKeyId: proto.Uint32(7),
	}
	withZeroID := &PreKeySignalMessage{
		PreKeyId:       proto.Uint32(0),
		BaseKey:        []byte{0x05, 0x01},
		SignedPreKeyId: proto.Uint32(7),
	}

	absentBytes := marshal(t, withoutID)
	zeroBytes := marshal(t, withZeroID)
	assert.NotEqual(t, absentBytes, zeroBytes)
	assert.Equal(t, mustHex(t, "08"+"00"), zeroBytes[:2], "zero pre_key_id is encoded")

	var absent, zero PreKeySignalMessage
	require.NoError(t, proto.Unmarshal(absentBytes, &absent))
	require.NoError(t, proto.Unmarshal(zeroBytes, &zero))

	assert.Nil(t, absent.PreKeyId, "absent pre_key_id stays absent")
	assert.Equal(t, uint32(0), absent.GetPreKeyId())
	require.NotNil(t, zero.PreKeyId, "zero pre_key_id stays present")
	assert.Equal(t, uint32(0), *zero.PreKeyId)

	assert.Nil(t, absent.KyberPreKeyId, "absent kyber_pre_key_id")
	assert.Nil(t, absent.RegistrationId, "absent registration_id")
}

func TestSenderKeyRoundTrip(t *testing.T) {
	msg := &SenderKeyMessage{
		DistributionUuid: repeatByte(0x11, 16),
		ChainId:          proto.Uint32(0x7fffffff),
		Iteration:        proto.Uint32(0),
		Ciphertext:       repeatByte(0x22, 32),
	}
	dist := &SenderKeyDistributionMessage{
		DistributionUuid: repeatByte(0x11, 16),
		ChainId:          proto.Uint32(0x7fffffff),
		Iteration:        proto.Uint32(25000),
		ChainKey:         repeatByte(0x33, 32),
		SigningKey:       append([]byte{0x05}, repeatByte(0x44, 32)...),
	}

	for _, m := range []proto.Message{msg, dist} {
		got := m.ProtoReflect().New().Interface()
		require.NoError(t, proto.Unmarshal(marshal(t, m), got))
		assert.True(t, proto.Equal(m, got), "%T round trip", m)
	}

	// chain_id 0x7fffffff is the varint ff ff ff ff 07.
	assert.Equal(t, mustHex(t, "0a10"+hex.EncodeToString(repeatByte(0x11, 16))+"10ffffffff07"),
		marshal(t, &SenderKeyMessage{DistributionUuid: msg.DistributionUuid, ChainId: msg.ChainId}))
}

func TestUnmarshalMalformed(t *testing.T) {
	cases := map[string]string{
		"truncated length":   "0a21" + "05",
		"truncated varint":   "10ff",
		"field number zero":  "0000",
		"overlong varint":    "10ffffffffffffffffffff01",
		"end group no start": "0c",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			var m SignalMessage
			assert.Error(t, proto.Unmarshal(mustHex(t, in), &m))
		})
	}
}

func TestWrongWireTypeIgnored(t *testing.T) {
	// Field 1 sent as a 32-bit value instead of bytes. The Go decoder keeps a
	// known field with the wrong wire type as an unknown field, so the message
	// decodes and ratchet_key stays absent. Protocol code must therefore check
	// that required fields are present.
	var m SignalMessage
	require.NoError(t, proto.Unmarshal(mustHex(t, "0d00000000"), &m))
	assert.Nil(t, m.RatchetKey)
}

func TestUnknownFieldsKept(t *testing.T) {
	// Field 15 (varint 1) is not defined. proto2 keeps it as an unknown field,
	// so a decoded message re-encodes to the same bytes.
	in := mustHex(t, "1001"+"7801")
	var m SignalMessage
	require.NoError(t, proto.Unmarshal(in, &m))
	assert.Equal(t, uint32(1), m.GetCounter())
	assert.Equal(t, in, marshal(t, &m))
}
