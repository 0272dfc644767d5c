package curve_test

import (
	"bytes"
	"fmt"

	"github.com/parleyhq/parley/curve"
)

func ExampleGenerateKeyPair() {
	alice, err := curve.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}
	bob, err := curve.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}

	// Bob receives Alice's public key in serialized form.
	alicePublic, err := curve.NewPublicKey(alice.Public.Bytes())
	if err != nil {
		panic(err)
	}

	k1, err := alice.Private.Agree(bob.Public)
	if err != nil {
		panic(err)
	}
	k2, err := bob.Private.Agree(alicePublic)
	if err != nil {
		panic(err)
	}
	fmt.Println("serialized public key:", len(alice.Public.Bytes()), "bytes")
	fmt.Println("shared secrets match:", k1 == k2)
	fmt.Println(alice.Private)
	// Output:
	// serialized public key: 33 bytes
	// shared secrets match: true
	// curve.PrivateKey(REDACTED)
}

func ExamplePrivateKey_Sign() {
	// A fixed reader gives a known key. Real code passes nil, which means
	// crypto/rand.Reader.
	identity, err := curve.GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{1}, 32)))
	if err != nil {
		panic(err)
	}
	fmt.Println("public key fingerprint:", identity.Public.Fingerprint())

	message := []byte("signed prekey")
	sig, err := identity.Private.Sign(nil, message)
	if err != nil {
		panic(err)
	}
	fmt.Println("valid:", identity.Public.Verify(message, sig) == nil)
	fmt.Println("other message valid:", identity.Public.Verify([]byte("other"), sig) == nil)
	// Output:
	// public key fingerprint: 0172fd6df26a696c
	// valid: true
	// other message valid: false
}
