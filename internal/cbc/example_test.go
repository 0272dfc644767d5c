package cbc_test

import (
	"bytes"
	"fmt"

	"github.com/parleyhq/parley/internal/cbc"
)

func Example() {
	// Fixed values keep the output stable. Real keys and IVs come from a KDF.
	key := bytes.Repeat([]byte{0x01}, 32)
	iv := bytes.Repeat([]byte{0x02}, 16)

	ciphertext, err := cbc.Encrypt(key, iv, []byte("hello, parley"))
	if err != nil {
		panic(err)
	}
	plaintext, err := cbc.Decrypt(key, iv, ciphertext)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(ciphertext), string(plaintext))
	// Output: 16 hello, parley
}
