package wire_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
)

// A PreKeySignalMessage without a one-time prekey leaves PreKeyId nil, which
// differs from one-time prekey 0.
func ExamplePreKeySignalMessage() {
	sent := &wire.PreKeySignalMessage{
		SignedPreKeyId: proto.Uint32(1),
		BaseKey:        []byte{0x05, 0x01},
	}
	b, err := proto.Marshal(sent)
	if err != nil {
		panic(err)
	}

	var received wire.PreKeySignalMessage
	if err := proto.Unmarshal(b, &received); err != nil {
		panic(err)
	}
	fmt.Println("one-time prekey present:", received.PreKeyId != nil)
	fmt.Println("signed prekey:", received.GetSignedPreKeyId())
	// Output:
	// one-time prekey present: false
	// signed prekey: 1
}
