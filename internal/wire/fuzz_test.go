package wire

import (
	"testing"

	"google.golang.org/protobuf/proto"
)

// FuzzUnmarshal decodes arbitrary bytes as every message type. Decoding may
// fail but must not panic, and a decoded message must encode again.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x00, 0x12, 0x02, 0x05, 0x01})
	f.Add([]byte{0x0a, 0x21, 0x05})
	f.Add([]byte{0x10, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{0x78, 0x01, 0x22, 0x00})

	f.Fuzz(func(t *testing.T, in []byte) {
		for _, m := range []proto.Message{
			&SignalMessage{},
			&PreKeySignalMessage{},
			&SenderKeyMessage{},
			&SenderKeyDistributionMessage{},
		} {
			if err := proto.Unmarshal(in, m); err != nil {
				continue
			}
			if _, err := proto.Marshal(m); err != nil {
				t.Fatalf("%T: decoded message does not encode: %v", m, err)
			}
		}
	})
}
