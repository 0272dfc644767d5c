package ratchet

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/spqr"
	"github.com/parleyhq/parley/internal/wire"
)

// ToProto returns s in Parley's storage format. The result contains secret
// keys.
func (s *State) ToProto() (*wire.RatchetState, error) {
	pq, err := s.pq.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("ratchet: encoding post-quantum state: %w", err)
	}
	st := &wire.RatchetState{
		RootKey:         clone32(s.rootKey),
		PreviousCounter: proto.Uint32(s.previousCounter),
		SenderChain: &wire.SenderChain{
			RatchetPublicKey:  s.sender.ratchetKey.Public.Bytes(),
			RatchetPrivateKey: s.sender.ratchetKey.Private.Bytes(),
			ChainKey:          clone32(s.sender.chain.key),
			Index:             proto.Uint32(s.sender.chain.index),
		},
		SpqrState: pq,
	}
	for _, rc := range s.receivers {
		pc := &wire.ReceiverChain{
			RatchetPublicKey: rc.ratchetKey.Bytes(),
			ChainKey:         clone32(rc.chain.key),
			Index:            proto.Uint32(rc.chain.index),
		}
		for _, k := range rc.skipped {
			pc.SkippedKeys = append(pc.SkippedKeys, &wire.SkippedKey{Index: proto.Uint32(k.index), Seed: clone32(k.seed)})
		}
		st.ReceiverChains = append(st.ReceiverChains, pc)
	}
	return st, nil
}

// FromProto parses a state written by ToProto, checking every size and
// count.
func FromProto(p *wire.RatchetState) (*State, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: missing", ErrInvalidState)
	}
	s := &State{previousCounter: p.GetPreviousCounter()}
	var err error
	if s.rootKey, err = array32(p.GetRootKey(), "root key"); err != nil {
		return nil, err
	}

	sc := p.GetSenderChain()
	if sc == nil {
		return nil, fmt.Errorf("%w: missing sender chain", ErrInvalidState)
	}
	priv, err := curve.NewPrivateKey(sc.GetRatchetPrivateKey())
	if err != nil {
		return nil, fmt.Errorf("%w: sender ratchet private key: %w", ErrInvalidState, err)
	}
	pub, err := curve.NewPublicKey(sc.GetRatchetPublicKey())
	if err != nil {
		return nil, fmt.Errorf("%w: sender ratchet public key: %w", ErrInvalidState, err)
	}
	if !priv.PublicKey().Equal(pub) {
		return nil, fmt.Errorf("%w: sender ratchet key pair does not match", ErrInvalidState)
	}
	s.sender.ratchetKey = curve.KeyPair{Private: priv, Public: pub}
	if s.sender.chain.key, err = array32(sc.GetChainKey(), "sender chain key"); err != nil {
		return nil, err
	}
	s.sender.chain.index = sc.GetIndex()

	if len(p.GetReceiverChains()) > MaxReceiverChains {
		return nil, fmt.Errorf("%w: %d receiver chains", ErrInvalidState, len(p.GetReceiverChains()))
	}
	for _, pc := range p.GetReceiverChains() {
		rc := &receiverChain{chain: chainKey{index: pc.GetIndex()}}
		if rc.ratchetKey, err = curve.NewPublicKey(pc.GetRatchetPublicKey()); err != nil {
			return nil, fmt.Errorf("%w: receiver ratchet key: %w", ErrInvalidState, err)
		}
		if rc.chain.key, err = array32(pc.GetChainKey(), "receiver chain key"); err != nil {
			return nil, err
		}
		if len(pc.GetSkippedKeys()) > MaxSkippedKeys {
			return nil, fmt.Errorf("%w: %d skipped keys", ErrInvalidState, len(pc.GetSkippedKeys()))
		}
		for _, k := range pc.GetSkippedKeys() {
			seed, err := array32(k.GetSeed(), "skipped key")
			if err != nil {
				return nil, err
			}
			rc.skipped = append(rc.skipped, skippedKey{index: k.GetIndex(), seed: seed})
		}
		s.receivers = append(s.receivers, rc)
	}

	if s.pq, err = spqr.UnmarshalState(p.GetSpqrState()); err != nil {
		return nil, fmt.Errorf("%w: post-quantum state: %w", ErrInvalidState, err)
	}
	return s, nil
}

func clone32(b [32]byte) []byte {
	return append([]byte(nil), b[:]...)
}

func array32(b []byte, what string) ([32]byte, error) {
	var a [32]byte
	if len(b) != 32 {
		return a, fmt.Errorf("%w: %s is %d bytes, want 32", ErrInvalidState, what, len(b))
	}
	copy(a[:], b)
	return a, nil
}
