package senderkey

import (
	"bytes"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
)

// Message is a parsed SenderKeyMessage: a version byte, the protobuf
// SenderKeyMessage {1 distribution_uuid, 2 chain_id, 3 iteration,
// 4 ciphertext} and a 64-byte XEdDSA signature over everything before it.
type Message struct {
	// Version is the message version, the high nibble of the first byte.
	Version uint8
	// DistributionID names the group distribution the message belongs to.
	DistributionID [DistributionIDSize]byte
	// ChainID names the sender chain that encrypted the message.
	ChainID uint32
	// Iteration is the index of the message key in the chain.
	Iteration uint32
	// Ciphertext is the AES-256-CBC encrypted plaintext.
	Ciphertext []byte

	serialized []byte
}

// ParseMessage parses a serialized SenderKeyMessage. It checks the version
// and the fields but not the signature, which needs the sender's state. It
// returns an error wrapping ErrInvalidMessage.
//
// Like libsignal, it reads only the high nibble of the version byte and
// accepts any low nibble.
func ParseMessage(b []byte) (*Message, error) {
	if len(b) < 1+SignatureSize {
		return nil, fmt.Errorf("%w: message of %d bytes is too short", ErrInvalidMessage, len(b))
	}
	if v := b[0] >> 4; v != messageVersion {
		return nil, fmt.Errorf("%w: unsupported message version %d", ErrInvalidMessage, v)
	}

	var pb wire.SenderKeyMessage
	if err := proto.Unmarshal(b[1:len(b)-SignatureSize], &pb); err != nil {
		return nil, fmt.Errorf("%w: decoding protobuf: %w", ErrInvalidMessage, err)
	}
	if wire.HasMisencodedField(&pb) {
		return nil, fmt.Errorf("%w: a field has the wrong wire type", ErrInvalidMessage)
	}
	if pb.DistributionUuid == nil || pb.ChainId == nil || pb.Iteration == nil || pb.Ciphertext == nil {
		return nil, fmt.Errorf("%w: missing field", ErrInvalidMessage)
	}
	m := &Message{
		Version:    b[0] >> 4,
		ChainID:    pb.GetChainId(),
		Iteration:  pb.GetIteration(),
		Ciphertext: pb.Ciphertext,
		serialized: bytes.Clone(b),
	}
	if len(pb.DistributionUuid) != DistributionIDSize {
		return nil, fmt.Errorf("%w: distribution ID of %d bytes, expected %d", ErrInvalidMessage, len(pb.DistributionUuid), DistributionIDSize)
	}
	copy(m.DistributionID[:], pb.DistributionUuid)
	return m, nil
}

// Bytes returns the serialized message, signature included. Each call
// returns a new slice.
func (m *Message) Bytes() []byte {
	return bytes.Clone(m.serialized)
}

// signedPart returns the bytes that the signature covers and the signature.
func (m *Message) signedPart() (content, signature []byte) {
	n := len(m.serialized) - SignatureSize
	return m.serialized[:n], m.serialized[n:]
}

// newMessage serializes and signs a message with version byte 0x33.
func newMessage(distributionID [DistributionIDSize]byte, chainID, iteration uint32, ciphertext []byte, signer curve.PrivateKey, rand io.Reader) (*Message, error) {
	pb := &wire.SenderKeyMessage{
		DistributionUuid: distributionID[:],
		ChainId:          &chainID,
		Iteration:        &iteration,
		Ciphertext:       ciphertext,
	}
	out := make([]byte, 1, 1+proto.Size(pb)+SignatureSize)
	out[0] = versionByte
	out, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(out, pb)
	if err != nil {
		return nil, fmt.Errorf("senderkey: encoding message: %w", err)
	}
	sig, err := signer.Sign(rand, out)
	if err != nil {
		return nil, fmt.Errorf("senderkey: signing message: %w", err)
	}
	out = append(out, sig...)
	return &Message{
		Version:        messageVersion,
		DistributionID: distributionID,
		ChainID:        chainID,
		Iteration:      iteration,
		Ciphertext:     ciphertext,
		serialized:     out,
	}, nil
}

// DistributionMessage is a parsed SenderKeyDistributionMessage: a version
// byte and the protobuf SenderKeyDistributionMessage {1 distribution_uuid,
// 2 chain_id, 3 iteration, 4 chain_key, 5 signing_key}. It carries no
// signature, so it must reach group members over an authenticated channel,
// such as a 1:1 session.
type DistributionMessage struct {
	// Version is the message version, the high nibble of the first byte.
	Version uint8
	// DistributionID names the group distribution.
	DistributionID [DistributionIDSize]byte
	// ChainID names the sender chain.
	ChainID uint32
	// Iteration is the iteration of the chain key.
	Iteration uint32
	// SigningKey verifies the signatures of the chain's messages.
	SigningKey curve.PublicKey

	chainKey   [ChainKeySize]byte
	serialized []byte
}

// ParseDistributionMessage parses a serialized SenderKeyDistributionMessage.
// It returns an error wrapping ErrInvalidMessage.
func ParseDistributionMessage(b []byte) (*DistributionMessage, error) {
	// The same minimum as libsignal: a version byte, a chain key and a
	// public key cannot fit in fewer bytes.
	if len(b) < 1+ChainKeySize+32 {
		return nil, fmt.Errorf("%w: distribution message of %d bytes is too short", ErrInvalidMessage, len(b))
	}
	if v := b[0] >> 4; v != messageVersion {
		return nil, fmt.Errorf("%w: unsupported distribution message version %d", ErrInvalidMessage, v)
	}

	var pb wire.SenderKeyDistributionMessage
	if err := proto.Unmarshal(b[1:], &pb); err != nil {
		return nil, fmt.Errorf("%w: decoding protobuf: %w", ErrInvalidMessage, err)
	}
	if wire.HasMisencodedField(&pb) {
		return nil, fmt.Errorf("%w: a field has the wrong wire type", ErrInvalidMessage)
	}
	if pb.DistributionUuid == nil || pb.ChainId == nil || pb.Iteration == nil || pb.ChainKey == nil || pb.SigningKey == nil {
		return nil, fmt.Errorf("%w: distribution message is missing a field", ErrInvalidMessage)
	}
	if len(pb.DistributionUuid) != DistributionIDSize {
		return nil, fmt.Errorf("%w: distribution ID of %d bytes, expected %d", ErrInvalidMessage, len(pb.DistributionUuid), DistributionIDSize)
	}
	if len(pb.ChainKey) != ChainKeySize {
		return nil, fmt.Errorf("%w: chain key of %d bytes, expected %d", ErrInvalidMessage, len(pb.ChainKey), ChainKeySize)
	}
	signingKey, err := curve.NewPublicKey(pb.SigningKey)
	if err != nil {
		return nil, fmt.Errorf("%w: signing key: %w", ErrInvalidMessage, err)
	}

	m := &DistributionMessage{
		Version:    b[0] >> 4,
		ChainID:    pb.GetChainId(),
		Iteration:  pb.GetIteration(),
		SigningKey: signingKey,
		serialized: bytes.Clone(b),
	}
	copy(m.DistributionID[:], pb.DistributionUuid)
	copy(m.chainKey[:], pb.ChainKey)
	return m, nil
}

// ChainKey returns the chain key at Iteration. It must be kept secret:
// anyone who holds it can decrypt the chain's messages from Iteration on.
func (m *DistributionMessage) ChainKey() [ChainKeySize]byte {
	return m.chainKey
}

// Bytes returns the serialized message. Each call returns a new slice.
func (m *DistributionMessage) Bytes() []byte {
	return bytes.Clone(m.serialized)
}

// newDistributionMessage serializes a distribution message for the current
// chain key of st.
func newDistributionMessage(distributionID [DistributionIDSize]byte, st *state) (*DistributionMessage, error) {
	chainID, iteration := st.chainID, st.chain.iteration
	pb := &wire.SenderKeyDistributionMessage{
		DistributionUuid: distributionID[:],
		ChainId:          &chainID,
		Iteration:        &iteration,
		ChainKey:         st.chain.key[:],
		SigningKey:       st.signingKey.Bytes(),
	}
	out := []byte{versionByte}
	out, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(out, pb)
	if err != nil {
		return nil, fmt.Errorf("senderkey: encoding distribution message: %w", err)
	}
	return &DistributionMessage{
		Version:        messageVersion,
		DistributionID: distributionID,
		ChainID:        chainID,
		Iteration:      iteration,
		SigningKey:     st.signingKey,
		chainKey:       st.chain.key,
		serialized:     out,
	}, nil
}

// Format prints the public fields only; the chain key never reaches a log.
func (m DistributionMessage) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "senderkey.DistributionMessage{distribution %x, chain %d, iteration %d, signing key %s}",
		m.DistributionID, m.ChainID, m.Iteration, m.SigningKey.Fingerprint())
}
