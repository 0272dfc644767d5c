package ratchet

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/hex"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/spqr"
	"github.com/parleyhq/parley/internal/wire"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// TestChainKeyKnownAnswer checks one chain step against the vector in
// libsignal's own chain key test (rust/protocol/src/ratchet/keys.rs, chain
// key seed 8ab72d6f…). libsignal derives those keys without an SPQR salt,
// and HKDF with 32 zero bytes as salt is the same as HKDF without a salt.
func TestChainKeyKnownAnswer(t *testing.T) {
	var ck chainKey
	copy(ck.key[:], unhex(t, "8ab72d6f4cc5ac0d387eaf463378ddb28edd07385b1cb01250c715982e7ad48f"))

	keys, err := deriveMessageKeys(ck.seed(), [32]byte{})
	require.NoError(t, err)
	assert.Equal(t, "bf51e9d75e0e31031051f82a2491ffc084fa298b7793bd9db620056febf45217", hex.EncodeToString(keys.CipherKey[:]), "cipher key")
	assert.Equal(t, "c6c77d6a73a354337a56435e34607dfe48e3ace14e77314dc6abc172e7a7030b", hex.EncodeToString(keys.MACKey[:]), "MAC key")

	next := ck.next()
	assert.Equal(t, "28e8f8fee54b801eef7c5cfb2f17f32c7b334485bbb70fac6ec10342a246d15d", hex.EncodeToString(next.key[:]), "next chain key")
	assert.Equal(t, uint32(1), next.index)
}

func TestMessageKeysSalt(t *testing.T) {
	seed := [32]byte{1, 2, 3}
	zero, err := deriveMessageKeys(seed, [32]byte{})
	require.NoError(t, err)

	out, err := hkdf.Key(sha256.New, seed[:], nil, "WhisperMessageKeys", 80)
	require.NoError(t, err)
	assert.Equal(t, out[:32], zero.CipherKey[:], "a zero salt equals no salt")
	assert.Equal(t, out[32:64], zero.MACKey[:])
	assert.Equal(t, out[64:], zero.IV[:])

	salted, err := deriveMessageKeys(seed, [32]byte{9})
	require.NoError(t, err)
	assert.NotEqual(t, zero, salted, "the SPQR key changes the message keys")
}

// TestRootStep recomputes one DH ratchet step with crypto/ecdh and
// crypto/hkdf: HKDF-SHA256(salt = root key, ikm = DH output,
// info = "WhisperRatchet", 64 bytes) = new root key || chain key.
func TestRootStep(t *testing.T) {
	ours, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	theirs, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	root := [32]byte{0xAA, 0xBB}

	gotRoot, gotChain, err := rootStep(root, ours.Private, theirs.Public)
	require.NoError(t, err)

	priv, err := ecdh.X25519().NewPrivateKey(ours.Private.Bytes())
	require.NoError(t, err)
	raw := theirs.Public.Raw()
	pub, err := ecdh.X25519().NewPublicKey(raw[:])
	require.NoError(t, err)
	shared, err := priv.ECDH(pub)
	require.NoError(t, err)
	out, err := hkdf.Key(sha256.New, shared, root[:], "WhisperRatchet", 64)
	require.NoError(t, err)

	assert.Equal(t, out[:32], gotRoot[:], "root key")
	assert.Equal(t, out[32:], gotChain.key[:], "chain key")
	assert.Equal(t, uint32(0), gotChain.index)
}

func TestRootStepZeroKey(t *testing.T) {
	ours, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	_, _, err = rootStep([32]byte{}, ours.Private, curve.PublicKey{})
	assert.ErrorIs(t, err, curve.ErrZeroSharedSecret)
}

// pair is an initiator and a responder that start from the same PQXDH
// output.
type pair struct {
	alice, bob *State
}

func newPair(t testing.TB, rand io.Reader) pair {
	t.Helper()
	root, chain, pq := [32]byte{1}, [32]byte{2}, [32]byte{3}
	spk, err := curve.GenerateKeyPair(rand)
	require.NoError(t, err)
	alice, err := NewInitiator(rand, root, chain, pq, spk.Public)
	require.NoError(t, err)
	return pair{alice: alice, bob: NewResponder(root, chain, pq, spk)}
}

// sent is a message header with the keys its sender used.
type sent struct {
	h    Header
	keys MessageKeys
}

func send(t testing.TB, s *State) sent {
	t.Helper()
	h, keys, err := s.Send(nil)
	require.NoError(t, err)
	return sent{h, keys}
}

// receive runs Receive on a clone of s, as callers do, and commits the clone
// only when it succeeds.
func receive(t testing.TB, s *State, m sent) (MessageKeys, error) {
	t.Helper()
	c := s.Clone()
	keys, err := c.Receive(nil, m.h)
	if err == nil {
		*s = *c
	}
	return keys, err
}

func mustReceive(t testing.TB, s *State, m sent) {
	t.Helper()
	keys, err := receive(t, s, m)
	require.NoError(t, err)
	require.Equal(t, m.keys, keys, "receiver derives the sender's keys")
}

func TestConversation(t *testing.T) {
	p := newPair(t, nil)

	// Bursts of different lengths in alternating directions, so both sides
	// take many DH ratchet steps.
	var lastAlice, lastBob curve.PublicKey
	for round := range 12 {
		from, to := p.alice, p.bob
		if round%2 == 1 {
			from, to = p.bob, p.alice
		}
		for i := range round%4 + 1 {
			m := send(t, from)
			assert.Equal(t, uint32(i), m.h.Counter, "round %d", round)
			mustReceive(t, to, m)
		}
		if round%2 == 0 {
			assert.False(t, p.alice.SenderRatchetKey().Equal(lastAlice), "alice has a new ratchet key in round %d", round)
			lastAlice = p.alice.SenderRatchetKey()
		} else {
			assert.False(t, p.bob.SenderRatchetKey().Equal(lastBob), "bob has a new ratchet key in round %d", round)
			lastBob = p.bob.SenderRatchetKey()
		}
	}
	assert.Len(t, p.alice.receivers, MaxReceiverChains)
}

func TestMessageKeysDiffer(t *testing.T) {
	p := newPair(t, nil)
	seen := map[[32]byte]bool{}
	for range 10 {
		m := send(t, p.alice)
		assert.False(t, seen[m.keys.CipherKey], "cipher key repeated")
		seen[m.keys.CipherKey] = true
		mustReceive(t, p.bob, m)
	}
}

func TestPreviousCounter(t *testing.T) {
	p := newPair(t, nil)
	mustReceive(t, p.bob, send(t, p.alice))

	// Bob has sent nothing on his chain yet, which libsignal records as 0.
	reply := send(t, p.bob)
	assert.Equal(t, uint32(0), reply.h.PreviousCounter)
	mustReceive(t, p.alice, reply)

	for range 3 {
		mustReceive(t, p.bob, send(t, p.alice))
	}
	// Alice sent counters 0 to 2 on the chain that bob's next reply closes,
	// so her following chain records 2, the counter of the last message on
	// it.
	mustReceive(t, p.alice, send(t, p.bob))
	next := send(t, p.alice)
	assert.Equal(t, uint32(0), next.h.Counter)
	assert.Equal(t, uint32(2), next.h.PreviousCounter)
}

func TestSkippedKeys(t *testing.T) {
	p := newPair(t, nil)
	var msgs []sent
	for range 5 {
		msgs = append(msgs, send(t, p.alice))
	}

	mustReceive(t, p.bob, msgs[4])
	require.Len(t, p.bob.receivers, 1)
	assert.Len(t, p.bob.receivers[0].skipped, 4, "keys for counters 0 to 3 are stored")

	mustReceive(t, p.bob, msgs[1])
	_, err := receive(t, p.bob, msgs[1])
	assert.ErrorIs(t, err, ErrDuplicateMessage, "a stored key is used once")
	_, err = receive(t, p.bob, msgs[4])
	assert.ErrorIs(t, err, ErrDuplicateMessage, "the newest message again")

	mustReceive(t, p.bob, msgs[0])
	mustReceive(t, p.bob, msgs[3])
	mustReceive(t, p.bob, msgs[2])
	assert.Empty(t, p.bob.receivers[0].skipped)
}

func TestSkippedKeysAcrossRatchetStep(t *testing.T) {
	p := newPair(t, nil)
	late := send(t, p.alice)
	mustReceive(t, p.bob, send(t, p.alice))
	mustReceive(t, p.alice, send(t, p.bob))
	mustReceive(t, p.bob, send(t, p.alice))
	mustReceive(t, p.bob, late)
}

func TestSkippedKeysLimit(t *testing.T) {
	p := newPair(t, nil)
	msgs := make([]sent, MaxSkippedKeys+2)
	for i := range msgs {
		msgs[i] = send(t, p.alice)
	}

	// Receiving the last message skips MaxSkippedKeys+1 keys, one more than
	// the chain keeps, so the oldest is dropped.
	mustReceive(t, p.bob, msgs[len(msgs)-1])
	assert.Len(t, p.bob.receivers[0].skipped, MaxSkippedKeys)

	_, err := receive(t, p.bob, msgs[0])
	assert.ErrorIs(t, err, ErrDuplicateMessage, "the oldest key was dropped")
	mustReceive(t, p.bob, msgs[1])
	mustReceive(t, p.bob, msgs[len(msgs)-2])
}

func TestForwardJumpLimit(t *testing.T) {
	p := newPair(t, nil)
	mustReceive(t, p.bob, send(t, p.alice))
	next := send(t, p.alice) // counter 1, SPQR index 2

	// The headers keep the SPQR message of the next message, whose index
	// SPQR accepts, so only the Double Ratchet's own limit applies. The
	// chain expects counter 1 next.
	header := func(counter uint32) Header {
		h := next.h
		h.Counter = counter
		return h
	}

	_, err := p.bob.Clone().Receive(nil, header(1+MaxForwardJump+1))
	assert.ErrorIs(t, err, ErrTooFarAhead)

	c := p.bob.Clone()
	_, err = c.Receive(nil, header(1+MaxForwardJump))
	require.NoError(t, err, "a jump of exactly MaxForwardJump is accepted")
	assert.Len(t, c.receivers[0].skipped, MaxSkippedKeys)
}

func TestReceiverChainLimit(t *testing.T) {
	p := newPair(t, nil)

	// Alice withholds the first message of each of her sending chains.
	var held []sent
	for range MaxReceiverChains + 2 {
		held = append(held, send(t, p.alice))
		mustReceive(t, p.bob, send(t, p.alice))
		mustReceive(t, p.alice, send(t, p.bob))
	}
	require.Len(t, p.bob.receivers, MaxReceiverChains)

	// The chains of the two oldest messages are gone. Bob treats their
	// ratchet keys as new and derives keys unrelated to alice's; in a
	// session the MAC check then rejects the message.
	for _, m := range held[:2] {
		keys, err := p.bob.Clone().Receive(nil, m.h)
		require.NoError(t, err)
		assert.NotEqual(t, m.keys, keys)
	}
	for _, m := range held[2:] {
		mustReceive(t, p.bob, m)
	}
}

func TestCloneIsIndependent(t *testing.T) {
	p := newPair(t, nil)
	skipped := send(t, p.alice)
	mustReceive(t, p.bob, send(t, p.alice))
	before := marshalState(t, p.bob)

	c := p.bob.Clone()
	mustReceive(t, c, skipped)
	mustReceive(t, c, send(t, p.alice))
	mustReceive(t, p.alice, send(t, c))
	mustReceive(t, c, send(t, p.alice))
	assert.Equal(t, before, marshalState(t, p.bob), "receiving on a clone leaves the original unchanged")

	mustReceive(t, p.bob, skipped)
}

func TestRandErrors(t *testing.T) {
	failing := iotest.ErrReader(io.ErrUnexpectedEOF)
	spk, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	_, err = NewInitiator(failing, [32]byte{1}, [32]byte{2}, [32]byte{3}, spk.Public)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	// A receive that takes a DH step generates a new ratchet key.
	p := newPair(t, nil)
	_, err = p.bob.Clone().Receive(failing, send(t, p.alice).h)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestReceiveRejectsPQ(t *testing.T) {
	p := newPair(t, nil)
	m := send(t, p.alice)
	cases := map[string][]byte{
		"missing":   nil,
		"version 0": {0x00},
		"far epoch": spqr.Message{Epoch: 9, Index: 1}.Append(nil),
		"index 0":   spqr.Message{Epoch: 1, Index: 0}.Append(nil),
		"truncated": {0x01, 0x01},
	}
	for name, pq := range cases {
		t.Run(name, func(t *testing.T) {
			h := m.h
			h.PQ = pq
			_, err := p.bob.Clone().Receive(nil, h)
			assert.ErrorIs(t, err, ErrPostQuantum)
		})
	}
	mustReceive(t, p.bob, m)
}

// marshalState returns the deterministic protobuf encoding of s.
func marshalState(t testing.TB, s *State) []byte {
	t.Helper()
	p, err := s.ToProto()
	require.NoError(t, err)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(p)
	require.NoError(t, err)
	return b
}

// roundTrip stores s as bytes and loads it back.
func roundTrip(t testing.TB, s *State) *State {
	t.Helper()
	var p wire.RatchetState
	require.NoError(t, proto.Unmarshal(marshalState(t, s), &p))
	loaded, err := FromProto(&p)
	require.NoError(t, err)
	return loaded
}

// shake returns a deterministic reader for label.
func shake(label string) io.Reader {
	s := sha3.NewSHAKE256()
	s.Write([]byte(label))
	return s
}

func TestProtoRoundTrip(t *testing.T) {
	p := newPair(t, shake("setup"))
	var aliceHeld []sent
	for range 3 {
		aliceHeld = append(aliceHeld, send(t, p.alice))
		mustReceive(t, p.bob, send(t, p.alice))
		mustReceive(t, p.alice, send(t, p.bob))
	}
	bobHeld := send(t, p.bob)
	mustReceive(t, p.alice, send(t, p.bob))

	restored := pair{alice: roundTrip(t, p.alice), bob: roundTrip(t, p.bob)}
	assert.Equal(t, marshalState(t, p.alice), marshalState(t, restored.alice))
	assert.Equal(t, marshalState(t, p.bob), marshalState(t, restored.bob))

	// The originals and the restored states run the same script with the
	// same randomness, and must produce the same headers and keys.
	script := func(q pair, rand io.Reader) []sent {
		var out []sent
		step := func(from, to *State) {
			h, keys, err := from.Send(rand)
			require.NoError(t, err)
			got, err := to.Receive(rand, h)
			require.NoError(t, err)
			require.Equal(t, keys, got)
			out = append(out, sent{h, keys})
		}
		for _, m := range aliceHeld {
			got, err := q.bob.Receive(rand, m.h)
			require.NoError(t, err)
			require.Equal(t, m.keys, got, "skipped keys survive the round trip")
		}
		got, err := q.alice.Receive(rand, bobHeld.h)
		require.NoError(t, err)
		require.Equal(t, bobHeld.keys, got)
		for i := range 8 {
			if i%3 == 2 {
				step(q.bob, q.alice)
			} else {
				step(q.alice, q.bob)
			}
		}
		return out
	}
	want := script(p, shake("script"))
	got := script(restored, shake("script"))
	assert.Equal(t, want, got)
}

// validProto returns the stored form of a state with two receiver chains
// and skipped keys, for tests to break.
func validProto(t testing.TB) *wire.RatchetState {
	t.Helper()
	p := newPair(t, nil)
	send(t, p.alice)
	mustReceive(t, p.bob, send(t, p.alice))
	mustReceive(t, p.alice, send(t, p.bob))
	send(t, p.bob)
	mustReceive(t, p.alice, send(t, p.bob))
	st, err := p.alice.ToProto()
	require.NoError(t, err)
	require.Len(t, st.ReceiverChains, 2)
	require.NotEmpty(t, st.ReceiverChains[1].SkippedKeys)
	return st
}

func TestFromProtoRejects(t *testing.T) {
	other, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	cases := map[string]func(p *wire.RatchetState){
		"root key short":           func(p *wire.RatchetState) { p.RootKey = p.RootKey[:31] },
		"root key long":            func(p *wire.RatchetState) { p.RootKey = append(p.RootKey, 0) },
		"root key missing":         func(p *wire.RatchetState) { p.RootKey = nil },
		"sender chain missing":     func(p *wire.RatchetState) { p.SenderChain = nil },
		"sender chain key short":   func(p *wire.RatchetState) { p.SenderChain.ChainKey = p.SenderChain.ChainKey[:16] },
		"sender private key short": func(p *wire.RatchetState) { p.SenderChain.RatchetPrivateKey = p.SenderChain.RatchetPrivateKey[:31] },
		"sender public key raw":    func(p *wire.RatchetState) { p.SenderChain.RatchetPublicKey = p.SenderChain.RatchetPublicKey[1:] },
		"sender key pair mismatch": func(p *wire.RatchetState) { p.SenderChain.RatchetPublicKey = other.Public.Bytes() },
		"receiver key short": func(p *wire.RatchetState) {
			p.ReceiverChains[0].RatchetPublicKey = p.ReceiverChains[0].RatchetPublicKey[:32]
		},
		"receiver key zero": func(p *wire.RatchetState) {
			p.ReceiverChains[0].RatchetPublicKey = append([]byte{0x05}, make([]byte, 32)...)
		},
		"receiver chain key long": func(p *wire.RatchetState) {
			p.ReceiverChains[1].ChainKey = append(p.ReceiverChains[1].ChainKey, 1)
		},
		"skipped seed short": func(p *wire.RatchetState) {
			k := p.ReceiverChains[1].SkippedKeys[0]
			k.Seed = k.Seed[:31]
		},
		"too many receiver chains": func(p *wire.RatchetState) {
			for len(p.ReceiverChains) <= MaxReceiverChains {
				p.ReceiverChains = append(p.ReceiverChains, proto.Clone(p.ReceiverChains[0]).(*wire.ReceiverChain))
			}
		},
		"too many skipped keys": func(p *wire.RatchetState) {
			rc := p.ReceiverChains[1]
			for i := len(rc.SkippedKeys); i <= MaxSkippedKeys; i++ {
				rc.SkippedKeys = append(rc.SkippedKeys, &wire.SkippedKey{Index: proto.Uint32(uint32(i)), Seed: make([]byte, 32)})
			}
		},
		"spqr state missing":   func(p *wire.RatchetState) { p.SpqrState = nil },
		"spqr state truncated": func(p *wire.RatchetState) { p.SpqrState = p.SpqrState[:len(p.SpqrState)-1] },
	}
	for name, breakState := range cases {
		t.Run(name, func(t *testing.T) {
			p := validProto(t)
			_, err := FromProto(p)
			require.NoError(t, err)

			breakState(p)
			s, err := FromProto(p)
			assert.ErrorIs(t, err, ErrInvalidState)
			assert.Nil(t, s)
		})
	}

	t.Run("nil", func(t *testing.T) {
		_, err := FromProto(nil)
		assert.ErrorIs(t, err, ErrInvalidState)
	})
}

func TestFromProtoLimitsAccepted(t *testing.T) {
	p := validProto(t)
	for len(p.ReceiverChains) < MaxReceiverChains {
		p.ReceiverChains = append(p.ReceiverChains, proto.Clone(p.ReceiverChains[0]).(*wire.ReceiverChain))
	}
	rc := p.ReceiverChains[1]
	for i := len(rc.SkippedKeys); i < MaxSkippedKeys; i++ {
		rc.SkippedKeys = append(rc.SkippedKeys, &wire.SkippedKey{Index: proto.Uint32(uint32(i)), Seed: bytes.Repeat([]byte{1}, 32)})
	}
	_, err := FromProto(p)
	assert.NoError(t, err)
}
