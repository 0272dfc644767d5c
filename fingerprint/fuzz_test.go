package fingerprint

import (
	"errors"
	"testing"
)

// FuzzCompare feeds arbitrary bytes to Compare, the parser of scanned
// fingerprints. Compare must not panic, must report a match only with a nil
// error, and must return only the documented errors.
func FuzzCompare(f *testing.F) {
	alice, bob := testKey(f, "alice"), testKey(f, "bob")
	ours, err := New(Version2, minIterations, aliceID, alice, bobID, bob)
	if err != nil {
		f.Fatal(err)
	}
	theirs, err := New(Version2, minIterations, bobID, bob, aliceID, alice)
	if err != nil {
		f.Fatal(err)
	}
	genuine := theirs.Scannable()
	f.Add(genuine)
	f.Add(ours.Scannable())
	f.Add(genuine[:len(genuine)-1])
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x01, 0x02})
	f.Add(append(genuine, 0x23, 0x08, 0x01, 0x24))

	f.Fuzz(func(t *testing.T, scanned []byte) {
		ok, err := ours.Compare(scanned)
		if ok && err != nil {
			t.Fatalf("match with error %v", err)
		}
		if err == nil {
			return
		}
		var mismatch *VersionMismatchError
		switch {
		case errors.As(err, &mismatch):
			if mismatch.Ours != Version2 || mismatch.Theirs == Version2 {
				t.Fatalf("version mismatch with ours %d, theirs %d", mismatch.Ours, mismatch.Theirs)
			}
		case errors.Is(err, ErrInvalidScannable):
		default:
			t.Fatalf("undocumented error %v", err)
		}
	})
}
