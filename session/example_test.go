package session_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

func Example() {
	ctx := context.Background()
	aliceAddr := keystore.Address{Name: "alice", DeviceID: 1}
	bobAddr := keystore.Address{Name: "bob", DeviceID: 1}

	// Bob creates his identity and prekeys, keeps them in his store and
	// publishes the public halves as a bundle.
	bobIdentity, err := curve.GenerateKeyPair(nil)
	if err != nil {
		log.Fatal(err)
	}
	bobStore := keystore.NewMemoryStore(bobIdentity, 2)
	preKey, err := session.NewPreKey(nil, 1)
	if err != nil {
		log.Fatal(err)
	}
	signedPreKey, err := session.NewSignedPreKey(nil, bobIdentity, 1, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	kyberPreKey, err := session.NewKyberPreKey(nil, bobIdentity, 1, time.Now(), false)
	if err != nil {
		log.Fatal(err)
	}
	err = bobStore.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StorePreKey(ctx, preKey); err != nil {
			return err
		}
		if err := tx.StoreSignedPreKey(ctx, signedPreKey); err != nil {
			return err
		}
		return tx.StoreKyberPreKey(ctx, kyberPreKey)
	})
	if err != nil {
		log.Fatal(err)
	}
	bundle := session.NewBundle(bobIdentity.Public, 2, bobAddr.DeviceID, &preKey, signedPreKey, kyberPreKey)

	// Alice starts a session from Bob's bundle and encrypts a message.
	aliceIdentity, err := curve.GenerateKeyPair(nil)
	if err != nil {
		log.Fatal(err)
	}
	alice := &session.Cipher{Store: keystore.NewMemoryStore(aliceIdentity, 1), LocalAddress: aliceAddr}
	if err := alice.ProcessBundle(ctx, bobAddr, bundle); err != nil {
		log.Fatal(err)
	}
	msgType, ciphertext, err := alice.Encrypt(ctx, bobAddr, []byte("Hello, Bob!"))
	if err != nil {
		log.Fatal(err)
	}

	// Bob decrypts it, which builds his side of the session.
	bob := &session.Cipher{Store: bobStore, LocalAddress: bobAddr}
	plaintext, err := bob.Decrypt(ctx, aliceAddr, msgType, ciphertext)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msgType)
	fmt.Println(string(plaintext))
	// Output:
	// prekey
	// Hello, Bob!
}
