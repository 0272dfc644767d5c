package spqr

import (
	"encoding/binary"
	"fmt"

	"github.com/parleyhq/parley/internal/mlkem768"
)

// State serialization, format version 2. All integers are big-endian.
//
//	version      1 byte, stateFormatVersion
//	direction    1 byte, 1 = AliceToBob, 2 = BobToAlice
//	braid:
//	  state        1 byte, a braidKind
//	  epoch        8 bytes, SCKA epoch
//	  auth root    32 bytes
//	  auth MAC key 32 bytes
//	  then the fields of the state, in this order, where they apply:
//	    dk           2400 bytes, the ML-KEM decapsulation key (send-EK states after keysUnsampled)
//	    es           96 bytes, the encapsulation state (ct1Sampled, ekReceivedCt1Sampled, ct1Acknowledged)
//	    hdr          64 bytes, the received header (headerReceived)
//	    ct1          960 bytes (ct1Received, ekSentCt1Received and the send-CT states that hold es)
//	    ek           1152 bytes, the received key vector (ekReceivedCt1Sampled)
//	    encoder      4 bytes, the next chunk index (states that send chunks)
//	    ct2 payload  160 bytes, ct2 ‖ MAC (ct2Sampled; other encoders' payloads follow from the fields above)
//	    decoder      1 byte count, then per chunk: index (2 bytes) ‖ data (32 bytes)
//	                 (headerSent, ekSentCt1Received, noHeaderReceived, ct1Sampled, ct1Acknowledged)
//	chain:
//	  maxJump        4 bytes
//	  maxOutOfOrder  4 bytes
//	  currentEpoch   8 bytes
//	  sendEpoch      8 bytes
//	  nextRoot       32 bytes
//	  links          1 byte count, then per chain epoch, oldest first:
//	    send ctr     4 bytes
//	    send flag    1 byte, 1 = key follows, 0 = erased
//	    send next    32 bytes if the flag is 1
//	    recv ctr     4 bytes
//	    recv next    32 bytes
//	    skipped      2 bytes count, then per key: index (4 bytes) ‖ key (32 bytes)
//
// Format version 1, written before the braid existed, has the version,
// the direction, the epoch (always 1), a braid byte of 0 and the chain. It
// loads as a braidLegacy state.

// MarshalBinary encodes s, including its keys, so the output must be kept
// secret. UnmarshalState reads it back. The error is always nil.
func (s *State) MarshalBinary() ([]byte, error) {
	size := 2 + 1 + 8 + 2*KeySize + 4 + 4 + 8 + 8 + KeySize + 1
	size += mlkem768.DecapsulationKeySize + mlkem768.Ciphertext1Size + mlkem768.VectorSize
	for i := range s.chain.links {
		size += 4 + 1 + KeySize + 4 + KeySize + 2 + len(s.chain.links[i].recv.skipped)*(4+KeySize)
	}
	b := make([]byte, 0, size)

	b = append(b, stateFormatVersion, byte(s.dir))
	b = appendBraid(b, &s.braid)

	c := &s.chain
	b = binary.BigEndian.AppendUint32(b, c.params.maxJump)
	b = binary.BigEndian.AppendUint32(b, c.params.maxOutOfOrder)
	b = binary.BigEndian.AppendUint64(b, c.currentEpoch)
	b = binary.BigEndian.AppendUint64(b, c.sendEpoch)
	b = append(b, c.nextRoot[:]...)
	b = append(b, byte(len(c.links)))
	for i := range c.links {
		l := &c.links[i]
		b = binary.BigEndian.AppendUint32(b, l.send.ctr)
		if l.send.erased {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			b = append(b, l.send.next[:]...)
		}
		b = binary.BigEndian.AppendUint32(b, l.recv.ctr)
		b = append(b, l.recv.next[:]...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(l.recv.skipped)))
		for _, k := range l.recv.skipped {
			b = binary.BigEndian.AppendUint32(b, k.index)
			b = append(b, k.key[:]...)
		}
	}
	return b, nil
}

// UnmarshalState decodes a state written by MarshalBinary, in the current
// format or in format version 1. It checks every length, count and
// invariant, and returns an error wrapping ErrInvalidState for anything it
// cannot load.
func UnmarshalState(b []byte) (*State, error) {
	r := stateReader{b: b}
	version := r.byte()
	s := &State{dir: Direction(r.byte())}
	if r.err != nil {
		return nil, r.err
	}
	if !s.dir.valid() {
		return nil, fmt.Errorf("%w: direction %d", ErrInvalidState, uint8(s.dir))
	}

	switch version {
	case stateFormatVersion:
		br, err := readBraid(&r, s.dir)
		if err != nil {
			return nil, err
		}
		s.braid = br
	case stateFormatVersionV1:
		epoch := r.uint64()
		kind := r.byte()
		if r.err != nil {
			return nil, r.err
		}
		if kind != byte(braidLegacy) {
			return nil, fmt.Errorf("%w: unknown braid type %d in format version 1", ErrInvalidState, kind)
		}
		if epoch != 1 {
			return nil, fmt.Errorf("%w: epoch %d without a braid", ErrInvalidState, epoch)
		}
		s.braid = braid{kind: braidLegacy, epoch: 1}
	default:
		return nil, fmt.Errorf("%w: unsupported format version %d", ErrInvalidState, version)
	}

	c, err := readChain(&r, s.dir)
	if err != nil {
		return nil, err
	}
	if r.len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the state", ErrInvalidState, r.len())
	}
	if want := s.braid.chainEpoch(); c.currentEpoch != want {
		return nil, fmt.Errorf("%w: chain epoch %d in braid state %d of epoch %d, want %d", ErrInvalidState, c.currentEpoch, s.braid.kind, s.braid.epoch, want)
	}
	s.chain = c
	return s, nil
}

// readChain decodes and validates the chain section of a state.
func readChain(r *stateReader, dir Direction) (chain, error) {
	c := chain{dir: dir}
	c.params.maxJump = r.uint32()
	c.params.maxOutOfOrder = r.uint32()
	c.currentEpoch = r.uint64()
	c.sendEpoch = r.uint64()
	r.read(c.nextRoot[:])
	n := int(r.byte())
	if r.err != nil {
		return chain{}, r.err
	}

	if c.params.maxJump == 0 {
		return chain{}, fmt.Errorf("%w: max jump 0", ErrInvalidState)
	}
	if c.params.maxOutOfOrder == 0 || c.params.maxOutOfOrder > MaxOutOfOrderKeys {
		return chain{}, fmt.Errorf("%w: max out-of-order keys %d outside 1..%d", ErrInvalidState, c.params.maxOutOfOrder, MaxOutOfOrderKeys)
	}
	if n == 0 || n > maxChainLinks {
		return chain{}, fmt.Errorf("%w: %d chain epochs, want 1..%d", ErrInvalidState, n, maxChainLinks)
	}
	if uint64(n-1) > c.currentEpoch {
		return chain{}, fmt.Errorf("%w: %d chain epochs end at epoch %d", ErrInvalidState, n, c.currentEpoch)
	}
	oldest := c.currentEpoch - uint64(n-1)
	// SPQR keeps at most one chain epoch before the send epoch, and the send
	// epoch itself is always kept.
	if c.sendEpoch > c.currentEpoch || c.sendEpoch < oldest || c.sendEpoch-oldest > 1 {
		return chain{}, fmt.Errorf("%w: send epoch %d with chain epochs %d..%d", ErrInvalidState, c.sendEpoch, oldest, c.currentEpoch)
	}

	c.links = make([]chainLink, n)
	for i := range c.links {
		epoch := oldest + uint64(i)
		if err := readLink(r, &c.links[i], c.params, epoch < c.sendEpoch); err != nil {
			return chain{}, fmt.Errorf("%w (chain epoch %d)", err, epoch)
		}
	}
	return c, nil
}

// readLink decodes and validates one chain epoch. The send chain key must be
// erased exactly when the epoch is older than the send epoch.
func readLink(r *stateReader, l *chainLink, p chainParams, wantErased bool) error {
	l.send.ctr = r.uint32()
	switch flag := r.byte(); {
	case r.err != nil:
		return r.err
	case flag == 0:
		l.send.erased = true
	case flag == 1:
		r.read(l.send.next[:])
	default:
		return fmt.Errorf("%w: send key flag %d", ErrInvalidState, flag)
	}
	if l.send.erased != wantErased {
		return fmt.Errorf("%w: send key erased is %v", ErrInvalidState, l.send.erased)
	}

	l.recv.ctr = r.uint32()
	r.read(l.recv.next[:])
	count := int(r.uint16())
	if r.err != nil {
		return r.err
	}
	if count > int(p.maxOutOfOrder) {
		return fmt.Errorf("%w: %d stored keys, limit %d", ErrInvalidState, count, p.maxOutOfOrder)
	}
	if count > r.len()/(4+KeySize) {
		return fmt.Errorf("%w: %d stored keys in %d bytes", ErrInvalidState, count, r.len())
	}
	if count == 0 {
		return nil
	}

	l.recv.skipped = make([]skippedKey, count)
	start := windowStart(l.recv.ctr, p)
	for i := range l.recv.skipped {
		k := &l.recv.skipped[i]
		k.index = r.uint32()
		r.read(k.key[:])
		switch {
		case k.index == 0 || k.index >= l.recv.ctr || k.index < start:
			return fmt.Errorf("%w: stored key index %d outside the window below %d", ErrInvalidState, k.index, l.recv.ctr)
		case i > 0 && k.index <= l.recv.skipped[i-1].index:
			return fmt.Errorf("%w: stored key indices not ascending", ErrInvalidState)
		}
	}
	return r.err
}

// stateReader reads big-endian fields and records the first short read.
type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) len() int { return len(r.b) }

func (r *stateReader) next(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.err = fmt.Errorf("%w: truncated", ErrInvalidState)
		r.b = nil
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *stateReader) read(dst []byte) { copy(dst, r.next(len(dst))) }

func (r *stateReader) byte() byte {
	if b := r.next(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *stateReader) uint16() uint16 {
	if b := r.next(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *stateReader) uint32() uint32 {
	if b := r.next(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *stateReader) uint64() uint64 {
	if b := r.next(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}
