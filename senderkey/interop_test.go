package senderkey

import (
	"context"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/nodepeer"
)

// The request and response of interop/node/groups.mjs.
type (
	nodeAddress struct {
		Name   string `json:"name"`
		Device uint32 `json:"device"`
	}
	nodeOp struct {
		Op             string      `json:"op"`
		Sender         nodeAddress `json:"sender"`
		DistributionID string      `json:"distribution_id,omitempty"`
		SKDM           string      `json:"skdm,omitempty"`
		Plaintext      string      `json:"plaintext,omitempty"`
		Ciphertext     string      `json:"ciphertext,omitempty"`
	}
	nodeResult struct {
		OK         bool     `json:"ok"`
		Error      string   `json:"error"`
		Message    string   `json:"message"`
		SKDM       hexBytes `json:"skdm"`
		Ciphertext hexBytes `json:"ciphertext"`
		Plaintext  hexBytes `json:"plaintext"`
	}
)

func runGroups(t *testing.T, ops []nodeOp) []nodeResult {
	t.Helper()
	var out struct {
		Results []nodeResult `json:"results"`
	}
	nodepeer.RunScript(t, "groups.mjs", map[string]any{"ops": ops}, &out)
	require.Len(t, out.Results, len(ops))
	return out.Results
}

var aliceNode = nodeAddress{Name: alice.Name, Device: alice.DeviceID}

// TestInteropFromLibsignal has libsignal create a chain and encrypt messages,
// and decrypts them in Go out of order, with replays.
func TestInteropFromLibsignal(t *testing.T) {
	const n = 8
	dist := formatUUID(distID)
	ops := []nodeOp{{Op: "create", Sender: aliceNode, DistributionID: dist}}
	for i := range n {
		ops = append(ops, nodeOp{Op: "encrypt", Sender: aliceNode, DistributionID: dist, Plaintext: hex.EncodeToString(fmt.Appendf(nil, "from libsignal %d", i))})
	}
	// A second create returns the chain at its current iteration, n.
	ops = append(ops, nodeOp{Op: "create", Sender: aliceNode, DistributionID: dist})
	results := runGroups(t, ops)
	for i, r := range results {
		require.True(t, r.OK, "op %d: %s: %s", i, r.Error, r.Message)
	}

	ctx := context.Background()
	receiver := newStore()
	require.NoError(t, ProcessDistributionMessage(ctx, receiver, alice, results[0].SKDM))
	later, err := ParseDistributionMessage(results[n+1].SKDM)
	require.NoError(t, err)
	assert.Equal(t, uint32(n), later.Iteration)

	for _, i := range []int{2, 0, 7, 5, 1, 3, 6, 4} {
		got, err := Decrypt(ctx, receiver, alice, results[1+i].Ciphertext)
		require.NoError(t, err, "message %d", i)
		assert.Equal(t, fmt.Sprintf("from libsignal %d", i), string(got))
	}
	for _, i := range []int{0, 4, 7} {
		before := storedRecord(t, receiver, alice, distID)
		_, err := Decrypt(ctx, receiver, alice, results[1+i].Ciphertext)
		assert.ErrorIs(t, err, ErrDuplicateMessage, "replay of message %d", i)
		assert.Equal(t, before, storedRecord(t, receiver, alice, distID))
	}

	// The later distribution message names the same chain, so processing it
	// keeps the chain and the replays stay rejected.
	require.NoError(t, ProcessDistributionMessage(ctx, receiver, alice, results[n+1].SKDM))
	_, err = Decrypt(ctx, receiver, alice, results[1].Ciphertext)
	assert.ErrorIs(t, err, ErrDuplicateMessage)
}

// TestInteropToLibsignal has Go create a chain and encrypt messages, and
// libsignal decrypt them out of order, with replays and a tampered copy.
func TestInteropToLibsignal(t *testing.T) {
	const n = 8
	ctx := context.Background()
	sender := newStore()
	skdm, err := NewDistributionMessage(ctx, sender, alice, distID, nil)
	require.NoError(t, err)
	var msgs [][]byte
	for i := range n {
		m, err := Encrypt(ctx, sender, alice, distID, fmt.Appendf(nil, "from parley %d", i), nil)
		require.NoError(t, err)
		msgs = append(msgs, m)
	}
	tampered := append([]byte(nil), msgs[1]...)
	tampered[len(tampered)-SignatureSize-1] ^= 1

	type delivery struct {
		index  int
		bytes  []byte
		expect string
	}
	var deliveries []delivery
	for _, i := range []int{3, 0, 7, 5} {
		deliveries = append(deliveries, delivery{i, msgs[i], "ok"})
	}
	deliveries = append(deliveries,
		delivery{1, tampered, "invalid_signature"},
		delivery{0, msgs[0], "duplicate"},
	)
	for _, i := range []int{1, 2, 4, 6} {
		deliveries = append(deliveries, delivery{i, msgs[i], "ok"})
	}
	deliveries = append(deliveries, delivery{7, msgs[7], "duplicate"})

	ops := []nodeOp{{Op: "process", Sender: aliceNode, SKDM: hex.EncodeToString(skdm)}}
	for _, d := range deliveries {
		ops = append(ops, nodeOp{Op: "decrypt", Sender: aliceNode, Ciphertext: hex.EncodeToString(d.bytes)})
	}
	results := runGroups(t, ops)
	require.True(t, results[0].OK, "process: %s: %s", results[0].Error, results[0].Message)
	for k, d := range deliveries {
		r := results[1+k]
		if d.expect == "ok" {
			require.True(t, r.OK, "delivery %d (message %d): %s: %s", k, d.index, r.Error, r.Message)
			assert.Equal(t, fmt.Sprintf("from parley %d", d.index), string(r.Plaintext))
			continue
		}
		assert.False(t, r.OK, "delivery %d (message %d)", k, d.index)
		assert.Equal(t, d.expect, r.Error, "delivery %d (message %d): %s", k, d.index, r.Message)
	}
}
