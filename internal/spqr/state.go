package spqr

import (
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
)

// Direction identifies the side of a session that a state belongs to.
type Direction uint8

const (
	AliceToBob Direction = 1 // session initiator (PQXDH sender): sends on the A→B chain
	BobToAlice Direction = 2
)

func (d Direction) valid() bool { return d == AliceToBob || d == BobToAlice }

func (d Direction) String() string {
	switch d {
	case AliceToBob:
		return "AliceToBob"
	case BobToAlice:
		return "BobToAlice"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// State is one side's SPQR state for a session: the ML-KEM braid and the
// chain. It produces one message key per sent and per received message. A
// State is not safe for concurrent use.
type State struct {
	dir   Direction
	braid braid
	chain chain
}

// NewState returns the initial state of a session at SCKA epoch 1, with the
// braid's authenticator and the chain started from authKey, the SPQR
// authentication key from PQXDH. The session initiator uses AliceToBob and
// the responder BobToAlice. It panics if dir is neither.
func NewState(authKey [32]byte, dir Direction) *State {
	if !dir.valid() {
		panic(fmt.Sprintf("spqr: NewState with invalid direction %d", uint8(dir)))
	}
	return &State{
		dir:   dir,
		braid: newBraid(authKey, dir),
		chain: newChain(authKey, dir, defaultChainParams),
	}
}

// Clone returns a deep copy of s. A caller receives into a clone and keeps it
// only after the message that carried the SPQR bytes authenticates.
func (s *State) Clone() *State {
	return &State{dir: s.dir, braid: s.braid.clone(), chain: s.chain.clone()}
}

// Epoch returns the current SCKA epoch. It starts at 1 and grows by one
// each time this side finishes a braid epoch as the send-EK side, or
// receives the peer's first message of the next epoch as the send-CT side. States loaded from the format
// written before the braid existed stay at 1.
func (s *State) Epoch() uint64 { return s.braid.epoch }

// Send advances s and returns the SPQR message for the next outgoing message
// and its message key, which must be kept secret. libsignal uses the key as
// the HKDF salt of the message keys and puts msg in SignalMessage field 5.
//
// At the start of an epoch in which this side generates the ML-KEM key pair,
// Send reads 64 bytes from rand. When it encapsulates, it reads 32 bytes.
// Other sends read nothing. A nil rand means crypto/rand.Reader. On error s
// is unchanged.
func (s *State) Send(rand io.Reader) (msg []byte, key [32]byte, err error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	b := s.braid.clone()
	out, err := b.send(rand)
	if err != nil {
		return nil, [32]byte{}, err
	}

	// A send-CT side that has just encapsulated adds the new chain epoch
	// but keeps sending in the previous one until the peer's next-epoch
	// message arrives.
	c := &s.chain
	var next chain
	if out.secret != nil {
		next = s.chain.clone()
		c = &next
		if err := c.addEpoch(b.epoch, *out.secret); err != nil {
			return nil, [32]byte{}, err
		}
	}
	index, key, err := c.sendKey(b.epoch - 1)
	if err != nil {
		return nil, [32]byte{}, err
	}
	if out.secret != nil {
		s.chain = next
	}
	s.braid = b

	m := Message{Epoch: b.epoch, Index: index, Type: out.typ}
	if out.typ.HasChunk() {
		m.ChunkIndex = out.chunkIndex
		m.Chunk = out.chunk[:]
	}
	return m.Append(make([]byte, 0, 48)), key, nil
}

// Receive parses the SPQR bytes of an incoming message, advances s and
// returns the message key, which must be kept secret.
//
// It returns a *VersionError for anything but SPQR V1. (libsignal 0.103
// also rejects V0, but accepts versions 2 and above without a key.) It
// returns an error wrapping ErrMalformed for bytes that do not parse, a
// *EpochError for an
// epoch above the braid's (other than the one the braid moves to next) or
// a chain epoch already dropped, ErrMAC for a header or ciphertext whose
// MAC fails, ErrEncapsulationKey for a key vector that does not match its
// header, and a *KeyError for an index whose key is used, trimmed or too
// far ahead. Messages of older epochs still yield their keys while the
// chain keeps that epoch, and chunks the braid no longer needs are
// ignored. On error s is unchanged.
//
// SPQR runs before the enclosing message is authenticated, so a caller
// should receive into a Clone and keep it only after the message's MAC
// verifies.
func (s *State) Receive(msg []byte) (key [32]byte, err error) {
	m, err := ParseMessage(msg)
	if err != nil {
		return [32]byte{}, err
	}
	b := s.braid.clone()
	secret, err := b.receive(&m)
	if err != nil {
		return [32]byte{}, err
	}

	c := &s.chain
	var next chain
	if secret != nil {
		next = s.chain.clone()
		c = &next
		if err := c.addEpoch(m.Epoch, *secret); err != nil {
			return [32]byte{}, err
		}
	}
	// SPQR returns no key for index 0 at epoch 1, meaning a peer that runs
	// without a chain. libsignal 0.103 always runs the chain, and a message
	// without a key would leave the message keys unsalted, so recvKey
	// rejects index 0.
	key, err = c.recvKey(m.Epoch-1, m.Index)
	if err != nil {
		var ke *KeyError
		if !errors.As(err, &ke) && errors.Is(err, ErrEpochOutOfRange) {
			return [32]byte{}, &EpochError{Epoch: m.Epoch, Current: s.braid.epoch}
		}
		return [32]byte{}, err
	}
	if secret != nil {
		s.chain = next
	}
	s.braid = b
	return key, nil
}

// Format writes a summary of s without its keys, for every verb, so that
// printing a State never shows key material.
func (s *State) Format(f fmt.State, verb rune) {
	if s == nil {
		fmt.Fprint(f, "spqr.State(nil)")
		return
	}
	fmt.Fprintf(f, "spqr.State{%v, epoch %d}", s.dir, s.braid.epoch)
}
