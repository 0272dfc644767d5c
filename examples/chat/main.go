// Command chat is a terminal chat client for a Parley relay.
//
// It registers under a name on its first run and keeps its keys, sessions,
// contacts and groups in an encrypted key store (keystore/sqlstore) in its
// data directory. The passphrase comes from the PARLEY_PASSPHRASE
// environment variable or, when that is unset, from a prompt. Messages
// queued on the relay while the client was offline arrive at start.
//
//	go run ./examples/chat -relay https://127.0.0.1:8443 \
//	    -tls-sha256 HASH -trust-root KEY -dir alice-data -name alice
//
// Type /help for the commands. With -line, the client prints no prompt and
// writes each event as one line of space-separated key=value fields (the
// text last), for scripts and tests.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/client"
	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/transport"
)

type config struct {
	relay     string
	tlsSHA256 string
	trustRoot string
	dir       string
	name      string
	line      bool
	noSealed  bool
}

func main() {
	var cfg config
	flag.StringVar(&cfg.relay, "relay", "https://127.0.0.1:8443", "relay URL, as the relay prints it")
	flag.StringVar(&cfg.tlsSHA256, "tls-sha256", "", "SHA-256 of the relay's TLS certificate, as the relay prints it (empty: verify the certificate with the system roots)")
	flag.StringVar(&cfg.trustRoot, "trust-root", "", "relay's trust root public key in hex, as the relay prints it; needed for sealed sender")
	flag.StringVar(&cfg.dir, "dir", "parley-chat", "data directory for the encrypted key store and received files")
	flag.StringVar(&cfg.name, "name", "", "username to register on the first run: 3 to 64 characters from a-z, 0-9, '_', '.' and '-'")
	flag.BoolVar(&cfg.line, "line", false, "line mode for scripts: no prompt, one key=value line per event")
	flag.BoolVar(&cfg.noSealed, "no-sealed-sender", false, "send every message with the sender visible to the relay")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: %s [flags]\n\nTerminal chat over a Parley relay. The key store passphrase is read from\nPARLEY_PASSPHRASE or prompted for. Flags:\n\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	in := bufio.NewReader(os.Stdin)
	out := newPrinter(os.Stdout, cfg.line)

	var roots []curve.PublicKey
	if cfg.trustRoot != "" {
		b, err := hex.DecodeString(cfg.trustRoot)
		if err != nil {
			return fmt.Errorf("invalid -trust-root %q: want the hex key the relay prints", cfg.trustRoot)
		}
		key, err := curve.NewPublicKey(b)
		if err != nil {
			return fmt.Errorf("invalid -trust-root: %w", err)
		}
		roots = append(roots, key)
	}
	var topts transport.ClientOptions
	if cfg.tlsSHA256 != "" {
		tlsConfig, err := client.PinnedTLSConfig(cfg.tlsSHA256)
		if err != nil {
			return err
		}
		topts.TLSConfig = tlsConfig
	}

	if err := os.MkdirAll(cfg.dir, 0o700); err != nil {
		return err
	}
	passphrase, err := readPassphrase(in, cfg.line)
	if err != nil {
		return err
	}
	store, err := client.OpenStore(filepath.Join(cfg.dir, "keystore.db"), passphrase)
	if err != nil {
		return err
	}
	defer store.Close()

	app := &chat{out: out, dir: cfg.dir, changed: map[string]curve.PublicKey{}, unread: map[string][]uint64{}}
	dialCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := client.Dial(dialCtx, cfg.relay, store, topts, client.Options{
		TrustRoots:          roots,
		DisableSealedSender: cfg.noSealed,
		OnEvent:             app.handle,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	app.c = c
	if !c.Registered() {
		if cfg.name == "" {
			return errors.New("this key store has no account yet: pass -name to register one")
		}
		if err := c.Register(dialCtx, cfg.name); err != nil {
			return fmt.Errorf("register %q: %w", cfg.name, err)
		}
	} else if cfg.name != "" && cfg.name != c.Username() {
		return fmt.Errorf("this key store belongs to %q, not %q", c.Username(), cfg.name)
	}
	if len(roots) == 0 {
		out.notice("warning", "no -trust-root given: sealed sender is off, so the relay sees who sends each message")
	}

	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(ctx) }()
	out.ready(c)

	lines := make(chan string)
	go func() {
		defer close(lines)
		for {
			line, err := in.ReadString('\n')
			if line = strings.TrimRight(line, "\r\n"); line != "" {
				lines <- line
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		out.prompt()
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("receiving stopped: %w", err)
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			if quit := app.command(ctx, line); quit {
				return nil
			}
		}
	}
}

// readPassphrase returns PARLEY_PASSPHRASE or prompts for the passphrase
// on the terminal, without echo when stty is available.
func readPassphrase(in *bufio.Reader, line bool) ([]byte, error) {
	if p, ok := os.LookupEnv("PARLEY_PASSPHRASE"); ok {
		if p == "" {
			return nil, errors.New("PARLEY_PASSPHRASE is empty")
		}
		return []byte(p), nil
	}
	if line {
		return nil, errors.New("line mode needs the passphrase in PARLEY_PASSPHRASE")
	}
	fmt.Fprint(os.Stderr, "Key store passphrase: ")
	echoOff := exec.Command("stty", "-echo")
	echoOff.Stdin = os.Stdin
	if echoOff.Run() == nil {
		defer func() {
			echoOn := exec.Command("stty", "echo")
			echoOn.Stdin = os.Stdin
			echoOn.Run()
			fmt.Fprintln(os.Stderr)
		}()
	}
	p, err := in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	p = strings.TrimRight(p, "\r\n")
	if p == "" {
		return nil, errors.New("empty passphrase")
	}
	return []byte(p), nil
}
