package transport

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Drop reasons counted in parley_relay_drops_total.
const (
	dropEphemeralOffline = "ephemeral_offline"
	dropExpired          = "expired"
	dropQueueFull        = "queue_full"
	dropRateLimited      = "rate_limited"
	dropTooLarge         = "too_large"
	dropMalformedFrame   = "malformed_frame"
	dropReplaced         = "connection_replaced"
	dropSlowConsumer     = "slow_consumer"
	dropAuthFailed       = "auth_failed"
)

var dropReasons = []string{
	dropEphemeralOffline, dropExpired, dropQueueFull, dropRateLimited, dropTooLarge,
	dropMalformedFrame, dropReplaced, dropSlowConsumer, dropAuthFailed,
}

// metrics holds the server's counters. They are written as Prometheus text
// exposition format version 0.0.4 by hand, so the relay needs no client
// library.
type metrics struct {
	connections      atomic.Int64
	authenticated    atomic.Int64
	connectionsTotal atomic.Uint64
	sends            atomic.Uint64
	duplicates       atomic.Uint64
	deliveries       atomic.Uint64
	acks             atomic.Uint64
	drops            map[string]*atomic.Uint64
}

func newMetrics() *metrics {
	m := &metrics{drops: make(map[string]*atomic.Uint64, len(dropReasons))}
	for _, r := range dropReasons {
		m.drops[r] = new(atomic.Uint64)
	}
	return m
}

func (m *metrics) drop(reason string, n uint64) {
	m.drops[reason].Add(n)
}

func (m *metrics) write(w io.Writer, queueDepth int64, depthErr error) {
	gauge := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge("parley_relay_connections", "Open WebSocket connections.", m.connections.Load())
	gauge("parley_relay_authenticated_connections", "Open WebSocket connections authenticated as a device.", m.authenticated.Load())
	counter("parley_relay_connections_total", "WebSocket connections accepted.", m.connectionsTotal.Load())
	if depthErr == nil {
		gauge("parley_relay_queue_depth", "Envelopes stored in all device queues.", queueDepth)
	}
	counter("parley_relay_sends_total", "Sends stored.", m.sends.Load())
	counter("parley_relay_duplicate_sends_total", "Sends answered as retries of a stored send.", m.duplicates.Load())
	counter("parley_relay_deliveries_total", "Envelopes pushed to devices, redeliveries included.", m.deliveries.Load())
	counter("parley_relay_acks_total", "Envelopes acknowledged and deleted.", m.acks.Load())
	fmt.Fprintf(w, "# HELP parley_relay_drops_total Envelopes, frames or connections dropped, by reason.\n# TYPE parley_relay_drops_total counter\n")
	reasons := slices.Sorted(func(yield func(string) bool) {
		for r := range m.drops {
			if !yield(r) {
				return
			}
		}
	})
	for _, r := range reasons {
		fmt.Fprintf(w, "parley_relay_drops_total{reason=%q} %d\n", r, m.drops[r].Load())
	}
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	depth, err := s.store.QueueDepth(ctx)
	if err != nil {
		s.logger.Error("metrics: read queue depth", "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w, depth, err)
}

// logLimiter drops repeats of the same log key within an interval, so a
// misbehaving client cannot flood the log.
type logLimiter struct {
	mu       sync.Mutex
	last     map[string]time.Time
	interval time.Duration
}

func (l *logLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = make(map[string]time.Time)
	}
	if t, ok := l.last[key]; ok && now.Sub(t) < l.interval {
		return false
	}
	if len(l.last) > 1024 {
		clear(l.last)
	}
	l.last[key] = now
	return true
}
