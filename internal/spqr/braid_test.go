package spqr

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inFlight is a sent SPQR message and the key its sender derived.
type inFlight struct {
	msg []byte
	key [KeySize]byte
}

func send(t testing.TB, s *State) inFlight {
	t.Helper()
	msg, key, err := s.Send(nil)
	require.NoError(t, err)
	return inFlight{msg, key}
}

// deliver receives m into a clone of s and commits it on success, as the
// ratchet does after the enclosing message authenticates.
func deliver(t testing.TB, s *State, m inFlight) {
	t.Helper()
	next := s.Clone()
	key, err := next.Receive(m.msg)
	require.NoError(t, err)
	require.Equal(t, m.key, key)
	*s = *next
}

func newTestPair() (alice, bob *State) {
	var authKey [KeySize]byte
	copy(authKey[:], bytes.Repeat([]byte{0x29}, KeySize))
	return NewState(authKey, AliceToBob), NewState(authKey, BobToAlice)
}

// TestBraidLockstep runs the schedule A sends, B receives, B sends, A
// receives. The epochs finish at rounds 43, 87, 130 and 174, the rounds a
// simulation of SparsePostQuantumRatchet v1.5.3's state machine gives, and
// the round-30 states match its src/issue1275_*_state.in fixtures (checked
// in chain_test.go).
func TestBraidLockstep(t *testing.T) {
	alice, bob := newTestPair()
	var changes []int
	last := uint64(1)
	kinds := map[braidKind]bool{}
	for round := 1; round <= 180; round++ {
		deliver(t, bob, send(t, alice))
		deliver(t, alice, send(t, bob))
		kinds[alice.braid.kind], kinds[bob.braid.kind] = true, true
		if e := max(alice.Epoch(), bob.Epoch()); e != last {
			changes = append(changes, round)
			last = e
		}
		if round == 3 {
			assert.Equal(t, headerSent, alice.braid.kind, "round 3")
			assert.Equal(t, ct1Sampled, bob.braid.kind, "round 3")
		}
	}
	assert.Equal(t, []int{43, 87, 130, 174}, changes)
	assert.Equal(t, uint64(5), alice.Epoch())
	assert.Equal(t, uint64(5), bob.Epoch())
	for k := keysUnsampled; k <= ct2Sampled; k++ {
		if k == ekReceivedCt1Sampled {
			continue // needs the whole key vector before ct1 is acknowledged
		}
		assert.True(t, kinds[k], "state %d never reached", k)
	}
}

// TestBraidMarshalEveryStep reloads both states after every message and
// checks that the format is canonical and that the reloaded states carry on.
func TestBraidMarshalEveryStep(t *testing.T) {
	alice, bob := newTestPair()
	reload := func(s *State) *State {
		b, err := s.MarshalBinary()
		require.NoError(t, err)
		loaded, err := UnmarshalState(b)
		require.NoError(t, err)
		again, err := loaded.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, b, again)
		return loaded
	}
	for range 100 {
		m := send(t, alice)
		alice = reload(alice)
		deliver(t, bob, m)
		bob = reload(bob)
		m = send(t, bob)
		bob = reload(bob)
		deliver(t, alice, m)
		alice = reload(alice)
	}
	assert.Equal(t, uint64(3), alice.Epoch())
}

// TestBraidEkReceivedBeforeAck reaches ekReceivedCt1Sampled: Bob collects
// the whole key vector from parity chunks while Alice has not yet
// acknowledged ct1.
func TestBraidEkReceivedBeforeAck(t *testing.T) {
	alice, bob := newTestPair()
	for range 3 {
		deliver(t, bob, send(t, alice))
	}
	deliver(t, alice, send(t, bob)) // Ct1 chunk 0: Alice starts sending Ek
	for range 36 {
		deliver(t, bob, send(t, alice))
	}
	require.Equal(t, ekReceivedCt1Sampled, bob.braid.kind)
	b, err := bob.MarshalBinary()
	require.NoError(t, err)
	_, err = UnmarshalState(b)
	require.NoError(t, err)

	for alice.Epoch() == 1 {
		deliver(t, alice, send(t, bob))
		deliver(t, bob, send(t, alice))
	}
	assert.Equal(t, uint64(2), alice.Epoch())
}

// conversation exchanges bursts of messages in alternating directions.
// Each burst is shuffled, and each message is dropped with probability
// drop. It returns the number of messages sent.
func conversation(t *testing.T, rng *rand.Rand, alice, bob *State, total int, drop float64) int {
	t.Helper()
	sent := 0
	for turn := 0; sent < total; turn++ {
		from, to := alice, bob
		if turn%2 == 1 {
			from, to = bob, alice
		}
		burst := make([]inFlight, 1+rng.IntN(4))
		for i := range burst {
			burst[i] = send(t, from)
		}
		sent += len(burst)
		rng.Shuffle(len(burst), func(i, j int) { burst[i], burst[j] = burst[j], burst[i] })
		for _, m := range burst {
			if rng.Float64() < drop {
				continue
			}
			deliver(t, to, m)
		}
	}
	return sent
}

// TestBraidReorderAndDrop loses 10% of the messages and shuffles bursts of
// one to four. Every lost chunk costs a message: in 60 runs with bursts of
// up to one, two or four messages, both sides reached epoch 4 after 277 to
// 342 messages (260 without losses), so the test sends 400.
func TestBraidReorderAndDrop(t *testing.T) {
	for seed := range uint64(8) {
		alice, bob := newTestPair()
		rng := rand.New(rand.NewPCG(seed, 99))
		conversation(t, rng, alice, bob, 400, 0.10)
		assert.GreaterOrEqual(t, min(alice.Epoch(), bob.Epoch()), uint64(4), "seed %d", seed)
	}
}

func TestBraidAlternating300(t *testing.T) {
	alice, bob := newTestPair()
	for range 150 {
		deliver(t, bob, send(t, alice))
		deliver(t, alice, send(t, bob))
	}
	assert.Equal(t, uint64(4), alice.Epoch())
	assert.Equal(t, uint64(4), bob.Epoch())
}

func TestBraidOneWay(t *testing.T) {
	alice, bob := newTestPair()
	for range 1000 {
		deliver(t, bob, send(t, alice))
	}
	assert.Equal(t, uint64(1), bob.Epoch())
	assert.Equal(t, headerReceived, bob.braid.kind)
	for range 1000 {
		deliver(t, alice, send(t, bob))
	}
	assert.Equal(t, ct1Received, alice.braid.kind, "ct1 decoded, key vector still incomplete")
}

// TestBraidLegacyState loads states written before the braid existed: they
// keep working at epoch 1, and the messages their peers sent before the
// upgrade still decrypt.
func TestBraidLegacyState(t *testing.T) {
	raw, err := os.ReadFile("testdata/legacy_state.json")
	require.NoError(t, err)
	type pending struct{ Msg, Key string }
	type side struct {
		State   string
		Pending []pending
	}
	var v struct{ Alice, Bob side }
	require.NoError(t, json.Unmarshal(raw, &v))

	load := func(sd side) (*State, []inFlight) {
		b, err := hex.DecodeString(sd.State)
		require.NoError(t, err)
		s, err := UnmarshalState(b)
		require.NoError(t, err)
		var out []inFlight
		for _, p := range sd.Pending {
			msg, err := hex.DecodeString(p.Msg)
			require.NoError(t, err)
			key, err := hex.DecodeString(p.Key)
			require.NoError(t, err)
			out = append(out, inFlight{msg, [KeySize]byte(key)})
		}
		return s, out
	}
	alice, toAlice := load(v.Alice)
	bob, toBob := load(v.Bob)
	assert.Equal(t, braidLegacy, alice.braid.kind)
	assert.Equal(t, braidLegacy, bob.braid.kind)
	assert.Equal(t, AliceToBob, alice.dir)

	for _, m := range toAlice {
		deliver(t, alice, m)
	}
	for _, m := range toBob {
		deliver(t, bob, m)
	}

	// Legacy states still send type None at epoch 1 and ignore chunks.
	for range 60 {
		m := send(t, alice)
		parsed, err := ParseMessage(m.msg)
		require.NoError(t, err)
		require.Equal(t, TypeNone, parsed.Type)
		deliver(t, bob, m)
		deliver(t, alice, send(t, bob))
	}
	fresh, _ := newTestPair()
	hdr := send(t, fresh)
	next := bob.Clone()
	_, err = next.Receive(hdr.msg)
	assert.ErrorIs(t, err, ErrKeyAlreadyUsed, "a header chunk is only a key request to a legacy state")
	assert.Equal(t, uint64(1), alice.Epoch())

	// Marshalled again they use the current format and stay legacy.
	b, err := alice.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, stateFormatVersion, b[0])
	again, err := UnmarshalState(b)
	require.NoError(t, err)
	assert.Equal(t, braidLegacy, again.braid.kind)
}

// runUntil exchanges lockstep rounds until done reports true, at most 200.
func runUntil(t *testing.T, alice, bob *State, done func() bool) {
	t.Helper()
	for range 200 {
		if done() {
			return
		}
		deliver(t, bob, send(t, alice))
		if done() {
			return
		}
		deliver(t, alice, send(t, bob))
	}
	t.Fatal("condition not reached in 200 rounds")
}

// receiveRejected checks that msg fails with want and leaves s unchanged.
func receiveRejected(t *testing.T, s *State, msg []byte, want error) {
	t.Helper()
	before, err := s.MarshalBinary()
	require.NoError(t, err)
	_, err = s.Receive(msg)
	require.ErrorIs(t, err, want)
	after, err := s.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, before, after, "state changed by a rejected message")
}

// corruptChunk returns m with one chunk byte changed.
func corruptChunk(t *testing.T, m []byte) []byte {
	t.Helper()
	out := bytes.Clone(m)
	out[len(out)-1] ^= 0x01
	return out
}

func TestBraidHeaderMACFails(t *testing.T) {
	alice, bob := newTestPair()
	deliver(t, bob, send(t, alice))
	deliver(t, bob, send(t, alice))
	receiveRejected(t, bob, corruptChunk(t, send(t, alice).msg), ErrMAC)
	// Parity chunks still complete the header.
	deliver(t, bob, send(t, alice))
	assert.Equal(t, headerReceived, bob.braid.kind)
}

func TestBraidCiphertextMACFails(t *testing.T) {
	alice, bob := newTestPair()
	runUntil(t, alice, bob, func() bool { return bob.braid.kind == ct2Sampled })
	deliver(t, alice, send(t, bob)) // Ct2 chunk 0
	for range 3 {
		deliver(t, alice, send(t, bob))
	}
	receiveRejected(t, alice, corruptChunk(t, send(t, bob).msg), ErrMAC)
	deliver(t, alice, send(t, bob))
	assert.Equal(t, uint64(2), alice.Epoch())
}

func TestBraidVectorMismatch(t *testing.T) {
	alice, bob := newTestPair()
	runUntil(t, alice, bob, func() bool { return bob.braid.kind == ct1Sampled })
	// Bob gets 35 key vector chunks, then a corrupted last one: the vector
	// no longer hashes to the authenticated header.
	for bob.braid.kind == ct1Sampled && len(bob.braid.dec.chunks) < 35 {
		deliver(t, bob, send(t, alice))
	}
	require.Equal(t, 35, len(bob.braid.dec.chunks))
	receiveRejected(t, bob, corruptChunk(t, send(t, alice).msg), ErrEncapsulationKey)
}

func TestBraidBadInput(t *testing.T) {
	alice, bob := newTestPair()
	deliver(t, bob, send(t, alice))
	chunk := bytes.Repeat([]byte{0xAA}, ChunkSize)
	tests := []struct {
		name string
		msg  []byte
		want error
	}{
		{"empty", nil, ErrVersion},
		{"version 0", []byte{0x00, 0x01, 0x02, 0x00}, ErrVersion},
		{"version 2", []byte{0x02, 0x01, 0x02, 0x00}, ErrVersion},
		{"unknown type", []byte{0x01, 0x01, 0x02, 0x07}, ErrMalformed},
		{"epoch 0", []byte{0x01, 0x00, 0x02, 0x00}, ErrMalformed},
		{"epoch jump", Message{Epoch: 3, Index: 2, Type: TypeNone}.Append(nil), ErrEpochOutOfRange},
		{"next epoch", Message{Epoch: 2, Index: 2, Type: TypeHdr, Chunk: chunk}.Append(nil), ErrEpochOutOfRange},
		{"chunk index above 16 bits", []byte{0x01, 0x01, 0x02, 0x01, 0x80, 0x80, 0x04}, ErrMalformed},
		{"short chunk", Message{Epoch: 1, Index: 2, Type: TypeHdr, Chunk: chunk}.Append(nil)[:36], ErrMalformed},
		{"no chunk", []byte{0x01, 0x01, 0x02, 0x02}, ErrMalformed},
		{"index reused", Message{Epoch: 1, Index: 1, Type: TypeNone}.Append(nil), ErrKeyAlreadyUsed},
		{"index jump", Message{Epoch: 1, Index: MaxJump + 2, Type: TypeNone}.Append(nil), ErrKeyJump},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			receiveRejected(t, bob, tt.msg, tt.want)
		})
	}
}

// TestBraidStaleChunks delivers messages of a finished epoch late: the
// braid ignores them and the chain still returns their keys.
func TestBraidStaleChunks(t *testing.T) {
	alice, bob := newTestPair()
	runUntil(t, alice, bob, func() bool { return bob.braid.kind == ct2Sampled })
	for alice.Epoch() == 1 {
		deliver(t, alice, send(t, bob))
	}
	extra := send(t, bob) // a Ct2 parity chunk sent before Bob receives epoch 2
	deliver(t, bob, send(t, alice))
	assert.Equal(t, uint64(2), bob.Epoch())
	deliver(t, alice, extra)
	assert.Equal(t, uint64(2), alice.Epoch())
	assert.Equal(t, noHeaderReceived, alice.braid.kind)
}

type failingReader struct{}

var errNoRandomness = errors.New("test: randomness unavailable")

func (failingReader) Read([]byte) (int, error) { return 0, errNoRandomness }

func TestBraidSendRandomnessError(t *testing.T) {
	alice, bob := newTestPair()
	before, err := alice.MarshalBinary()
	require.NoError(t, err)
	_, _, err = alice.Send(failingReader{})
	require.ErrorIs(t, err, errNoRandomness, "key generation")
	after, err := alice.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, before, after)

	runUntil(t, alice, bob, func() bool { return bob.braid.kind == headerReceived })
	before, err = bob.MarshalBinary()
	require.NoError(t, err)
	_, _, err = bob.Send(failingReader{})
	require.ErrorIs(t, err, errNoRandomness, "encapsulation")
	after, err = bob.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, before, after)
	deliver(t, alice, send(t, bob))
	assert.Equal(t, ct1Sampled, bob.braid.kind)
}
