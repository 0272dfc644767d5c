// Command bot is a Parley bot that replies to messages: "ping" gets "pong",
// "help" lists the commands, a file gets its size and SHA-256, and
// anything else is echoed. In groups it replies only to messages that start
// with "!bot". It marks each message read before it replies.
//
// Like examples/chat it keeps an encrypted key store in its data directory
// and reads the passphrase from PARLEY_PASSPHRASE.
//
//	PARLEY_PASSPHRASE=... go run ./examples/bot -relay https://127.0.0.1:8443 \
//	    -tls-sha256 HASH -trust-root KEY -dir bot-data -name echo-bot
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/client"
	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/transport"
)

// replyTimeout bounds sending one reply, including waits for a reconnect.
const replyTimeout = 30 * time.Second

func main() {
	relay := flag.String("relay", "https://127.0.0.1:8443", "relay URL, as the relay prints it")
	tlsSHA256 := flag.String("tls-sha256", "", "SHA-256 of the relay's TLS certificate, as the relay prints it (empty: verify with the system roots)")
	trustRoot := flag.String("trust-root", "", "relay's trust root public key in hex, as the relay prints it; needed for sealed sender")
	dir := flag.String("dir", "parley-bot", "data directory for the encrypted key store")
	name := flag.String("name", "echo-bot", "username to register on the first run")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, logger, *relay, *tlsSHA256, *trustRoot, *dir, *name); err != nil {
		logger.Error("bot failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logger *slog.Logger, relayURL, tlsSHA256, trustRoot, dir, name string) error {
	passphrase := os.Getenv("PARLEY_PASSPHRASE")
	if passphrase == "" {
		return errors.New("set PARLEY_PASSPHRASE to the key store passphrase")
	}
	var opts client.Options
	if trustRoot != "" {
		b, err := hex.DecodeString(trustRoot)
		if err != nil {
			return fmt.Errorf("invalid -trust-root %q: want the hex key the relay prints", trustRoot)
		}
		key, err := curve.NewPublicKey(b)
		if err != nil {
			return fmt.Errorf("invalid -trust-root: %w", err)
		}
		opts.TrustRoots = []curve.PublicKey{key}
	}
	var topts transport.ClientOptions
	if tlsSHA256 != "" {
		tlsConfig, err := client.PinnedTLSConfig(tlsSHA256)
		if err != nil {
			return err
		}
		topts.TLSConfig = tlsConfig
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	store, err := client.OpenStore(filepath.Join(dir, "keystore.db"), []byte(passphrase))
	if err != nil {
		return err
	}
	defer store.Close()

	b := &bot{logger: logger, ctx: ctx}
	opts.OnEvent = b.handle
	c, err := client.Dial(ctx, relayURL, store, topts, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	b.c = c
	if !c.Registered() {
		if err := c.Register(ctx, name); err != nil {
			return fmt.Errorf("register %q: %w", name, err)
		}
	}
	logger.Info("bot started", "name", c.Username(), "service_id", c.Address().Name)
	err = c.Run(ctx)
	if ctx.Err() != nil {
		logger.Info("bot stopped")
		return nil
	}
	return err
}

type bot struct {
	c      *client.Client
	logger *slog.Logger
	ctx    context.Context
}

// handle replies to message events and logs the others. It runs in the
// client's receive loop, so the relay deletes a message only after the
// bot has replied to it.
func (b *bot) handle(ev client.Event) {
	switch ev := ev.(type) {
	case *client.MessageEvent:
		b.answerMessage(ev)
	case *client.IdentityChangeEvent:
		b.logger.Warn("identity key changed", "service_id", ev.ServiceID, "new_key", ev.NewKey.Fingerprint())
	case *client.DecryptErrorEvent:
		b.logger.Warn("message could not be decrypted", "service_id", ev.ServiceID, "err", ev.Err)
	case *client.ErrorEvent:
		b.logger.Error("client error", "op", ev.Op, "err", ev.Err)
	}
}

func (b *bot) answerMessage(m *client.MessageEvent) {
	ctx, cancel := context.WithTimeout(b.ctx, replyTimeout)
	defer cancel()
	text := m.Text
	if m.Group != nil {
		rest, ok := strings.CutPrefix(text, "!bot")
		if !ok {
			return
		}
		text = strings.TrimSpace(rest)
	}
	if err := b.c.SendReceipt(ctx, m.Sender.ServiceID, client.ReadReceipt, []uint64{m.Timestamp}); err != nil {
		b.logger.Error("send read receipt failed", "to", m.Sender.ServiceID, "err", err)
	}

	var data []byte
	if m.Attachment != nil {
		var err error
		if data, err = b.c.Download(ctx, m.Attachment); err != nil {
			b.logger.Error("download failed", "from", m.Sender.ServiceID, "err", err)
			return
		}
	}
	reply := answer(text, m.Attachment, data)
	var err error
	if m.Group != nil {
		_, err = b.c.SendGroupText(ctx, m.Group.ID, reply)
	} else {
		_, err = b.c.SendText(ctx, m.Sender.ServiceID, reply)
	}
	if err != nil {
		b.logger.Error("reply failed", "to", m.Sender.ServiceID, "err", err)
		return
	}
	b.logger.Info("answered", "from", m.Sender.ServiceID, "sealed", m.Sender.Sealed)
}

// answer returns the bot's reply to text and an optional file.
func answer(text string, att *client.Attachment, data []byte) string {
	if att != nil {
		sum := sha256.Sum256(data)
		return fmt.Sprintf("got %q: %d bytes, SHA-256 %x", att.FileName, len(data), sum)
	}
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "ping":
		return "pong"
	case "help", "":
		return `commands: "ping", "help"; send a file to get its SHA-256; anything else is echoed`
	}
	return "you said: " + text
}
