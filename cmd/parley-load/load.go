package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/transport"
)

// Envelope content layout: sender index, destination index and sequence
// number as 4-byte big-endian integers, then the send time as 8 bytes of
// nanoseconds since the fleet's start on the monotonic clock, then zero
// padding up to -size bytes. The relay does not read the content, so it
// need not be real ciphertext.
const headerSize = 20

// device is one registered account with its single device and connection.
type device struct {
	index          int
	serviceID      string
	registrationID uint32
	client         *transport.Client
}

// fleet is every device of a run.
type fleet struct {
	devices []*device
	start   time.Time // origin of the send times in envelope contents
}

// connectFleet registers cfg.devices accounts, each on its own connection,
// with at most cfg.concurrency registrations at once.
func connectFleet(ctx context.Context, target relayTarget, cfg config) (*fleet, error) {
	var tag [4]byte
	if _, err := io.ReadFull(rand.Reader, tag[:]); err != nil {
		return nil, fmt.Errorf("read randomness for usernames: %w", err)
	}
	f := &fleet{devices: make([]*device, cfg.devices), start: time.Now()}
	sem := make(chan struct{}, min(cfg.concurrency, 4*runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range f.devices {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d, err := registerDevice(ctx, target, i, fmt.Sprintf("load%x-%d", tag, i))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("register device %d: %w", i, err)
				}
				return
			}
			f.devices[i] = d
		})
	}
	wg.Wait()
	if firstErr != nil {
		f.close()
		return nil, firstErr
	}
	return f, nil
}

func registerDevice(ctx context.Context, target relayTarget, index int, username string) (*device, error) {
	identity, err := curve.GenerateKeyPair(nil)
	if err != nil {
		return nil, err
	}
	client, err := transport.Dial(ctx, target.url, transport.ClientOptions{PinnedCertificate: target.cert})
	if err != nil {
		return nil, err
	}
	registrationID := uint32(1 + index%0x3fff)
	addr, err := client.Register(ctx, transport.Registration{Username: username, IdentityKey: identity, RegistrationID: registrationID})
	if err != nil {
		client.Close()
		return nil, err
	}
	return &device{index: index, serviceID: addr.Name, registrationID: registrationID, client: client}, nil
}

// close closes every connection, in parallel because each close waits for
// the WebSocket closing handshake.
func (f *fleet) close() {
	var wg sync.WaitGroup
	for _, d := range f.devices {
		if d != nil {
			wg.Go(func() { d.client.Close() })
		}
	}
	wg.Wait()
}

// results are the measurements of one run.
type results struct {
	sent, sendFailed      int
	sendErrors            map[string]int
	received, duplicates  int64
	misrouted, ackFailed  int64
	sendTime, receiveTime time.Duration // from the first send to the last send or receipt
	sendLatency           latencySummary
	deliveryLatency       latencySummary
}

func (r *results) missing() int64 { return int64(r.sent) - r.received }

// runLoad sends cfg.messages envelopes from every device to devices picked
// at random, with at most cfg.concurrency sends in flight, and receives
// until every acknowledged send has arrived or cfg.duration has passed.
func (f *fleet) runLoad(cfg config) *results {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration)
	defer cancel()
	n := len(f.devices)
	seen := make([]atomic.Bool, n*cfg.messages)
	res := &results{sendErrors: map[string]int{}}

	var received, duplicates, misrouted, ackFailed atomic.Int64
	var lastReceipt atomic.Int64 // nanoseconds since f.start
	var latMu sync.Mutex
	deliveryLatencies := make([]time.Duration, 0, n*cfg.messages)

	recvCtx, stopReceivers := context.WithCancel(ctx)
	defer stopReceivers()
	var receivers sync.WaitGroup
	for _, d := range f.devices {
		receivers.Go(func() {
			for {
				e, err := d.client.Receive(recvCtx)
				if err != nil {
					return
				}
				now := time.Since(f.start)
				if err := d.client.Ack(recvCtx, e.ID); err != nil {
					ackFailed.Add(1)
				}
				if len(e.Content) < headerSize {
					misrouted.Add(1)
					continue
				}
				sender := int(binary.BigEndian.Uint32(e.Content[0:]))
				dest := int(binary.BigEndian.Uint32(e.Content[4:]))
				seq := int(binary.BigEndian.Uint32(e.Content[8:]))
				sentAt := time.Duration(binary.BigEndian.Uint64(e.Content[12:]))
				if dest != d.index || sender >= n || seq >= cfg.messages {
					misrouted.Add(1)
					continue
				}
				if seen[sender*cfg.messages+seq].Swap(true) {
					duplicates.Add(1)
					continue
				}
				received.Add(1)
				lastReceipt.Store(int64(now))
				latMu.Lock()
				deliveryLatencies = append(deliveryLatencies, now-sentAt)
				latMu.Unlock()
			}
		})
	}

	type job struct{ sender, seq int }
	jobs := make(chan job)
	go func() {
		defer close(jobs)
		// Every device sends its first message before any sends its
		// second, so all devices are active throughout the run.
		for seq := range cfg.messages {
			for sender := range n {
				select {
				case jobs <- job{sender, seq}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	phaseStart := time.Since(f.start)
	var sendMu sync.Mutex
	sendLatencies := make([]time.Duration, 0, n*cfg.messages)
	var senders sync.WaitGroup
	for w := range cfg.concurrency {
		rng := mathrand.New(mathrand.NewPCG(uint64(w), uint64(phaseStart)))
		senders.Go(func() {
			content := make([]byte, cfg.size)
			for j := range jobs {
				dest := rng.IntN(n - 1)
				if dest >= j.sender {
					dest++
				}
				to := f.devices[dest]
				binary.BigEndian.PutUint32(content[0:], uint32(j.sender))
				binary.BigEndian.PutUint32(content[4:], uint32(dest))
				binary.BigEndian.PutUint32(content[8:], uint32(j.seq))
				sentAt := time.Since(f.start)
				binary.BigEndian.PutUint64(content[12:], uint64(sentAt))
				m := transport.Message{
					Destination: to.serviceID,
					Messages: []transport.OutgoingMessage{{
						DeviceID: 1, RegistrationID: to.registrationID, Type: 1, Content: content,
					}},
				}
				err := f.devices[j.sender].client.Send(ctx, m)
				took := time.Since(f.start) - sentAt
				sendMu.Lock()
				if err != nil {
					res.sendFailed++
					res.sendErrors[errorKind(err)]++
				} else {
					res.sent++
					sendLatencies = append(sendLatencies, took)
				}
				sendMu.Unlock()
			}
		})
	}
	senders.Wait()
	res.sendTime = time.Since(f.start) - phaseStart

	// Wait until every acknowledged send arrived or the cap is reached.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for received.Load() < int64(res.sent) && ctx.Err() == nil {
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	stopReceivers()
	receivers.Wait()

	res.received = received.Load()
	res.duplicates = duplicates.Load()
	res.misrouted = misrouted.Load()
	res.ackFailed = ackFailed.Load()
	res.receiveTime = time.Duration(lastReceipt.Load()) - phaseStart
	res.sendLatency = summarize(sendLatencies)
	res.deliveryLatency = summarize(deliveryLatencies)
	return res
}

// errorKind groups send errors for the report.
func errorKind(err error) string {
	var status *transport.StatusError
	switch {
	case errors.As(err, &status):
		return fmt.Sprintf("status %d", status.Status)
	case errors.Is(err, context.DeadlineExceeded):
		return "-duration reached"
	case errors.Is(err, transport.ErrConnectionLost):
		return "connection lost"
	case errors.Is(err, transport.ErrClosed):
		return "client closed"
	default:
		return err.Error()
	}
}

func (r *results) report(w io.Writer, cfg config, target relayTarget, setup time.Duration) {
	fmt.Fprintf(w, "relay:            %s\n", target.description)
	fmt.Fprintf(w, "load:             %d devices x %d messages, %d sends in flight at most, %d-byte envelopes\n",
		cfg.devices, cfg.messages, cfg.concurrency, cfg.size)
	fmt.Fprintf(w, "setup:            registered and connected %d devices in %v\n", cfg.devices, round(setup))
	fmt.Fprintf(w, "sent:             %d acknowledged, %d failed in %v (%.0f sends/s)\n",
		r.sent, r.sendFailed, round(r.sendTime), perSecond(int64(r.sent), r.sendTime))
	kinds := make([]string, 0, len(r.sendErrors))
	for k := range r.sendErrors {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  send error:     %s: %d\n", k, r.sendErrors[k])
	}
	fmt.Fprintf(w, "delivered:        %d of %d in %v: %.0f envelopes/s\n",
		r.received, r.sent, round(r.receiveTime), perSecond(r.received, r.receiveTime))
	fmt.Fprintf(w, "anomalies:        %d missing, %d duplicates, %d misrouted, %d failed acks\n",
		r.missing(), r.duplicates, r.misrouted, r.ackFailed)
	r.sendLatency.write(w, "send latency")
	r.deliveryLatency.write(w, "delivery latency")
	fmt.Fprintf(w, "machine:          %d CPUs (GOMAXPROCS %d), %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
