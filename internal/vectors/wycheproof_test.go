// Shared definitions for the tests derived from Project Wycheproof
// (https://github.com/C2SP/wycheproof, Apache-2.0). WYCHEPROOF-NOTICE in this
// directory names the files that contain such cases.

package vectors

import "fmt"

// wycheproofResult is the "result" field of a Wycheproof test case.
type wycheproofResult string

const (
	// resultValid means that a correct implementation accepts the input and
	// produces the expected output.
	resultValid wycheproofResult = "valid"
	// resultInvalid means that a correct implementation rejects the input.
	resultInvalid wycheproofResult = "invalid"
	// resultAcceptable means that accepting and rejecting the input are both
	// correct. The flags name what is special about the case.
	resultAcceptable wycheproofResult = "acceptable"
)

// wycheproofSubtest returns the subtest name for a Wycheproof case, so that
// `go test -run 'X25519/tcId=63$'` selects one case.
func wycheproofSubtest(tcID int) string {
	return fmt.Sprintf("tcId=%d", tcID)
}

// wycheproofLabel identifies a case in assertion messages by the fields a
// reader searches for in the original JSON file.
func wycheproofLabel(tcID int, comment string, flags []string, result wycheproofResult) string {
	return fmt.Sprintf("Wycheproof tcId %d (%q, flags %v, result %s)", tcID, comment, flags, result)
}
