package fingerprint

import (
	"crypto/subtle"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
)

// marshalScannable encodes a CombinedFingerprints message. The encoding is
// the same as libsignal's: fields in number order, each present.
func marshalScannable(version uint32, local, remote []byte) []byte {
	m := &wire.CombinedFingerprints{
		Version:           proto.Uint32(version),
		LocalFingerprint:  &wire.LogicalFingerprint{Content: local},
		RemoteFingerprint: &wire.LogicalFingerprint{Content: remote},
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		// The message has no required fields and no strings, so encoding
		// cannot fail.
		panic("fingerprint: encoding CombinedFingerprints: " + err.Error())
	}
	return b
}

// Compare checks a fingerprint scanned from the other side's QR code
// against f. It returns true when the scanned local fingerprint equals our
// remote fingerprint and the scanned remote fingerprint equals our local
// one, which means that both sides see the same two identity keys.
//
// Compare returns false with a nil error when the fingerprints differ,
// including when a scanned content is not 32 bytes long. It returns a
// [*VersionMismatchError] when the scanned version differs from ours (an
// absent version counts as 0), and an error wrapping [ErrInvalidScannable]
// when scanned is not a protobuf that libsignal 0.103 would decode or lacks a
// fingerprint. The contents are compared in constant time.
func (f *Fingerprint) Compare(scanned []byte) (bool, error) {
	if f.scannable == nil {
		// A zero Fingerprint has version 0 and all-zero contents, which a
		// crafted scan without a version would match.
		panic("fingerprint: Compare called on a Fingerprint not created by New")
	}

	var m wire.CombinedFingerprints
	if err := proto.Unmarshal(scanned, &m); err != nil {
		return false, fmt.Errorf("%w: %w", ErrInvalidScannable, err)
	}
	if err := checkWireTypes(&m); err != nil {
		return false, err
	}

	// libsignal checks the version before it looks for the contents, so a
	// scanned fingerprint of another version reports the mismatch even
	// when it lacks a content.
	if theirs := m.GetVersion(); theirs != f.version {
		return false, &VersionMismatchError{Ours: f.version, Theirs: theirs}
	}

	theirLocal := m.GetLocalFingerprint().GetContent()
	if theirLocal == nil {
		return false, fmt.Errorf("%w: missing local fingerprint", ErrInvalidScannable)
	}
	theirRemote := m.GetRemoteFingerprint().GetContent()
	if theirRemote == nil {
		return false, fmt.Errorf("%w: missing remote fingerprint", ErrInvalidScannable)
	}

	// ConstantTimeCompare returns 0 at once for a length mismatch, which
	// reveals only the scanned length.
	sameLocal := subtle.ConstantTimeCompare(theirLocal, f.remote[:])
	sameRemote := subtle.ConstantTimeCompare(theirRemote, f.local[:])
	return sameLocal&sameRemote == 1, nil
}

// checkWireTypes rejects a message in which a known field number carries the
// wrong wire type, such as a version encoded as bytes. Go's protobuf decoder
// keeps such a field as an unknown field, while the prost decoder that
// libsignal uses fails, so without this check Compare could accept input that
// libsignal rejects.
func checkWireTypes(m *wire.CombinedFingerprints) error {
	if wire.HasMisencodedField(m) {
		return fmt.Errorf("%w: a field has the wrong wire type", ErrInvalidScannable)
	}
	for _, sub := range []*wire.LogicalFingerprint{m.GetLocalFingerprint(), m.GetRemoteFingerprint()} {
		if sub != nil && wire.HasMisencodedField(sub) {
			return fmt.Errorf("%w: a fingerprint field has the wrong wire type", ErrInvalidScannable)
		}
	}
	return nil
}
