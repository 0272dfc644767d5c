package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

var ctx = context.Background()

// testArgon2 keeps key derivation cheap in tests.
var testArgon2 = &Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}

func testOptions(pass string) Options {
	return Options{Passphrase: []byte(pass), Argon2: testArgon2}
}

func newIdentity(t testing.TB) curve.KeyPair {
	t.Helper()
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	return id
}

func newStore(t testing.TB, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.db")
	s, err := Create(path, newIdentity(t), 1234, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, path
}

var (
	alice = keystore.Address{Name: "9d0652a3-dcc3-4d11-975f-74d61598733f", DeviceID: 1}
	bob   = keystore.Address{Name: "796abedb-ca4e-4f18-8803-1fde5b921f9f", DeviceID: 2}
)

// fill stores one of everything and returns what it stored.
type contents struct {
	identity curve.PublicKey
	preKey   keystore.PreKey
	signed   keystore.SignedPreKey
	kyber    keystore.KyberPreKey
	session  []byte
	sender   []byte
	distID   [16]byte
}

func fill(t *testing.T, s keystore.Store, idKey curve.KeyPair) contents {
	t.Helper()
	now := time.Now()
	pk, err := session.NewPreKey(nil, 7)
	require.NoError(t, err)
	spk, err := session.NewSignedPreKey(nil, idKey, 8, now)
	require.NoError(t, err)
	kpk, err := session.NewKyberPreKey(nil, idKey, 9, now, true)
	require.NoError(t, err)
	c := contents{
		identity: newIdentity(t).Public,
		preKey:   pk,
		signed:   spk,
		kyber:    kpk,
		session:  []byte("session record for bob"),
		sender:   []byte("sender key record"),
		distID:   [16]byte{1, 2, 3},
	}
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		replaced, err := tx.SaveIdentity(ctx, bob, c.identity)
		require.NoError(t, err)
		assert.False(t, replaced)
		require.NoError(t, tx.StorePreKey(ctx, pk))
		require.NoError(t, tx.StoreSignedPreKey(ctx, spk))
		require.NoError(t, tx.StoreKyberPreKey(ctx, kpk))
		require.NoError(t, tx.StoreSession(ctx, bob, c.session))
		return tx.StoreSenderKey(ctx, bob, c.distID, c.sender)
	}))
	return c
}

// check reads everything fill stored and compares it.
func check(t *testing.T, s keystore.Store, c contents) {
	t.Helper()
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		key, ok, err := tx.Identity(ctx, bob)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.True(t, key.Equal(c.identity))

		pk, err := tx.PreKey(ctx, 7)
		require.NoError(t, err)
		assert.Equal(t, c.preKey.KeyPair.Private.Bytes(), pk.KeyPair.Private.Bytes())
		assert.True(t, pk.KeyPair.Public.Equal(c.preKey.KeyPair.Public))
		assert.Equal(t, uint32(7), pk.ID)

		spk, err := tx.SignedPreKey(ctx, 8)
		require.NoError(t, err)
		assert.Equal(t, c.signed.KeyPair.Private.Bytes(), spk.KeyPair.Private.Bytes())
		assert.Equal(t, c.signed.Signature, spk.Signature)
		assert.True(t, c.signed.CreatedAt.Equal(spk.CreatedAt))

		kpk, err := tx.KyberPreKey(ctx, 9)
		require.NoError(t, err)
		assert.Equal(t, c.kyber.KeyPair.Private.Seed(), kpk.KeyPair.Private.Seed())
		assert.True(t, kpk.KeyPair.Public.Equal(c.kyber.KeyPair.Public))
		assert.Equal(t, c.kyber.Signature, kpk.Signature)
		assert.True(t, c.kyber.CreatedAt.Equal(kpk.CreatedAt))
		assert.True(t, kpk.LastResort)

		rec, err := tx.Session(ctx, bob)
		require.NoError(t, err)
		assert.Equal(t, c.session, rec)

		sk, err := tx.SenderKey(ctx, bob, c.distID)
		require.NoError(t, err)
		assert.Equal(t, c.sender, sk)
		return nil
	}))
}

func TestStoreRoundTrip(t *testing.T) {
	id := newIdentity(t)
	path := filepath.Join(t.TempDir(), "keys.db")
	s, err := Create(path, id, 4321, testOptions("pw"))
	require.NoError(t, err)
	defer s.Close()
	c := fill(t, s, id)
	check(t, s, c)

	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		kp, err := tx.IdentityKeyPair(ctx)
		require.NoError(t, err)
		assert.Equal(t, id.Private.Bytes(), kp.Private.Bytes())
		assert.True(t, kp.Public.Equal(id.Public))
		reg, err := tx.LocalRegistrationID(ctx)
		require.NoError(t, err)
		assert.Equal(t, uint32(4321), reg)

		other := newIdentity(t).Public
		trusted, err := tx.IsTrustedIdentity(ctx, bob, other, keystore.Sending)
		require.NoError(t, err)
		assert.False(t, trusted, "a different key is not trusted")
		trusted, err = tx.IsTrustedIdentity(ctx, bob, c.identity, keystore.Receiving)
		require.NoError(t, err)
		assert.True(t, trusted)
		trusted, err = tx.IsTrustedIdentity(ctx, alice, other, keystore.Sending)
		require.NoError(t, err)
		assert.True(t, trusted, "first use is trusted")
		replaced, err := tx.SaveIdentity(ctx, bob, c.identity)
		require.NoError(t, err)
		assert.False(t, replaced, "same key")
		replaced, err = tx.SaveIdentity(ctx, bob, other)
		require.NoError(t, err)
		assert.True(t, replaced)
		_, ok, err := tx.Identity(ctx, alice)
		require.NoError(t, err)
		assert.False(t, ok)

		require.NoError(t, tx.RemovePreKey(ctx, 7))
		_, err = tx.PreKey(ctx, 7)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		_, err = tx.SignedPreKey(ctx, 99)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		_, err = tx.KyberPreKey(ctx, 99)
		assert.ErrorIs(t, err, keystore.ErrNotFound)

		base := newIdentity(t).Public
		require.NoError(t, tx.MarkKyberPreKeyUsed(ctx, 9, 8, base))
		assert.ErrorIs(t, tx.MarkKyberPreKeyUsed(ctx, 9, 8, base), keystore.ErrKyberPreKeyReused)
		require.NoError(t, tx.MarkKyberPreKeyUsed(ctx, 9, 8, newIdentity(t).Public))
		_, err = tx.KyberPreKey(ctx, 9)
		require.NoError(t, err, "a last-resort key stays")

		rec, err := tx.Session(ctx, alice)
		require.NoError(t, err)
		assert.Nil(t, rec)
		require.NoError(t, tx.DeleteSession(ctx, bob))
		rec, err = tx.Session(ctx, bob)
		require.NoError(t, err)
		assert.Nil(t, rec)
		sk, err := tx.SenderKey(ctx, bob, [16]byte{9})
		require.NoError(t, err)
		assert.Nil(t, sk)
		return nil
	}))
}

func TestStoreOneTimeKyber(t *testing.T) {
	s, _ := newStore(t, testOptions("pw"))
	id := newIdentity(t)
	kpk, err := session.NewKyberPreKey(nil, id, 3, time.Now(), false)
	require.NoError(t, err)
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		require.NoError(t, tx.StoreKyberPreKey(ctx, kpk))
		require.NoError(t, tx.MarkKyberPreKeyUsed(ctx, 3, 1, id.Public))
		_, err := tx.KyberPreKey(ctx, 3)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		return nil
	}))
}

func TestStoreViewReadOnly(t *testing.T) {
	s, _ := newStore(t, testOptions("pw"))
	err := s.View(ctx, func(tx keystore.Tx) error {
		return tx.StoreSession(ctx, bob, []byte("x"))
	})
	assert.ErrorIs(t, err, keystore.ErrReadOnly)
}

func TestStoreReopen(t *testing.T) {
	id := newIdentity(t)
	path := filepath.Join(t.TempDir(), "keys.db")
	s, err := Create(path, id, 1, testOptions("pw"))
	require.NoError(t, err)
	c := fill(t, s, id)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "second Close is a no-op")
	assert.ErrorIs(t, s.Update(ctx, func(keystore.Tx) error { return nil }), ErrClosed)

	s, err = Open(path, testOptions("pw"))
	require.NoError(t, err)
	defer s.Close()
	check(t, s, c)
}

func TestCreateExisting(t *testing.T) {
	_, path := newStore(t, testOptions("pw"))
	_, err := Create(path, newIdentity(t), 1, testOptions("pw"))
	assert.Error(t, err)

	other := filepath.Join(t.TempDir(), "other.db")
	require.NoError(t, os.WriteFile(other, []byte("x"), 0o600))
	_, err = Create(other, newIdentity(t), 1, testOptions("pw"))
	assert.ErrorIs(t, err, os.ErrExist)
	b, err := os.ReadFile(other)
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), b, "Create leaves an existing file alone")
}

func TestOptionsInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.db")
	var key [32]byte
	for name, opts := range map[string]Options{
		"none":       {},
		"both":       {Passphrase: []byte("pw"), Key: &key},
		"durability": {Key: &key, Durability: 7},
		"argon2":     {Passphrase: []byte("pw"), Argon2: &Argon2Params{}},
	} {
		_, err := Create(path, newIdentity(t), 1, opts)
		assert.Error(t, err, name)
	}
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestUpdateRollback(t *testing.T) {
	s, _ := newStore(t, testOptions("pw"))
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		return tx.StoreSession(ctx, bob, []byte("v1"))
	}))
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx keystore.Tx) error {
		require.NoError(t, tx.StoreSession(ctx, bob, []byte("v2")))
		require.NoError(t, tx.StoreSession(ctx, alice, []byte("new")))
		require.NoError(t, tx.StorePreKey(ctx, keystore.PreKey{ID: 1, KeyPair: newIdentity(t)}))
		return boom
	})
	assert.ErrorIs(t, err, boom)
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, bob)
		require.NoError(t, err)
		assert.Equal(t, []byte("v1"), rec)
		rec, err = tx.Session(ctx, alice)
		require.NoError(t, err)
		assert.Nil(t, rec)
		_, err = tx.PreKey(ctx, 1)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		return nil
	}))
}

func TestUpdateCanceledContext(t *testing.T) {
	s, _ := newStore(t, testOptions("pw"))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err := s.Update(cctx, func(tx keystore.Tx) error { return nil })
	assert.ErrorIs(t, err, context.Canceled)
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func TestOpenWrongPassphrase(t *testing.T) {
	s, path := newStore(t, testOptions("right"))
	c := fill(t, s, newIdentity(t))
	require.NoError(t, s.Close())
	before := fileBytes(t, path)

	_, err := Open(path, testOptions("wrong"))
	assert.ErrorIs(t, err, ErrWrongKey)
	var key [32]byte
	_, err = Open(path, Options{Key: &key})
	assert.ErrorIs(t, err, ErrWrongKey, "raw key on a passphrase store")
	assert.Equal(t, before, fileBytes(t, path), "a failed Open writes nothing")

	s, err = Open(path, testOptions("right"))
	require.NoError(t, err)
	defer s.Close()
	check(t, s, c)
}

func TestRawKey(t *testing.T) {
	var key [32]byte
	key[0] = 1
	s, path := newStore(t, Options{Key: &key})
	c := fill(t, s, newIdentity(t))
	require.NoError(t, s.Close())

	wrong := key
	wrong[31] ^= 1
	_, err := Open(path, Options{Key: &wrong})
	assert.ErrorIs(t, err, ErrWrongKey)
	_, err = Open(path, testOptions("pw"))
	assert.ErrorIs(t, err, ErrWrongKey, "passphrase on a raw-key store")

	s, err = Open(path, Options{Key: &key})
	require.NoError(t, err)
	defer s.Close()
	check(t, s, c)
}

func TestChangePassphrase(t *testing.T) {
	s, path := newStore(t, testOptions("old"))
	c := fill(t, s, newIdentity(t))
	require.NoError(t, s.ChangePassphrase([]byte("new")))
	assert.Error(t, s.ChangePassphrase(nil))
	check(t, s, c)
	require.NoError(t, s.Close())

	_, err := Open(path, testOptions("old"))
	assert.ErrorIs(t, err, ErrWrongKey)
	s, err = Open(path, testOptions("new"))
	require.NoError(t, err)
	check(t, s, c)

	var key [32]byte
	key[5] = 5
	require.NoError(t, s.ChangeKey(&key))
	require.NoError(t, s.Close())
	_, err = Open(path, testOptions("new"))
	assert.ErrorIs(t, err, ErrWrongKey)
	s, err = Open(path, Options{Key: &key})
	require.NoError(t, err)
	defer s.Close()
	check(t, s, c)
}

func TestOpenNotKeystore(t *testing.T) {
	dir := t.TempDir()

	junk := filepath.Join(dir, "junk")
	require.NoError(t, os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 300), 0o600))
	_, err := Open(junk, testOptions("pw"))
	assert.ErrorIs(t, err, ErrNotKeystore)

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	_, err = Open(empty, testOptions("pw"))
	assert.ErrorIs(t, err, ErrNotKeystore)

	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB)`)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE t (x)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(other, testOptions("pw"))
	assert.ErrorIs(t, err, ErrNotKeystore)

	_, err = Open(filepath.Join(dir, "missing"), testOptions("pw"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// rawDB opens the file of a closed store with plain SQL.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenNewerSchema(t *testing.T) {
	s, path := newStore(t, testOptions("pw"))
	require.NoError(t, s.Close())
	db := rawDB(t, path)
	_, err := db.Exec(`UPDATE meta SET value = ? WHERE name = 'schema_version'`, fmt.Sprint(schemaVersion+1))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, err = Open(path, testOptions("pw"))
	assert.ErrorIs(t, err, ErrNewerSchema)
}

func TestTamperedMeta(t *testing.T) {
	s, path := newStore(t, testOptions("pw"))
	require.NoError(t, s.Close())
	db := rawDB(t, path)
	_, err := db.Exec(`UPDATE meta SET value = '2' WHERE name = 'argon2_time'`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, err = Open(path, testOptions("pw"))
	assert.ErrorIs(t, err, ErrWrongKey)
}

func TestTamperedRow(t *testing.T) {
	s, path := newStore(t, testOptions("pw"))
	require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
		require.NoError(t, tx.StoreSession(ctx, alice, []byte("alice record")))
		require.NoError(t, tx.StoreSession(ctx, bob, []byte("bob record")))
		require.NoError(t, tx.StorePreKey(ctx, keystore.PreKey{ID: 1, KeyPair: newIdentity(t)}))
		return tx.StorePreKey(ctx, keystore.PreKey{ID: 2, KeyPair: newIdentity(t)})
	}))
	require.NoError(t, s.Close())

	db := rawDB(t, path)
	// Swap the two session values.
	var keys [][]byte
	rows, err := db.Query(`SELECT k FROM sessions`)
	require.NoError(t, err)
	for rows.Next() {
		var k []byte
		require.NoError(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	require.NoError(t, rows.Err())
	require.Len(t, keys, 2)
	var v0, v1 []byte
	require.NoError(t, db.QueryRow(`SELECT v FROM sessions WHERE k = ?`, keys[0]).Scan(&v0))
	require.NoError(t, db.QueryRow(`SELECT v FROM sessions WHERE k = ?`, keys[1]).Scan(&v1))
	_, err = db.Exec(`UPDATE sessions SET v = ? WHERE k = ?`, v1, keys[0])
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE sessions SET v = ? WHERE k = ?`, v0, keys[1])
	require.NoError(t, err)
	// Flip one byte in one prekey.
	var pk []byte
	var v []byte
	require.NoError(t, db.QueryRow(`SELECT k, v FROM prekeys LIMIT 1`).Scan(&pk, &v))
	v[len(v)-1] ^= 0x01
	_, err = db.Exec(`UPDATE prekeys SET v = ? WHERE k = ?`, v, pk)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err = Open(path, testOptions("pw"))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		for _, a := range []keystore.Address{alice, bob} {
			_, err := tx.Session(ctx, a)
			var ce *CorruptError
			require.ErrorAs(t, err, &ce, a.String())
			assert.ErrorIs(t, err, ErrCorrupt)
			assert.Equal(t, "sessions", ce.Table)
			assert.Equal(t, a.String(), ce.Key)
		}
		var good, bad int
		for id := uint32(1); id <= 2; id++ {
			_, err := tx.PreKey(ctx, id)
			if err == nil {
				good++
				continue
			}
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, CorruptError{Table: "prekeys", Key: fmt.Sprint(id)}, *ce)
			bad++
		}
		assert.Equal(t, 1, good, "the untouched prekey stays readable")
		assert.Equal(t, 1, bad)
		kp, err := tx.IdentityKeyPair(ctx)
		require.NoError(t, err)
		assert.False(t, kp.Public.IsZero())
		return nil
	}))
}

func TestOpenInUse(t *testing.T) {
	if !lockSupported {
		t.Skip("no file lock on this system")
	}
	s, path := newStore(t, testOptions("pw"))
	_, err := Open(path, testOptions("pw"))
	assert.ErrorIs(t, err, ErrInUse)
	require.NoError(t, s.Close())
	s, err = Open(path, testOptions("pw"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestNoPlaintextInFile(t *testing.T) {
	for _, d := range []Durability{DurabilityFull, DurabilityNormal} {
		t.Run(fmt.Sprint(d), func(t *testing.T) {
			opts := testOptions("pw")
			opts.Durability = d
			s, path := newStore(t, opts)

			pattern := bytes.Repeat([]byte("SECRET!"), 8)
			// The prekey's private key is a recognizable repeated pattern.
			priv, err := curve.NewPrivateKey(bytes.Repeat([]byte{0x5a, 0xa5, 0x3c, 0xc3}, 8))
			require.NoError(t, err)
			privBytes := priv.Bytes()
			require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
				require.NoError(t, tx.StoreSession(ctx, bob, pattern))
				require.NoError(t, tx.StoreSenderKey(ctx, bob, [16]byte{}, pattern))
				return tx.StorePreKey(ctx, keystore.PreKey{ID: 5, KeyPair: curve.NewKeyPair(priv)})
			}))

			scan := func(when string) {
				for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
					b, err := os.ReadFile(path + suffix)
					if errors.Is(err, os.ErrNotExist) {
						continue
					}
					require.NoError(t, err)
					assert.False(t, bytes.Contains(b, pattern[:16]), "record pattern in %s%s %s", path, suffix, when)
					assert.False(t, bytes.Contains(b, privBytes[:16]), "private key in %s%s %s", path, suffix, when)
					assert.False(t, bytes.Contains(b, []byte(bob.Name)), "address in %s%s %s", path, suffix, when)
				}
			}
			var secureDelete, sync int
			require.NoError(t, s.db.QueryRow(`PRAGMA secure_delete`).Scan(&secureDelete))
			require.NoError(t, s.db.QueryRow(`PRAGMA synchronous`).Scan(&sync))
			assert.Equal(t, 1, secureDelete)
			assert.Equal(t, map[Durability]int{DurabilityFull: 2, DurabilityNormal: 1}[d], sync)
			var mode string
			require.NoError(t, s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
			assert.Equal(t, "wal", mode)

			scan("while open")
			require.NoError(t, s.Close())
			scan("after Close")
		})
	}
}

func TestConcurrentUpdates(t *testing.T) {
	s, _ := newStore(t, testOptions("pw"))
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				err := s.Update(ctx, func(tx keystore.Tx) error {
					rec, err := tx.Session(ctx, bob)
					if err != nil {
						return err
					}
					var n int
					if rec != nil {
						if _, err := fmt.Sscan(string(rec), &n); err != nil {
							return err
						}
					}
					return tx.StoreSession(ctx, bob, []byte(fmt.Sprint(n+1)))
				})
				if err != nil {
					errs <- err
					return
				}
				// A View between updates must see a whole number.
				if err := s.View(ctx, func(tx keystore.Tx) error {
					_, err := tx.Session(ctx, bob)
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, bob)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint(workers*rounds), string(rec))
		return nil
	}))
}

func TestMigrationsTable(t *testing.T) {
	assert.Len(t, migrations, schemaVersion, "one migration per schema version")
}

func TestUpdatePanicRollsBack(t *testing.T) {
	s, _ := newStore(t, testOptions("pw"))
	assert.Panics(t, func() {
		s.Update(ctx, func(tx keystore.Tx) error {
			require.NoError(t, tx.StoreSession(ctx, bob, []byte("lost")))
			panic("caller bug")
		})
	})
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, bob)
		require.NoError(t, err)
		assert.Nil(t, rec, "the write of the panicking Update is rolled back")
		return nil
	}))
}
