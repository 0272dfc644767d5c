package session_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pqEpoch returns the SPQR epoch of d's session with peer.
func pqEpoch(t *testing.T, d, peer *device) uint64 {
	t.Helper()
	info, err := d.cipher.SessionInfo(ctx, peer.addr)
	require.NoError(t, err)
	return info.PQEpoch
}

func TestSPQREpochsAlternating(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	for i := range 300 {
		text := fmt.Sprintf("m%d", i)
		if i%2 == 0 {
			bob.mustDecrypt(alice, alice.encrypt(bob, text), text)
		} else {
			alice.mustDecrypt(bob, bob.encrypt(alice, text), text)
		}
	}
	// Two libsignal peers reach epoch 4 in the same exchange.
	assert.GreaterOrEqual(t, pqEpoch(t, alice, bob), uint64(4))
	assert.GreaterOrEqual(t, pqEpoch(t, bob, alice), uint64(4))
}

func TestSPQREpochsWithLoss(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 160 {
		from, to := alice, bob
		if round%2 == 1 {
			from, to = bob, alice
		}
		burst := make([]ciphertext, 1+r.IntN(3))
		texts := make([]string, len(burst))
		for i := range burst {
			texts[i] = fmt.Sprintf("r%d-%d", round, i)
			burst[i] = from.encrypt(to, texts[i])
		}
		r.Shuffle(len(burst), func(i, j int) {
			burst[i], burst[j] = burst[j], burst[i]
			texts[i], texts[j] = texts[j], texts[i]
		})
		for i := range burst {
			if r.IntN(10) == 0 {
				continue // dropped: never delivered
			}
			to.mustDecrypt(from, burst[i], texts[i])
		}
	}
	assert.GreaterOrEqual(t, pqEpoch(t, alice, bob), uint64(4))
	assert.GreaterOrEqual(t, pqEpoch(t, bob, alice), uint64(4))
}

func TestSPQROneWayThousand(t *testing.T) {
	alice, bob := newDevice(t, aliceACI, 1), newDevice(t, bobACI, 1)
	connect(t, alice, bob)
	for i := range 1000 {
		text := fmt.Sprintf("one way %d", i)
		bob.mustDecrypt(alice, alice.encrypt(bob, text), text)
	}
}
