package x3dh_test

import (
	"fmt"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/x3dh"
)

func ExampleInitiate() {
	// Bob creates his identity key and prekeys and signs the prekeys.
	bobIdentity, err := curve.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}
	signedPreKey, err := curve.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}
	kyberPreKey, err := kem.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}
	signedPreKeySig, err := bobIdentity.Private.Sign(nil, signedPreKey.Public.Bytes())
	if err != nil {
		panic(err)
	}
	kyberPreKeySig, err := bobIdentity.Private.Sign(nil, kyberPreKey.Public.Bytes())
	if err != nil {
		panic(err)
	}
	bundle := &x3dh.Bundle{
		RegistrationID:        1,
		DeviceID:              1,
		SignedPreKeyID:        1,
		SignedPreKey:          signedPreKey.Public,
		SignedPreKeySignature: signedPreKeySig,
		KyberPreKeyID:         1,
		KyberPreKey:           kyberPreKey.Public,
		KyberPreKeySignature:  kyberPreKeySig,
		IdentityKey:           bobIdentity.Public,
	}

	// Alice verifies the bundle and runs her side of PQXDH. She sends her
	// identity key, init.BaseKey.Public and init.KyberCiphertext to Bob.
	aliceIdentity, err := curve.GenerateKeyPair(nil)
	if err != nil {
		panic(err)
	}
	init, err := x3dh.Initiate(nil, aliceIdentity, bundle)
	if err != nil {
		panic(err)
	}

	// Bob runs his side with the private keys the message names.
	bobKeys, err := x3dh.Respond(x3dh.ResponderKeys{
		Identity:     bobIdentity,
		SignedPreKey: signedPreKey,
		KyberPreKey:  kyberPreKey.Private,
	}, aliceIdentity.Public, init.BaseKey.Public, init.KyberCiphertext)
	if err != nil {
		panic(err)
	}

	fmt.Println("same keys:", init.Keys == bobKeys)
	// Output:
	// same keys: true
}
