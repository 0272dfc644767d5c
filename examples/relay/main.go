// Command relay runs a Parley relay: the transport server with a SQLite
// store and a sealed sender certificate issuer, over TLS.
//
// On its first run it creates the data directory with a trust root key, a
// server key and its certificate (signed by the trust root), a self-signed
// TLS certificate and the SQLite database. At every start it prints what
// clients need: the relay URL, the SHA-256 of the TLS certificate, which
// clients pin, and the trust root public key, which clients use to check
// sender certificates.
//
//	go run ./examples/relay -addr 127.0.0.1:8443 -data relay-data
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/client"
	"github.com/parleyhq/parley/transport"
)

type config struct {
	addr     string
	dataDir  string
	certFile string
	keyFile  string
	hosts    string
	logLevel string

	certValidity      time.Duration
	maxEnvelopeSize   int
	maxAttachmentSize int
	maxQueueCount     int
	maxQueueBytes     int64
	maxEnvelopeAge    time.Duration
	maxDevices        int
	sendRate          float64
	sendBurst         int
}

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8443", "TCP address to listen on, host:port (port 0 picks a free port)")
	flag.StringVar(&cfg.dataDir, "data", "parley-relay-data", "data directory for keys, TLS certificate and database; created on first run")
	flag.StringVar(&cfg.certFile, "tls-cert", "", "PEM TLS certificate file (default: tls-cert.pem in the data directory, created self-signed when missing)")
	flag.StringVar(&cfg.keyFile, "tls-key", "", "PEM TLS private key file (default: tls-key.pem in the data directory)")
	flag.StringVar(&cfg.hosts, "hosts", "127.0.0.1,localhost", "comma-separated DNS names and IP addresses for a generated TLS certificate")
	flag.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	flag.DurationVar(&cfg.certValidity, "sender-cert-validity", client.DefaultCertificateValidity, "validity of the sealed sender certificates issued to clients")
	flag.IntVar(&cfg.maxEnvelopeSize, "max-envelope-size", transport.DefaultMaxEnvelopeSize, "maximum ciphertext size for one device, in bytes")
	flag.IntVar(&cfg.maxAttachmentSize, "max-attachment-size", transport.DefaultMaxAttachmentSize, "maximum size of one encrypted attachment, in bytes")
	flag.IntVar(&cfg.maxQueueCount, "max-queue-count", transport.DefaultMaxQueueCount, "maximum number of queued envelopes per device")
	flag.Int64Var(&cfg.maxQueueBytes, "max-queue-bytes", transport.DefaultMaxQueueBytes, "maximum size of queued envelopes per device, in bytes")
	flag.DurationVar(&cfg.maxEnvelopeAge, "max-envelope-age", transport.DefaultMaxEnvelopeAge, "time after which an undelivered envelope is deleted")
	flag.IntVar(&cfg.maxDevices, "max-devices", transport.DefaultMaxDevices, "maximum number of devices per account")
	flag.Float64Var(&cfg.sendRate, "send-rate", 50, "sustained sends per second allowed for one sender (0 disables the limit)")
	flag.IntVar(&cfg.sendBurst, "send-burst", 200, "sends allowed at once for one sender above the sustained rate")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: %s [flags]\n\nRuns a Parley relay over TLS. Flags:\n\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "relay: invalid -log-level %q: use debug, info, warn or error\n", cfg.logLevel)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("relay failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	keys, err := loadOrCreateKeys(cfg.dataDir)
	if err != nil {
		return err
	}
	if cfg.certFile == "" {
		cfg.certFile = filepath.Join(cfg.dataDir, "tls-cert.pem")
	}
	if cfg.keyFile == "" {
		cfg.keyFile = filepath.Join(cfg.dataDir, "tls-key.pem")
	}
	cert, err := transport.LoadOrCreateCertificate(cfg.certFile, cfg.keyFile, strings.Split(cfg.hosts, ","))
	if err != nil {
		return err
	}
	dbPath := filepath.Join(cfg.dataDir, "relay.db")
	store, err := transport.OpenSQLite(dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	issuer := keys.issuer
	issuer.Validity = cfg.certValidity
	relay := transport.NewServer(store, transport.ServerOptions{
		Logger:            logger,
		MaxEnvelopeSize:   cfg.maxEnvelopeSize,
		MaxAttachmentSize: cfg.maxAttachmentSize,
		MaxQueueCount:     cfg.maxQueueCount,
		MaxQueueBytes:     cfg.maxQueueBytes,
		MaxEnvelopeAge:    cfg.maxEnvelopeAge,
		MaxDevices:        cfg.maxDevices,
		SendRate:          cfg.sendRate,
		SendBurst:         cfg.sendBurst,
		CertificateIssuer: issuer,
	})
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           relay,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	// The three lines clients need, on standard output so that scripts can
	// read them.
	fmt.Printf("relay: https://%s\n", ln.Addr())
	fmt.Printf("tls-sha256: %s\n", client.CertificateSHA256(cert.Leaf))
	fmt.Printf("trust-root: %x\n", keys.trustRoot.Bytes())
	logger.Info("relay started", "addr", ln.Addr().String(), "data", cfg.dataDir, "server_key_id", issuer.ServerCertificate.KeyID())

	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("relay stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// The HTTP server stops accepting first. The relay then closes its
	// WebSocket connections, which http.Server.Shutdown does not track.
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("http shutdown failed", "err", err)
	}
	if err := relay.Shutdown(shutdownCtx); err != nil {
		logger.Error("relay shutdown failed", "err", err)
	}
	logger.Info("relay stopped")
	return nil
}
