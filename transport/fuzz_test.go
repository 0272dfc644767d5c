package transport

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
)

func FuzzDecodeFrame(f *testing.F) {
	seeds := []*wire.Frame{
		{Kind: &wire.Frame_Request{Request: &wire.Request{Id: 1, Verb: VerbSend, Body: []byte{1, 2}}}},
		{Kind: &wire.Frame_Response{Response: &wire.Response{Id: 1, Status: 200}}},
		{Kind: &wire.Frame_Envelope{Envelope: &wire.Envelope{Id: 3, Content: []byte("c")}}},
		{Kind: &wire.Frame_Ack{Ack: &wire.Ack{Id: 3}}},
		{Kind: &wire.Frame_Challenge{Challenge: &wire.Challenge{Nonce: make([]byte, ChallengeSize)}}},
		{Kind: &wire.Frame_QueueDrained{QueueDrained: &wire.QueueDrained{}}},
	}
	for _, s := range seeds {
		b, err := proto.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeFrame(b)
		if err != nil {
			return
		}
		if fr.Kind == nil {
			t.Fatal("decoded frame without a kind")
		}
		if req := fr.GetRequest(); req != nil && (req.Id == 0 || req.Verb == "") {
			t.Fatal("request without id or verb accepted")
		}
		// A decoded frame encodes again.
		if _, err := encodeFrame(fr); err != nil {
			t.Fatal(err)
		}
	})
}
