package transport

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// BenchmarkSendReceive measures one send, push and ack through a real TLS
// WebSocket on loopback with the SQLite store.
func BenchmarkSendReceive(b *testing.B) {
	r := newRelay(b, ServerOptions{})
	alice := r.register(b, "alice", ClientOptions{})
	bob := r.register(b, "bob", ClientOptions{})
	ctx := context.Background()
	m := bob.message("ciphertext of a typical message, about one hundred bytes long, padded to look realistic")
	b.ReportAllocs()
	for b.Loop() {
		m.ID = [16]byte{}
		if err := alice.client.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
		e, err := bob.client.Receive(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := bob.client.Ack(ctx, e.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleConnection reports the heap held per idle authenticated
// connection, client and server side together, since both run in this
// process.
func BenchmarkIdleConnection(b *testing.B) {
	r := newRelay(b, ServerOptions{})
	const conns = 50
	users := make([]*user, conns)
	for i := range users {
		users[i] = r.register(b, "idle", ClientOptions{})
		users[i].client.Close()
	}
	b.ResetTimer()
	for b.Loop() {
		before := heapInUse()
		clients := make([]*Client, conns)
		for i, u := range users {
			clients[i] = r.dial(b, ClientOptions{Credentials: u.creds()})
		}
		time.Sleep(50 * time.Millisecond)
		after := heapInUse()
		b.ReportMetric(float64(after-before)/conns, "bytes/conn")
		for _, c := range clients {
			c.Close()
		}
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
