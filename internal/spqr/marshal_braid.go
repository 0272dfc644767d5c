package spqr

import (
	"encoding/binary"
	"fmt"

	"github.com/parleyhq/parley/internal/mlkem768"
)

// braidFields lists the optional fields a braid state stores.
type braidFields struct {
	dk, es, hdr, ct1, ek bool
	encoder              bool
	ct2                  bool // the ct2 ‖ MAC payload of the encoder
	decoderSize          int  // payload size of the decoder, 0 for none
}

func fieldsOf(k braidKind) braidFields {
	switch k {
	case keysSampled:
		return braidFields{dk: true, encoder: true}
	case headerSent:
		return braidFields{dk: true, encoder: true, decoderSize: ct1PayloadSize}
	case ct1Received:
		return braidFields{dk: true, ct1: true, encoder: true}
	case ekSentCt1Received:
		return braidFields{dk: true, ct1: true, decoderSize: ct2PayloadSize}
	case noHeaderReceived:
		return braidFields{decoderSize: hdrPayloadSize}
	case headerReceived:
		return braidFields{hdr: true}
	case ct1Sampled:
		return braidFields{es: true, ct1: true, encoder: true, decoderSize: ekPayloadSize}
	case ekReceivedCt1Sampled:
		return braidFields{es: true, ct1: true, ek: true, encoder: true}
	case ct1Acknowledged:
		return braidFields{es: true, ct1: true, decoderSize: ekPayloadSize}
	case ct2Sampled:
		return braidFields{encoder: true, ct2: true}
	}
	return braidFields{} // braidLegacy, keysUnsampled
}

// sendsKeys reports whether k is a state of the side that generates the
// key pair in its epoch.
func (k braidKind) sendsKeys() bool { return k >= keysUnsampled && k <= ekSentCt1Received }

// chainEpoch returns the chain's current epoch in a consistent state: the
// send-CT side adds epoch e when it encapsulates, everyone else holds e-1.
func (b *braid) chainEpoch() uint64 {
	if b.kind >= ct1Sampled {
		return b.epoch
	}
	return b.epoch - 1
}

func appendBraid(b []byte, br *braid) []byte {
	b = append(b, byte(br.kind))
	b = binary.BigEndian.AppendUint64(b, br.epoch)
	b = append(b, br.auth.root[:]...)
	b = append(b, br.auth.mac[:]...)

	f := fieldsOf(br.kind)
	if f.dk {
		b = append(b, br.dk.Bytes()...)
	}
	if f.es {
		b = append(b, br.es.Bytes()...)
	}
	if f.hdr {
		b = append(b, br.hdr[:]...)
	}
	if f.ct1 {
		b = append(b, br.ct1[:]...)
	}
	if f.ek {
		b = append(b, br.ek[:]...)
	}
	if f.encoder {
		b = binary.BigEndian.AppendUint32(b, br.enc.next)
	}
	if f.ct2 {
		b = append(b, br.enc.payload...)
	}
	if f.decoderSize != 0 {
		b = append(b, byte(len(br.dec.chunks)))
		for _, c := range br.dec.chunks {
			b = binary.BigEndian.AppendUint16(b, c.index)
			b = append(b, c.data[:]...)
		}
	}
	return b
}

// readBraid decodes and validates the braid section of a state.
func readBraid(r *stateReader, dir Direction) (braid, error) {
	var br braid
	br.kind = braidKind(r.byte())
	br.epoch = r.uint64()
	r.read(br.auth.root[:])
	r.read(br.auth.mac[:])
	if r.err != nil {
		return braid{}, r.err
	}
	switch {
	case !br.kind.valid():
		return braid{}, fmt.Errorf("%w: unknown braid state %d", ErrInvalidState, br.kind)
	case br.epoch == 0:
		return braid{}, fmt.Errorf("%w: braid epoch 0", ErrInvalidState)
	case br.kind == braidLegacy && br.epoch != 1:
		return braid{}, fmt.Errorf("%w: epoch %d without a braid", ErrInvalidState, br.epoch)
	case br.kind != braidLegacy && br.kind.sendsKeys() != ((dir == AliceToBob) == (br.epoch%2 == 1)):
		// The initiator generates keys in odd epochs, the responder in even ones.
		return braid{}, fmt.Errorf("%w: braid state %d in epoch %d of %v", ErrInvalidState, br.kind, br.epoch, dir)
	}

	f := fieldsOf(br.kind)
	if f.dk {
		dk, err := mlkem768.ParseDecapsulationKey(r.next(mlkem768.DecapsulationKeySize))
		if r.err != nil {
			return braid{}, r.err
		}
		if err != nil {
			return braid{}, fmt.Errorf("%w: %w", ErrInvalidState, err)
		}
		br.dk = dk
	}
	if f.es {
		es, err := mlkem768.ParseEncapsulationState(r.next(mlkem768.EncapsulationStateSize))
		if r.err != nil {
			return braid{}, r.err
		}
		if err != nil {
			return braid{}, fmt.Errorf("%w: %w", ErrInvalidState, err)
		}
		br.es = es
	}
	if f.hdr {
		br.hdr = new([mlkem768.HeaderSize]byte)
		r.read(br.hdr[:])
	}
	if f.ct1 {
		br.ct1 = new([mlkem768.Ciphertext1Size]byte)
		r.read(br.ct1[:])
	}
	if f.ek {
		br.ek = new([mlkem768.VectorSize]byte)
		r.read(br.ek[:])
	}
	if f.encoder {
		br.enc.next = r.uint32()
		switch {
		case f.ct2:
			br.enc.payload = append([]byte(nil), r.next(ct2PayloadSize)...)
		case br.kind == keysSampled:
			br.enc.payload = br.headerPayload()
		case br.kind == headerSent || br.kind == ct1Received:
			br.enc.payload = ekVector(br.dk)
		default: // ct1Sampled, ekReceivedCt1Sampled
			br.enc.payload = br.ct1[:]
		}
	}
	if f.decoderSize != 0 {
		dec, err := readDecoder(r, f.decoderSize)
		if err != nil {
			return braid{}, err
		}
		br.dec = dec
	}
	if r.err != nil {
		return braid{}, r.err
	}
	if br.kind == ekReceivedCt1Sampled {
		if err := checkVector(br.es, br.ek); err != nil {
			return braid{}, fmt.Errorf("%w: %w", ErrInvalidState, err)
		}
	}
	return br, nil
}

// readDecoder decodes a decoder that has not finished: fewer chunks than
// the payload needs, with distinct indices.
func readDecoder(r *stateReader, size int) (decoder, error) {
	d := newDecoder(size)
	count := int(r.byte())
	if r.err != nil {
		return decoder{}, r.err
	}
	if count >= d.needed() {
		return decoder{}, fmt.Errorf("%w: decoder contains %d of %d chunks, so it should have finished", ErrInvalidState, count, d.needed())
	}
	for range count {
		index := r.uint16()
		data := r.next(ChunkSize)
		if r.err != nil {
			return decoder{}, r.err
		}
		if _, done := d.add(index, data); done {
			panic("spqr: internal error: decoder finished below its chunk count")
		}
	}
	if len(d.chunks) != count {
		return decoder{}, fmt.Errorf("%w: duplicate chunk index in decoder", ErrInvalidState)
	}
	return d, nil
}
