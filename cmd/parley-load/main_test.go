package main

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckLoopback(t *testing.T) {
	cases := []struct {
		url         string
		allowRemote bool
		ok          bool
	}{
		{"https://127.0.0.1:8443", false, true},
		{"https://127.0.0.2:8443", false, true},
		{"wss://[::1]:8443", false, true},
		{"https://localhost:8443", false, true},
		{"https://192.0.2.1:8443", false, false},
		{"https://relay.example:8443", false, false},
		{"https://localhost.example:8443", false, false},
		{"https://0.0.0.0:8443", false, false},
		{"https://192.0.2.1:8443", true, true},
		{"http://127.0.0.1:8443", false, false},
		{"https://:8443", false, false},
	}
	for _, c := range cases {
		err := checkLoopback(c.url, c.allowRemote)
		if c.ok {
			assert.NoError(t, err, "url %s allowRemote %v", c.url, c.allowRemote)
		} else {
			assert.Error(t, err, "url %s allowRemote %v", c.url, c.allowRemote)
		}
	}
}

func TestPercentileNearestRank(t *testing.T) {
	var samples []time.Duration
	for i := 1; i <= 100; i++ {
		samples = append(samples, time.Duration(i))
	}
	assert.Equal(t, time.Duration(50), percentile(samples, 50))
	assert.Equal(t, time.Duration(90), percentile(samples, 90))
	assert.Equal(t, time.Duration(99), percentile(samples, 99))
	assert.Equal(t, time.Duration(100), percentile(samples, 100))
	assert.Equal(t, time.Duration(7), percentile([]time.Duration{7}, 99))
	assert.Zero(t, percentile(nil, 50))
}

func TestValidateRejectsRemote(t *testing.T) {
	cfg := config{relayURL: "https://192.0.2.1:8443", certFile: "relay-cert.pem", devices: 2, messages: 1, concurrency: 1, size: headerSize, duration: time.Second, setup: time.Second}
	require.ErrorContains(t, cfg.validate(), "not a loopback address")
	cfg.relayURL = "https://127.0.0.1:8443"
	require.NoError(t, cfg.validate())
	cfg.certFile = ""
	require.ErrorContains(t, cfg.validate(), "-cert is required")
}

func TestRunInProcess(t *testing.T) {
	cfg := config{devices: 6, messages: 4, concurrency: 4, size: 64, duration: 30 * time.Second, setup: 30 * time.Second}
	require.NoError(t, cfg.validate())
	var out bytes.Buffer
	require.NoError(t, run(slog.New(slog.NewTextHandler(io.Discard, nil)), cfg, &out))
	assert.Contains(t, out.String(), "24 acknowledged, 0 failed")
	assert.Contains(t, out.String(), "delivered:        24 of 24")
	assert.Contains(t, out.String(), "0 missing, 0 duplicates, 0 misrouted, 0 failed acks")
}
