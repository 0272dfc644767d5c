package spqr_test

import (
	"fmt"

	"github.com/parleyhq/parley/internal/spqr"
)

func Example() {
	// Both sides start from the SPQR authentication key that PQXDH derives.
	var authKey [32]byte
	alice := spqr.NewState(authKey, spqr.AliceToBob)
	bob := spqr.NewState(authKey, spqr.BobToAlice)

	msg, sendKey, err := alice.Send(nil)
	if err != nil {
		panic(err)
	}

	// Receive into a clone and keep it once the enclosing message verifies.
	next := bob.Clone()
	recvKey, err := next.Receive(msg)
	if err != nil {
		panic(err)
	}
	bob = next

	m, err := spqr.ParseMessage(msg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("SPQR message: %d bytes, epoch %d, index %d, type %v, chunk %d\n", len(msg), m.Epoch, m.Index, m.Type, m.ChunkIndex)
	fmt.Println("same key:", sendKey == recvKey)
	fmt.Println("epoch:", bob.Epoch())
	// Output:
	// SPQR message: 37 bytes, epoch 1, index 1, type Hdr, chunk 0
	// same key: true
	// epoch: 1
}

func ExampleParseMessage() {
	m, err := spqr.ParseMessage([]byte{0x01, 0x01, 0x02, 0x04})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Epoch, m.Index, m.Type)
	// Output: 1 2 Ct1Ack
}
