package spqr

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
)

// The chain is SPQR's symmetric ratchet. Each chain epoch holds one KDF chain
// per direction, and every message key comes from the chain of the epoch one
// below the message's SCKA epoch. Epoch secrets from the ML-KEM braid start
// new chain epochs.

// chainParams are the out-of-order limits of one chain.
type chainParams struct {
	maxJump       uint32 // a received index may be at most this far ahead
	maxOutOfOrder uint32 // a skipped key is kept while at most this far behind
}

var defaultChainParams = chainParams{maxJump: MaxJump, maxOutOfOrder: MaxOutOfOrderKeys}

// chain holds the chain epochs from the oldest kept one up to currentEpoch.
type chain struct {
	dir          Direction
	params       chainParams
	currentEpoch uint64        // chain epoch of the last link
	sendEpoch    uint64        // chain epoch of the last sent message
	nextRoot     [KeySize]byte // salt for the next Add Epoch
	links        []chainLink   // oldest first; never empty
}

// chainLink is one chain epoch.
type chainLink struct {
	send sendChain
	recv recvChain
}

// sendChain is the sending half of a chain epoch.
type sendChain struct {
	ctr    uint32        // index of the last key produced
	next   [KeySize]byte // chain key for index ctr+1
	erased bool          // next was erased because the send epoch moved past this epoch
}

// recvChain is the receiving half of a chain epoch.
type recvChain struct {
	ctr     uint32        // highest index produced so far
	next    [KeySize]byte // chain key for index ctr+1
	skipped []skippedKey  // keys for indices below ctr not yet requested, ascending
}

// skippedKey is a message key stored for an out-of-order message.
type skippedKey struct {
	index uint32
	key   [KeySize]byte
}

// hkdfSHA256 derives n bytes with HKDF-SHA256. The lengths used in this
// package are constants far below HKDF's limit, so an error is a bug.
func hkdfSHA256(secret, salt []byte, info string, n int) []byte {
	out, err := hkdf.Key(sha256.New, secret, salt, info, n)
	if err != nil {
		panic("spqr: HKDF-SHA256 failed: " + err.Error())
	}
	return out
}

// zeroSalt is the 32 zero bytes SPQR passes as the HKDF salt. HKDF with it
// equals HKDF without a salt.
var zeroSalt [32]byte

// newChain starts a chain from the PQXDH SPQR authentication key (SPQR chain
// start): G = HKDF(salt = 32 zero bytes, ikm = authKey, info = "Signal PQ
// Ratchet V1 Chain  Start", 96 bytes). G[0:32] is the next root, G[32:64] the
// Alice-to-Bob seed and G[64:96] the Bob-to-Alice seed of chain epoch 0.
func newChain(authKey [KeySize]byte, dir Direction, params chainParams) chain {
	g := hkdfSHA256(authKey[:], zeroSalt[:], labelChainStart, 3*KeySize)
	c := chain{dir: dir, params: params}
	copy(c.nextRoot[:], g[:KeySize])
	c.links = []chainLink{newChainLink(g, dir)}
	clear(g)
	return c
}

// newChainLink builds a chain epoch from a 96-byte start or Add Epoch output.
// The seed slices belong to a direction of travel, not to "mine" and
// "theirs": Alice sends with G[32:64] and Bob with G[64:96].
func newChainLink(g []byte, dir Direction) chainLink {
	var l chainLink
	aliceToBob, bobToAlice := g[KeySize:2*KeySize], g[2*KeySize:3*KeySize]
	if dir == AliceToBob {
		copy(l.send.next[:], aliceToBob)
		copy(l.recv.next[:], bobToAlice)
	} else {
		copy(l.send.next[:], bobToAlice)
		copy(l.recv.next[:], aliceToBob)
	}
	return l
}

// addEpoch starts chain epoch `epoch` from the braid's epoch secret (SPQR
// chain Add Epoch): G = HKDF(salt = next root, ikm = secret, info = "Signal
// PQ Ratchet V1 Chain Add Epoch", 96 bytes), split as in newChain. The epoch
// must be the one after the current epoch.
func (c *chain) addEpoch(epoch uint64, secret [KeySize]byte) error {
	if epoch != c.currentEpoch+1 {
		return fmt.Errorf("%w: adding chain epoch %d after epoch %d", ErrInvalidState, epoch, c.currentEpoch)
	}
	if len(c.links) >= maxChainLinks {
		return fmt.Errorf("%w: chain already has the maximum of %d epochs", ErrInvalidState, len(c.links))
	}
	g := hkdfSHA256(secret[:], c.nextRoot[:], labelChainAddEpoch, 3*KeySize)
	copy(c.nextRoot[:], g[:KeySize])
	c.links = append(c.links, newChainLink(g, c.dir))
	c.currentEpoch = epoch
	clear(g)
	return nil
}

// linkIndex returns the position in c.links of chain epoch `epoch`.
func (c *chain) linkIndex(epoch uint64) (int, error) {
	if epoch > c.currentEpoch {
		return 0, fmt.Errorf("%w: chain epoch %d is newer than current epoch %d", ErrEpochOutOfRange, epoch, c.currentEpoch)
	}
	back := c.currentEpoch - epoch
	if back >= uint64(len(c.links)) {
		return 0, fmt.Errorf("%w: chain epoch %d was already dropped", ErrEpochOutOfRange, epoch)
	}
	return len(c.links) - 1 - int(back), nil
}

// sendKey returns the next index and message key of chain epoch `epoch`
// (SPQR send_key). Moving the send epoch forward drops every chain epoch but
// one before the new send epoch and erases the send chain keys of older
// epochs, because nothing can be sent in them again. On error c is unchanged.
func (c *chain) sendKey(epoch uint64) (uint32, [KeySize]byte, error) {
	if epoch < c.sendEpoch {
		return 0, [KeySize]byte{}, fmt.Errorf("%w: send epoch would decrease from %d to %d", ErrEpochOutOfRange, c.sendEpoch, epoch)
	}
	i, err := c.linkIndex(epoch)
	if err != nil {
		return 0, [KeySize]byte{}, err
	}
	if c.links[i].send.erased {
		return 0, [KeySize]byte{}, fmt.Errorf("%w: send chain of epoch %d was erased", ErrInvalidState, epoch)
	}
	if c.links[i].send.ctr == math.MaxUint32 {
		return 0, [KeySize]byte{}, fmt.Errorf("%w: send counter of chain epoch %d is exhausted", ErrInvalidState, epoch)
	}

	if epoch != c.sendEpoch {
		c.sendEpoch = epoch
		if i > 1 {
			drop := i - 1
			for j := range drop {
				c.links[j].wipe()
			}
			remaining := copy(c.links, c.links[drop:])
			clear(c.links[remaining:])
			c.links = c.links[:remaining]
			i = 1
		}
		for j := range i {
			clear(c.links[j].send.next[:])
			c.links[j].send.erased = true
		}
	}

	s := &c.links[i].send
	s.ctr++
	key := chainStep(&s.next, s.ctr)
	return s.ctr, key, nil
}

// recvKey returns the message key for index `at` of chain epoch `epoch`
// (SPQR recv_key). On error c is unchanged.
func (c *chain) recvKey(epoch uint64, at uint32) ([KeySize]byte, error) {
	i, err := c.linkIndex(epoch)
	if err != nil {
		return [KeySize]byte{}, err
	}
	key, keyErr := c.links[i].recv.key(at, c.params)
	if keyErr != nil {
		keyErr.Epoch = epoch
		return [KeySize]byte{}, keyErr
	}
	return key, nil
}

// key returns the message key for index `at`, from the store when `at` is
// behind the counter, or by stepping the chain forward and storing the keys
// it skips. It follows SPQR's rules: a key is returned at most once, a key
// more than maxOutOfOrder behind the counter is gone, and the counter moves
// at most maxJump at once. SPQR trims its store lazily, in batches, while
// this store drops a key as soon as it falls out of the window. Both return
// the same keys and errors. On error r is unchanged.
func (r *recvChain) key(at uint32, p chainParams) ([KeySize]byte, *KeyError) {
	switch {
	case at == 0:
		// Index 0 never has a key. SPQR reports it as too old once the
		// counter passes maxOutOfOrder, and as used before that.
		return [KeySize]byte{}, &KeyError{Err: ErrKeyAlreadyUsed, Index: at, Counter: r.ctr}
	case at == r.ctr:
		return [KeySize]byte{}, &KeyError{Err: ErrKeyAlreadyUsed, Index: at, Counter: r.ctr}
	case at < r.ctr:
		return r.takeSkipped(at, p)
	case at-r.ctr > p.maxJump:
		return [KeySize]byte{}, &KeyError{Err: ErrKeyJump, Index: at, Counter: r.ctr}
	}

	r.dropBelow(windowStart(at, p))
	for r.ctr+1 < at {
		r.ctr++
		k := chainStep(&r.next, r.ctr)
		if r.ctr >= windowStart(at, p) {
			r.skipped = append(r.skipped, skippedKey{index: r.ctr, key: k})
		}
	}
	r.ctr++
	return chainStep(&r.next, r.ctr), nil
}

// windowStart returns the lowest index whose key stays usable once the
// counter is at ctr.
func windowStart(ctr uint32, p chainParams) uint32 {
	if ctr < p.maxOutOfOrder {
		return 0
	}
	return ctr - p.maxOutOfOrder
}

// takeSkipped returns and deletes the stored key for index at < r.ctr.
func (r *recvChain) takeSkipped(at uint32, p chainParams) ([KeySize]byte, *KeyError) {
	if at < windowStart(r.ctr, p) {
		return [KeySize]byte{}, &KeyError{Err: ErrKeyTrimmed, Index: at, Counter: r.ctr}
	}
	i := sort.Search(len(r.skipped), func(i int) bool { return r.skipped[i].index >= at })
	if i == len(r.skipped) || r.skipped[i].index != at {
		return [KeySize]byte{}, &KeyError{Err: ErrKeyAlreadyUsed, Index: at, Counter: r.ctr}
	}
	key := r.skipped[i].key
	last := len(r.skipped) - 1
	copy(r.skipped[i:], r.skipped[i+1:])
	r.skipped[last] = skippedKey{}
	r.skipped = r.skipped[:last]
	return key, nil
}

// dropBelow deletes the stored keys with an index below start.
func (r *recvChain) dropBelow(start uint32) {
	n := sort.Search(len(r.skipped), func(i int) bool { return r.skipped[i].index >= start })
	if n == 0 {
		return
	}
	remaining := copy(r.skipped, r.skipped[n:])
	clear(r.skipped[remaining:])
	r.skipped = r.skipped[:remaining]
}

// chainStep advances a chain key to index ctr (SPQR chain step):
// K = HKDF(salt = 32 zero bytes, ikm = next, info = BE32(ctr) || "Signal PQ
// Ratchet V1 Chain Next", 64 bytes). K[0:32] replaces next and K[32:64] is
// the message key for ctr.
func chainStep(next *[KeySize]byte, ctr uint32) [KeySize]byte {
	var info [4 + len(labelChainNext)]byte
	binary.BigEndian.PutUint32(info[:4], ctr)
	copy(info[4:], labelChainNext)
	k := hkdfSHA256(next[:], zeroSalt[:], string(info[:]), 2*KeySize)

	var key [KeySize]byte
	copy(next[:], k[:KeySize])
	copy(key[:], k[KeySize:])
	clear(k)
	return key
}

// wipe clears the keys of a chain epoch that is being dropped. Go may keep
// other copies, so this is best effort.
func (l *chainLink) wipe() {
	clear(l.send.next[:])
	clear(l.recv.next[:])
	clear(l.recv.skipped)
	l.recv.skipped = nil
}

// clone returns a deep copy of c.
func (c *chain) clone() chain {
	out := *c
	out.links = make([]chainLink, len(c.links))
	copy(out.links, c.links)
	for i := range out.links {
		if s := c.links[i].recv.skipped; s != nil {
			out.links[i].recv.skipped = append([]skippedKey(nil), s...)
		}
	}
	return out
}
