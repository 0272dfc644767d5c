package fingerprint

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/curve"
)

// Fingerprint versions. The version goes into the scannable form only and
// does not change the hash, so both versions give the same display string for
// the same inputs.
const (
	// Version1 is used with E.164 phone numbers as identifiers.
	Version1 uint32 = 1
	// Version2 is used with the 16 raw bytes of each side's ACI (a UUID) as
	// identifiers. Current Signal apps use this version.
	Version2 uint32 = 2
)

// Iterations is the number of SHA-512 computations per side that Signal apps
// use. Pass it to [New] unless the other side is known to use another count.
const Iterations = 5200

// Limits on the iteration count, the same as libsignal 0.103 enforces.
const (
	minIterations = 2
	maxIterations = 1_000_000
)

// Sizes of the parts of a fingerprint.
const (
	// DisplayLength is the number of decimal digits in a display string.
	DisplayLength = 60
	// ScannableContentSize is the number of hash bytes per side in the
	// scannable form.
	ScannableContentSize = 32

	digitsPerGroup = 5
	groupsPerSide  = 6
)

// hashVersion is the two-byte prefix of the first hash input. libsignal 0.103
// always writes 0x0000 here, whatever the fingerprint version.
var hashVersion = [2]byte{0x00, 0x00}

var (
	// ErrInvalidIterations is returned by [New] for an iteration count
	// outside 2 to 1,000,000.
	ErrInvalidIterations = errors.New("fingerprint: invalid iteration count")
	// ErrUnsupportedVersion is returned by [New] for a version other than
	// [Version1] and [Version2].
	ErrUnsupportedVersion = errors.New("fingerprint: unsupported version")
	// ErrInvalidScannable is returned by [Fingerprint.Compare] when the
	// scanned bytes are not a well-formed scannable fingerprint.
	ErrInvalidScannable = errors.New("fingerprint: invalid scannable fingerprint")
)

// VersionMismatchError is returned by [Fingerprint.Compare] when the scanned
// fingerprint has a different version from ours. The two sides then use
// different identifiers, so their fingerprints differ even for the right
// keys. An app should report an outdated app to the user, not a changed key.
type VersionMismatchError struct {
	// Ours is the version of the fingerprint Compare was called on.
	Ours uint32
	// Theirs is the scanned version, or 0 when the version field is absent.
	Theirs uint32
}

func (e *VersionMismatchError) Error() string {
	return fmt.Sprintf("fingerprint: version mismatch: scanned version %d, ours %d", e.Theirs, e.Ours)
}

// Fingerprint is the safety number of a pair of identities: the display
// string the users read aloud and the scannable form that goes into a QR
// code. Neither is secret. Create one with [New]. The zero value is not
// usable.
type Fingerprint struct {
	version uint32
	display string
	// local and remote are the first 32 bytes of each side's hash.
	local, remote [ScannableContentSize]byte
	scannable     []byte
}

// New computes the fingerprint that the local side shows for a conversation
// with the remote side, as libsignal 0.103's Fingerprint::new does. Each
// identifier is the stable id of its side: for [Version2] the 16 raw bytes
// of the ACI, for [Version1] the E.164 phone number as a string. iterations
// is normally [Iterations].
//
// New returns [ErrUnsupportedVersion], [ErrInvalidIterations], or an error
// when a key is the zero value.
func New(version uint32, iterations int, localID []byte, localKey curve.PublicKey, remoteID []byte, remoteKey curve.PublicKey) (*Fingerprint, error) {
	if version != Version1 && version != Version2 {
		return nil, fmt.Errorf("%w %d, expected %d or %d", ErrUnsupportedVersion, version, Version1, Version2)
	}
	if iterations < minIterations || iterations > maxIterations {
		return nil, fmt.Errorf("%w %d, expected %d to %d", ErrInvalidIterations, iterations, minIterations, maxIterations)
	}
	if localKey.IsZero() || remoteKey.IsZero() {
		return nil, errors.New("fingerprint: identity key is the zero value")
	}

	localHash := iteratedHash(iterations, localID, localKey)
	remoteHash := iteratedHash(iterations, remoteID, remoteKey)

	f := &Fingerprint{
		version: version,
		display: combineDisplay(encodeDisplay(&localHash), encodeDisplay(&remoteHash)),
	}
	copy(f.local[:], localHash[:ScannableContentSize])
	copy(f.remote[:], remoteHash[:ScannableContentSize])
	f.scannable = marshalScannable(f.version, f.local[:], f.remote[:])
	return f, nil
}

// iteratedHash computes one side's fingerprint hash:
//
//	H_1 = SHA-512(0x0000 || key || id || key)
//	H_i = SHA-512(H_(i-1) || key)   for i = 2 ... iterations
//
// where key is the 33-byte serialized public key. It computes SHA-512
// exactly iterations times.
func iteratedHash(iterations int, id []byte, key curve.PublicKey) [sha512.Size]byte {
	keyBytes := key.Bytes()

	first := make([]byte, 0, len(hashVersion)+2*len(keyBytes)+len(id))
	first = append(first, hashVersion[:]...)
	first = append(first, keyBytes...)
	first = append(first, id...)
	first = append(first, keyBytes...)

	// Each later round hashes the previous digest followed by the key, so
	// the digest is written in place at the start of a fixed buffer.
	var round [sha512.Size + curve.PublicKeySize]byte
	digest := sha512.Sum512(first)
	copy(round[sha512.Size:], keyBytes)
	for range iterations - 1 {
		copy(round[:sha512.Size], digest[:])
		digest = sha512.Sum512(round[:])
	}
	return digest
}

// encodeDisplay turns the first 30 bytes of a hash into 30 digits: six
// 5-byte big-endian numbers, each reduced modulo 100000 and zero-padded to
// five digits.
func encodeDisplay(hash *[sha512.Size]byte) string {
	var chunk [8]byte
	var digits [digitsPerGroup * groupsPerSide]byte
	for i := range groupsPerSide {
		copy(chunk[3:], hash[i*5:i*5+5])
		n := binary.BigEndian.Uint64(chunk[:]) % 100000
		// Write the five digits from the right, which pads with zeros.
		for j := digitsPerGroup - 1; j >= 0; j-- {
			digits[i*digitsPerGroup+j] = byte('0' + n%10)
			n /= 10
		}
	}
	return string(digits[:])
}

// combineDisplay joins the two 30-digit halves with the smaller one first, so
// both sides show the same 60 digits.
func combineDisplay(local, remote string) string {
	if local < remote {
		return local + remote
	}
	return remote + local
}

// Version returns the fingerprint version passed to [New].
func (f *Fingerprint) Version() uint32 {
	return f.version
}

// DisplayString returns the 60-digit safety number. Both sides of a
// conversation get the same string when they used the same keys,
// identifiers and iteration count.
func (f *Fingerprint) DisplayString() string {
	return f.display
}

// DisplayGroups returns the safety number split into twelve groups of five
// digits, the way Signal apps lay it out (three rows of four groups).
func (f *Fingerprint) DisplayGroups() [12]string {
	var groups [12]string
	for i := range groups {
		groups[i] = f.display[i*digitsPerGroup : (i+1)*digitsPerGroup]
	}
	return groups
}

// Scannable returns the scannable form that goes into a QR code: a
// CombinedFingerprints protobuf with our version, our local fingerprint and
// our remote fingerprint. The other side checks it with [Fingerprint.Compare].
// Each call returns a new slice.
func (f *Fingerprint) Scannable() []byte {
	return append([]byte(nil), f.scannable...)
}
