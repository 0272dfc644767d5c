package spqr

import (
	"crypto/hmac"
	"fmt"
	"io"

	"github.com/parleyhq/parley/internal/mlkem768"
)

// The ML-KEM braid: one incremental ML-KEM-768 exchange per SCKA epoch. In
// odd epochs the session initiator generates the key pair (the send-EK
// side) and the responder encapsulates (the send-CT side). In even epochs
// the roles swap. The state names and transitions follow
// SparsePostQuantumRatchet v1.5.3 (src/v1/chunked).

// braidKind is the braid's state. The values are the field numbers of the
// states in SparsePostQuantumRatchet's V1State message, and also the braid
// byte of MarshalBinary's format.
type braidKind uint8

const (
	// braidLegacy is a state loaded from format version 1, written before
	// the braid was implemented. Those states do not store the
	// authentication key that the braid's MACs need, so they keep the old
	// behaviour: epoch 1, type None sent, chunks ignored.
	braidLegacy braidKind = 0

	// Send-EK side.
	keysUnsampled     braidKind = 1 // next send generates a key pair
	keysSampled       braidKind = 2 // sending the header chunks
	headerSent        braidKind = 3 // sending key vector chunks, collecting ct1
	ct1Received       braidKind = 4 // sending key vector chunks that acknowledge ct1
	ekSentCt1Received braidKind = 5 // acknowledging ct1, collecting ct2

	// Send-CT side.
	noHeaderReceived     braidKind = 6  // collecting the header
	headerReceived       braidKind = 7  // next send encapsulates
	ct1Sampled           braidKind = 8  // sending ct1 chunks, collecting the key vector
	ekReceivedCt1Sampled braidKind = 9  // sending ct1 chunks until acknowledged
	ct1Acknowledged      braidKind = 10 // collecting the rest of the key vector
	ct2Sampled           braidKind = 11 // sending ct2 chunks until the next epoch starts
)

func (k braidKind) valid() bool { return k <= ct2Sampled }

// Payload sizes of the erasure-coded pieces.
const (
	hdrPayloadSize = mlkem768.HeaderSize + macSize      // 96 bytes, 3 chunks
	ekPayloadSize  = mlkem768.VectorSize                // 1152 bytes, 36 chunks
	ct1PayloadSize = mlkem768.Ciphertext1Size           // 960 bytes, 30 chunks
	ct2PayloadSize = mlkem768.Ciphertext2Size + macSize // 160 bytes, 5 chunks
)

// braid is one side's braid state. Which fields are set depends on kind.
// The pointed-to values are never modified once set, so clones share them.
type braid struct {
	kind  braidKind
	epoch uint64 // SCKA epoch, from 1
	auth  authenticator

	dk  *mlkem768.DecapsulationKey      // keysSampled … ekSentCt1Received
	es  *mlkem768.EncapsulationState    // ct1Sampled, ekReceivedCt1Sampled, ct1Acknowledged
	hdr *[mlkem768.HeaderSize]byte      // headerReceived
	ct1 *[mlkem768.Ciphertext1Size]byte // ct1Received, ekSentCt1Received and the send-CT states from ct1Sampled to ct1Acknowledged
	ek  *[mlkem768.VectorSize]byte      // ekReceivedCt1Sampled

	enc encoder // keysSampled: header; headerSent, ct1Received: key vector; ct1Sampled, ekReceivedCt1Sampled: ct1; ct2Sampled: ct2
	dec decoder // headerSent: ct1; ekSentCt1Received: ct2; noHeaderReceived: header; ct1Sampled, ct1Acknowledged: key vector
}

// newBraid returns the initial braid of a session: the initiator starts as
// the send-EK side, the responder as the send-CT side, both at epoch 1.
func newBraid(authKey [KeySize]byte, dir Direction) braid {
	b := braid{epoch: 1, auth: newAuthenticator(authKey)}
	if dir == AliceToBob {
		b.kind = keysUnsampled
	} else {
		b.kind = noHeaderReceived
		b.dec = newDecoder(hdrPayloadSize)
	}
	return b
}

func (b *braid) clone() braid {
	out := *b
	out.dec = b.dec.clone()
	return out
}

// braidOutput is the result of one braid send, besides the state change.
type braidOutput struct {
	typ        MessageType
	chunkIndex uint16
	chunk      [ChunkSize]byte
	secret     *[KeySize]byte // the epoch secret of b.epoch, if this send finished it
}

// send chooses what the next message carries and advances b. It reads
// randomness only in keysUnsampled (a key pair seed) and headerReceived
// (the encapsulation randomness). On error b may be partly changed, so
// callers send from a clone.
func (b *braid) send(rand io.Reader) (braidOutput, error) {
	var out braidOutput
	switch b.kind {
	case braidLegacy, noHeaderReceived, ct1Acknowledged:
		out.typ = TypeNone

	case keysUnsampled:
		dk, err := mlkem768.GenerateKey(rand)
		if err != nil {
			return out, fmt.Errorf("spqr: generating the epoch %d key pair: %w", b.epoch, err)
		}
		b.kind = keysSampled
		b.dk = dk
		b.enc = newEncoder(b.headerPayload())
		out.typ = TypeHdr
		out.chunkIndex, out.chunk = b.enc.nextChunk()

	case keysSampled:
		out.typ = TypeHdr
		out.chunkIndex, out.chunk = b.enc.nextChunk()

	case headerSent:
		out.typ = TypeEk
		out.chunkIndex, out.chunk = b.enc.nextChunk()

	case ct1Received:
		out.typ = TypeEkCt1Ack
		out.chunkIndex, out.chunk = b.enc.nextChunk()

	case ekSentCt1Received:
		out.typ = TypeCt1Ack

	case headerReceived:
		var m [mlkem768.RandomnessSize]byte
		if _, err := io.ReadFull(rand, m[:]); err != nil {
			return out, fmt.Errorf("spqr: reading encapsulation randomness: %w", err)
		}
		ct1, es, sharedKey := mlkem768.Encapsulate1(b.hdr, &m)
		clear(m[:])
		secret := epochSecret(b.epoch, &sharedKey)
		clear(sharedKey[:])
		b.auth.update(b.epoch, secret[:])
		b.kind = ct1Sampled
		b.es, b.hdr, b.ct1 = es, nil, &ct1
		b.enc = newEncoder(ct1[:])
		b.dec = newDecoder(ekPayloadSize)
		out.typ = TypeCt1
		out.chunkIndex, out.chunk = b.enc.nextChunk()
		out.secret = &secret

	case ct1Sampled, ekReceivedCt1Sampled:
		out.typ = TypeCt1
		out.chunkIndex, out.chunk = b.enc.nextChunk()

	case ct2Sampled:
		out.typ = TypeCt2
		out.chunkIndex, out.chunk = b.enc.nextChunk()

	default:
		panic(fmt.Sprintf("spqr: braid in unknown state %d", b.kind))
	}
	return out, nil
}

// headerPayload returns hdr ‖ MAC, the header chunks' payload, for a
// send-EK state that holds a key pair.
func (b *braid) headerPayload() []byte {
	hdr := b.dk.Header()
	mac := b.auth.headerMAC(b.epoch, &hdr)
	return append(hdr[:], mac[:]...)
}

// receive feeds a parsed message to b and returns the epoch secret of
// m.Epoch if the message finished it. Messages of older epochs and
// message types the state does not expect are ignored. On error b may be
// partly changed, so callers receive into a clone.
func (b *braid) receive(m *Message) (*[KeySize]byte, error) {
	switch {
	case m.Epoch < b.epoch:
		return nil, nil
	case m.Epoch > b.epoch:
		if b.kind == ct2Sampled && m.Epoch == b.epoch+1 {
			// The peer decapsulated and moved on, so this side generates
			// the next key pair.
			*b = braid{kind: keysUnsampled, epoch: b.epoch + 1, auth: b.auth}
			return nil, nil
		}
		return nil, &EpochError{Epoch: m.Epoch, Current: b.epoch}
	}

	switch b.kind {
	case keysSampled:
		if m.Type == TypeCt1 {
			b.kind = headerSent
			b.dec = newDecoder(ct1PayloadSize)
			b.dec.add(m.ChunkIndex, m.Chunk)
			b.enc = newEncoder(ekVector(b.dk))
		}

	case headerSent:
		if m.Type == TypeCt1 {
			if ct1, done := b.dec.add(m.ChunkIndex, m.Chunk); done {
				b.kind = ct1Received
				b.ct1 = (*[mlkem768.Ciphertext1Size]byte)(ct1)
				b.dec = decoder{}
			}
		}

	case ct1Received:
		if m.Type == TypeCt2 {
			b.kind = ekSentCt1Received
			b.enc = encoder{}
			b.dec = newDecoder(ct2PayloadSize)
			b.dec.add(m.ChunkIndex, m.Chunk)
		}

	case ekSentCt1Received:
		if m.Type == TypeCt2 {
			if payload, done := b.dec.add(m.ChunkIndex, m.Chunk); done {
				return b.decapsulate(payload)
			}
		}

	case noHeaderReceived:
		if m.Type == TypeHdr {
			if payload, done := b.dec.add(m.ChunkIndex, m.Chunk); done {
				hdr := (*[mlkem768.HeaderSize]byte)(payload[:mlkem768.HeaderSize])
				want := b.auth.headerMAC(b.epoch, hdr)
				if !hmac.Equal(want[:], payload[mlkem768.HeaderSize:]) {
					return nil, fmt.Errorf("%w: header of epoch %d", ErrMAC, b.epoch)
				}
				b.kind = headerReceived
				b.hdr = hdr
				b.dec = decoder{}
			}
		}

	case ct1Sampled:
		if m.Type == TypeEk || m.Type == TypeEkCt1Ack {
			vector, done := b.dec.add(m.ChunkIndex, m.Chunk)
			switch {
			case done && m.Type == TypeEkCt1Ack:
				return nil, b.encapsulate2((*[mlkem768.VectorSize]byte)(vector))
			case done:
				ek := (*[mlkem768.VectorSize]byte)(vector)
				if err := checkVector(b.es, ek); err != nil {
					return nil, err
				}
				b.kind = ekReceivedCt1Sampled
				b.ek = ek
				b.dec = decoder{}
			case m.Type == TypeEkCt1Ack:
				b.kind = ct1Acknowledged
				b.enc = encoder{}
			}
		}

	case ekReceivedCt1Sampled:
		if m.Type == TypeCt1Ack || m.Type == TypeEkCt1Ack {
			return nil, b.encapsulate2(b.ek)
		}

	case ct1Acknowledged:
		if m.Type == TypeEk || m.Type == TypeEkCt1Ack {
			if vector, done := b.dec.add(m.ChunkIndex, m.Chunk); done {
				return nil, b.encapsulate2((*[mlkem768.VectorSize]byte)(vector))
			}
		}
	}
	// braidLegacy, keysUnsampled, headerReceived and ct2Sampled ignore
	// messages of their own epoch.
	return nil, nil
}

// encapsulate2 finishes the ciphertext for the received key vector, MACs
// ct1 ‖ ct2 with the authenticator that already absorbed this epoch's
// secret, and moves to ct2Sampled.
func (b *braid) encapsulate2(vector *[mlkem768.VectorSize]byte) error {
	ct2, err := mlkem768.Encapsulate2(b.es, vector)
	if err != nil {
		return fmt.Errorf("%w (epoch %d): %w", ErrEncapsulationKey, b.epoch, err)
	}
	mac := b.auth.ciphertextMAC(b.epoch, b.ct1, &ct2)
	*b = braid{
		kind:  ct2Sampled,
		epoch: b.epoch,
		auth:  b.auth,
		enc:   newEncoder(append(ct2[:], mac[:]...)),
	}
	return nil
}

// checkVector checks a key vector against the header as Encapsulate2
// does, for the state that stores the vector before it encapsulates.
func checkVector(es *mlkem768.EncapsulationState, vector *[mlkem768.VectorSize]byte) error {
	if _, err := mlkem768.Encapsulate2(es, vector); err != nil {
		return fmt.Errorf("%w: %w", ErrEncapsulationKey, err)
	}
	return nil
}

// decapsulate finishes the epoch on the send-EK side from the ct2 ‖ MAC
// payload: it derives the epoch secret, mixes it into the authenticator,
// checks the ciphertext MAC and moves to noHeaderReceived of the next
// epoch.
func (b *braid) decapsulate(payload []byte) (*[KeySize]byte, error) {
	ct2 := (*[mlkem768.Ciphertext2Size]byte)(payload[:mlkem768.Ciphertext2Size])
	sharedKey := mlkem768.Decapsulate(b.dk, b.ct1, ct2)
	secret := epochSecret(b.epoch, &sharedKey)
	clear(sharedKey[:])
	auth := b.auth
	auth.update(b.epoch, secret[:])
	want := auth.ciphertextMAC(b.epoch, b.ct1, ct2)
	if !hmac.Equal(want[:], payload[mlkem768.Ciphertext2Size:]) {
		return nil, fmt.Errorf("%w: ciphertext of epoch %d", ErrMAC, b.epoch)
	}
	*b = braid{
		kind:  noHeaderReceived,
		epoch: b.epoch + 1,
		auth:  auth,
		dec:   newDecoder(hdrPayloadSize),
	}
	return &secret, nil
}

// ekVector returns the key vector of dk as a payload slice.
func ekVector(dk *mlkem768.DecapsulationKey) []byte {
	v := dk.Vector()
	return v[:]
}
