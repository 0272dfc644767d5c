package transport

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley/curve"
)

// ServerOptions configures a [Server]. Zero values select the defaults named
// in each field's comment.
type ServerOptions struct {
	// Logger receives starts, stops, errors and drops. It never receives
	// keys or message content. Nil discards the log.
	Logger *slog.Logger
	// Rand is the source of challenges, service ids and attachment ids. Nil
	// means crypto/rand.Reader.
	Rand io.Reader
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	// MaxFrameSize limits a frame other than an attachment upload, in bytes
	// (DefaultMaxFrameSize).
	MaxFrameSize int
	// MaxEnvelopeSize limits the ciphertext for one device, in bytes
	// (DefaultMaxEnvelopeSize).
	MaxEnvelopeSize int
	// MaxAttachmentSize limits an uploaded attachment, in bytes
	// (DefaultMaxAttachmentSize).
	MaxAttachmentSize int
	// MaxQueueCount and MaxQueueBytes limit each device queue
	// (DefaultMaxQueueCount, DefaultMaxQueueBytes).
	MaxQueueCount int
	MaxQueueBytes int64
	// MaxEnvelopeAge is how long an envelope stays queued before it is
	// deleted unread (DefaultMaxEnvelopeAge).
	MaxEnvelopeAge time.Duration
	// ExpireInterval is how often expired envelopes are deleted
	// (one tenth of MaxEnvelopeAge, at most one hour).
	ExpireInterval time.Duration
	// DeliveryWindow is the number of envelopes pushed to a device and not
	// yet acknowledged, which bounds the memory a slow device costs
	// (DefaultDeliveryWindow).
	DeliveryWindow int
	// WriteTimeout bounds each frame write. A device that does not read for
	// that long is disconnected (DefaultWriteTimeout).
	WriteTimeout time.Duration
	// PingInterval is the WebSocket keepalive interval (DefaultPingInterval).
	PingInterval time.Duration
	// PreKeyLowThreshold is the one-time prekey count below which a device
	// is told to upload more (DefaultPreKeyLowThreshold).
	PreKeyLowThreshold int
	// MaxStoredPreKeys limits the stored one-time prekeys of each kind per
	// device (DefaultMaxStoredPreKeys).
	MaxStoredPreKeys int
	// MaxDevices limits the devices of one account (DefaultMaxDevices).
	MaxDevices int

	// SendRate is the sustained number of sends per second allowed for one
	// sender, and SendBurst the number allowed at once. A sealed sender send
	// is counted against the connection's remote IP address. Zero SendRate
	// disables the limit.
	SendRate  float64
	SendBurst int

	// CertificateIssuer issues sender certificates. Nil makes
	// "certificate.sender" requests fail with status 501.
	CertificateIssuer CertificateIssuer
}

// CertificateIssuer creates sealed sender certificates for authenticated
// devices. The relay holds no signing key itself.
type CertificateIssuer interface {
	// IssueSenderCertificate returns a serialized sender certificate for
	// the device.
	IssueSenderCertificate(ctx context.Context, sender SenderIdentity) ([]byte, error)
}

// SenderIdentity is the authenticated device that a sender certificate is
// for.
type SenderIdentity struct {
	ServiceID   string
	DeviceID    uint32
	IdentityKey curve.PublicKey
}

func (o *ServerOptions) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	setDefault(&o.MaxFrameSize, DefaultMaxFrameSize)
	setDefault(&o.MaxEnvelopeSize, DefaultMaxEnvelopeSize)
	setDefault(&o.MaxAttachmentSize, DefaultMaxAttachmentSize)
	setDefault(&o.MaxQueueCount, DefaultMaxQueueCount)
	setDefault(&o.MaxQueueBytes, DefaultMaxQueueBytes)
	setDefault(&o.MaxEnvelopeAge, DefaultMaxEnvelopeAge)
	setDefault(&o.ExpireInterval, min(o.MaxEnvelopeAge/10, time.Hour))
	setDefault(&o.DeliveryWindow, DefaultDeliveryWindow)
	setDefault(&o.WriteTimeout, DefaultWriteTimeout)
	setDefault(&o.PingInterval, DefaultPingInterval)
	setDefault(&o.PreKeyLowThreshold, DefaultPreKeyLowThreshold)
	setDefault(&o.MaxStoredPreKeys, DefaultMaxStoredPreKeys)
	setDefault(&o.MaxDevices, DefaultMaxDevices)
	if o.SendBurst <= 0 {
		o.SendBurst = max(1, int(o.SendRate))
	}
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Server is the relay as an http.Handler. It serves the WebSocket protocol
// at /v1/websocket, a health check at /healthz and Prometheus metrics at
// /metrics. It sees only ciphertext: envelopes, prekeys and attachments are
// stored and forwarded as the clients encrypted them.
type Server struct {
	store   Store
	opts    ServerOptions
	logger  *slog.Logger
	metrics *metrics
	limiter *rateLimiter
	logs    logLimiter

	mu       sync.Mutex
	conns    map[*serverConn]struct{}
	devices  map[deviceKey]*serverConn
	closing  bool
	handlers sync.WaitGroup

	stop     chan struct{}
	stopOnce sync.Once
	sweeper  sync.WaitGroup
}

type deviceKey struct {
	serviceID string
	deviceID  uint32
}

// NewServer returns a Server on store and starts its expiry loop. Call
// [Server.Shutdown] or [Server.Close] to stop it. The server does not close
// the store.
func NewServer(store Store, opts ServerOptions) *Server {
	opts.setDefaults()
	s := &Server{
		store:   store,
		opts:    opts,
		logger:  opts.Logger,
		metrics: newMetrics(),
		conns:   make(map[*serverConn]struct{}),
		devices: make(map[deviceKey]*serverConn),
		stop:    make(chan struct{}),
		logs:    logLimiter{interval: time.Second},
	}
	if opts.SendRate > 0 {
		s.limiter = newRateLimiter(opts.SendRate, opts.SendBurst)
	}
	s.sweeper.Add(1)
	go s.expireLoop()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case WebSocketPath:
		s.serveWebSocket(w, r)
	case "/healthz":
		s.serveHealth(w, r)
	case "/metrics":
		s.serveMetrics(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.store.QueueDepth(ctx); err != nil {
		s.logger.Error("health check: store unavailable", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()

	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.logger.Debug("websocket upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	c := newServerConn(s, ws, r.RemoteAddr)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	s.metrics.connections.Add(1)
	s.metrics.connectionsTotal.Add(1)

	c.run(r.Context())

	s.mu.Lock()
	delete(s.conns, c)
	if c.authed && s.devices[c.key] == c {
		delete(s.devices, c.key)
	}
	s.mu.Unlock()
	s.metrics.connections.Add(-1)
}

// register makes c the live connection of its device and closes the
// connection it replaces.
func (s *Server) register(c *serverConn) {
	s.mu.Lock()
	old := s.devices[c.key]
	s.devices[c.key] = c
	s.mu.Unlock()
	if old != nil && old != c {
		s.metrics.drop(dropReplaced, 1)
		s.logger.Info("connection replaced", "service_id", c.key.serviceID, "device", c.key.deviceID)
		go old.closeWith(websocket.StatusPolicyViolation, "replaced by a newer connection")
	}
}

// online returns the live connection of a device, or nil.
func (s *Server) online(serviceID string, deviceID uint32) *serverConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.devices[deviceKey{serviceID, deviceID}]
}

func (s *Server) expireLoop() {
	defer s.sweeper.Done()
	t := time.NewTicker(s.opts.ExpireInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.expire()
		}
	}
}

func (s *Server) expire() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := s.opts.Now()
	n, err := s.store.ExpireEnvelopes(ctx, now.Add(-s.opts.MaxEnvelopeAge), now.Add(-DefaultDuplicateWindow))
	if err != nil {
		s.logger.Error("expire envelopes", "err", err)
		return
	}
	if n > 0 {
		s.metrics.drop(dropExpired, uint64(n))
		s.logger.Info("expired envelopes", "count", n)
	}
	if s.limiter != nil {
		s.limiter.prune(now)
	}
}

// Shutdown stops accepting connections, lets each connection finish the
// request it is handling, closes it with status 1001 (going away) and waits
// for all connection handlers to return or for ctx to end. Clients
// reconnect elsewhere or later; unacknowledged envelopes stay queued.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	conns := make([]*serverConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.stopOnce.Do(func() { close(s.stop) })
	s.logger.Info("relay shutting down", "connections", len(conns))

	for _, c := range conns {
		go c.closeWith(websocket.StatusGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() {
		s.handlers.Wait()
		s.sweeper.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range conns {
			c.ws.CloseNow()
		}
		return ctx.Err()
	}
}

// Close closes every connection at once without waiting.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Shutdown(ctx)
	return nil
}

// rateLimiter is a token bucket per sender.
type rateLimiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxRateBuckets bounds the limiter's memory. When it is reached, buckets
// that have refilled are pruned, and if that is not enough the map is reset.
const maxRateBuckets = 100000

func newRateLimiter(rate float64, burst int) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), buckets: make(map[string]*bucket)}
}

func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxRateBuckets {
			l.pruneLocked(now)
			if len(l.buckets) >= maxRateBuckets {
				clear(l.buckets)
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *rateLimiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneLocked(now)
}

func (l *rateLimiter) pruneLocked(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}
