package spqr

import (
	"fmt"
	"io"
)

// Direction says which side of a session a state belongs to.
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

// State is one side's SPQR state for a session. It produces one message key
// per sent and per received message. A State is not safe for concurrent use.
//
// TODO: add the ML-KEM braid. It will be a state machine stored next to
// the chain, tagged in MarshalBinary's braid byte, chosen by Send and fed by
// Receive, and the epoch secrets it finishes go to chain.addEpoch. Until
// then the state stays at SCKA epoch 1, sends type None and ignores chunks.
type State struct {
	dir   Direction
	epoch uint64 // SCKA epoch; messages use chain epoch epoch-1
	chain chain
}

// NewState returns the initial state of a session at SCKA epoch 1, with the
// chain started from authKey, the SPQR authentication key from PQXDH. The
// session initiator uses AliceToBob and the responder BobToAlice. It panics
// if dir is neither.
func NewState(authKey [32]byte, dir Direction) *State {
	if !dir.valid() {
		panic(fmt.Sprintf("spqr: NewState with invalid direction %d", uint8(dir)))
	}
	return &State{
		dir:   dir,
		epoch: 1,
		chain: newChain(authKey, dir, defaultChainParams),
	}
}

// Clone returns a deep copy of s. A caller receives into a clone and keeps it
// only after the message that carried the SPQR bytes authenticates.
func (s *State) Clone() *State {
	return &State{dir: s.dir, epoch: s.epoch, chain: s.chain.clone()}
}

// Epoch returns the current SCKA epoch. It is 1 until the ML-KEM braid is
// implemented.
func (s *State) Epoch() uint64 { return s.epoch }

// Send advances s and returns the SPQR message for the next outgoing message
// and its message key, which must be kept secret. libsignal uses the key as
// the HKDF salt of the message keys and puts msg in SignalMessage field 5.
//
// The message is always type None at epoch 1, with the next index of chain
// epoch 0. rand is not read yet (the braid will need it). On error s is
// unchanged.
func (s *State) Send(rand io.Reader) (msg []byte, key [32]byte, err error) {
	index, key, err := s.chain.sendKey(s.epoch - 1)
	if err != nil {
		return nil, [32]byte{}, err
	}
	m := Message{Epoch: s.epoch, Index: index, Type: TypeNone}
	return m.Append(make([]byte, 0, 16)), key, nil
}

// Receive parses the SPQR bytes of an incoming message, advances s and
// returns the message key, which must be kept secret.
//
// It accepts every message type at the state's epoch and ignores the chunk.
// It returns a *VersionError for anything but SPQR V1 (libsignal 0.103 also
// rejects V0 but accepts versions 2 and above without a key), an error
// wrapping ErrMalformed for bytes that do not parse, a *EpochError for
// another epoch, and a *KeyError for an index whose key is used, trimmed or
// too far ahead. On error s is unchanged.
//
// SPQR runs before the enclosing message is authenticated, so a caller
// should receive into a Clone and keep it only after the message's MAC
// verifies.
func (s *State) Receive(msg []byte) (key [32]byte, err error) {
	m, err := ParseMessage(msg)
	if err != nil {
		return [32]byte{}, err
	}
	if m.Epoch != s.epoch {
		return [32]byte{}, &EpochError{Epoch: m.Epoch, Current: s.epoch}
	}
	// SPQR returns no key for index 0 at epoch 1, meaning a peer that runs
	// without a chain. libsignal 0.103 always runs the chain, and a message
	// without a key would leave the message keys unsalted, so recvKey
	// rejects index 0.
	return s.chain.recvKey(m.Epoch-1, m.Index)
}

// Format writes a summary of s without its keys, for every verb, so that
// printing a State never shows key material.
func (s *State) Format(f fmt.State, verb rune) {
	if s == nil {
		fmt.Fprint(f, "spqr.State(nil)")
		return
	}
	fmt.Fprintf(f, "spqr.State{%v, epoch %d}", s.dir, s.epoch)
}
