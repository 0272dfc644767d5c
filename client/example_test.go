package client_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley/client"
	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/transport"
)

// Example runs a relay with sealed sender on loopback, registers Alice and
// Bob, and has Alice send Bob a message.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// The relay: a trust root signs the key that issues sender
	// certificates, and clients are given the trust root's public key.
	dir, err := os.MkdirTemp("", "parley-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	root, err := curve.GenerateKeyPair(nil)
	if err != nil {
		log.Fatal(err)
	}
	issuer, err := client.NewCertificateIssuer(nil, root.Private, 1)
	if err != nil {
		log.Fatal(err)
	}
	db, err := transport.OpenSQLite(filepath.Join(dir, "relay.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	relay := transport.NewServer(db, transport.ServerOptions{CertificateIssuer: issuer})
	defer relay.Close()
	hs := httptest.NewTLSServer(relay)
	defer hs.Close()

	// Each device registers with its own key store.
	received := make(chan *client.MessageEvent, 1)
	start := func(username string, onEvent func(client.Event)) *client.Client {
		identity, regID, err := client.NewIdentity(nil)
		if err != nil {
			log.Fatal(err)
		}
		c, err := client.Dial(ctx, hs.URL, keystore.NewMemoryStore(identity, regID),
			transport.ClientOptions{PinnedCertificate: hs.Certificate()},
			client.Options{TrustRoots: []curve.PublicKey{root.Public}, OnEvent: onEvent})
		if err != nil {
			log.Fatal(err)
		}
		if err := c.Register(ctx, username); err != nil {
			log.Fatal(err)
		}
		go c.Run(ctx)
		return c
	}
	alice := start("alice", nil)
	defer alice.Close()
	bob := start("bob", func(ev client.Event) {
		if m, ok := ev.(*client.MessageEvent); ok {
			received <- m
		}
	})
	defer bob.Close()

	contact, err := alice.Lookup(ctx, "bob")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := alice.SendText(ctx, contact.ServiceID, "hello, Bob"); err != nil {
		log.Fatal(err)
	}
	m := <-received
	fmt.Printf("%s wrote %q\n", m.Sender.Username, m.Text)
	// Output: alice wrote "hello, Bob"
}
