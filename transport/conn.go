package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley/internal/wire"
)

// requestTimeout bounds the store work of one request.
const requestTimeout = 30 * time.Second

// serverConn is one WebSocket connection on the server. Its read loop
// handles requests one at a time in arrival order. After authentication a
// second goroutine pushes the device's queue.
type serverConn struct {
	s      *Server
	ws     *websocket.Conn
	remote string
	ctx    context.Context
	cancel context.CancelFunc

	// Used only by the read loop.
	nonce        []byte
	nonceUsed    bool
	authFailures int
	// closeAfterResponse ends the connection once the current response is
	// written.
	closeAfterResponse bool
	// startDelivery starts the delivery goroutine once the response to the
	// authenticating request is written, so that response comes first.
	startDelivery bool

	// Set once by the read loop on authentication, before the delivery
	// goroutine starts and before the connection is registered.
	authed bool
	key    deviceKey

	// handleMu is held while a request is handled, so a shutdown closes the
	// connection between requests.
	handleMu sync.Mutex

	notify chan struct{}
	acked  chan struct{}

	mu       sync.Mutex
	inflight map[uint64]struct{}

	workers sync.WaitGroup
}

func newServerConn(s *Server, ws *websocket.Conn, remote string) *serverConn {
	ctx, cancel := context.WithCancel(context.Background())
	return &serverConn{
		s:        s,
		ws:       ws,
		remote:   remote,
		ctx:      ctx,
		cancel:   cancel,
		notify:   make(chan struct{}, 1),
		acked:    make(chan struct{}, 1),
		inflight: make(map[uint64]struct{}),
	}
}

func (c *serverConn) run(parent context.Context) {
	defer c.cancel()
	// Until the device authenticates, no message may exceed one frame;
	// only an authenticated device may send an attachment-sized one.
	c.ws.SetReadLimit(int64(c.s.opts.MaxFrameSize))

	c.nonce = make([]byte, ChallengeSize)
	if _, err := io.ReadFull(c.s.opts.Rand, c.nonce); err != nil {
		c.s.logger.Error("read challenge randomness", "err", err)
		c.ws.Close(websocket.StatusInternalError, "internal error")
		return
	}
	challenge := &wire.Challenge{Nonce: c.nonce, ServerTime: c.s.opts.Now().UnixMilli()}
	if err := c.write(&wire.Frame{Kind: &wire.Frame_Challenge{Challenge: challenge}}); err != nil {
		c.ws.CloseNow()
		return
	}

	c.workers.Add(1)
	go c.keepalive()

	c.readLoop()

	c.cancel()
	c.ws.CloseNow()
	c.workers.Wait()
	if c.authed {
		c.s.metrics.authenticated.Add(-1)
		c.s.logger.Debug("device disconnected", "service_id", c.key.serviceID, "device", c.key.deviceID)
	}
}

func (c *serverConn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			if status := websocket.CloseStatus(err); status == websocket.StatusMessageTooBig || errors.Is(err, websocket.ErrMessageTooBig) {
				c.s.metrics.drop(dropTooLarge, 1)
			}
			return
		}
		if typ != websocket.MessageBinary {
			c.s.metrics.drop(dropMalformedFrame, 1)
			c.respond(&wire.Response{Status: StatusBadRequest, Message: "frames must be binary WebSocket messages"})
			continue
		}
		f, err := decodeFrame(data)
		if err != nil {
			c.s.metrics.drop(dropMalformedFrame, 1)
			if c.s.logs.allow("malformed:"+c.remote, c.s.opts.Now()) {
				c.s.logger.Info("malformed frame", "remote", c.remote, "err", err)
			}
			c.respond(&wire.Response{Status: StatusBadRequest, Message: err.Error()})
			continue
		}
		switch k := f.Kind.(type) {
		case *wire.Frame_Request:
			c.handleMu.Lock()
			c.respond(c.handleRequest(k.Request, len(data)))
			c.handleMu.Unlock()
		case *wire.Frame_Ack:
			c.handleAck(k.Ack.Id)
		default:
			c.s.metrics.drop(dropMalformedFrame, 1)
			c.respond(&wire.Response{Status: StatusBadRequest, Message: fmt.Sprintf("unexpected frame kind %T from a client", f.Kind)})
		}
		if c.startDelivery {
			c.startDelivery = false
			c.workers.Add(1)
			go c.deliver()
		}
		if c.closeAfterResponse {
			c.ws.Close(websocket.StatusPolicyViolation, "too many failed authentications")
			return
		}
		if c.ctx.Err() != nil {
			return
		}
	}
}

func (c *serverConn) respond(r *wire.Response) {
	if err := c.write(&wire.Frame{Kind: &wire.Frame_Response{Response: r}}); err != nil {
		c.cancel()
	}
}

// write sends one frame within the write timeout. A device that does not
// read for that long is disconnected.
func (c *serverConn) write(f *wire.Frame) error {
	b, err := encodeFrame(f)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.s.opts.WriteTimeout)
	defer cancel()
	err = c.ws.Write(ctx, websocket.MessageBinary, b)
	if err != nil && ctx.Err() == context.DeadlineExceeded && c.ctx.Err() == nil {
		c.s.metrics.drop(dropSlowConsumer, 1)
		c.s.logger.Info("write timed out, closing connection", "remote", c.remote, "service_id", c.key.serviceID, "device", c.key.deviceID)
		c.cancel()
	}
	return err
}

// closeWith closes the connection with a WebSocket status after the
// request in progress, if any, has been answered.
func (c *serverConn) closeWith(code websocket.StatusCode, reason string) {
	c.handleMu.Lock()
	defer c.handleMu.Unlock()
	c.ws.Close(code, reason)
	c.cancel()
}

func (c *serverConn) keepalive() {
	defer c.workers.Done()
	t := time.NewTicker(c.s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(c.ctx, c.s.opts.WriteTimeout)
			err := c.ws.Ping(ctx)
			cancel()
			if err != nil {
				if c.ctx.Err() == nil {
					c.s.logger.Debug("keepalive failed, closing connection", "remote", c.remote, "err", err)
				}
				c.cancel()
				return
			}
		}
	}
}

// signal wakes a goroutine waiting on ch without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (c *serverConn) handleAck(id uint64) {
	if !c.authed {
		c.respond(&wire.Response{Status: StatusUnauthorized, Message: "ack before authentication"})
		return
	}
	// An ack that arrived is applied even if the connection is closing, so
	// the envelope is not delivered again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), requestTimeout)
	defer cancel()
	deleted, err := c.s.store.DeleteEnvelope(ctx, c.key.serviceID, c.key.deviceID, id)
	if err != nil {
		c.s.logger.Error("delete acknowledged envelope", "service_id", c.key.serviceID, "device", c.key.deviceID, "envelope", id, "err", err)
		return
	}
	if deleted {
		c.s.metrics.acks.Add(1)
	}
	c.mu.Lock()
	_, ok := c.inflight[id]
	delete(c.inflight, id)
	c.mu.Unlock()
	if ok {
		signal(c.acked)
	}
}

// authenticated marks the connection as the device's and starts pushing
// its queue.
func (c *serverConn) authenticated(serviceID string, deviceID uint32) {
	c.nonceUsed = true
	c.authed = true
	c.key = deviceKey{serviceID, deviceID}
	c.s.metrics.authenticated.Add(1)
	c.ws.SetReadLimit(int64(max(c.s.opts.MaxFrameSize, c.s.opts.MaxAttachmentSize+4096)))
	c.s.register(c)
	c.startDelivery = true
}

// deliver pushes the device's queue in id order, with at most
// DeliveryWindow envelopes unacknowledged. It reads the queue from the
// store each time, so memory per connection is bounded by the window
// whatever the queue length.
func (c *serverConn) deliver() {
	defer c.workers.Done()
	window := c.s.opts.DeliveryWindow
	var last uint64
	exhausted, drainedSent := false, false
	for {
		c.mu.Lock()
		room := window - len(c.inflight)
		c.mu.Unlock()

		if room > 0 {
			ctx, cancel := context.WithTimeout(c.ctx, requestTimeout)
			envs, err := c.s.store.Envelopes(ctx, c.key.serviceID, c.key.deviceID, last, room)
			cancel()
			if err != nil {
				if c.ctx.Err() == nil {
					c.s.logger.Error("read queue", "service_id", c.key.serviceID, "device", c.key.deviceID, "err", err)
					c.cancel()
				}
				return
			}
			for _, e := range envs {
				c.mu.Lock()
				c.inflight[e.ID] = struct{}{}
				c.mu.Unlock()
				if err := c.write(&wire.Frame{Kind: &wire.Frame_Envelope{Envelope: envelopeToWire(e)}}); err != nil {
					c.cancel()
					return
				}
				last = e.ID
				c.s.metrics.deliveries.Add(1)
			}
			exhausted = len(envs) < room
			if len(envs) == room {
				continue
			}
		}

		if exhausted && !drainedSent {
			c.mu.Lock()
			empty := len(c.inflight) == 0
			c.mu.Unlock()
			if empty {
				if err := c.write(&wire.Frame{Kind: &wire.Frame_QueueDrained{QueueDrained: &wire.QueueDrained{}}}); err != nil {
					c.cancel()
					return
				}
				drainedSent = true
			}
		}

		select {
		case <-c.ctx.Done():
			return
		case <-c.notify:
		case <-c.acked:
		}
	}
}

func envelopeToWire(e QueuedEnvelope) *wire.Envelope {
	return &wire.Envelope{
		Id:                  e.ID,
		SourceServiceId:     e.Sender,
		SourceDeviceId:      e.SenderDevice,
		DestinationDeviceId: e.DeviceID,
		Type:                e.Type,
		Content:             e.Content,
		MessageId:           e.MessageID[:],
		ServerTimestamp:     e.StoredAt.UnixMilli(),
		Ephemeral:           e.Ephemeral,
	}
}

// pushPreKeyStatus tells the device that its one-time prekeys run low.
func (c *serverConn) pushPreKeyStatus(count PreKeyCount) {
	status := &wire.PreKeyStatus{EcCount: uint32(count.EC), KyberCount: uint32(count.Kyber)}
	c.write(&wire.Frame{Kind: &wire.Frame_PreKeyStatus{PreKeyStatus: status}})
}
