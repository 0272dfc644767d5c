package sqlstore

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

func TestFormatHidesDataKey(t *testing.T) {
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	key := [32]byte{0x5a, 0xa5, 0x5a, 0xa5, 1, 2, 3, 4}
	s, err := Create(filepath.Join(t.TempDir(), "keys.db"), id, 1, Options{Key: &key})
	require.NoError(t, err)
	defer s.Close()

	for _, verb := range []string{"%v", "%+v", "%#v", "%x", "%d"} {
		out := fmt.Sprintf(verb, s)
		require.NotContains(t, strings.ToLower(out), hex.EncodeToString(s.dataKey[:8]), verb)
		require.NotContains(t, out, fmt.Sprint(s.dataKey[:8])[1:20], verb)
	}
}
