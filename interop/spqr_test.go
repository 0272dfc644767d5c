package interop

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file run SPQR's ML-KEM braid against libsignal 0.103.
// Two libsignal peers exchanging 300 alternating messages finish four
// braid epochs, so Parley's epoch reaching 4 shows that both sides advance
// the braid together. libsignal's Node API does not expose its epoch, so
// the checks read Parley's, and every message must decrypt on both sides.

const spqrMinEpoch = 4

// startSession sets up a session in which Parley (goFirst) or libsignal
// initiates, and delivers the first message.
func startSession(t *testing.T, p *pair, goFirst bool) {
	t.Helper()
	if goFirst {
		nb, err := p.node.Bundle(true)
		require.NoError(t, err)
		require.NoError(t, p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb)))
		require.NoError(t, p.nodeReceive(p.goSend("first from parley")))
		return
	}
	require.NoError(t, p.node.ProcessBundle(p.goAddr(), p.goDev.bundle(t, true)))
	require.NoError(t, p.goReceive(p.nodeSend("first from libsignal")))
}

func (p *pair) pqEpoch() uint64 {
	p.t.Helper()
	info, err := p.goDev.cipher.SessionInfo(ctx, p.nodeAddr)
	require.NoError(p.t, err)
	return info.PQEpoch
}

func TestSPQRAlternating(t *testing.T) {
	for _, goFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("parley initiates %v", goFirst), func(t *testing.T) {
			p := newPair(t, 10)
			startSession(t, p, goFirst)
			for i := range 300 {
				text := fmt.Sprintf("message %d", i)
				if (i%2 == 0) != goFirst {
					require.NoError(t, p.nodeReceive(p.goSend(text)), "message %d from parley", i)
				} else {
					require.NoError(t, p.goReceive(p.nodeSend(text)), "message %d from libsignal", i)
				}
			}
			assert.GreaterOrEqual(t, p.pqEpoch(), uint64(spqrMinEpoch))
			t.Logf("parley at SPQR epoch %d", p.pqEpoch())
		})
	}
}

// TestSPQRReorderAndDrop sends bursts of one to four messages in
// alternating directions, shuffles each burst and never delivers 10% of the
// messages. Lost chunks cost extra messages, so the run is 400 messages
// (both sides reach epoch 4 after 277 to 342 in Parley-only simulations).
func TestSPQRReorderAndDrop(t *testing.T) {
	for _, goFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("parley initiates %v", goFirst), func(t *testing.T) {
			p := newPair(t, 20)
			startSession(t, p, goFirst)
			sent, dropped := 0, 0
			for turn := 0; sent < 400; turn++ {
				goSends := (turn%2 == 1) == goFirst
				burst := make([]envelope, 1+p.rng.IntN(4))
				for i := range burst {
					text := fmt.Sprintf("turn %d message %d", turn, i)
					if goSends {
						burst[i] = p.goSend(text)
					} else {
						burst[i] = p.nodeSend(text)
					}
				}
				sent += len(burst)
				p.rng.Shuffle(len(burst), func(i, j int) { burst[i], burst[j] = burst[j], burst[i] })
				for _, e := range burst {
					if p.rng.IntN(10) == 0 {
						dropped++
						continue
					}
					if goSends {
						require.NoError(t, p.nodeReceive(e), "%q from parley", e.text)
					} else {
						require.NoError(t, p.goReceive(e), "%q from libsignal", e.text)
					}
				}
			}
			assert.GreaterOrEqual(t, p.pqEpoch(), uint64(spqrMinEpoch))
			t.Logf("%d messages, %d dropped, parley at SPQR epoch %d", sent, dropped, p.pqEpoch())
		})
	}
}

// TestSPQROneWay sends 1,000 messages in one direction with no reply. The
// braid cannot finish an epoch without replies, and every message must
// still decrypt.
func TestSPQROneWay(t *testing.T) {
	for _, goSends := range []bool{true, false} {
		t.Run(fmt.Sprintf("parley sends %v", goSends), func(t *testing.T) {
			p := newPair(t, 30)
			startSession(t, p, goSends)
			for i := range 1000 {
				text := fmt.Sprintf("one-way %d", i)
				if goSends {
					require.NoError(t, p.nodeReceive(p.goSend(text)), "message %d", i)
				} else {
					require.NoError(t, p.goReceive(p.nodeSend(text)), "message %d", i)
				}
			}
			assert.Equal(t, uint64(1), p.pqEpoch())
		})
	}
}
