//go:build unix

package transport

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

var idleConns = flag.Int("idle-conns", 10000, "number of authenticated idle connections that BenchmarkIdleMemory and BenchmarkIdleMemorySplit open")

// idleChildEnv names the environment variable that turns
// TestIdleServerChild into a relay process. Its value is the directory with
// the database.
const idleChildEnv = "PARLEY_IDLE_CHILD"

// idleDialParallel is the number of connections opened at once.
const idleDialParallel = 16

// idleSpareFiles is the open-file allowance beyond the connections, for the
// listener, the SQLite files and the runtime.
const idleSpareFiles = 128

// memUse is the memory of this process that grows with connections, read
// after a garbage collection. Goroutine stacks are not in the heap, so they
// are counted apart.
type memUse struct {
	HeapInuse     uint64
	StackInuse    uint64
	Goroutines    int
	Connections   int64 // open connections of the server in this process
	Authenticated int64 // authenticated connections of the server in this process
}

func readMemUse(s *Server) memUse {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	u := memUse{HeapInuse: m.HeapInuse, StackInuse: m.StackInuse, Goroutines: runtime.NumGoroutine()}
	if s != nil {
		u.Connections = s.metrics.connections.Load()
		u.Authenticated = s.metrics.authenticated.Load()
	}
	return u
}

// perConn is the growth from before to after divided by n.
func perConn(before, after uint64, n int) float64 {
	return (float64(after) - float64(before)) / float64(n)
}

// raiseOpenFiles raises the open-file limit of this process, and so of the
// processes it starts, to at least need. It skips the benchmark when the
// limit cannot be raised, which needs privilege above the hard limit.
func raiseOpenFiles(b *testing.B, need uint64) {
	var lim syscall.Rlimit
	require.NoError(b, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	if lim.Cur >= need {
		return
	}
	raised := syscall.Rlimit{Cur: need, Max: max(lim.Max, need)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
		b.Skipf("%d connections need %d open files, the limit is %d (hard limit %d), and raising it failed: %v; lower -idle-conns",
			*idleConns, need, lim.Cur, lim.Max, err)
	}
	b.Logf("raised the open-file limit from %d (hard %d) to %d (hard %d)", lim.Cur, lim.Max, raised.Cur, raised.Max)
}

// seedIdleAccounts creates n accounts with one device each directly in the
// store, which is faster than registering them over connections.
func seedIdleAccounts(b *testing.B, store Store, n int) []Credentials {
	b.Helper()
	ctx := context.Background()
	creds := make([]Credentials, n)
	now := time.Now()
	for i := range creds {
		key, err := curve.GenerateKeyPair(nil)
		require.NoError(b, err)
		serviceID, err := newServiceID(rand.Reader)
		require.NoError(b, err)
		acct := Account{ServiceID: serviceID, Username: fmt.Sprintf("idle%d", i), IdentityKey: key.Public, CreatedAt: now}
		dev := Device{ID: 1, RegistrationID: uint32(1 + i%0x3fff), Key: key.Public, CreatedAt: now}
		require.NoError(b, store.CreateAccount(ctx, acct, dev))
		creds[i] = Credentials{ServiceID: serviceID, DeviceID: 1, Key: key.Private}
	}
	return creds
}

// dialIdle opens one authenticated connection per credential.
func dialIdle(b *testing.B, url string, cert *x509.Certificate, creds []Credentials) []*Client {
	b.Helper()
	clients := make([]*Client, len(creds))
	sem := make(chan struct{}, idleDialParallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range creds {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := Dial(ctx, url, ClientOptions{PinnedCertificate: cert, Credentials: &creds[i]})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("connection %d: %w", i, err)
				}
				return
			}
			clients[i] = c
		})
	}
	wg.Wait()
	if firstErr != nil {
		closeIdle(clients)
		b.Fatal(firstErr)
	}
	return clients
}

func closeIdle(clients []*Client) {
	sem := make(chan struct{}, 4*idleDialParallel)
	var wg sync.WaitGroup
	for _, c := range clients {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c.Close()
		})
	}
	wg.Wait()
}

// BenchmarkIdleMemory reports the memory that one authenticated idle
// connection costs, with the server and its clients in this process, so
// each figure covers both ends of a connection. Run it with
//
//	go test -run '^$' -bench BenchmarkIdleMemory -benchtime 1x -idle-conns 10000 ./transport
func BenchmarkIdleMemory(b *testing.B) {
	n := *idleConns
	raiseOpenFiles(b, uint64(2*n+idleSpareFiles))
	r := newRelay(b, ServerOptions{})
	creds := seedIdleAccounts(b, r.store, n)

	for b.Loop() {
		before := readMemUse(r.srv)
		start := time.Now()
		clients := dialIdle(b, r.url, r.cert, creds)
		b.Logf("opened %d connections in %v", n, time.Since(start).Round(time.Millisecond))
		// Let the goroutines of the TLS handshakes end.
		time.Sleep(200 * time.Millisecond)
		after := readMemUse(r.srv)
		require.Equal(b, int64(n), after.Authenticated-before.Authenticated, "authenticated connections")

		b.ReportMetric(perConn(before.HeapInuse, after.HeapInuse, n), "heap-B/conn")
		b.ReportMetric(perConn(before.StackInuse, after.StackInuse, n), "stack-B/conn")
		b.ReportMetric(float64(after.Goroutines-before.Goroutines)/float64(n), "goroutines/conn")

		closeIdle(clients)
		require.Eventually(b, func() bool { return r.srv.metrics.connections.Load() == 0 }, time.Minute, 50*time.Millisecond)
	}
}

// BenchmarkIdleMemorySplit reports the memory of one authenticated idle
// connection for the server and the client apart: the relay runs in a
// child process (TestIdleServerChild), which measures itself on request,
// and this process holds only the clients. Run it with
//
//	go test -run '^$' -bench BenchmarkIdleMemorySplit -benchtime 1x -idle-conns 10000 ./transport
func BenchmarkIdleMemorySplit(b *testing.B) {
	n := *idleConns
	raiseOpenFiles(b, uint64(n+idleSpareFiles))
	dir := b.TempDir()
	store, err := OpenSQLite(filepath.Join(dir, "relay.db"))
	require.NoError(b, err)
	creds := seedIdleAccounts(b, store, n)
	require.NoError(b, store.Close())
	p := startRelayProcess(b, "TestIdleServerChild", idleChildEnv, dir, true)

	for b.Loop() {
		serverBefore := p.memUse(b)
		clientBefore := readMemUse(nil)
		clients := dialIdle(b, p.url, p.cert, creds)
		time.Sleep(200 * time.Millisecond)
		clientAfter := readMemUse(nil)
		serverAfter := p.memUse(b)
		require.Equal(b, int64(n), serverAfter.Authenticated-serverBefore.Authenticated, "authenticated connections")

		b.ReportMetric(perConn(serverBefore.HeapInuse, serverAfter.HeapInuse, n), "server-heap-B/conn")
		b.ReportMetric(perConn(serverBefore.StackInuse, serverAfter.StackInuse, n), "server-stack-B/conn")
		b.ReportMetric(float64(serverAfter.Goroutines-serverBefore.Goroutines)/float64(n), "server-goroutines/conn")
		b.ReportMetric(perConn(clientBefore.HeapInuse, clientAfter.HeapInuse, n), "client-heap-B/conn")
		b.ReportMetric(perConn(clientBefore.StackInuse, clientAfter.StackInuse, n), "client-stack-B/conn")
		b.ReportMetric(float64(clientAfter.Goroutines-clientBefore.Goroutines)/float64(n), "client-goroutines/conn")

		closeIdle(clients)
		require.Eventually(b, func() bool { return p.memUse(b).Connections == 0 }, time.Minute, 200*time.Millisecond)
	}
}

// idleReplyPrefix starts each reply line of TestIdleServerChild, so that
// other output of the test binary is skipped.
const idleReplyPrefix = "idle-mem "

// memUse requests a measurement from the relay process and returns it.
func (p *relayProcess) memUse(b *testing.B) memUse {
	b.Helper()
	_, err := fmt.Fprintln(p.stdin, "measure")
	require.NoError(b, err)
	for {
		line, err := p.stdout.ReadString('\n')
		require.NoError(b, err, "read reply of the relay process: %s", p.output)
		payload, ok := strings.CutPrefix(line, idleReplyPrefix)
		if !ok {
			continue
		}
		var u memUse
		require.NoError(b, json.Unmarshal([]byte(payload), &u))
		return u
	}
}

// TestIdleServerChild is the relay process of BenchmarkIdleMemorySplit. It
// runs only when idleChildEnv is set, writes its memUse to standard output
// for each "measure" line on standard input, and ends when standard input
// closes.
func TestIdleServerChild(t *testing.T) {
	dir := os.Getenv(idleChildEnv)
	if dir == "" {
		t.Skip("relay process for BenchmarkIdleMemorySplit; runs only when " + idleChildEnv + " is set")
	}
	srv := serveRelayProcess(t, dir)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() != "measure" {
			continue
		}
		reply, err := json.Marshal(readMemUse(srv))
		require.NoError(t, err)
		fmt.Printf("%s%s\n", idleReplyPrefix, reply)
	}
}
