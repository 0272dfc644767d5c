// Command demo shows Parley end to end in one process. It starts a relay
// on loopback in a temporary directory and registers Alice and Bob, who
// exchange 1:1 messages, a file and group messages. It prints the
// conversation next to what the relay stored, which is ciphertext only.
//
//	go run ./examples/demo
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley/client"
	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/transport"
)

// waitTimeout bounds every wait for a message.
const waitTimeout = 20 * time.Second

func main() {
	keep := flag.Bool("keep", false, "keep the relay's temporary directory and print its path")
	flag.Parse()
	if err := run(*keep); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// relay is a relay running in this process.
type relay struct {
	url       string
	dir       string
	dbPath    string
	store     *transport.SQLiteStore
	trustRoot curve.PublicKey
	tlsSHA256 string
	stop      func()
}

func startRelay(dir string) (*relay, error) {
	root, err := curve.GenerateKeyPair(nil)
	if err != nil {
		return nil, err
	}
	issuer, err := client.NewCertificateIssuer(nil, root.Private, 1)
	if err != nil {
		return nil, err
	}
	cert, err := transport.SelfSignedCertificate([]string{"127.0.0.1"}, 24*time.Hour, nil)
	if err != nil {
		return nil, err
	}
	dbPath := filepath.Join(dir, "relay.db")
	store, err := transport.OpenSQLite(dbPath)
	if err != nil {
		return nil, err
	}
	server := transport.NewServer(store, transport.ServerOptions{CertificateIssuer: issuer})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		store.Close()
		return nil, err
	}
	hs := &http.Server{
		Handler:           server,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go hs.ServeTLS(ln, "", "")
	return &relay{
		url:       "https://" + ln.Addr().String(),
		dir:       dir,
		dbPath:    dbPath,
		store:     store,
		trustRoot: root.Public,
		tlsSHA256: client.CertificateSHA256(cert.Leaf),
		stop: func() {
			hs.Close()
			server.Close()
			store.Close()
		},
	}, nil
}

// user is one demo client and the events it received.
type user struct {
	name   string
	store  keystore.Store
	c      *client.Client
	events chan client.Event
	cancel context.CancelFunc
	done   chan struct{}
}

func (r *relay) connect(ctx context.Context, u *user) error {
	tlsConfig, err := client.PinnedTLSConfig(r.tlsSHA256)
	if err != nil {
		return err
	}
	c, err := client.Dial(ctx, r.url, u.store, transport.ClientOptions{TLSConfig: tlsConfig}, client.Options{
		TrustRoots: []curve.PublicKey{r.trustRoot},
		OnEvent:    func(ev client.Event) { u.events <- ev },
	})
	if err != nil {
		return err
	}
	u.c = c
	if c.Registered() {
		u.run()
	}
	return nil
}

// run starts receiving in the background.
func (u *user) run() {
	runCtx, cancel := context.WithCancel(context.Background())
	u.cancel, u.done = cancel, make(chan struct{})
	go func() {
		defer close(u.done)
		u.c.Run(runCtx)
	}()
}

func (u *user) disconnect() {
	u.cancel()
	<-u.done
	u.c.Close()
}

func newUser(ctx context.Context, r *relay, name string) (*user, error) {
	identity, regID, err := client.NewIdentity(nil)
	if err != nil {
		return nil, err
	}
	u := &user{name: name, store: keystore.NewMemoryStore(identity, regID), events: make(chan client.Event, 64)}
	if err := r.connect(ctx, u); err != nil {
		return nil, err
	}
	if err := u.c.Register(ctx, name); err != nil {
		return nil, err
	}
	u.run()
	return u, nil
}

// waitMessage returns u's next message event and prints it. Other events
// are printed as they pass.
func (u *user) waitMessage() (*client.MessageEvent, error) {
	deadline := time.After(waitTimeout)
	for {
		select {
		case ev := <-u.events:
			switch ev := ev.(type) {
			case *client.MessageEvent:
				printMessage(u.name, ev)
				return ev, nil
			case *client.ReceiptEvent:
				fmt.Printf("    (%s got a %s receipt from %s)\n", u.name, ev.Type, ev.Sender.Username)
			case *client.GroupEvent:
				fmt.Printf("    (%s joined group %q, added by %s)\n", u.name, ev.Group.Name, ev.Sender.Username)
			case *client.DecryptErrorEvent:
				return nil, fmt.Errorf("%s could not decrypt a message: %w", u.name, ev.Err)
			case *client.ErrorEvent:
				return nil, fmt.Errorf("%s: %s: %w", u.name, ev.Op, ev.Err)
			}
		case <-deadline:
			return nil, fmt.Errorf("%s received no message within %v", u.name, waitTimeout)
		}
	}
}

func printMessage(to string, m *client.MessageEvent) {
	how := "sender visible to the relay"
	if m.Sender.Sealed {
		how = "sealed sender"
	}
	where := to
	if m.Group != nil {
		where = "group " + m.Group.Name
	}
	fmt.Printf("  %s -> %s: %q  [%s]\n", m.Sender.Username, where, m.Text, how)
	if a := m.Attachment; a != nil {
		fmt.Printf("    attachment %q, %s, %d bytes\n", a.FileName, a.ContentType, a.Size)
	}
}

func run(keep bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "parley-demo-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Printf("relay directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	r, err := startRelay(dir)
	if err != nil {
		return err
	}
	defer r.stop()
	fmt.Printf("Relay listening on %s (data in a temporary directory)\n\n", r.url)

	alice, err := newUser(ctx, r, "alice")
	if err != nil {
		return err
	}
	bob, err := newUser(ctx, r, "bob")
	if err != nil {
		return err
	}
	defer alice.disconnect()
	fmt.Printf("Registered alice (%s) and bob (%s)\n\n", alice.c.Address().Name, bob.c.Address().Name)

	var plaintexts []string
	send := func(from *user, to *user, text string) error {
		plaintexts = append(plaintexts, text)
		_, err := from.c.SendText(ctx, to.c.Address().Name, text)
		if err != nil {
			return err
		}
		_, err = to.waitMessage()
		return err
	}

	fmt.Println("1:1 conversation:")
	if _, err := alice.c.Lookup(ctx, "bob"); err != nil {
		return err
	}
	if err := send(alice, bob, "Hi Bob, it's Alice. Lunch on Friday?"); err != nil {
		return err
	}
	if err := send(bob, alice, "Friday works. The usual place?"); err != nil {
		return err
	}
	if err := send(alice, bob, "Yes, at noon. I'll send you the menu."); err != nil {
		return err
	}

	fmt.Println("\nFile:")
	menu := []byte("Soup of the day: tomato\nMain: mushroom risotto\n")
	plaintexts = append(plaintexts, "mushroom risotto", "menu.txt")
	if _, err := alice.c.SendFile(ctx, bob.c.Address().Name, client.File{Name: "menu.txt", ContentType: "text/plain", Data: menu}, "the menu"); err != nil {
		return err
	}
	m, err := bob.waitMessage()
	if err != nil {
		return err
	}
	got, err := bob.c.Download(ctx, m.Attachment)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, menu) {
		return errors.New("downloaded file differs from the sent file")
	}
	fmt.Printf("    bob downloaded and decrypted it: %q\n", got)

	fmt.Println("\nGroup:")
	g, err := alice.c.CreateGroup(ctx, "lunch club", []string{bob.c.Address().Name})
	if err != nil {
		return err
	}
	plaintexts = append(plaintexts, "Welcome to the lunch club!", "Glad to be here.", "lunch club")
	if _, err := alice.c.SendGroupText(ctx, g.ID, "Welcome to the lunch club!"); err != nil {
		return err
	}
	if _, err := bob.waitMessage(); err != nil {
		return err
	}
	if _, err := bob.c.SendGroupText(ctx, g.ID, "Glad to be here."); err != nil {
		return err
	}
	if _, err := alice.waitMessage(); err != nil {
		return err
	}

	fmt.Println("\nBob goes offline and Alice sends two messages. The relay's queue for bob (receipts included):")
	bob.disconnect()
	for _, text := range []string{"Running ten minutes late.", "Order the soup for me."} {
		plaintexts = append(plaintexts, text)
		if _, err := alice.c.SendText(ctx, bob.c.Address().Name, text); err != nil {
			return err
		}
	}
	if err := printQueue(ctx, r, bob.c.Address().Name); err != nil {
		return err
	}

	fmt.Println("\nBob comes back online and receives them:")
	if err := r.connect(ctx, bob); err != nil {
		return err
	}
	defer bob.disconnect()
	for range 2 {
		if _, err := bob.waitMessage(); err != nil {
			return err
		}
	}

	fmt.Println("\nSearching the relay's files for every plaintext sent:")
	return searchRelay(r, plaintexts)
}

// printQueue prints the envelopes queued for a device as the relay stores
// them.
func printQueue(ctx context.Context, r *relay, serviceID string) error {
	envs, err := r.store.Envelopes(ctx, serviceID, 1, 0, 10)
	if err != nil {
		return err
	}
	for _, e := range envs {
		kind, sender := "sealed sender", "hidden"
		if e.Sender != "" {
			kind, sender = "session message", fmt.Sprintf("%s.%d", e.Sender, e.SenderDevice)
		}
		prefix := e.Content[:min(24, len(e.Content))]
		fmt.Printf("  envelope %d: type %d (%s), sender %s, %d bytes: %x...\n", e.ID, e.Type, kind, sender, len(e.Content), prefix)
	}
	return nil
}

// searchRelay reads every file in the relay's directory and reports any
// plaintext found in it.
func searchRelay(r *relay, plaintexts []string) error {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return err
	}
	var found []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(r.dir, e.Name()))
		if err != nil {
			return err
		}
		fmt.Printf("  %s: %d bytes\n", e.Name(), len(b))
		for _, p := range plaintexts {
			if bytes.Contains(b, []byte(p)) {
				found = append(found, fmt.Sprintf("%q in %s", p, e.Name()))
			}
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("plaintext found on the relay: %v", found)
	}
	fmt.Printf("  none of the %d plaintexts appears in the relay's files.\n", len(plaintexts))
	return nil
}
