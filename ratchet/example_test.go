package ratchet_test

import (
	"fmt"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/ratchet"
)

func Example() {
	// PQXDH gives both sides the same root, chain and SPQR keys. Bob's
	// signed prekey is his first ratchet key.
	root, chain, spqrKey := [32]byte{1}, [32]byte{2}, [32]byte{3}
	signedPreKey, err := curve.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}
	alice, err := ratchet.NewInitiator(nil, root, chain, spqrKey, signedPreKey.Public)
	if err != nil {
		panic(err)
	}
	bob := ratchet.NewResponder(root, chain, spqrKey, signedPreKey)

	// Alice derives the keys for her first message. The header travels with
	// the message.
	header, sendKeys, err := alice.Send(nil)
	if err != nil {
		panic(err)
	}

	// Bob receives into a copy of his state and keeps the copy only after
	// the message authenticates with recvKeys.MACKey.
	next := bob.Clone()
	recvKeys, err := next.Receive(nil, header)
	if err != nil {
		panic(err)
	}
	bob = next

	fmt.Println("counter:", header.Counter)
	fmt.Println("same keys:", sendKeys == recvKeys)
	fmt.Println("bob took a DH step:", !bob.SenderRatchetKey().Equal(signedPreKey.Public))
	// Output:
	// counter: 0
	// same keys: true
	// bob took a DH step: true
}
