// Command parley-relay runs a Parley relay: the transport server with a
// SQLite store, over TLS.
//
// On first run without -cert and -key files it creates a self-signed
// certificate for -hosts and writes it next to the database. Clients pin
// that certificate (transport.ClientOptions.PinnedCertificate); the relay
// logs its SHA-256 fingerprint at start.
//
//	parley-relay -addr 127.0.0.1:8443 -db relay.db
package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/transport"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "TCP address to listen on")
	dbPath := flag.String("db", "relay.db", "path of the SQLite database")
	certFile := flag.String("cert", "", "PEM certificate file (default: relay-cert.pem next to -db)")
	keyFile := flag.String("key", "", "PEM private key file (default: relay-key.pem next to -db)")
	hosts := flag.String("hosts", "127.0.0.1,localhost", "comma-separated names and IP addresses for a generated certificate")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(logger, *addr, *dbPath, *certFile, *keyFile, strings.Split(*hosts, ",")); err != nil {
		logger.Error("relay failed", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger, addr, dbPath, certFile, keyFile string, hosts []string) error {
	dir := filepath.Dir(dbPath)
	if certFile == "" {
		certFile = filepath.Join(dir, "relay-cert.pem")
	}
	if keyFile == "" {
		keyFile = filepath.Join(dir, "relay-key.pem")
	}
	cert, err := transport.LoadOrCreateCertificate(certFile, keyFile, hosts)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(cert.Certificate[0])
	logger.Info("tls certificate", "file", certFile, "sha256", hex.EncodeToString(sum[:]))

	store, err := transport.OpenSQLite(dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	relay := transport.NewServer(store, transport.ServerOptions{Logger: logger, SendRate: 50, SendBurst: 200})
	srv := &http.Server{
		Addr:              addr,
		Handler:           relay,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		logger.Info("relay listening", "addr", addr, "db", dbPath)
		errc <- srv.ListenAndServeTLS("", "")
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("relay stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// The HTTP server stops accepting first; the relay then closes its
	// WebSocket connections, which http.Server.Shutdown does not track.
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("http shutdown", "err", err)
	}
	if err := relay.Shutdown(shutdownCtx); err != nil {
		logger.Error("relay shutdown", "err", err)
	}
	logger.Info("relay stopped")
	return nil
}
