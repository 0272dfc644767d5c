package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/keystore/sqlstore"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "keystore")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "device.db")

	identity, err := curve.GenerateKeyPair(nil)
	if err != nil {
		log.Fatal(err)
	}
	opts := sqlstore.Options{
		Passphrase: []byte("correct horse battery staple"),
		// Small parameters keep the example fast; leave Argon2 nil in
		// applications to get DefaultArgon2.
		Argon2: &sqlstore.Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1},
	}
	s, err := sqlstore.Create(path, identity, 42, opts)
	if err != nil {
		log.Fatal(err)
	}
	bob := keystore.Address{Name: "796abedb-ca4e-4f18-8803-1fde5b921f9f", DeviceID: 1}
	err = s.Update(ctx, func(tx keystore.Tx) error {
		return tx.StoreSession(ctx, bob, []byte("session record"))
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}

	// Reopen with the passphrase. A session.Cipher would take s as its Store.
	s, err = sqlstore.Open(path, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, bob)
		if err != nil {
			return err
		}
		regID, err := tx.LocalRegistrationID(ctx)
		fmt.Printf("%s, registration ID %d\n", rec, regID)
		return err
	})
	if err != nil {
		log.Fatal(err)
	}

	// Output:
	// session record, registration ID 42
}
