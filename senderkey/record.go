package senderkey

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/keystore"
)

// skippedKey is the message key seed of an iteration that was skipped.
type skippedKey struct {
	iteration uint32
	seed      [32]byte
}

// state is one sender chain as seen by a sender or a receiver.
type state struct {
	version    uint32
	chainID    uint32
	chain      chainKey
	signingKey curve.PublicKey
	// signingPrivate is set only in the sender's own state.
	signingPrivate    curve.PrivateKey
	hasSigningPrivate bool
	// skipped holds the keys of skipped iterations, oldest first, at most
	// MaxSkippedKeys.
	skipped []skippedKey
}

// record is every state kept for one (sender, distribution ID), newest
// first, at most MaxStates.
type record struct {
	states []*state
}

// stateForChain returns the state with chainID, or nil.
func (r *record) stateForChain(chainID uint32) *state {
	for _, st := range r.states {
		if st.chainID == chainID {
			return st
		}
	}
	return nil
}

// addState puts st at the front of the record, as libsignal's
// SenderKeyRecord::add_sender_key_state does. A state with the same chain ID
// and signing key is kept, with its chain and skipped keys, in place of st,
// so processing a distribution message again cannot rewind a chain. Any
// other state with the same chain ID is dropped, and so is the oldest state
// when the record is full.
func (r *record) addState(st *state) {
	kept := st
	states := r.states[:0:0]
	for _, old := range r.states {
		if old.chainID != st.chainID {
			states = append(states, old)
			continue
		}
		if kept == st && old.signingKey.Equal(st.signingKey) {
			kept = old
		}
	}
	if len(states) >= MaxStates {
		states = states[:MaxStates-1]
	}
	r.states = append([]*state{kept}, states...)
}

// messageKeyFor returns the message key for iteration and advances st past
// it, storing the keys of the iterations it skips. It implements libsignal's
// group_cipher.rs get_sender_key.
func (st *state) messageKeyFor(iteration uint32) (messageKey, error) {
	if iteration < st.chain.iteration {
		for i, k := range st.skipped {
			if k.iteration == iteration {
				st.skipped = append(st.skipped[:i], st.skipped[i+1:]...)
				return newMessageKey(k.seed), nil
			}
		}
		return messageKey{}, fmt.Errorf("%w: iteration %d, chain is at %d", ErrDuplicateMessage, iteration, st.chain.iteration)
	}
	if jump := iteration - st.chain.iteration; jump > MaxForwardJumps {
		return messageKey{}, fmt.Errorf("%w: iteration %d is %d past the chain at %d, more than %d", ErrTooFarAhead, iteration, jump, st.chain.iteration, MaxForwardJumps)
	}

	// Only the last MaxSkippedKeys skipped keys survive the trim below, so
	// earlier ones are not stored at all.
	firstKept := uint32(0)
	if iteration > MaxSkippedKeys {
		firstKept = iteration - MaxSkippedKeys
	}
	c := st.chain
	for c.iteration < iteration {
		if c.iteration >= firstKept {
			st.skipped = append(st.skipped, skippedKey{iteration: c.iteration, seed: c.messageKeySeed()})
		}
		next, err := c.next()
		if err != nil {
			return messageKey{}, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
		}
		c = next
	}
	if n := len(st.skipped) - MaxSkippedKeys; n > 0 {
		st.skipped = append(st.skipped[:0:0], st.skipped[n:]...)
	}

	next, err := c.next()
	if err != nil {
		return messageKey{}, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	st.chain = next
	return newMessageKey(c.messageKeySeed()), nil
}

// loadRecord reads and decodes the record of (sender, distributionID). It
// returns an empty record when there is none.
func loadRecord(ctx context.Context, tx keystore.Tx, sender keystore.Address, distributionID [DistributionIDSize]byte) (*record, error) {
	b, err := tx.SenderKey(ctx, sender, distributionID)
	if err != nil {
		return nil, fmt.Errorf("senderkey: loading record of %q for distribution %s: %w", sender.String(), formatUUID(distributionID), err)
	}
	if b == nil {
		return &record{}, nil
	}
	r, err := decodeRecord(b)
	if err != nil {
		return nil, fmt.Errorf("%w (sender %q, distribution %s)", err, sender.String(), formatUUID(distributionID))
	}
	return r, nil
}

// storeRecord encodes r and stores it for (sender, distributionID).
func storeRecord(ctx context.Context, tx keystore.Tx, sender keystore.Address, distributionID [DistributionIDSize]byte, r *record) error {
	b, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := tx.StoreSenderKey(ctx, sender, distributionID, b); err != nil {
		return fmt.Errorf("senderkey: storing record of %q for distribution %s: %w", sender.String(), formatUUID(distributionID), err)
	}
	return nil
}

func encodeRecord(r *record) ([]byte, error) {
	pb := &wire.SenderKeyRecord{FormatVersion: proto.Uint32(recordFormatVersion)}
	for _, st := range r.states {
		s := &wire.SenderKeyState{
			MessageVersion:   proto.Uint32(st.version),
			ChainId:          proto.Uint32(st.chainID),
			Iteration:        proto.Uint32(st.chain.iteration),
			ChainKey:         st.chain.key[:],
			SigningPublicKey: st.signingKey.Bytes(),
		}
		if st.hasSigningPrivate {
			s.SigningPrivateKey = st.signingPrivate.Bytes()
		}
		s.SkippedKeys = make([]*wire.SenderKeySkippedKey, len(st.skipped))
		for i := range st.skipped {
			s.SkippedKeys[i] = &wire.SenderKeySkippedKey{
				Iteration: proto.Uint32(st.skipped[i].iteration),
				Seed:      st.skipped[i].seed[:],
			}
		}
		pb.States = append(pb.States, s)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("senderkey: encoding record: %w", err)
	}
	return b, nil
}

// decodeRecord parses a stored record. Stored records are written by this
// package, but every length is still checked so a corrupted store yields an
// error and not a panic.
func decodeRecord(b []byte) (*record, error) {
	var pb wire.SenderKeyRecord
	if err := proto.Unmarshal(b, &pb); err != nil {
		return nil, fmt.Errorf("senderkey: decoding stored record: %w", err)
	}
	if v := pb.GetFormatVersion(); v != recordFormatVersion {
		return nil, fmt.Errorf("senderkey: stored record has format version %d, expected %d", v, recordFormatVersion)
	}
	if len(pb.States) > MaxStates {
		return nil, fmt.Errorf("senderkey: stored record has %d states, more than %d", len(pb.States), MaxStates)
	}
	r := &record{states: make([]*state, 0, len(pb.States))}
	for i, s := range pb.States {
		st, err := decodeState(s)
		if err != nil {
			return nil, fmt.Errorf("senderkey: stored state %d: %w", i, err)
		}
		r.states = append(r.states, st)
	}
	return r, nil
}

func decodeState(s *wire.SenderKeyState) (*state, error) {
	st := &state{
		version: s.GetMessageVersion(),
		chainID: s.GetChainId(),
		chain:   chainKey{iteration: s.GetIteration()},
	}
	if len(s.ChainKey) != ChainKeySize {
		return nil, fmt.Errorf("chain key of %d bytes, expected %d", len(s.ChainKey), ChainKeySize)
	}
	copy(st.chain.key[:], s.ChainKey)

	var err error
	if st.signingKey, err = curve.NewPublicKey(s.SigningPublicKey); err != nil {
		return nil, fmt.Errorf("signing public key: %w", err)
	}
	if s.SigningPrivateKey != nil {
		if st.signingPrivate, err = curve.NewPrivateKey(s.SigningPrivateKey); err != nil {
			return nil, fmt.Errorf("signing private key: %w", err)
		}
		st.hasSigningPrivate = true
	}

	if len(s.SkippedKeys) > MaxSkippedKeys {
		return nil, fmt.Errorf("%d skipped keys, more than %d", len(s.SkippedKeys), MaxSkippedKeys)
	}
	st.skipped = make([]skippedKey, len(s.SkippedKeys))
	for i, k := range s.SkippedKeys {
		if len(k.Seed) != 32 {
			return nil, fmt.Errorf("skipped key seed of %d bytes, expected 32", len(k.Seed))
		}
		st.skipped[i].iteration = k.GetIteration()
		copy(st.skipped[i].seed[:], k.Seed)
	}
	return st, nil
}
