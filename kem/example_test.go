package kem_test

import (
	"fmt"

	"github.com/parleyhq/parley/kem"
)

func Example() {
	// Bob publishes a Kyber prekey.
	bob, err := kem.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}
	published := bob.Public.Bytes()

	// Alice parses it and encapsulates a shared secret to it.
	bobPublic, err := kem.NewPublicKey(published)
	if err != nil {
		panic(err)
	}
	aliceSecret, ciphertext, err := bobPublic.Encapsulate(nil)
	if err != nil {
		panic(err)
	}

	// Bob recovers the secret from the ciphertext.
	bobSecret, err := bob.Private.Decapsulate(ciphertext)
	if err != nil {
		panic(err)
	}

	fmt.Println("public key:", len(published), "bytes, type", published[0])
	fmt.Println("ciphertext:", len(ciphertext), "bytes, type", ciphertext[0])
	fmt.Println("secrets match:", aliceSecret == bobSecret)
	fmt.Println(bob.Private)
	// Output:
	// public key: 1569 bytes, type 8
	// ciphertext: 1569 bytes, type 8
	// secrets match: true
	// kem.PrivateKey(REDACTED)
}
