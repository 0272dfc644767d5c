package client

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/transport"
)

// FuzzDecodeContent feeds arbitrary decrypted plaintexts to the content
// parser and the attachment pointer check, which must not panic.
func FuzzDecodeContent(f *testing.F) {
	seed, err := encodeContent(&wire.AppContent{Timestamp: 7, Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{
		Text:       "hi",
		Attachment: &wire.AppAttachmentPointer{Id: "a", Key: make([]byte, 64), Digest: make([]byte, 32), Size: 3},
		Group:      &wire.AppGroupContext{Id: make([]byte, 16)},
	}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		content, err := decodeContent(b)
		if err != nil {
			return
		}
		if p := content.GetData().GetAttachment(); p != nil {
			attachmentFromWire(p)
		}
		if _, err := encodeContent(content); err != nil {
			t.Fatalf("re-encode parsed content: %v", err)
		}
	})
}

// FuzzProcessEnvelope feeds arbitrary envelopes from the relay to the
// receive path, which must report them as errors and never panic.
func FuzzProcessEnvelope(f *testing.F) {
	identity, regID, err := NewIdentity(nil)
	if err != nil {
		f.Fatal(err)
	}
	store := keystore.NewMemoryStore(identity, regID)
	st := newState()
	st.ServiceID, st.DeviceID = "9d0652a3-dcc3-4d11-975f-74d61598733f", 1
	root, err := curve.GenerateKeyPair(nil)
	if err != nil {
		f.Fatal(err)
	}
	c := newClient(nil, store, st, Options{TrustRoots: []curve.PublicKey{root.Public}}, make(chan struct{}, 1))
	f.Add(uint32(envelopeSealed), []byte{0x11, 0x0a, 0x00}, "", uint32(0))
	f.Add(uint32(envelopePreKey), []byte{0x44, 0x08, 0x01}, "796abedb-ca4e-4f18-8803-1fde5b921f9f", uint32(1))
	f.Add(uint32(envelopeWhisper), []byte{0x44}, "796abedb-ca4e-4f18-8803-1fde5b921f9f", uint32(2))
	f.Add(uint32(envelopeSenderKey), []byte{0x33, 0x0a}, "796abedb-ca4e-4f18-8803-1fde5b921f9f", uint32(1))
	f.Fuzz(func(t *testing.T, typ uint32, content []byte, source string, device uint32) {
		env := transport.Envelope{Type: typ, Content: content, SourceServiceID: source, SourceDeviceID: device}
		res := c.process(context.Background(), env)
		if len(res.events) != 1 {
			t.Fatalf("got %d events for a random envelope, want one error", len(res.events))
		}
		if _, ok := res.events[0].(*DecryptErrorEvent); !ok {
			t.Fatalf("got %T for a random envelope, want *DecryptErrorEvent", res.events[0])
		}
	})
}
