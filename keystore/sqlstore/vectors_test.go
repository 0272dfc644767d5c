package sqlstore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vectors.json is written by testdata/vectors.py with the Python
// cryptography package, apart from this package's Go code.
type vectorFile struct {
	DataKey string `json:"data_key"`
	Rows    []struct {
		Table     string `json:"table"`
		Key       string `json:"key"`
		Nonce     string `json:"nonce"`
		Plaintext string `json:"plaintext"`
		RowKey    string `json:"row_key"`
		Sealed    string `json:"sealed"`
	} `json:"rows"`
	Wrap struct {
		Passphrase string `json:"passphrase"`
		Salt       string `json:"salt"`
		Time       uint32 `json:"time"`
		MemoryKiB  uint32 `json:"memory_kib"`
		Threads    uint8  `json:"threads"`
		DataKey    string `json:"data_key"`
		Nonce      string `json:"nonce"`
		Wrapped    string `json:"wrapped"`
	} `json:"wrap"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors.json")
	require.NoError(t, err)
	var v vectorFile
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.Rows)

	rc, err := newRowCipher(unhex(t, v.DataKey))
	require.NoError(t, err)
	for _, r := range v.Rows {
		key := unhex(t, r.Key)
		assert.Equal(t, r.RowKey, hex.EncodeToString(rc.rowKey(r.Table, key)), "row key %s", r.Table)
		sealed, err := rc.sealRow(bytes.NewReader(unhex(t, r.Nonce)), r.Table, key, unhex(t, r.Plaintext))
		require.NoError(t, err)
		assert.Equal(t, r.Sealed, hex.EncodeToString(sealed), "sealed %s", r.Table)
		pt, err := rc.openRow(r.Table, key, unhex(t, r.Sealed))
		require.NoError(t, err)
		assert.Equal(t, r.Plaintext, hex.EncodeToString(pt), "opened %s", r.Table)
		_, err = rc.openRow(r.Table+"x", key, unhex(t, r.Sealed))
		assert.Error(t, err, "another table's associated data")
	}

	w := wrapping{
		kdf:    kdfArgon2id,
		argon2: Argon2Params{Time: v.Wrap.Time, Memory: v.Wrap.MemoryKiB, Threads: v.Wrap.Threads},
		salt:   unhex(t, v.Wrap.Salt),
	}
	opts := &Options{Passphrase: unhex(t, v.Wrap.Passphrase)}
	kek := w.wrappingKey(opts)
	wrapped, err := wrapKey(bytes.NewReader(unhex(t, v.Wrap.Nonce)), kek, unhex(t, v.Wrap.DataKey), w.additionalData())
	require.NoError(t, err)
	assert.Equal(t, v.Wrap.Wrapped, hex.EncodeToString(wrapped))
	dk, err := unwrapKey(kek, unhex(t, v.Wrap.Wrapped), w.additionalData())
	require.NoError(t, err)
	assert.Equal(t, v.Wrap.DataKey, hex.EncodeToString(dk))
}
