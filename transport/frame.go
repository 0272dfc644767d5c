package transport

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
)

// maxVerbLength bounds the verb of a request.
const maxVerbLength = 64

var errMalformedFrame = errors.New("transport: malformed frame")

// decodeFrame parses one WebSocket message as a Frame and checks that
// exactly one kind is set and that ids and verbs are well formed. The
// protobuf decoder already rejects truncated fields and invalid wire types.
func decodeFrame(b []byte) (*wire.Frame, error) {
	f := new(wire.Frame)
	if err := proto.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("%w: %w", errMalformedFrame, err)
	}
	switch k := f.Kind.(type) {
	case nil:
		return nil, fmt.Errorf("%w: no frame kind set", errMalformedFrame)
	case *wire.Frame_Request:
		if k.Request == nil || k.Request.Id == 0 {
			return nil, fmt.Errorf("%w: request without id", errMalformedFrame)
		}
		if len(k.Request.Verb) == 0 || len(k.Request.Verb) > maxVerbLength {
			return nil, fmt.Errorf("%w: request verb has %d bytes", errMalformedFrame, len(k.Request.Verb))
		}
	case *wire.Frame_Response:
		if k.Response == nil {
			return nil, fmt.Errorf("%w: empty response", errMalformedFrame)
		}
	case *wire.Frame_Envelope:
		if k.Envelope == nil || k.Envelope.Id == 0 {
			return nil, fmt.Errorf("%w: envelope without id", errMalformedFrame)
		}
	case *wire.Frame_Ack:
		if k.Ack == nil || k.Ack.Id == 0 {
			return nil, fmt.Errorf("%w: ack without id", errMalformedFrame)
		}
	case *wire.Frame_Challenge:
		if k.Challenge == nil || len(k.Challenge.Nonce) != ChallengeSize {
			return nil, fmt.Errorf("%w: challenge nonce is not %d bytes", errMalformedFrame, ChallengeSize)
		}
	}
	return f, nil
}

func encodeFrame(f *wire.Frame) ([]byte, error) {
	b, err := proto.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("transport: encode frame: %w", err)
	}
	return b, nil
}
