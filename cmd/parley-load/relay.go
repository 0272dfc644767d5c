package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley/transport"
)

// relayTarget is the relay that the devices connect to.
type relayTarget struct {
	url         string
	cert        *x509.Certificate // pinned by every client
	description string
}

// localRelay is a relay served from this process on 127.0.0.1 with a
// SQLite store in a temporary directory.
type localRelay struct {
	target relayTarget
	dir    string
	store  *transport.SQLiteStore
	relay  *transport.Server
	http   *http.Server
}

func startRelay(logger *slog.Logger) (*localRelay, error) {
	dir, err := os.MkdirTemp("", "parley-load-")
	if err != nil {
		return nil, fmt.Errorf("create temporary directory: %w", err)
	}

	dbPath := filepath.Join(dir, "relay.db")
	store, err := transport.OpenSQLite(dbPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cert, err := transport.SelfSignedCertificate([]string{"127.0.0.1"}, 24*time.Hour, nil)
	if err != nil {
		store.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		store.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("listen on 127.0.0.1: %w", err)
	}

	relay := transport.NewServer(store, transport.ServerOptions{Logger: logger})
	hs := &http.Server{
		Handler:           relay,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		// A TLS handshake error from a client that gave up is not a
		// result of the run.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go hs.ServeTLS(ln, "", "")

	return &localRelay{
		target: relayTarget{
			url:         "https://" + ln.Addr().String(),
			cert:        cert.Leaf,
			description: fmt.Sprintf("in-process relay on %s, SQLite store (WAL, synchronous=FULL) at %s", ln.Addr(), dbPath),
		},
		dir:   dir,
		store: store,
		relay: relay,
		http:  hs,
	}, nil
}

func (r *localRelay) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.http.Shutdown(ctx)
	r.relay.Shutdown(ctx)
	r.store.Close()
	os.RemoveAll(r.dir)
}
