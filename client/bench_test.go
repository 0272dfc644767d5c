package client

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/wire"
)

func BenchmarkEncodeContent(b *testing.B) {
	content := &wire.AppContent{Timestamp: 1, Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{Text: strings.Repeat("x", 200)}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeContent(content); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendReceive measures one sealed sender text message from send
// to the receiver's event, through a relay on loopback, with in-memory key
// stores.
func BenchmarkSendReceive(b *testing.B) {
	r := newTestRelay(b)
	alice := newTestClient(b, r, "alice", Options{})
	bob := newTestClient(b, r, "bob", Options{DisableDeliveryReceipts: true})
	ctx := context.Background()
	bobID := bob.Address().Name
	// A first message each way gives alice bob's access key.
	if _, err := alice.Lookup(ctx, "bob"); err != nil {
		b.Fatal(err)
	}
	if _, err := alice.SendText(ctx, bobID, "hello"); err != nil {
		b.Fatal(err)
	}
	next[*MessageEvent](b, bob, nil)
	if _, err := bob.SendText(ctx, alice.Address().Name, "hi"); err != nil {
		b.Fatal(err)
	}
	next[*MessageEvent](b, alice, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := alice.SendText(ctx, bobID, "benchmark message"); err != nil {
			b.Fatal(err)
		}
		next(b, bob, func(m *MessageEvent) bool { return m.Sender.Sealed })
	}
}
