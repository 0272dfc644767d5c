// Command parley-load drives many device connections against a Parley relay
// on loopback and reports delivered envelopes per second and latency
// percentiles.
//
// By default it starts a relay in the same process on 127.0.0.1, with the
// SQLite store (WAL, synchronous=FULL) in a temporary directory that is
// removed at exit. Every device registers an account, stays connected, sends
// -messages envelopes to other devices chosen at random and acknowledges
// every envelope it receives.
//
//	parley-load -devices 200 -messages 20
//	parley-load -relay https://127.0.0.1:8443 -cert relay-cert.pem
//
// It rejects a relay address that is not a loopback address unless
// -allow-remote is set.
package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"time"
)

// config is the parsed command line.
type config struct {
	relayURL    string
	certFile    string
	allowRemote bool
	devices     int
	messages    int
	concurrency int
	size        int
	duration    time.Duration
	setup       time.Duration
	verbose     bool
}

func main() {
	var cfg config
	flag.StringVar(&cfg.relayURL, "relay", "", "relay URL (https://host:port); empty starts an in-process relay with a SQLite store in a temporary directory")
	flag.StringVar(&cfg.certFile, "cert", "", "PEM certificate of the relay to pin; required with -relay (examples/relay writes tls-cert.pem into its data directory)")
	flag.BoolVar(&cfg.allowRemote, "allow-remote", false, "allow a -relay address that is not a loopback address")
	flag.IntVar(&cfg.devices, "devices", 200, "number of devices, each with its own account and connection")
	flag.IntVar(&cfg.messages, "messages", 20, "messages each device sends")
	flag.IntVar(&cfg.concurrency, "concurrency", 64, "maximum sends in flight across all devices")
	flag.IntVar(&cfg.size, "size", 128, "envelope content size in bytes (at least 20)")
	flag.DurationVar(&cfg.duration, "duration", 2*time.Minute, "maximum time for sending and receiving; envelopes not received by then are reported as missing")
	flag.DurationVar(&cfg.setup, "setup-timeout", 10*time.Minute, "maximum time to register and connect the devices")
	flag.BoolVar(&cfg.verbose, "v", false, "log the in-process relay's messages to standard error")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(os.Stderr, "parley-load: %v\n", err)
		flag.Usage()
		os.Exit(2)
	}
	if err := run(logger, cfg, os.Stdout); err != nil {
		logger.Error("load run failed", "err", err)
		os.Exit(1)
	}
}

func (c *config) validate() error {
	switch {
	case c.devices < 2:
		return fmt.Errorf("-devices is %d, want at least 2", c.devices)
	case c.messages < 1:
		return fmt.Errorf("-messages is %d, want at least 1", c.messages)
	case c.concurrency < 1:
		return fmt.Errorf("-concurrency is %d, want at least 1", c.concurrency)
	case c.size < headerSize:
		return fmt.Errorf("-size is %d, want at least %d", c.size, headerSize)
	case c.duration <= 0 || c.setup <= 0:
		return errors.New("-duration and -setup-timeout must be positive")
	}
	if c.relayURL == "" {
		return nil
	}
	if c.certFile == "" {
		return errors.New("-cert is required with -relay")
	}
	return checkLoopback(c.relayURL, c.allowRemote)
}

// checkLoopback rejects a relay URL whose host is not a loopback IP address
// or "localhost", unless allowRemote is set. Host names are not resolved,
// so the check sends nothing over the network.
func checkLoopback(rawURL string, allowRemote bool) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("invalid -relay URL %q: %w", rawURL, err)
	}
	if u.Scheme != "https" && u.Scheme != "wss" {
		return fmt.Errorf("-relay URL %q: scheme must be https or wss", rawURL)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("-relay URL %q has no host", rawURL)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-relay host %q is not a loopback address; set -allow-remote to load a relay you operate elsewhere", host)
}

func readCertificate(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("certificate file %q contains no PEM CERTIFICATE block", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %q: %w", path, err)
	}
	return cert, nil
}

func run(logger *slog.Logger, cfg config, out io.Writer) error {
	var target relayTarget
	if cfg.relayURL == "" {
		relayLogger := slog.New(slog.DiscardHandler)
		if cfg.verbose {
			relayLogger = logger
		}
		r, err := startRelay(relayLogger)
		if err != nil {
			return err
		}
		defer r.close()
		target = r.target
	} else {
		cert, err := readCertificate(cfg.certFile)
		if err != nil {
			return err
		}
		target = relayTarget{url: cfg.relayURL, cert: cert, description: cfg.relayURL}
	}

	setupCtx, cancel := context.WithTimeout(context.Background(), cfg.setup)
	defer cancel()
	setupStart := time.Now()
	fleet, err := connectFleet(setupCtx, target, cfg)
	if err != nil {
		return err
	}
	defer fleet.close()
	setupTime := time.Since(setupStart)

	res := fleet.runLoad(cfg)
	res.report(out, cfg, target, setupTime)
	if res.missing() > 0 {
		return fmt.Errorf("%d acknowledged envelopes were not received within -duration %v", res.missing(), cfg.duration)
	}
	return nil
}
