package sqlstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
)

// advFilled returns a closed store file with 50 sessions and 50 prekeys.
func advFilled(t *testing.T) string {
	s, path := newStore(t, testOptions("pw"))
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		for i := range uint32(50) {
			a := keystore.Address{Name: fmt.Sprintf("user-%d", i), DeviceID: 1}
			if err := tx.StoreSession(ctx, a, bytes.Repeat([]byte{byte(i)}, 3000)); err != nil {
				return err
			}
			if err := tx.StorePreKey(ctx, keystore.PreKey{ID: i + 1, KeyPair: newIdentity(t)}); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, s.Close())
	return path
}

// advReadAll reads every session and prekey of advFilled and counts the
// readable ones. It never panics.
func advReadAll(s *Store) (ok, failed int) {
	s.View(ctx, func(tx keystore.Tx) error {
		for i := range uint32(50) {
			a := keystore.Address{Name: fmt.Sprintf("user-%d", i), DeviceID: 1}
			if rec, err := tx.Session(ctx, a); err == nil && len(rec) == 3000 {
				ok++
			} else {
				failed++
			}
			if _, err := tx.PreKey(ctx, i+1); err == nil {
				ok++
			} else {
				failed++
			}
		}
		return nil
	})
	return ok, failed
}

func TestAdversarialTruncatedFile(t *testing.T) {
	path := advFilled(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(data), 8192)
	for _, n := range []int{0, 50, 100, 4096, len(data) / 2, len(data) - 1} {
		p := filepath.Join(t.TempDir(), "t.db")
		require.NoError(t, os.WriteFile(p, data[:n], 0o600))
		s, err := Open(p, testOptions("pw"))
		if err != nil {
			// Only the empty file gives ErrNotKeystore; a truncated
			// keystore gives SQLite's "malformed" error, unwrapped.
			t.Logf("truncated to %d: %v", n, err)
			if n == 0 {
				assert.ErrorIs(t, err, ErrNotKeystore)
			}
			continue
		}
		ok, failed := advReadAll(s)
		t.Logf("truncated to %d: opened, %d rows read, %d failed", n, ok, failed)
		require.NoError(t, s.Close())
	}
}

func TestAdversarialGarbagePage(t *testing.T) {
	path := advFilled(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	const pageSize = 4096
	pages := len(data) / pageSize
	for page := 1; page < min(pages, 16); page++ {
		bad := bytes.Clone(data)
		for i := page * pageSize; i < (page+1)*pageSize; i++ {
			bad[i] = byte(i*31 + 7)
		}
		p := filepath.Join(t.TempDir(), "g.db")
		require.NoError(t, os.WriteFile(p, bad, 0o600))
		s, err := Open(p, testOptions("pw"))
		if err != nil {
			t.Logf("page %d: Open: %v", page, err)
			continue
		}
		ok, failed := advReadAll(s)
		t.Logf("page %d: %d rows read, %d failed", page, ok, failed)
		assert.Positive(t, ok, "page %d", page)
		require.NoError(t, s.Close())
	}
}

func TestAdversarialMetaEdits(t *testing.T) {
	cases := []struct {
		name, value string
		want        error
	}{
		{"schema_version", "0", ErrNotKeystore},
		{"schema_version", "-1", ErrNotKeystore},
		{"schema_version", "1x", ErrNotKeystore},
		{"schema_version", "99999999999999999999", ErrNotKeystore},
		{"schema_version", strconv.Itoa(schemaVersion + 1), ErrNewerSchema},
		{"format", "parley-keystore2", ErrNotKeystore},
		{"kdf", "raw", ErrWrongKey},
		{"kdf", "scrypt", ErrNotKeystore},
		{"argon2_time", "0", ErrWrongKey},
		{"argon2_time", "101", ErrWrongKey},
		{"argon2_time", "4294967296", ErrWrongKey},
		{"argon2_memory_kib", "16384", ErrWrongKey},
		{"argon2_memory_kib", "4294967295", ErrWrongKey},
		{"argon2_threads", "2", ErrWrongKey},
		{"argon2_threads", "256", ErrWrongKey},
		{"argon2_threads", "0", ErrWrongKey},
		{"argon2_salt", "short", ErrWrongKey},
		{"argon2_salt", "0123456789abcdef", ErrWrongKey},
		{"wrapped_key", "", ErrWrongKey},
		{"wrapped_key", "x", ErrWrongKey},
	}
	for _, tc := range cases {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			s, path := newStore(t, testOptions("pw"))
			require.NoError(t, s.Close())
			db := rawDB(t, path)
			_, err := db.Exec(`UPDATE meta SET value = ? WHERE name = ?`, tc.value, tc.name)
			require.NoError(t, err)
			require.NoError(t, db.Close())
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			_, err = Open(path, testOptions("pw"))
			require.ErrorIs(t, err, tc.want)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a rejected Open wrote to the file")
		})
	}
	// A missing meta row.
	for _, name := range []string{"wrapped_key", "argon2_salt", "kdf", "schema_version"} {
		s, path := newStore(t, testOptions("pw"))
		require.NoError(t, s.Close())
		db := rawDB(t, path)
		_, err := db.Exec(`DELETE FROM meta WHERE name = ?`, name)
		require.NoError(t, err)
		require.NoError(t, db.Close())
		_, err = Open(path, testOptions("pw"))
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, ErrWrongKey) || errors.Is(err, ErrNotKeystore), "%s: %v", name, err)
	}
}

func TestAdversarialMovedRows(t *testing.T) {
	s, path := newStore(t, testOptions("pw"))
	c := fill(t, s, newIdentity(t))
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		return tx.StorePreKey(ctx, keystore.PreKey{ID: 2, KeyPair: newIdentity(t)})
	}))
	require.NoError(t, s.Close())

	tables := []string{tableLocal, tableIdentities, tablePreKeys, tableSignedPreKeys, tableKyberPreKeys, tableSessions, tableSenderKeys}
	for _, from := range tables {
		for _, to := range tables {
			if from == to {
				continue
			}
			t.Run(from+"->"+to, func(t *testing.T) {
				p := filepath.Join(t.TempDir(), "m.db")
				data, err := os.ReadFile(path)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(p, data, 0o600))
				db := rawDB(t, p)
				var v []byte
				require.NoError(t, db.QueryRow(`SELECT v FROM `+from+` LIMIT 1`).Scan(&v))
				// Overwrite every value of the target table with the moved value.
				_, err = db.Exec(`UPDATE `+to+` SET v = ?`, v)
				require.NoError(t, err)
				require.NoError(t, db.Close())

				s, err := Open(p, testOptions("pw"))
				require.NoError(t, err)
				defer s.Close()
				err = s.View(ctx, func(tx keystore.Tx) error {
					var err error
					switch to {
					case tableLocal:
						_, err = tx.IdentityKeyPair(ctx)
					case tableIdentities:
						_, _, err = tx.Identity(ctx, bob)
					case tablePreKeys:
						_, err = tx.PreKey(ctx, c.preKey.ID)
					case tableSignedPreKeys:
						_, err = tx.SignedPreKey(ctx, c.signed.ID)
					case tableKyberPreKeys:
						_, err = tx.KyberPreKey(ctx, c.kyber.ID)
					case tableSessions:
						_, err = tx.Session(ctx, bob)
					case tableSenderKeys:
						_, err = tx.SenderKey(ctx, bob, c.distID)
					}
					return err
				})
				require.ErrorIs(t, err, ErrCorrupt)
			})
		}
	}

	// Within a table: prekey 1's row moved to prekey 2's primary key.
	db := rawDB(t, path)
	var keys [][]byte
	rows, err := db.Query(`SELECT k FROM prekeys`)
	require.NoError(t, err)
	for rows.Next() {
		var k []byte
		require.NoError(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	require.NoError(t, rows.Err())
	require.Len(t, keys, 2)
	_, err = db.Exec(`DELETE FROM prekeys WHERE k = ?`, keys[1])
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE prekeys SET k = ? WHERE k = ?`, keys[1], keys[0])
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s, err = Open(path, testOptions("pw"))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		var n int
		for _, id := range []uint32{c.preKey.ID, 2} {
			_, err := tx.PreKey(ctx, id)
			if errors.Is(err, ErrCorrupt) {
				n++
			}
		}
		assert.Equal(t, 1, n, "the moved row must fail to open under its new key")
		return nil
	}))
}

func TestAdversarialCancelledContexts(t *testing.T) {
	s, _ := newStore(t, testOptions("pw"))
	var wg sync.WaitGroup
	var committed sync.Map
	deadline := time.Now().Add(5 * time.Second)
	for g := range 16 {
		wg.Go(func() {
			for i := 0; i < 40 && time.Now().Before(deadline); i++ {
				cctx, cancel := context.WithCancel(context.Background())
				if i%3 == 0 {
					cancel()
				} else {
					go func() { time.Sleep(time.Duration(i%5) * 100 * time.Microsecond); cancel() }()
				}
				a := keystore.Address{Name: fmt.Sprintf("g%d-%d", g, i), DeviceID: 1}
				var err error
				if i%2 == 0 {
					err = s.Update(cctx, func(tx keystore.Tx) error {
						if err := tx.StoreSession(cctx, a, []byte(a.Name)); err != nil {
							return err
						}
						return tx.StorePreKey(cctx, keystore.PreKey{ID: uint32(g*1000 + i), KeyPair: newIdentity(t)})
					})
				} else {
					err = s.View(cctx, func(tx keystore.Tx) error {
						_, err := tx.IdentityKeyPair(cctx)
						return err
					})
				}
				cancel()
				if err == nil && i%2 == 0 {
					committed.Store(a, uint32(g*1000+i))
				}
				// NOTE: a cancelled Update may return sql.ErrTxDone, which
				// does not match context.Canceled, so only outcomes are checked.
			}
		})
	}
	wg.Wait()
	// Every Update that returned nil committed both rows; no other rows
	// exist half-written; the store still works.
	n := 0
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		committed.Range(func(k, v any) bool {
			n++
			rec, err := tx.Session(ctx, k.(keystore.Address))
			assert.NoError(t, err)
			assert.Equal(t, k.(keystore.Address).Name, string(rec))
			_, err = tx.PreKey(ctx, v.(uint32))
			assert.NoError(t, err)
			return true
		})
		return nil
	}))
	t.Logf("%d updates committed", n)
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error { return tx.StoreSession(ctx, alice, []byte("after")) }))
}

func TestAdversarialCloseDuringUpdate(t *testing.T) {
	s, path := newStore(t, testOptions("pw"))
	started := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx keystore.Tx) error {
			close(started)
			<-release
			return tx.StoreSession(ctx, alice, []byte("during close"))
		})
	}()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while an Update was running", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-done)
	require.NoError(t, <-closed)
	require.ErrorIs(t, s.Update(ctx, func(tx keystore.Tx) error { return nil }), ErrClosed)
	require.ErrorIs(t, s.View(ctx, func(tx keystore.Tx) error { return nil }), ErrClosed)
	require.ErrorIs(t, s.ChangePassphrase([]byte("x")), ErrClosed)
	require.NoError(t, s.Close())

	s, err := Open(path, testOptions("pw"))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, "during close", string(rec))
		return nil
	}))
}

func TestAdversarialPaths(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "dir", "keys.db")
	_, err := Open(missing, testOptions("pw"))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = Create(missing, newIdentity(t), 1, testOptions("pw"))
	require.Error(t, err)
	_, err = os.Stat(filepath.Join(dir, "no"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing is created on the way")

	// A directory as the path.
	_, err = Open(dir, testOptions("pw"))
	require.Error(t, err)
	_, err = Create(dir, newIdentity(t), 1, testOptions("pw"))
	require.Error(t, err)

	// SQLite URI characters in the path.
	for _, name := range []string{"a?mode=memory", "b#x"} {
		_, err = Create(filepath.Join(dir, name), newIdentity(t), 1, testOptions("pw"))
		require.Error(t, err, name)
	}
}

func TestAdversarialPassphrases(t *testing.T) {
	dir := t.TempDir()
	_, err := Create(filepath.Join(dir, "empty.db"), newIdentity(t), 1, Options{Passphrase: []byte{}, Argon2: testArgon2})
	require.Error(t, err)
	_, err = os.Stat(filepath.Join(dir, "empty.db"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	long := bytes.Repeat([]byte("long passphrase "), 1<<16) // 1 MiB
	path := filepath.Join(dir, "long.db")
	s, err := Create(path, newIdentity(t), 1, Options{Passphrase: long, Argon2: testArgon2})
	require.NoError(t, err)
	require.Error(t, s.ChangePassphrase(nil))
	require.NoError(t, s.Close())
	_, err = Open(path, Options{Passphrase: long[:len(long)-1], Argon2: testArgon2})
	require.ErrorIs(t, err, ErrWrongKey)
	_, err = Open(path, Options{Passphrase: append(bytes.Clone(long), 0), Argon2: testArgon2})
	require.ErrorIs(t, err, ErrWrongKey)
	s, err = Open(path, Options{Passphrase: long, Argon2: testArgon2})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	// A passphrase with a NUL and invalid UTF-8.
	odd := []byte{0, 0xff, 0xfe, 'p', 0}
	path = filepath.Join(dir, "odd.db")
	s, err = Create(path, newIdentity(t), 1, Options{Passphrase: odd, Argon2: testArgon2})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(path, Options{Passphrase: odd[:4], Argon2: testArgon2})
	require.ErrorIs(t, err, ErrWrongKey)
	s, err = Open(path, Options{Passphrase: odd, Argon2: testArgon2})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestAdversarialFormatVerbs(t *testing.T) {
	key := [32]byte{0x5a, 0xa5, 0x5a, 0xa5, 9, 8, 7, 6}
	s, err := Create(filepath.Join(t.TempDir(), "keys.db"), newIdentity(t), 1, Options{Key: &key})
	require.NoError(t, err)
	defer s.Close()
	dk := bytes.Clone(s.dataKey)
	seal := bytes.Clone(s.rows.seal)
	index := bytes.Clone(s.rows.index)

	type holder struct {
		S     *Store
		Inner struct{ S *Store }
		Any   any
	}
	h := holder{S: s, Any: s}
	h.Inner.S = s
	args := []any{s, h, &h, []*Store{s}, map[string]*Store{"s": s}, keystore.Store(s)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%p", "%100v"} {
		for i, a := range args {
			out := strings.ToLower(fmt.Sprintf(verb, a))
			for _, k := range [][]byte{dk, seal, index} {
				assert.NotContains(t, out, hex.EncodeToString(k[:6]), "%s arg %d", verb, i)
				assert.NotContains(t, out, strings.Trim(fmt.Sprint(k[:6]), "[]"), "%s arg %d", verb, i)
				assert.NotContains(t, out, fmt.Sprintf("%#v", k[:3])[8:], "%s arg %d", verb, i)
			}
		}
	}
	// The same after Close, when the keys are wiped.
	require.NoError(t, s.Close())
	assert.Equal(t, make([]byte, len(dk)), s.dataKey)
}
