package spqr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// MessageType is the type byte of an SPQR message. It names the piece of the
// ML-KEM braid that the message's chunk belongs to.
type MessageType uint8

// Message types of SPQR V1.
const (
	TypeNone     MessageType = 0 // no chunk; the send-CT side is waiting
	TypeHdr      MessageType = 1 // chunk of the encapsulation key header and its MAC
	TypeEk       MessageType = 2 // chunk of the encapsulation key vector
	TypeEkCt1Ack MessageType = 3 // chunk of the key vector that also acknowledges ct1
	TypeCt1Ack   MessageType = 4 // no chunk; acknowledges ct1
	TypeCt1      MessageType = 5 // chunk of the first ciphertext part
	TypeCt2      MessageType = 6 // chunk of the second ciphertext part and its MAC
)

// HasChunk reports whether messages of type t carry a chunk index and a
// ChunkSize-byte chunk.
func (t MessageType) HasChunk() bool {
	switch t {
	case TypeHdr, TypeEk, TypeEkCt1Ack, TypeCt1, TypeCt2:
		return true
	}
	return false
}

func (t MessageType) valid() bool { return t <= TypeCt2 }

func (t MessageType) String() string {
	switch t {
	case TypeNone:
		return "None"
	case TypeHdr:
		return "Hdr"
	case TypeEk:
		return "Ek"
	case TypeEkCt1Ack:
		return "EkCt1Ack"
	case TypeCt1Ack:
		return "Ct1Ack"
	case TypeCt1:
		return "Ct1"
	case TypeCt2:
		return "Ct2"
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// Message is a parsed SPQR V1 message, the bytes libsignal carries in
// SignalMessage field 5 (pq_ratchet).
//
// The wire layout is the version byte 0x01, the epoch as a varint, the index
// as a varint and the type byte. Types with a chunk then add the chunk index
// as a varint and the ChunkSize chunk bytes. Varints are LEB128: 7 bits per
// byte, low group first, high bit set on every byte but the last.
type Message struct {
	Epoch      uint64 // SCKA epoch, at least 1; keys come from chain epoch Epoch-1
	Index      uint32 // chain index of the message key, starting at 1
	Type       MessageType
	ChunkIndex uint16 // only for types with a chunk
	Chunk      []byte // ChunkSize bytes for types with a chunk, otherwise nil
}

// ParseMessage parses an SPQR V1 message. Chunk aliases b.
//
// It accepts what SPQR v1.5.3 accepts: varints may be non-minimal and up to
// 10 bytes long, bits beyond 64 in a tenth byte are dropped, and bytes after
// the message are ignored. It returns a *VersionError for an empty message or
// a version other than 1, and an error wrapping ErrMalformed otherwise.
func ParseMessage(b []byte) (Message, error) {
	var m Message
	if len(b) == 0 {
		return m, &VersionError{Version: 0}
	}
	if b[0] != protocolVersion {
		return m, &VersionError{Version: b[0]}
	}
	at := 1

	epoch, n, err := decodeVarint(b[at:])
	if err != nil {
		return m, fmt.Errorf("%w: epoch: %v", ErrMalformed, err)
	}
	if epoch == 0 {
		return m, fmt.Errorf("%w: epoch 0", ErrMalformed)
	}
	at += n

	index, n, err := decodeVarint(b[at:])
	if err != nil {
		return m, fmt.Errorf("%w: index: %v", ErrMalformed, err)
	}
	if index > math.MaxUint32 {
		return m, fmt.Errorf("%w: index %d exceeds 32 bits", ErrMalformed, index)
	}
	at += n

	if at >= len(b) {
		return m, fmt.Errorf("%w: missing message type", ErrMalformed)
	}
	typ := MessageType(b[at])
	if !typ.valid() {
		return m, fmt.Errorf("%w: unknown message type %d", ErrMalformed, b[at])
	}
	at++

	m.Epoch = epoch
	m.Index = uint32(index)
	m.Type = typ
	if !typ.HasChunk() {
		return m, nil
	}

	chunkIndex, n, err := decodeVarint(b[at:])
	if err != nil {
		return Message{}, fmt.Errorf("%w: chunk index: %v", ErrMalformed, err)
	}
	if chunkIndex > maxChunkIndex {
		return Message{}, fmt.Errorf("%w: chunk index %d exceeds 16 bits", ErrMalformed, chunkIndex)
	}
	at += n
	if len(b)-at < ChunkSize {
		return Message{}, fmt.Errorf("%w: chunk has %d of %d bytes", ErrMalformed, len(b)-at, ChunkSize)
	}
	m.ChunkIndex = uint16(chunkIndex)
	m.Chunk = b[at : at+ChunkSize : at+ChunkSize]
	return m, nil
}

// Append appends the wire form of m to dst, with minimal varints, and returns
// the extended slice. It panics if m is not a valid message: an epoch of 0,
// an unknown type, or a chunk that is not ChunkSize bytes for a type with a
// chunk (or not empty for a type without one).
func (m Message) Append(dst []byte) []byte {
	if m.Epoch == 0 {
		panic("spqr: Message.Append with epoch 0")
	}
	if !m.Type.valid() {
		panic(fmt.Sprintf("spqr: Message.Append with unknown type %d", uint8(m.Type)))
	}
	if m.Type.HasChunk() && len(m.Chunk) != ChunkSize {
		panic(fmt.Sprintf("spqr: Message.Append with a %d-byte chunk for type %v", len(m.Chunk), m.Type))
	}
	if !m.Type.HasChunk() && (len(m.Chunk) != 0 || m.ChunkIndex != 0) {
		panic(fmt.Sprintf("spqr: Message.Append with a chunk for type %v", m.Type))
	}

	dst = append(dst, protocolVersion)
	dst = binary.AppendUvarint(dst, m.Epoch)
	dst = binary.AppendUvarint(dst, uint64(m.Index))
	dst = append(dst, byte(m.Type))
	if m.Type.HasChunk() {
		dst = binary.AppendUvarint(dst, uint64(m.ChunkIndex))
		dst = append(dst, m.Chunk...)
	}
	return dst
}

// decodeVarint reads an LEB128 varint the way SPQR's decoder does: at most
// maxVarintLen bytes, non-minimal encodings allowed, and bits shifted past
// bit 63 in the tenth byte dropped. It returns the value and the number of
// bytes read. Go's binary.Uvarint would reject some of these inputs.
func decodeVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < maxVarintLen; i++ {
		v |= uint64(b[i]&0x7F) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	if len(b) < maxVarintLen {
		return 0, 0, errors.New("truncated varint")
	}
	return 0, 0, fmt.Errorf("varint longer than %d bytes", maxVarintLen)
}
