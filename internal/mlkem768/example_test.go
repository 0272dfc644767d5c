package mlkem768_test

import (
	"crypto/rand"
	"fmt"

	"github.com/parleyhq/parley/internal/mlkem768"
)

func Example() {
	// The decapsulating side generates a key and sends the header first.
	dk, err := mlkem768.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	hdr := dk.Header()

	// The encapsulating side has a shared key as soon as it has the header.
	var m [mlkem768.RandomnessSize]byte
	rand.Read(m[:])
	ct1, st, key := mlkem768.Encapsulate1(&hdr, &m)

	// The vector arrives later, and completes the ciphertext.
	vector := dk.Vector()
	ct2, err := mlkem768.Encapsulate2(st, &vector)
	if err != nil {
		panic(err)
	}

	got := mlkem768.Decapsulate(dk, &ct1, &ct2)
	fmt.Println("ciphertext bytes:", len(ct1)+len(ct2))
	fmt.Println("same key:", got == key)
	// Output:
	// ciphertext bytes: 1088
	// same key: true
}
