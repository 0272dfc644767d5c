package gcmsiv_test

import (
	"fmt"

	"github.com/parleyhq/parley/internal/gcmsiv"
)

// Sealed sender v2 encrypts each message under a fresh key with an all-zero
// nonce and no additional data.
func Example() {
	key := make([]byte, gcmsiv.KeySize)
	key[0] = 1
	aead, err := gcmsiv.New(key)
	if err != nil {
		panic(err)
	}
	nonce := make([]byte, gcmsiv.NonceSize)
	sealed := aead.Seal(nil, nonce, []byte("hello"), nil)
	fmt.Println(len(sealed))

	opened, err := aead.Open(nil, nonce, sealed, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(opened))

	sealed[0] ^= 1
	_, err = aead.Open(nil, nonce, sealed, nil)
	fmt.Println(err)
	// Output:
	// 21
	// hello
	// gcmsiv: message authentication failed
}
