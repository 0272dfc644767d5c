package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
)

// ClientOptions configures a [Client]. Zero values select the defaults
// named in each field's comment.
type ClientOptions struct {
	// TLSConfig is the base TLS configuration. Nil means the system roots.
	TLSConfig *tls.Config
	// PinnedCertificate, when set, is the only server certificate accepted,
	// compared byte for byte with the leaf the server presents. Use it for
	// a relay with a self-signed certificate. Hostname and chain are not
	// checked then.
	PinnedCertificate *x509.Certificate
	// Credentials authenticate every connection, including reconnects. Nil
	// leaves the connection unauthenticated until Register, AddDevice or
	// Authenticate succeeds.
	Credentials *Credentials
	// Rand signs challenges and picks message ids. Nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// MinBackoff and MaxBackoff bound the reconnect delay, which doubles
	// after each failed attempt (100ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is the WebSocket keepalive interval (30s).
	PingInterval time.Duration
	// DisableReconnect makes a lost connection final.
	DisableReconnect bool
	// OnPreKeyStatus is called when the server reports that the device's
	// one-time prekeys run low. It must not block.
	OnPreKeyStatus func(PreKeyCount)
	// OnQueueDrained is called once per connection when the server has
	// delivered every queued envelope. It must not block.
	OnQueueDrained func()
}

// Envelope is a received message. Content is the sender's ciphertext.
// SourceServiceID is empty for a sealed sender envelope.
type Envelope struct {
	ID                  uint64
	SourceServiceID     string
	SourceDeviceID      uint32
	DestinationDeviceID uint32
	Type                uint32
	Content             []byte
	MessageID           [MessageIDSize]byte
	ServerTime          time.Time
	Ephemeral           bool
}

// Client is a connection to a relay that reconnects on its own. Requests
// are matched to responses by id and may be made from several goroutines.
type Client struct {
	url        string
	opts       ClientOptions
	httpClient *http.Client
	nextID     atomic.Uint64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	cur       *clientConn
	connected chan struct{} // closed while cur is set
	creds     *Credentials
	lastErr   error

	qmu      sync.Mutex
	queue    []Envelope
	queueSig chan struct{}
}

// clientConn is one WebSocket connection of a Client.
type clientConn struct {
	ws    *websocket.Conn
	nonce []byte
	done  chan struct{}

	mu      sync.Mutex
	pending map[uint64]chan *wire.Response
	closed  bool

	// replaced is set when the server closed the connection because another
	// connection authenticated as the same device.
	replaced atomic.Bool
}

var errReplaced = errors.New("transport: another connection authenticated as this device")

// Dial connects to the relay at rawURL (https://host:port or wss://host:port,
// with /v1/websocket added when the path is empty), authenticates when
// opts.Credentials is set, and keeps the connection up until Close. ctx
// bounds only the first connection.
func Dial(ctx context.Context, rawURL string, opts ClientOptions) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("transport: invalid relay url %q: %w", rawURL, err)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = WebSocketPath
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	setDefault(&opts.MinBackoff, 100*time.Millisecond)
	setDefault(&opts.MaxBackoff, 30*time.Second)
	setDefault(&opts.PingInterval, DefaultPingInterval)

	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.TLSConfig != nil {
		tlsConfig = opts.TLSConfig.Clone()
	}
	if pinned := opts.PinnedCertificate; pinned != nil {
		tlsConfig.InsecureSkipVerify = true
		tlsConfig.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || !bytes.Equal(raw[0], pinned.Raw) {
				return errors.New("transport: server certificate does not match the pinned certificate")
			}
			return nil
		}
	}
	c := &Client{
		url:        u.String(),
		opts:       opts,
		httpClient: &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig, Proxy: nil}},
		connected:  make(chan struct{}),
		creds:      opts.Credentials,
		queueSig:   make(chan struct{}, 1),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())

	cc, err := c.connect(ctx)
	if err != nil {
		c.cancel()
		return nil, err
	}
	c.install(cc)
	c.wg.Add(1)
	go c.supervise(cc)
	return c, nil
}

// Close closes the connection and stops reconnecting.
func (c *Client) Close() error {
	c.mu.Lock()
	cc := c.cur
	c.mu.Unlock()
	if cc != nil {
		cc.ws.Close(websocket.StatusNormalClosure, "")
	}
	c.cancel()
	c.wg.Wait()
	c.httpClient.CloseIdleConnections()
	return nil
}

// connect dials, reads the challenge and authenticates when credentials
// are known.
func (c *Client) connect(ctx context.Context) (*clientConn, error) {
	ws, _, err := websocket.Dial(ctx, c.url, &websocket.DialOptions{HTTPClient: c.httpClient})
	if err != nil {
		return nil, fmt.Errorf("transport: dial %s: %w", c.url, err)
	}
	ws.SetReadLimit(DefaultMaxAttachmentSize + 64<<10)
	_, data, err := ws.Read(ctx)
	if err != nil {
		ws.CloseNow()
		return nil, fmt.Errorf("transport: read challenge: %w", err)
	}
	f, err := decodeFrame(data)
	if err != nil {
		ws.CloseNow()
		return nil, err
	}
	ch, ok := f.Kind.(*wire.Frame_Challenge)
	if !ok {
		ws.CloseNow()
		return nil, fmt.Errorf("%w: first frame is not a challenge", errMalformedFrame)
	}
	cc := &clientConn{ws: ws, nonce: ch.Challenge.Nonce, done: make(chan struct{}), pending: make(map[uint64]chan *wire.Response)}

	// Envelopes that an earlier connection delivered and the caller has not
	// received are dropped: the server sends them again because they were
	// not acknowledged.
	c.qmu.Lock()
	c.queue = nil
	c.qmu.Unlock()

	c.wg.Add(2)
	go c.readLoop(cc)
	go c.keepalive(cc)

	c.mu.Lock()
	creds := c.creds
	c.mu.Unlock()
	if creds != nil {
		if err := c.authenticateOn(ctx, cc, *creds); err != nil {
			cc.ws.Close(websocket.StatusNormalClosure, "")
			return nil, err
		}
	}
	return cc, nil
}

// install makes cc the current connection.
func (c *Client) install(cc *clientConn) {
	c.mu.Lock()
	c.cur = cc
	close(c.connected)
	c.mu.Unlock()
}

// supervise replaces a lost connection, with exponential backoff and
// jitter between attempts.
func (c *Client) supervise(cc *clientConn) {
	defer c.wg.Done()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-cc.done:
		}
		c.mu.Lock()
		c.cur = nil
		c.connected = make(chan struct{})
		c.mu.Unlock()
		if c.opts.DisableReconnect || cc.replaced.Load() {
			if cc.replaced.Load() {
				c.mu.Lock()
				c.lastErr = errReplaced
				c.mu.Unlock()
			}
			c.cancel()
			return
		}
		backoff := c.opts.MinBackoff
		for {
			delay := backoff/2 + time.Duration(mathrand.Int64N(int64(backoff/2)+1))
			select {
			case <-c.ctx.Done():
				return
			case <-time.After(delay):
			}
			ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
			next, err := c.connect(ctx)
			cancel()
			if err == nil {
				cc = next
				c.install(cc)
				break
			}
			c.mu.Lock()
			c.lastErr = err
			c.mu.Unlock()
			if errors.Is(err, ErrUnauthorized) {
				// Credentials that the server rejects will not start working.
				c.cancel()
				return
			}
			backoff = min(2*backoff, c.opts.MaxBackoff)
		}
	}
}

func (c *Client) readLoop(cc *clientConn) {
	defer c.wg.Done()
	defer func() {
		cc.mu.Lock()
		cc.closed = true
		for id, ch := range cc.pending {
			close(ch)
			delete(cc.pending, id)
		}
		cc.mu.Unlock()
		close(cc.done)
	}()
	for {
		_, data, err := cc.ws.Read(c.ctx)
		if err != nil {
			if websocket.CloseStatus(err) == websocket.StatusPolicyViolation {
				// The server closes with this status when a newer connection
				// replaced this one or authentication failed repeatedly.
				// Reconnecting would only fight the newer connection.
				cc.replaced.Store(true)
			}
			cc.ws.CloseNow()
			return
		}
		f, err := decodeFrame(data)
		if err != nil {
			continue
		}
		switch k := f.Kind.(type) {
		case *wire.Frame_Response:
			cc.mu.Lock()
			ch := cc.pending[k.Response.Id]
			delete(cc.pending, k.Response.Id)
			cc.mu.Unlock()
			if ch != nil {
				ch <- k.Response
			}
		case *wire.Frame_Envelope:
			c.enqueue(envelopeFromWire(k.Envelope))
		case *wire.Frame_QueueDrained:
			if c.opts.OnQueueDrained != nil {
				c.opts.OnQueueDrained()
			}
		case *wire.Frame_PreKeyStatus:
			if c.opts.OnPreKeyStatus != nil {
				c.opts.OnPreKeyStatus(PreKeyCount{EC: int(k.PreKeyStatus.EcCount), Kyber: int(k.PreKeyStatus.KyberCount)})
			}
		}
	}
}

func (c *Client) keepalive(cc *clientConn) {
	defer c.wg.Done()
	t := time.NewTicker(c.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-cc.done:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(c.ctx, c.opts.PingInterval)
			err := cc.ws.Ping(ctx)
			cancel()
			if err != nil {
				cc.ws.CloseNow()
				return
			}
		}
	}
}

// enqueue appends a pushed envelope. The queue is bounded by the server's
// delivery window, because the server pushes no more unacknowledged
// envelopes than that.
func (c *Client) enqueue(e Envelope) {
	c.qmu.Lock()
	c.queue = append(c.queue, e)
	c.qmu.Unlock()
	signal(c.queueSig)
}

func envelopeFromWire(w *wire.Envelope) Envelope {
	e := Envelope{
		ID:                  w.Id,
		SourceServiceID:     w.SourceServiceId,
		SourceDeviceID:      w.SourceDeviceId,
		DestinationDeviceID: w.DestinationDeviceId,
		Type:                w.Type,
		Content:             w.Content,
		ServerTime:          time.UnixMilli(w.ServerTimestamp),
		Ephemeral:           w.Ephemeral,
	}
	copy(e.MessageID[:], w.MessageId)
	return e
}

// Receive returns the next envelope, waiting until one arrives or ctx ends.
// Call Ack once the envelope is stored; until then the server delivers it
// again on every new connection.
func (c *Client) Receive(ctx context.Context) (Envelope, error) {
	for {
		c.qmu.Lock()
		if len(c.queue) > 0 {
			e := c.queue[0]
			c.queue[0] = Envelope{}
			c.queue = c.queue[1:]
			more := len(c.queue) > 0
			c.qmu.Unlock()
			if more {
				signal(c.queueSig)
			}
			return e, nil
		}
		c.qmu.Unlock()
		select {
		case <-ctx.Done():
			return Envelope{}, ctx.Err()
		case <-c.ctx.Done():
			return Envelope{}, ErrClosed
		case <-c.queueSig:
		}
	}
}

// Ack tells the server to delete the envelope with id. It returns once the
// frame is written; an Ack lost with the connection leads to redelivery.
func (c *Client) Ack(ctx context.Context, id uint64) error {
	cc, err := c.current(ctx)
	if err != nil {
		return err
	}
	return c.write(ctx, cc, &wire.Frame{Kind: &wire.Frame_Ack{Ack: &wire.Ack{Id: id}}})
}

// current waits for a live connection.
func (c *Client) current(ctx context.Context) (*clientConn, error) {
	for {
		c.mu.Lock()
		cc, connected := c.cur, c.connected
		c.mu.Unlock()
		if cc != nil {
			return cc, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.ctx.Done():
			c.mu.Lock()
			err := c.lastErr
			c.mu.Unlock()
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrClosed, err)
			}
			return nil, ErrClosed
		case <-connected:
		}
	}
}

func (c *Client) write(ctx context.Context, cc *clientConn, f *wire.Frame) error {
	b, err := encodeFrame(f)
	if err != nil {
		return err
	}
	if err := cc.ws.Write(ctx, websocket.MessageBinary, b); err != nil {
		return fmt.Errorf("%w: %w", ErrConnectionLost, err)
	}
	return nil
}

// roundTrip sends one request on cc and decodes the response body into out.
func (c *Client) roundTrip(ctx context.Context, cc *clientConn, verb string, in, out proto.Message) error {
	body, err := proto.Marshal(in)
	if err != nil {
		return fmt.Errorf("transport: encode %s request: %w", verb, err)
	}
	id := c.nextID.Add(1)
	ch := make(chan *wire.Response, 1)
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		return ErrConnectionLost
	}
	cc.pending[id] = ch
	cc.mu.Unlock()
	defer func() {
		cc.mu.Lock()
		delete(cc.pending, id)
		cc.mu.Unlock()
	}()

	req := &wire.Frame{Kind: &wire.Frame_Request{Request: &wire.Request{Id: id, Verb: verb, Body: body}}}
	if err := c.write(ctx, cc, req); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case resp, ok := <-ch:
		if !ok {
			return ErrConnectionLost
		}
		return responseError(verb, resp, out)
	}
}

// responseError turns a response into nil (decoding the body into out) or
// the error for its status.
func responseError(verb string, resp *wire.Response, out proto.Message) error {
	switch resp.Status {
	case StatusOK:
		if out != nil {
			if err := proto.Unmarshal(resp.Body, out); err != nil {
				return fmt.Errorf("transport: decode %s response: %w", verb, err)
			}
		}
		return nil
	case StatusConflict:
		var m wire.MismatchedDevices
		if verb == VerbSend && proto.Unmarshal(resp.Body, &m) == nil {
			return &MismatchedDevicesError{Missing: m.MissingDevices, Extra: m.ExtraDevices}
		}
	case StatusGone:
		var m wire.StaleDevices
		if verb == VerbSend && proto.Unmarshal(resp.Body, &m) == nil {
			return &StaleDevicesError{Stale: m.StaleDevices}
		}
	}
	return &StatusError{Verb: verb, Status: resp.Status, Message: resp.Message}
}

// do sends a request on the current connection, waiting for one if the
// client is reconnecting.
func (c *Client) do(ctx context.Context, verb string, in, out proto.Message) error {
	cc, err := c.current(ctx)
	if err != nil {
		return err
	}
	return c.roundTrip(ctx, cc, verb, in, out)
}
