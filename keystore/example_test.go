package keystore_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
)

func ExampleMemoryStore_Update() {
	ctx := context.Background()
	identity, err := curve.GenerateKeyPair(nil)
	if err != nil {
		log.Fatal(err)
	}
	store := keystore.NewMemoryStore(identity, 1)
	bob := keystore.Address{Name: "bob", DeviceID: 1}

	// A transaction whose function returns nil commits its writes.
	err = store.Update(ctx, func(tx keystore.Tx) error {
		return tx.StoreSession(ctx, bob, []byte("record 1"))
	})
	if err != nil {
		log.Fatal(err)
	}

	// One that returns an error discards all of them.
	errFailed := errors.New("message failed to authenticate")
	err = store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StoreSession(ctx, bob, []byte("record 2")); err != nil {
			return err
		}
		return errFailed
	})
	fmt.Println("update:", err)

	// A read-only transaction reads the committed record and cannot write.
	err = store.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, bob)
		if err != nil {
			return err
		}
		fmt.Println("stored:", string(rec))
		return tx.DeleteSession(ctx, bob)
	})
	fmt.Println("view:", err)
	// Output:
	// update: message failed to authenticate
	// stored: record 1
	// view: keystore: write in a read-only transaction
}
