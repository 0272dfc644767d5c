package spqr

import (
	"testing"
)

func BenchmarkSendReceive(b *testing.B) {
	alice := NewState([32]byte{5}, AliceToBob)
	bob := NewState([32]byte{5}, BobToAlice)
	b.ReportAllocs()
	for b.Loop() {
		msg, _, err := alice.Send(nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bob.Receive(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCloneFullStore measures the clone a caller makes before each
// receive, with the out-of-order store full.
func BenchmarkCloneFullStore(b *testing.B) {
	bob := NewState([32]byte{5}, BobToAlice)
	msg := Message{Epoch: 1, Index: MaxOutOfOrderKeys + 1, Type: TypeNone}.Append(nil)
	if _, err := bob.Receive(msg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = bob.Clone()
	}
}

// BenchmarkReceiveMaxJump measures the most expensive accepted receive: a
// jump of MaxJump that steps the chain 25,000 times.
func BenchmarkReceiveMaxJump(b *testing.B) {
	msg := Message{Epoch: 1, Index: MaxJump, Type: TypeNone}.Append(nil)
	fresh := NewState([32]byte{5}, BobToAlice)
	b.ReportAllocs()
	for b.Loop() {
		bob := fresh.Clone()
		if _, err := bob.Receive(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMessage(b *testing.B) {
	msg := Message{Epoch: 3, Index: 1000, Type: TypeCt1, ChunkIndex: 20, Chunk: make([]byte, ChunkSize)}.Append(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMessage(msg); err != nil {
			b.Fatal(err)
		}
	}
}
