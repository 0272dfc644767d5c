package ratchet

import (
	"errors"
	"fmt"
	"io"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/spqr"
)

var (
	// ErrDuplicateMessage is returned for a message whose key was already
	// used or dropped: a replay, or a message older than the skipped-key
	// window.
	ErrDuplicateMessage = errors.New("ratchet: duplicate message")
	// ErrTooFarAhead is returned for a message that would skip more than
	// MaxForwardJump keys.
	ErrTooFarAhead = errors.New("ratchet: message counter too far ahead")
	// ErrPostQuantum is wrapped around errors from the SPQR layer for a
	// message whose SPQR field is malformed or out of range.
	ErrPostQuantum = errors.New("ratchet: post-quantum ratchet rejected the message")
	// ErrInvalidState is returned when a stored state is malformed.
	ErrInvalidState = errors.New("ratchet: invalid state")
)

type senderChain struct {
	ratchetKey curve.KeyPair
	chain      chainKey
}

type skippedKey struct {
	index uint32
	seed  [32]byte
}

type receiverChain struct {
	ratchetKey curve.PublicKey
	chain      chainKey
	// skipped holds the seeds of messages that have not arrived yet, oldest
	// first.
	skipped []skippedKey
}

// State is the Double Ratchet state of one session. It must be kept secret.
type State struct {
	rootKey         [32]byte
	sender          senderChain
	previousCounter uint32
	// receivers is ordered oldest first.
	receivers []*receiverChain
	pq        *spqr.State
}

// Header is the part of a message that the ratchet produces or consumes.
type Header struct {
	RatchetKey      curve.PublicKey
	Counter         uint32
	PreviousCounter uint32
	// PQ is the SPQR message carried in the SignalMessage.
	PQ []byte
}

// NewInitiator returns the state of the session initiator after PQXDH. It
// generates the first sending ratchet key (32 bytes from rand) and runs one
// DH step against the responder's signed prekey, theirRatchetKey.
func NewInitiator(rand io.Reader, rootKey, chainKeyBytes, spqrKey [32]byte, theirRatchetKey curve.PublicKey) (*State, error) {
	ours, err := curve.GenerateKeyPair(rand)
	if err != nil {
		return nil, fmt.Errorf("ratchet: generating ratchet key: %w", err)
	}
	root, sending, err := rootStep(rootKey, ours.Private, theirRatchetKey)
	if err != nil {
		return nil, err
	}
	return &State{
		rootKey: root,
		sender:  senderChain{ratchetKey: ours, chain: sending},
		receivers: []*receiverChain{{
			ratchetKey: theirRatchetKey,
			chain:      chainKey{key: chainKeyBytes},
		}},
		pq: spqr.NewState(spqrKey, spqr.AliceToBob),
	}, nil
}

// NewResponder returns the state of the session responder after PQXDH. Its
// first sending chain uses the signed prekey as ratchet key.
func NewResponder(rootKey, chainKeyBytes, spqrKey [32]byte, ourRatchetKey curve.KeyPair) *State {
	return &State{
		rootKey: rootKey,
		sender:  senderChain{ratchetKey: ourRatchetKey, chain: chainKey{key: chainKeyBytes}},
		pq:      spqr.NewState(spqrKey, spqr.BobToAlice),
	}
}

// Clone returns a deep copy of s.
func (s *State) Clone() *State {
	c := *s
	c.receivers = make([]*receiverChain, len(s.receivers))
	for i, r := range s.receivers {
		rc := *r
		rc.skipped = append([]skippedKey(nil), r.skipped...)
		c.receivers[i] = &rc
	}
	c.pq = s.pq.Clone()
	return &c
}

// SenderRatchetKey returns the public key of the current sending chain.
func (s *State) SenderRatchetKey() curve.PublicKey {
	return s.sender.ratchetKey.Public
}

// PQEpoch returns the current SPQR epoch.
func (s *State) PQEpoch() uint64 {
	return s.pq.Epoch()
}

// Send advances the sending chain and returns the header and keys of the
// next message.
func (s *State) Send(rand io.Reader) (Header, MessageKeys, error) {
	pqMsg, pqKey, err := s.pq.Send(rand)
	if err != nil {
		return Header{}, MessageKeys{}, fmt.Errorf("ratchet: post-quantum send: %w", err)
	}
	keys, err := deriveMessageKeys(s.sender.chain.seed(), pqKey)
	if err != nil {
		return Header{}, MessageKeys{}, err
	}
	h := Header{
		RatchetKey:      s.sender.ratchetKey.Public,
		Counter:         s.sender.chain.index,
		PreviousCounter: s.previousCounter,
		PQ:              pqMsg,
	}
	s.sender.chain = s.sender.chain.next()
	return h, keys, nil
}

// Receive advances the state for an incoming message and returns its keys.
// A new ratchet key in h triggers a DH ratchet step, which generates a new
// sending ratchet key (32 bytes from rand). On error s may be partly
// changed: call Receive on a Clone.
func (s *State) Receive(rand io.Reader, h Header) (MessageKeys, error) {
	rc, err := s.receiverChain(rand, h.RatchetKey)
	if err != nil {
		return MessageKeys{}, err
	}
	seed, err := rc.messageSeed(h.Counter)
	if err != nil {
		return MessageKeys{}, err
	}
	pqKey, err := s.pq.Receive(h.PQ)
	if err != nil {
		return MessageKeys{}, fmt.Errorf("%w: %w", ErrPostQuantum, err)
	}
	return deriveMessageKeys(seed, pqKey)
}

// receiverChain finds the chain for theirs, or makes one with a DH step.
func (s *State) receiverChain(rand io.Reader, theirs curve.PublicKey) (*receiverChain, error) {
	for _, rc := range s.receivers {
		if rc.ratchetKey.Equal(theirs) {
			return rc, nil
		}
	}

	root, receiving, err := rootStep(s.rootKey, s.sender.ratchetKey.Private, theirs)
	if err != nil {
		return nil, err
	}
	ours, err := curve.GenerateKeyPair(rand)
	if err != nil {
		return nil, fmt.Errorf("ratchet: generating ratchet key: %w", err)
	}
	root, sending, err := rootStep(root, ours.Private, theirs)
	if err != nil {
		return nil, err
	}

	// libsignal records the index of the old sending chain minus one,
	// and 0 when nothing was sent on it.
	s.previousCounter = max(s.sender.chain.index, 1) - 1
	s.rootKey = root
	s.sender = senderChain{ratchetKey: ours, chain: sending}
	rc := &receiverChain{ratchetKey: theirs, chain: receiving}
	s.receivers = append(s.receivers, rc)
	if len(s.receivers) > MaxReceiverChains {
		s.receivers = append(s.receivers[:0:0], s.receivers[len(s.receivers)-MaxReceiverChains:]...)
	}
	return rc, nil
}

// messageSeed returns the key seed for counter, stepping the chain forward
// and storing the seeds it skips, or taking a stored seed for a late message.
func (rc *receiverChain) messageSeed(counter uint32) ([32]byte, error) {
	if counter < rc.chain.index {
		for i, k := range rc.skipped {
			if k.index == counter {
				rc.skipped = append(rc.skipped[:i:i], rc.skipped[i+1:]...)
				return k.seed, nil
			}
		}
		return [32]byte{}, fmt.Errorf("%w: counter %d, chain at %d", ErrDuplicateMessage, counter, rc.chain.index)
	}
	if counter-rc.chain.index > MaxForwardJump {
		return [32]byte{}, fmt.Errorf("%w: counter %d, chain at %d", ErrTooFarAhead, counter, rc.chain.index)
	}
	for rc.chain.index < counter {
		rc.skipped = append(rc.skipped, skippedKey{index: rc.chain.index, seed: rc.chain.seed()})
		rc.chain = rc.chain.next()
	}
	if n := len(rc.skipped); n > MaxSkippedKeys {
		rc.skipped = append(rc.skipped[:0:0], rc.skipped[n-MaxSkippedKeys:]...)
	}
	seed := rc.chain.seed()
	rc.chain = rc.chain.next()
	return seed, nil
}

// Format prints a summary without key material, for every verb.
func (s *State) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "ratchet.State{sender %s, %d receiver chains, pq epoch %d}",
		s.sender.ratchetKey.Public.Fingerprint(), len(s.receivers), s.pq.Epoch())
}
