package senderkey_test

import (
	"context"
	"fmt"
	"log"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/senderkey"
)

func Example() {
	ctx := context.Background()
	// Each device has its own store. The identity key is not used by
	// sender keys.
	aliceStore := keystore.NewMemoryStore(curve.KeyPair{}, 1)
	bobStore := keystore.NewMemoryStore(curve.KeyPair{}, 2)
	alice := keystore.Address{Name: "3f1b9a52-0c6e-4d2a-8f7b-5e9c1d2a4b6f", DeviceID: 1}
	group := [16]byte{0xd1, 0xe2, 0xa7, 0xc4, 0x0b, 0x8f, 0x4c, 0x7a, 0x9b, 0x1e, 0x12, 0x34, 0x56, 0x78, 0x90, 0xab}

	// Alice creates her chain and sends the distribution message to Bob
	// over their 1:1 session.
	skdm, err := senderkey.NewDistributionMessage(ctx, aliceStore, alice, group, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := senderkey.ProcessDistributionMessage(ctx, bobStore, alice, skdm); err != nil {
		log.Fatal(err)
	}

	// One encryption serves every member of the group.
	msg, err := senderkey.Encrypt(ctx, aliceStore, alice, group, []byte("hello, group"), nil)
	if err != nil {
		log.Fatal(err)
	}
	plaintext, err := senderkey.Decrypt(ctx, bobStore, alice, msg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(plaintext))

	_, err = senderkey.Decrypt(ctx, bobStore, alice, msg)
	fmt.Println(err)
	// Output:
	// hello, group
	// senderkey: duplicate message: iteration 0, chain is at 1
}
