package nodepeer_test

import (
	"errors"
	"fmt"

	"github.com/parleyhq/parley/internal/nodepeer"
)

// A test distinguishes libsignal's rejections by their category.
func ExampleError() {
	// In a test, err would come from a call such as peer.Decrypt.
	var err error = &nodepeer.Error{
		Category: nodepeer.CategoryDuplicate,
		Message:  "message with old counter 1 / 0",
	}

	var peerErr *nodepeer.Error
	if errors.As(err, &peerErr) && peerErr.Category == nodepeer.CategoryDuplicate {
		fmt.Println("libsignal reported a replay")
	}
	// Output: libsignal reported a replay
}
