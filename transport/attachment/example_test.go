package attachment_test

import (
	"fmt"
	"log"

	"github.com/parleyhq/parley/transport/attachment"
)

func Example() {
	blob, ptr, err := attachment.Encrypt(nil, []byte("a photo"))
	if err != nil {
		log.Fatal(err)
	}
	// Upload blob to the relay and send ptr inside an encrypted message.
	plain, err := attachment.Decrypt(blob, ptr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(plain), len(blob))
	// Output: a photo 592
}
