package transport

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

// crashChildEnv names the environment variable that turns
// TestCrashServerChild into a relay process. Its value is the directory
// with the database, the certificate and the address file.
const crashChildEnv = "PARLEY_CRASH_CHILD"

// Crash test limits. Each round starts the relay process, sends for a
// random 100 to 600 ms and kills the process with SIGKILL.
const (
	crashRounds           = 6
	crashSenders          = 4
	crashRecipients       = 3 // accounts, with two devices each
	crashMaxSendsPerRound = 400
	crashMinKillDelay     = 100 * time.Millisecond
	crashMaxKillDelay     = 600 * time.Millisecond
	crashStartTimeout     = 20 * time.Second
	crashSendTimeout      = 2 * time.Second
)

// relayProcessInfo is what a relay process writes to relayInfoFile once it
// listens.
type relayProcessInfo struct {
	Addr string
	Cert []byte // DER of the leaf certificate, which clients pin
}

const relayInfoFile = "relay.json"

// TestCrashServerChild is the relay process of TestCrashRecovery. It runs
// only when crashChildEnv is set, serves until its standard input closes or
// it is killed, and is skipped in a normal test run.
func TestCrashServerChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("relay process for TestCrashRecovery; runs only when " + crashChildEnv + " is set")
	}
	serveRelayProcess(t, dir)

	// Standard input is a pipe from the parent, so it closes when the
	// parent exits for any reason and this process does not outlive it.
	stdinClosed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	select {
	case <-stdinClosed:
	case <-time.After(2 * time.Minute):
	}
}

// serveRelayProcess serves a relay on 127.0.0.1 with the SQLite database
// and certificate in dir, until the test ends, and writes its address and
// certificate to relayInfoFile in dir.
func serveRelayProcess(t testing.TB, dir string) *Server {
	store, err := OpenSQLite(filepath.Join(dir, "relay.db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	cert, err := LoadOrCreateCertificate(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), []string{"127.0.0.1"})
	require.NoError(t, err)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewServer(store, ServerOptions{})
	hs := &http.Server{
		Handler:   srv,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	go hs.ServeTLS(ln, "", "")
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})

	// The info file appears whole or not at all, because the parent polls
	// for it.
	info, err := json.Marshal(relayProcessInfo{Addr: ln.Addr().String(), Cert: cert.Certificate[0]})
	require.NoError(t, err)
	tmp := filepath.Join(dir, relayInfoFile+".tmp")
	require.NoError(t, os.WriteFile(tmp, info, 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, relayInfoFile)))
	return srv
}

// relayProcess is one run of the test binary as a relay process.
type relayProcess struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader // nil unless started with replies set
	pipe   io.Closer     // read end of the standard output pipe, or nil
	output *bytes.Buffer // standard error, and standard output unless replies is set
	exited chan struct{}
	url    string
	cert   *x509.Certificate
}

// startRelayProcess runs the test function named test in a new process of
// this test binary with env set to dir, and waits until it listens. With
// replies set, the caller reads the process's standard output.
func startRelayProcess(t testing.TB, test, env, dir string, replies bool) *relayProcess {
	t.Helper()
	infoPath := filepath.Join(dir, relayInfoFile)
	require.NoError(t, os.RemoveAll(infoPath))

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), env+"="+dir)
	output := new(bytes.Buffer)
	cmd.Stderr = output
	p := &relayProcess{cmd: cmd, output: output, exited: make(chan struct{})}
	if replies {
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		p.stdout = bufio.NewReader(stdout)
		p.pipe = stdout
	} else {
		cmd.Stdout = output
	}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	p.stdin = stdin
	require.NoError(t, cmd.Start())
	go func() {
		// With replies set, cmd.Wait must wait until the caller has read
		// standard output, so it runs only after the process exited.
		if replies {
			cmd.Process.Wait()
		} else {
			cmd.Wait()
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		cancel()
		p.kill(t)
	})

	deadline := time.Now().Add(crashStartTimeout)
	for {
		data, err := os.ReadFile(infoPath)
		if err == nil {
			var info relayProcessInfo
			require.NoError(t, json.Unmarshal(data, &info))
			p.cert, err = x509.ParseCertificate(info.Cert)
			require.NoError(t, err)
			p.url = "https://" + info.Addr
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("relay process exited before listening: %v\n%s", cmd.ProcessState, output)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("relay process did not listen within %v", crashStartTimeout)
		}
	}
}

// kill sends SIGKILL and waits for the process to exit.
func (p *relayProcess) kill(t testing.TB) {
	t.Helper()
	p.cmd.Process.Kill()
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Errorf("relay process %d did not exit within 10s of SIGKILL", p.cmd.Process.Pid)
	}
	p.stdin.Close()
	if p.pipe != nil {
		p.pipe.Close()
	}
}

func (p *relayProcess) dial(t testing.TB, creds *Credentials, onDrained func()) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := Dial(ctx, p.url, ClientOptions{
		PinnedCertificate: p.cert,
		Credentials:       creds,
		MinBackoff:        10 * time.Millisecond,
		MaxBackoff:        100 * time.Millisecond,
		OnQueueDrained:    onDrained,
	})
	require.NoError(t, err)
	return client
}

func startCrashChild(t *testing.T, dir string) *relayProcess {
	t.Helper()
	return startRelayProcess(t, "TestCrashServerChild", crashChildEnv, dir, false)
}

// crashAccount is an account registered with the relay process.
type crashAccount struct {
	serviceID string
	identity  curve.KeyPair
	devices   []crashDevice
}

type crashDevice struct {
	id             uint32
	registrationID uint32
	creds          Credentials
}

func registerCrashAccount(t *testing.T, child *relayProcess, name string, registrationID uint32, devices int) *crashAccount {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	identity, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	client := child.dial(t, nil, nil)
	defer client.Close()
	addr, err := client.Register(ctx, Registration{Username: name, IdentityKey: identity, RegistrationID: registrationID})
	require.NoError(t, err)

	a := &crashAccount{serviceID: addr.Name, identity: identity}
	a.devices = append(a.devices, crashDevice{
		id:             addr.DeviceID,
		registrationID: registrationID,
		creds:          Credentials{ServiceID: addr.Name, DeviceID: addr.DeviceID, Key: identity.Private},
	})

	for i := 1; i < devices; i++ {
		key, err := curve.GenerateKeyPair(nil)
		require.NoError(t, err)
		linked := child.dial(t, nil, nil)
		regID := registrationID + uint32(i)*1000
		daddr, err := linked.AddDevice(ctx, a.serviceID, identity.Private, key, regID)
		linked.Close()
		require.NoError(t, err)
		a.devices = append(a.devices, crashDevice{
			id:             daddr.DeviceID,
			registrationID: regID,
			creds:          Credentials{ServiceID: a.serviceID, DeviceID: daddr.DeviceID, Key: key.Private},
		})
	}
	return a
}

// crashContent is the ciphertext stand-in for one device. It names the
// device it is for, so a misrouted envelope is detected from its content.
func crashContent(serviceID string, deviceID uint32, sender string, seq int) string {
	return fmt.Sprintf("to=%s.%d from=%s seq=%d", serviceID, deviceID, sender, seq)
}

// crashAttempt is one message id that a sender tried to send.
type crashAttempt struct {
	sender      string
	destination *crashAccount
	id          [MessageIDSize]byte
	seq         int
	acked       bool // some Send with this id returned nil
}

// crashDelivery is one envelope as a device received it.
type crashDelivery struct {
	envelopeID uint64
	sender     string
	messageID  [MessageIDSize]byte
	content    string
	destDevice uint32
}

// crashLedger records sends and deliveries across all relay processes.
type crashLedger struct {
	mu       sync.Mutex
	attempts map[string]*crashAttempt // key: sender + message id
	received map[string][]crashDelivery
}

func attemptKey(sender string, id [MessageIDSize]byte) string {
	return fmt.Sprintf("%s/%x", sender, id)
}

func deviceName(serviceID string, deviceID uint32) string {
	return fmt.Sprintf("%s.%d", serviceID, deviceID)
}

func (l *crashLedger) record(device string, e Envelope) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.received[device] = append(l.received[device], crashDelivery{
		envelopeID: e.ID,
		sender:     e.SourceServiceID,
		messageID:  e.MessageID,
		content:    string(e.Content),
		destDevice: e.DestinationDeviceID,
	})
}

// crashSender sends to the recipients in turn. A sender with retrySameID
// retries a send that failed with the same message id in the next round,
// which the relay must store once. The others drop a failed send.
type crashSender struct {
	account     *crashAccount
	retrySameID bool
	seq         int
	pending     *crashAttempt
}

func (s *crashSender) message(a *crashAttempt) Message {
	m := Message{Destination: a.destination.serviceID, ID: a.id}
	for _, d := range a.destination.devices {
		m.Messages = append(m.Messages, OutgoingMessage{
			DeviceID:       d.id,
			RegistrationID: d.registrationID,
			Type:           1,
			Content:        []byte(crashContent(a.destination.serviceID, d.id, s.account.serviceID, a.seq)),
		})
	}
	return m
}

// run sends until ctx ends or the round's send limit is reached.
func (s *crashSender) run(ctx context.Context, client *Client, recipients []*crashAccount, ledger *crashLedger, rng *mathrand.Rand) {
	for range crashMaxSendsPerRound {
		if ctx.Err() != nil {
			return
		}
		a := s.pending
		if a == nil {
			s.seq++
			a = &crashAttempt{sender: s.account.serviceID, destination: recipients[s.seq%len(recipients)], seq: s.seq}
			for i := range a.id {
				a.id[i] = byte(rng.UintN(256))
			}
			ledger.mu.Lock()
			ledger.attempts[attemptKey(a.sender, a.id)] = a
			ledger.mu.Unlock()
		}
		sendCtx, cancel := context.WithTimeout(ctx, crashSendTimeout)
		err := client.Send(sendCtx, s.message(a))
		cancel()
		if err == nil {
			ledger.mu.Lock()
			a.acked = true
			ledger.mu.Unlock()
			s.pending = nil
			continue
		}
		if s.retrySameID {
			s.pending = a
		}
		// The relay is probably gone, so pause before the next send.
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// receiveUntilCancel records and acknowledges envelopes until ctx ends.
func receiveUntilCancel(ctx context.Context, client *Client, device string, ledger *crashLedger) {
	for {
		e, err := client.Receive(ctx)
		if err != nil {
			return
		}
		ledger.record(device, e)
		client.Ack(ctx, e.ID)
	}
}

// TestCrashRecovery kills the relay process with SIGKILL while devices send
// and receive, restarts it on the same SQLite database and checks that
// every send the relay acknowledged is delivered, once, to the device it
// was addressed to. Killing the process loses no page cache, so this checks
// crash consistency of the process, not durability across power loss.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a relay process several times")
	}
	rng := mathrand.New(mathrand.NewPCG(mathrand.Uint64(), mathrand.Uint64()))
	dir := t.TempDir()

	child := startCrashChild(t, dir)
	var recipients []*crashAccount
	for i := range crashRecipients {
		recipients = append(recipients, registerCrashAccount(t, child, fmt.Sprintf("recipient%d", i), uint32(100+i), 2))
	}
	var senders []*crashSender
	for i := range crashSenders {
		a := registerCrashAccount(t, child, fmt.Sprintf("sender%d", i), uint32(200+i), 1)
		senders = append(senders, &crashSender{account: a, retrySameID: i%2 == 0})
	}
	ledger := &crashLedger{attempts: map[string]*crashAttempt{}, received: map[string][]crashDelivery{}}

	for round := range crashRounds {
		if round > 0 {
			child = startCrashChild(t, dir)
		}
		runCrashRound(t, child, senders, recipients, ledger, rng)
	}

	child = startCrashChild(t, dir)
	drainCrashQueues(t, child, recipients, ledger)
	checkCrashLedger(t, ledger)

	// Every envelope was acknowledged, so the queues must be empty. The
	// parent opens the database beside the running relay, which WAL mode
	// allows. The relay sends no response to an ack, so wait for it to
	// apply them.
	store, err := OpenSQLite(filepath.Join(dir, "relay.db"))
	require.NoError(t, err)
	defer store.Close()
	assert.Eventually(t, func() bool {
		depth, err := store.QueueDepth(context.Background())
		return err == nil && depth == 0
	}, 10*time.Second, 20*time.Millisecond, "envelopes left in the queues after every one was acknowledged")
	child.kill(t)
}

// runCrashRound connects senders and receivers, kills the relay process
// after a random delay and waits for every goroutine to stop.
func runCrashRound(t *testing.T, child *relayProcess, senders []*crashSender, recipients []*crashAccount, ledger *crashLedger, rng *mathrand.Rand) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var clients []*Client
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()

	var wg sync.WaitGroup
	for _, r := range recipients {
		for _, d := range r.devices {
			client := child.dial(t, &d.creds, nil)
			clients = append(clients, client)
			wg.Go(func() { receiveUntilCancel(ctx, client, deviceName(r.serviceID, d.id), ledger) })
		}
	}
	for _, s := range senders {
		client := child.dial(t, &s.account.devices[0].creds, nil)
		clients = append(clients, client)
		senderRNG := mathrand.New(mathrand.NewPCG(rng.Uint64(), rng.Uint64()))
		wg.Go(func() { s.run(ctx, client, recipients, ledger, senderRNG) })
	}

	delay := crashMinKillDelay + time.Duration(rng.Int64N(int64(crashMaxKillDelay-crashMinKillDelay)))
	time.Sleep(delay)
	child.kill(t)
	cancel()

	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * crashSendTimeout):
		t.Fatal("senders or receivers did not stop within 4s of the round's end")
	}
}

// drainCrashQueues connects every recipient device, receives and
// acknowledges everything queued, and returns once the relay reports each
// queue drained.
func drainCrashQueues(t *testing.T, child *relayProcess, recipients []*crashAccount, ledger *crashLedger) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range recipients {
		for _, d := range r.devices {
			drained := make(chan struct{}, 1)
			client := child.dial(t, &d.creds, func() { signal(drained) })
			defer client.Close()
			name := deviceName(r.serviceID, d.id)
			wg.Go(func() {
				// The relay sends QueueDrained after the envelopes it
				// pushed, so once it arrived the client queue holds the
				// rest and a short wait finds nothing more.
				isDrained := false
				for ctx.Err() == nil {
					waitCtx, waitCancel := context.WithTimeout(ctx, 200*time.Millisecond)
					e, err := client.Receive(waitCtx)
					waitCancel()
					if err == nil {
						ledger.record(name, e)
						assert.NoError(t, client.Ack(ctx, e.ID))
						continue
					}
					if isDrained {
						return
					}
					select {
					case <-drained:
						isDrained = true
					default:
					}
				}
				t.Errorf("device %s: queue not drained within 20s", name)
			})
		}
	}
	wg.Wait()
}

// crashProblems counts the failed checks of each kind and reports the
// first few of each, so one broken invariant does not flood the output.
type crashProblems struct {
	t      *testing.T
	counts map[string]int
}

const crashExamplesPerKind = 5

func (p *crashProblems) add(kind, format string, args ...any) {
	p.counts[kind]++
	if p.counts[kind] <= crashExamplesPerKind {
		p.t.Errorf(kind+": "+format, args...)
	}
}

// checkCrashLedger compares what was received with what was sent.
func checkCrashLedger(t *testing.T, ledger *crashLedger) {
	t.Helper()
	ledger.mu.Lock()
	defer ledger.mu.Unlock()

	acked, unacked := 0, 0
	for _, a := range ledger.attempts {
		if a.acked {
			acked++
		} else {
			unacked++
		}
	}
	t.Logf("%d rounds: %d sends acknowledged, %d not acknowledged", crashRounds, acked, unacked)
	require.Positive(t, acked, "no send was acknowledged, so the test checked nothing")

	problems := &crashProblems{t: t, counts: map[string]int{}}

	// storedAs maps each device and attempt to the distinct envelope ids it
	// arrived under. Redelivery of one envelope id is allowed, because
	// delivery is at least once.
	storedAs := map[string]map[string]map[uint64]bool{}
	redelivered := 0
	for device, deliveries := range ledger.received {
		serviceID, deviceID, ok := splitDeviceName(device)
		require.True(t, ok, "device name %q", device)
		storedAs[device] = map[string]map[uint64]bool{}
		contentByEnvelope := map[uint64]string{}
		for _, d := range deliveries {
			if d.destDevice != deviceID {
				problems.add("misrouted", "device %s got envelope %d addressed to device %d", device, d.envelopeID, d.destDevice)
			}
			key := attemptKey(d.sender, d.messageID)
			a := ledger.attempts[key]
			if a == nil {
				problems.add("unknown", "device %s got envelope %d with unknown sender %q or message id %x", device, d.envelopeID, d.sender, d.messageID)
				continue
			}
			if want := crashContent(serviceID, deviceID, a.sender, a.seq); d.content != want {
				problems.add("misrouted", "device %s got envelope %d with content %q, want %q", device, d.envelopeID, d.content, want)
			}

			if prev, ok := contentByEnvelope[d.envelopeID]; ok {
				redelivered++
				if prev != d.content {
					problems.add("changed", "envelope %d changed content on redelivery to device %s", d.envelopeID, device)
				}
			}
			contentByEnvelope[d.envelopeID] = d.content
			if storedAs[device][key] == nil {
				storedAs[device][key] = map[uint64]bool{}
			}
			storedAs[device][key][d.envelopeID] = true
		}
	}
	t.Logf("%d redeliveries of an envelope id", redelivered)

	unackedDelivered := 0
	for key, a := range ledger.attempts {
		got := 0
		for _, d := range a.destination.devices {
			ids := storedAs[deviceName(a.destination.serviceID, d.id)][key]
			// The store keeps one send per (sender, destination, message
			// id), acknowledged or not, so no id may arrive as two
			// envelopes.
			if len(ids) > 1 {
				problems.add("duplicated", "message %s arrived at device %d as %d envelopes", key, d.id, len(ids))
			}
			if len(ids) > 0 {
				got++
			}
			if a.acked && len(ids) == 0 {
				problems.add("lost", "acknowledged message %s (seq %d) never reached device %s.%d", key, a.seq, a.destination.serviceID, d.id)
			}
		}
		if !a.acked && got > 0 {
			unackedDelivered++
		}
		// A send is one transaction, so it reaches every device of the
		// account or none.
		if got != 0 && got != len(a.destination.devices) {
			problems.add("partial", "message %s reached %d of %d devices", key, got, len(a.destination.devices))
		}
	}
	t.Logf("%d sends not acknowledged were delivered", unackedDelivered)
	assert.Empty(t, problems.counts, "failed checks by kind")
}

func splitDeviceName(name string) (string, uint32, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", 0, false
	}
	var id uint32
	if _, err := fmt.Sscanf(name[i+1:], "%d", &id); err != nil {
		return "", 0, false
	}
	return name[:i], id, true
}
