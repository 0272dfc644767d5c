package wire

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"
)

func benchSignalMessage() *SignalMessage {
	return &SignalMessage{
		RatchetKey:      bytes.Repeat([]byte{0x05}, 33),
		Counter:         proto.Uint32(42),
		PreviousCounter: proto.Uint32(7),
		Ciphertext:      make([]byte, 1024),
		PqRatchet:       make([]byte, 40),
	}
}

func BenchmarkSignalMessageMarshal(b *testing.B) {
	m := benchSignalMessage()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := proto.Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignalMessageUnmarshal(b *testing.B) {
	in, err := proto.Marshal(benchSignalMessage())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		var m SignalMessage
		if err := proto.Unmarshal(in, &m); err != nil {
			b.Fatal(err)
		}
	}
}
