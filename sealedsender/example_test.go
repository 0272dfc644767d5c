package sealedsender_test

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/sealedsender"
)

// The relay certifies Alice's identity key, Alice seals a message for Bob,
// and Bob opens it and validates the certificate against the trust root.
func Example() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	root, err := curve.GenerateKeyPair(nil)
	must(err)
	serverKey, err := curve.GenerateKeyPair(nil)
	must(err)
	alice, err := curve.GenerateKeyPair(nil)
	must(err)
	bob, err := curve.GenerateKeyPair(nil)
	must(err)

	server, err := sealedsender.NewServerCertificate(nil, 1, serverKey.Public, root.Private)
	must(err)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cert, err := sealedsender.NewSenderCertificate(nil, sealedsender.Sender{
		UUID:        "aaaaaaaa-7000-11eb-b32a-33b8a8a487a6",
		DeviceID:    1,
		IdentityKey: alice.Public,
	}, now.Add(24*time.Hour), server, serverKey.Private)
	must(err)

	// The inner message would come from a session or a sender key.
	content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: cert, Message: []byte("inner message")}
	sealed, err := sealedsender.EncryptV1(nil, alice, bob.Public, content)
	must(err)

	opened, err := sealedsender.Unseal(bob, sealed)
	must(err)
	trust := sealedsender.Trust{Roots: []curve.PublicKey{root.Public}}
	fmt.Println(opened.Certificate.Validate(trust, now))
	fmt.Println(opened.Certificate.Sender().UUID, opened.Type, string(opened.Message))
	// Output:
	// <nil>
	// aaaaaaaa-7000-11eb-b32a-33b8a8a487a6 whisper inner message
}
