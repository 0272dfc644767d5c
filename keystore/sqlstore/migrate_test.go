package sqlstore

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
)

// A file written with schema version 1, which had no application table,
// opens, migrates and keeps its other rows.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	addr := keystore.Address{Name: "alice", DeviceID: 1}
	s, path := newStore(t, testOptions("pw"))
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		return tx.StoreSession(ctx, addr, []byte("session from v1"))
	}))
	require.NoError(t, s.Close())

	db := rawDB(t, path)
	_, err := db.Exec(`DROP TABLE ` + tableAppData)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE meta SET value = '1' WHERE name = 'schema_version'`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err = Open(path, testOptions("pw"))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, addr)
		require.NoError(t, err)
		assert.Equal(t, []byte("session from v1"), rec)
		return tx.StoreAppData(ctx, "settings", []byte("dark mode"))
	}))
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.AppData(ctx, "settings")
		assert.Equal(t, []byte("dark mode"), rec)
		return err
	}))
}
