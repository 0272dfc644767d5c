package fingerprint_test

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/fingerprint"
)

// exampleKey derives a fixed public key from a label. Real identity keys come
// from curve.GenerateKeyPair.
func exampleKey(label string) curve.PublicKey {
	seed := sha256.Sum256([]byte(label))
	priv, err := curve.NewPrivateKey(seed[:])
	if err != nil {
		panic(err)
	}
	return priv.PublicKey()
}

func Example() {
	aliceKey := exampleKey("example alice identity key")
	bobKey := exampleKey("example bob identity key")
	// Version 2 takes the 16 raw bytes of each side's ACI.
	aliceACI := []byte{0x9d, 0x0a, 0x7b, 0x2c, 0x41, 0x55, 0x4e, 0x0f, 0x8a, 0x61, 0x3c, 0x2b, 0x70, 0x19, 0x88, 0x01}
	bobACI := []byte{0x5f, 0x31, 0xc2, 0x08, 0x6e, 0x94, 0x47, 0x3a, 0xb1, 0x0d, 0x22, 0x6c, 0x4e, 0x8b, 0x90, 0x12}

	alice, err := fingerprint.New(fingerprint.Version2, fingerprint.Iterations, aliceACI, aliceKey, bobACI, bobKey)
	if err != nil {
		panic(err)
	}
	bob, err := fingerprint.New(fingerprint.Version2, fingerprint.Iterations, bobACI, bobKey, aliceACI, aliceKey)
	if err != nil {
		panic(err)
	}

	groups := alice.DisplayGroups()
	for row := range 3 {
		fmt.Println(strings.Join(groups[row*4:row*4+4], " "))
	}
	fmt.Println("same on both sides:", alice.DisplayString() == bob.DisplayString())

	// Bob scans Alice's QR code.
	ok, err := bob.Compare(alice.Scannable())
	fmt.Println("scan verified:", ok, err)
	// Output:
	// 25986 94943 45460 98576
	// 74331 71159 54447 92425
	// 86092 13712 34941 59826
	// same on both sides: true
	// scan verified: true <nil>
}
