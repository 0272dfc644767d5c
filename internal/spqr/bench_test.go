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

// BenchmarkLockstepRound measures one message each way, averaged over
// whole epochs: about 43 rounds per epoch, including one key generation,
// one split encapsulation and one decapsulation.
func BenchmarkLockstepRound(b *testing.B) {
	alice, bob := newTestPair()
	b.ReportAllocs()
	for b.Loop() {
		deliver(b, bob, send(b, alice))
		deliver(b, alice, send(b, bob))
	}
}

// BenchmarkSteadyState measures a message each way while the braid only
// forwards chunks: Alice sends key vector chunks and Bob ct1 chunks.
func BenchmarkSteadyState(b *testing.B) {
	alice, bob := newTestPair()
	for range 5 {
		deliver(b, bob, send(b, alice))
		deliver(b, alice, send(b, bob))
	}
	b.ReportAllocs()
	for b.Loop() {
		// Copies keep both sides in the same braid state on every loop.
		a, c := alice.Clone(), bob.Clone()
		deliver(b, c, send(b, a))
		deliver(b, a, send(b, c))
	}
}

// benchEpochStep measures the message at which cond first holds, by
// replaying the lockstep run up to it from a saved pair.
func benchEpochStep(b *testing.B, ready func(alice, bob *State) bool, step func(alice, bob *State)) {
	alice, bob := newTestPair()
	for !ready(alice, bob) {
		deliver(b, bob, send(b, alice))
		if ready(alice, bob) {
			break
		}
		deliver(b, alice, send(b, bob))
	}
	b.ReportAllocs()
	for b.Loop() {
		step(alice.Clone(), bob.Clone())
	}
}

// BenchmarkSendKeyGeneration measures Alice's send that generates the
// epoch's ML-KEM key pair.
func BenchmarkSendKeyGeneration(b *testing.B) {
	benchEpochStep(b,
		func(alice, _ *State) bool { return true },
		func(alice, _ *State) { send(b, alice) })
}

// BenchmarkSendEncapsulate1 measures Bob's send that encapsulates against
// the header and derives the epoch secret.
func BenchmarkSendEncapsulate1(b *testing.B) {
	benchEpochStep(b,
		func(_, bob *State) bool { return bob.braid.kind == headerReceived },
		func(_, bob *State) { send(b, bob) })
}

// BenchmarkReceiveEncapsulate2 measures Bob's receive that completes the
// key vector and computes ct2.
func BenchmarkReceiveEncapsulate2(b *testing.B) {
	benchEpochStep(b,
		func(alice, bob *State) bool {
			return bob.braid.kind == ct1Acknowledged && len(bob.braid.dec.chunks) == bob.braid.dec.needed()-1
		},
		func(alice, bob *State) { deliver(b, bob, send(b, alice)) })
}

// BenchmarkReceiveDecapsulate measures Alice's receive that completes ct2,
// decapsulates and finishes the epoch.
func BenchmarkReceiveDecapsulate(b *testing.B) {
	benchEpochStep(b,
		func(alice, _ *State) bool {
			return alice.braid.kind == ekSentCt1Received && len(alice.braid.dec.chunks) == alice.braid.dec.needed()-1
		},
		func(alice, bob *State) { deliver(b, alice, send(b, bob)) })
}

func BenchmarkParityChunk(b *testing.B) {
	e := newEncoder(make([]byte, ekPayloadSize))
	b.ReportAllocs()
	for b.Loop() {
		e.chunk(100)
	}
}

// BenchmarkDecodeFromParity decodes the 36-chunk key vector from parity
// chunks only, the slowest decode.
func BenchmarkDecodeFromParity(b *testing.B) {
	e := newEncoder(make([]byte, ekPayloadSize))
	var chunks [][ChunkSize]byte
	for i := range 36 {
		chunks = append(chunks, e.chunk(uint16(36+i)))
	}
	b.ReportAllocs()
	for b.Loop() {
		d := newDecoder(ekPayloadSize)
		for i := range chunks {
			d.add(uint16(36+i), chunks[i][:])
		}
	}
}
