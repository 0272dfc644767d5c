package transport_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/transport"
)

// Example runs a relay on loopback, registers two users and sends one
// envelope from Alice to Bob.
func Example() {
	dir, err := os.MkdirTemp("", "relay")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := transport.OpenSQLite(filepath.Join(dir, "relay.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	relay := transport.NewServer(store, transport.ServerOptions{})
	defer relay.Close()
	hs := httptest.NewTLSServer(relay)
	defer hs.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	connect := func(username string) (*transport.Client, string) {
		c, err := transport.Dial(ctx, hs.URL, transport.ClientOptions{PinnedCertificate: hs.Certificate()})
		if err != nil {
			log.Fatal(err)
		}
		identity, err := curve.GenerateKeyPair(nil)
		if err != nil {
			log.Fatal(err)
		}
		addr, err := c.Register(ctx, transport.Registration{Username: username, IdentityKey: identity, RegistrationID: 42})
		if err != nil {
			log.Fatal(err)
		}
		return c, addr.Name
	}
	alice, _ := connect("alice")
	defer alice.Close()
	bob, bobID := connect("bob")
	defer bob.Close()

	err = alice.Send(ctx, transport.Message{
		Destination: bobID,
		Messages:    []transport.OutgoingMessage{{DeviceID: 1, RegistrationID: 42, Type: 2, Content: []byte("ciphertext")}},
	})
	if err != nil {
		log.Fatal(err)
	}
	env, err := bob.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s from device %d\n", env.Content, env.SourceDeviceID)
	if err := bob.Ack(ctx, env.ID); err != nil {
		log.Fatal(err)
	}
	// Output: ciphertext from device 1
}
