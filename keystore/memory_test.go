package keystore_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
)

var ctx = context.Background()

var (
	alice = keystore.Address{Name: "9d0652a3-dcc3-4d11-975f-74d61598733f", DeviceID: 1}
	bob   = keystore.Address{Name: "796abedb-ca4e-4f18-8803-1fde5b921f9f", DeviceID: 2}
)

var errAbort = errors.New("abort")

func newKeyPair(t testing.TB) curve.KeyPair {
	t.Helper()
	kp, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	return kp
}

// fixture is a store with one key of each kind, an identity for alice and a
// session with alice.
type fixture struct {
	store      *keystore.MemoryStore
	aliceKey   curve.PublicKey
	oneTime    keystore.KyberPreKey // id 2
	lastResort keystore.KyberPreKey // id 3
	baseKey    curve.PublicKey
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		store:    keystore.NewMemoryStore(newKeyPair(t), 42),
		aliceKey: newKeyPair(t).Public,
		baseKey:  newKeyPair(t).Public,
	}
	kyber, err := kem.GenerateKeyPair(nil)
	require.NoError(t, err)
	f.oneTime = keystore.KyberPreKey{ID: 2, KeyPair: kyber, Signature: []byte("sig 2")}
	f.lastResort = keystore.KyberPreKey{ID: 3, KeyPair: kyber, Signature: []byte("sig 3"), LastResort: true}

	require.NoError(t, f.store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StorePreKey(ctx, keystore.PreKey{ID: 1, KeyPair: newKeyPair(t)}); err != nil {
			return err
		}
		if err := tx.StoreSignedPreKey(ctx, keystore.SignedPreKey{ID: 1, KeyPair: newKeyPair(t), Signature: []byte("sig 1")}); err != nil {
			return err
		}
		if err := tx.StoreKyberPreKey(ctx, f.oneTime); err != nil {
			return err
		}
		if err := tx.StoreKyberPreKey(ctx, f.lastResort); err != nil {
			return err
		}
		if _, err := tx.SaveIdentity(ctx, alice, f.aliceKey); err != nil {
			return err
		}
		return tx.StoreSession(ctx, alice, []byte("session v1"))
	}))
	return f
}

// contents is a summary of the fixture store, for comparisons.
type contents struct {
	session       string
	bobSession    bool
	preKey        bool
	kyberOneTime  bool
	aliceIdentity curve.PublicKey
	bobIdentity   bool
	senderKey     string
}

func (f *fixture) contents(t *testing.T) contents {
	t.Helper()
	var c contents
	require.NoError(t, f.store.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, alice)
		require.NoError(t, err)
		c.session = string(rec)
		rec, err = tx.Session(ctx, bob)
		require.NoError(t, err)
		c.bobSession = rec != nil
		_, err = tx.PreKey(ctx, 1)
		c.preKey = err == nil
		_, err = tx.KyberPreKey(ctx, 2)
		c.kyberOneTime = err == nil
		c.aliceIdentity, _, err = tx.Identity(ctx, alice)
		require.NoError(t, err)
		_, c.bobIdentity, err = tx.Identity(ctx, bob)
		require.NoError(t, err)
		sk, err := tx.SenderKey(ctx, alice, [16]byte{7})
		require.NoError(t, err)
		c.senderKey = string(sk)
		return nil
	}))
	return c
}

// writeAll makes one write of every kind.
func (f *fixture) writeAll(t *testing.T, tx keystore.Tx, newAliceKey curve.PublicKey) error {
	t.Helper()
	require.NoError(t, tx.StoreSession(ctx, alice, []byte("session v2")))
	require.NoError(t, tx.StoreSession(ctx, bob, []byte("bob session")))
	require.NoError(t, tx.RemovePreKey(ctx, 1))
	require.NoError(t, tx.MarkKyberPreKeyUsed(ctx, 2, 1, f.baseKey))
	require.NoError(t, tx.MarkKyberPreKeyUsed(ctx, 3, 1, f.baseKey))
	replaced, err := tx.SaveIdentity(ctx, alice, newAliceKey)
	require.NoError(t, err)
	assert.True(t, replaced)
	replaced, err = tx.SaveIdentity(ctx, bob, newKeyPair(t).Public)
	require.NoError(t, err)
	assert.False(t, replaced)
	require.NoError(t, tx.StoreSenderKey(ctx, alice, [16]byte{7}, []byte("sender key")))

	// The transaction reads its own writes.
	rec, err := tx.Session(ctx, alice)
	require.NoError(t, err)
	assert.Equal(t, "session v2", string(rec))
	_, err = tx.PreKey(ctx, 1)
	assert.ErrorIs(t, err, keystore.ErrNotFound)
	return nil
}

func TestUpdateCommits(t *testing.T) {
	f := newFixture(t)
	newAliceKey := newKeyPair(t).Public
	require.NoError(t, f.store.Update(ctx, func(tx keystore.Tx) error {
		return f.writeAll(t, tx, newAliceKey)
	}))

	c := f.contents(t)
	assert.Equal(t, "session v2", c.session)
	assert.True(t, c.bobSession)
	assert.False(t, c.preKey, "prekey removed")
	assert.False(t, c.kyberOneTime, "one-time kyber prekey removed")
	assert.True(t, c.aliceIdentity.Equal(newAliceKey), "alice's identity replaced")
	assert.True(t, c.bobIdentity)
	assert.Equal(t, "sender key", c.senderKey)

	err := f.store.Update(ctx, func(tx keystore.Tx) error {
		return tx.MarkKyberPreKeyUsed(ctx, 3, 1, f.baseKey)
	})
	assert.ErrorIs(t, err, keystore.ErrKyberPreKeyReused, "the last-resort use was committed")
}

func TestUpdateRollsBack(t *testing.T) {
	f := newFixture(t)
	before := f.contents(t)
	err := f.store.Update(ctx, func(tx keystore.Tx) error {
		require.NoError(t, f.writeAll(t, tx, newKeyPair(t).Public))
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)

	after := f.contents(t)
	assert.Equal(t, before.session, after.session, "session")
	assert.False(t, after.bobSession, "new session")
	assert.True(t, after.preKey, "prekey")
	assert.True(t, after.kyberOneTime, "one-time kyber prekey")
	assert.True(t, after.aliceIdentity.Equal(f.aliceKey), "replaced identity")
	assert.False(t, after.bobIdentity, "new identity")
	assert.Empty(t, after.senderKey, "sender key")

	// The last-resort use was rolled back too, so the same triple is new.
	require.NoError(t, f.store.Update(ctx, func(tx keystore.Tx) error {
		return tx.MarkKyberPreKeyUsed(ctx, 3, 1, f.baseKey)
	}))
}

func TestUpdateRollsBackRepeatedWrites(t *testing.T) {
	f := newFixture(t)
	err := f.store.Update(ctx, func(tx keystore.Tx) error {
		for _, v := range []string{"a", "b", "c"} {
			require.NoError(t, tx.StoreSession(ctx, alice, []byte(v)))
		}
		require.NoError(t, tx.DeleteSession(ctx, alice))
		require.NoError(t, tx.StorePreKey(ctx, keystore.PreKey{ID: 1, KeyPair: newKeyPair(t)}))
		require.NoError(t, tx.RemovePreKey(ctx, 1))
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	c := f.contents(t)
	assert.Equal(t, "session v1", c.session)
	assert.True(t, c.preKey)
}

func TestUpdateCanceledContext(t *testing.T) {
	f := newFixture(t)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	called := false
	err := f.store.Update(canceled, func(tx keystore.Tx) error { called = true; return nil })
	assert.ErrorIs(t, err, context.Canceled)
	err = f.store.View(canceled, func(tx keystore.Tx) error { called = true; return nil })
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, called)
}

func TestViewRejectsWrites(t *testing.T) {
	f := newFixture(t)
	before := f.contents(t)
	writes := map[string]func(tx keystore.Tx) error{
		"StoreSession":  func(tx keystore.Tx) error { return tx.StoreSession(ctx, alice, []byte("x")) },
		"DeleteSession": func(tx keystore.Tx) error { return tx.DeleteSession(ctx, alice) },
		"StorePreKey": func(tx keystore.Tx) error {
			return tx.StorePreKey(ctx, keystore.PreKey{ID: 9, KeyPair: newKeyPair(t)})
		},
		"RemovePreKey": func(tx keystore.Tx) error { return tx.RemovePreKey(ctx, 1) },
		"StoreSignedPreKey": func(tx keystore.Tx) error {
			return tx.StoreSignedPreKey(ctx, keystore.SignedPreKey{ID: 9, KeyPair: newKeyPair(t)})
		},
		"StoreKyberPreKey": func(tx keystore.Tx) error {
			k := f.oneTime
			k.ID = 9
			return tx.StoreKyberPreKey(ctx, k)
		},
		"MarkKyberPreKeyUsed one-time":    func(tx keystore.Tx) error { return tx.MarkKyberPreKeyUsed(ctx, 2, 1, f.baseKey) },
		"MarkKyberPreKeyUsed last-resort": func(tx keystore.Tx) error { return tx.MarkKyberPreKeyUsed(ctx, 3, 1, f.baseKey) },
		"SaveIdentity new": func(tx keystore.Tx) error {
			_, err := tx.SaveIdentity(ctx, bob, newKeyPair(t).Public)
			return err
		},
		"SaveIdentity replace": func(tx keystore.Tx) error {
			_, err := tx.SaveIdentity(ctx, alice, newKeyPair(t).Public)
			return err
		},
		"StoreSenderKey": func(tx keystore.Tx) error { return tx.StoreSenderKey(ctx, alice, [16]byte{7}, []byte("x")) },
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			err := f.store.View(ctx, write)
			assert.ErrorIs(t, err, keystore.ErrReadOnly)
		})
	}
	assert.Equal(t, before, f.contents(t))
}

func TestMarkKyberPreKeyUsed(t *testing.T) {
	f := newFixture(t)
	mark := func(kyberID, signedID uint32, base curve.PublicKey) error {
		return f.store.Update(ctx, func(tx keystore.Tx) error {
			return tx.MarkKyberPreKeyUsed(ctx, kyberID, signedID, base)
		})
	}

	t.Run("one-time", func(t *testing.T) {
		require.NoError(t, mark(2, 1, f.baseKey))
		err := f.store.View(ctx, func(tx keystore.Tx) error {
			_, err := tx.KyberPreKey(ctx, 2)
			return err
		})
		assert.ErrorIs(t, err, keystore.ErrNotFound, "a one-time key is removed")
		assert.ErrorIs(t, mark(2, 1, f.baseKey), keystore.ErrNotFound)
	})

	t.Run("last resort", func(t *testing.T) {
		require.NoError(t, mark(3, 1, f.baseKey))
		assert.ErrorIs(t, mark(3, 1, f.baseKey), keystore.ErrKyberPreKeyReused, "same triple")
		assert.NoError(t, mark(3, 2, f.baseKey), "other signed prekey")
		assert.NoError(t, mark(3, 1, newKeyPair(t).Public), "other base key")

		err := f.store.View(ctx, func(tx keystore.Tx) error {
			_, err := tx.KyberPreKey(ctx, 3)
			return err
		})
		assert.NoError(t, err, "a last-resort key stays")
	})

	t.Run("unknown", func(t *testing.T) {
		assert.ErrorIs(t, mark(99, 1, f.baseKey), keystore.ErrNotFound)
	})
}

func TestTrustOnFirstUse(t *testing.T) {
	s := keystore.NewMemoryStore(newKeyPair(t), 1)
	first, second := newKeyPair(t).Public, newKeyPair(t).Public
	trusted := func(key curve.PublicKey, dir keystore.Direction) bool {
		var ok bool
		require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
			var err error
			ok, err = tx.IsTrustedIdentity(ctx, bob, key, dir)
			return err
		}))
		return ok
	}
	save := func(key curve.PublicKey) bool {
		var replaced bool
		require.NoError(t, s.Update(ctx, func(tx keystore.Tx) error {
			var err error
			replaced, err = tx.SaveIdentity(ctx, bob, key)
			return err
		}))
		return replaced
	}

	assert.True(t, trusted(first, keystore.Sending), "unknown address, sending")
	assert.True(t, trusted(first, keystore.Receiving), "unknown address, receiving")
	assert.False(t, save(first), "first key")
	assert.False(t, save(first), "same key again")

	assert.True(t, trusted(first, keystore.Sending))
	assert.False(t, trusted(second, keystore.Sending), "changed key, sending")
	assert.False(t, trusted(second, keystore.Receiving), "changed key, receiving")

	assert.True(t, save(second), "the application accepts the new key")
	assert.True(t, trusted(second, keystore.Sending))
	assert.False(t, trusted(first, keystore.Sending), "the old key is no longer trusted")

	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		key, ok, err := tx.Identity(ctx, bob)
		assert.True(t, ok)
		assert.True(t, key.Equal(second))
		_, ok, err2 := tx.Identity(ctx, alice)
		assert.False(t, ok)
		return errors.Join(err, err2)
	}))
}

func TestLocalIdentity(t *testing.T) {
	id := newKeyPair(t)
	s := keystore.NewMemoryStore(id, 1234)
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		got, err := tx.IdentityKeyPair(ctx)
		require.NoError(t, err)
		assert.True(t, got.Public.Equal(id.Public))
		reg, err := tx.LocalRegistrationID(ctx)
		require.NoError(t, err)
		assert.Equal(t, uint32(1234), reg)
		return nil
	}))

	empty := keystore.NewMemoryStore(curve.KeyPair{}, 1)
	err := empty.View(ctx, func(tx keystore.Tx) error {
		_, err := tx.IdentityKeyPair(ctx)
		return err
	})
	assert.ErrorIs(t, err, keystore.ErrNoIdentity)
}

func TestLookupsReturnCopies(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.store.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, alice)
		require.NoError(t, err)
		rec[0] = 'X'
		spk, err := tx.SignedPreKey(ctx, 1)
		require.NoError(t, err)
		spk.Signature[0] = 'X'
		kpk, err := tx.KyberPreKey(ctx, 3)
		require.NoError(t, err)
		kpk.Signature[0] = 'X'
		return nil
	}))

	input := []byte("stored")
	require.NoError(t, f.store.Update(ctx, func(tx keystore.Tx) error {
		return tx.StoreSession(ctx, bob, input)
	}))
	input[0] = 'X'

	require.NoError(t, f.store.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, "session v1", string(rec))
		rec, err = tx.Session(ctx, bob)
		require.NoError(t, err)
		assert.Equal(t, "stored", string(rec))
		spk, err := tx.SignedPreKey(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, "sig 1", string(spk.Signature))
		kpk, err := tx.KyberPreKey(ctx, 3)
		require.NoError(t, err)
		assert.Equal(t, "sig 3", string(kpk.Signature))
		return nil
	}))
}

func TestMissingEntries(t *testing.T) {
	s := keystore.NewMemoryStore(newKeyPair(t), 1)
	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		_, err := tx.PreKey(ctx, 1)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		_, err = tx.SignedPreKey(ctx, 1)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		_, err = tx.KyberPreKey(ctx, 1)
		assert.ErrorIs(t, err, keystore.ErrNotFound)
		rec, err := tx.Session(ctx, alice)
		assert.NoError(t, err)
		assert.Nil(t, rec, "no session is nil, not empty")
		sk, err := tx.SenderKey(ctx, alice, [16]byte{})
		assert.NoError(t, err)
		assert.Nil(t, sk)
		return nil
	}))
}

// TestConcurrentUpdates increments a counter kept as a session record from
// many goroutines. Each increment reads and writes in one Update, so the
// final count is exact only if no update is lost. Run it with -race.
func TestConcurrentUpdates(t *testing.T) {
	s := keystore.NewMemoryStore(newKeyPair(t), 1)
	const (
		goroutines = 16
		increments = 200
	)
	increment := func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, alice)
		if err != nil {
			return err
		}
		var n uint64
		if rec != nil {
			n = binary.BigEndian.Uint64(rec)
		}
		return tx.StoreSession(ctx, alice, binary.BigEndian.AppendUint64(nil, n+1))
	}

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*increments)
	for range goroutines {
		wg.Go(func() {
			for i := range increments {
				if err := s.Update(ctx, increment); err != nil {
					errs <- err
				}
				// Every tenth round a failed update must leave no trace.
				if i%10 == 0 {
					err := s.Update(ctx, func(tx keystore.Tx) error {
						if err := increment(tx); err != nil {
							return err
						}
						return errAbort
					})
					if !errors.Is(err, errAbort) {
						errs <- err
					}
				}
				if err := s.View(ctx, func(tx keystore.Tx) error {
					_, err := tx.Session(ctx, alice)
					return err
				}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	require.NoError(t, s.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, alice)
		require.NoError(t, err)
		require.Len(t, rec, 8)
		assert.Equal(t, uint64(goroutines*increments), binary.BigEndian.Uint64(rec))
		return nil
	}))
}

// TestUpdateSerialized checks that an Update waits for a running one: the
// second function starts only after the first returns.
func TestUpdateSerialized(t *testing.T) {
	s := keystore.NewMemoryStore(newKeyPair(t), 1)
	inFirst := make(chan struct{})
	release := make(chan struct{})
	var order []string
	var mu sync.Mutex
	note := func(s string) {
		mu.Lock()
		order = append(order, s)
		mu.Unlock()
	}

	var wg sync.WaitGroup
	wg.Go(func() {
		_ = s.Update(ctx, func(tx keystore.Tx) error {
			close(inFirst)
			<-release
			note("first done")
			return nil
		})
	})
	<-inFirst
	wg.Go(func() {
		_ = s.Update(ctx, func(tx keystore.Tx) error {
			note("second")
			return nil
		})
	})
	// Give the second Update time to block on the first.
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, []string{"first done", "second"}, order)
}

func TestUpdatePanicRollsBack(t *testing.T) {
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	store := keystore.NewMemoryStore(id, 1)
	addr := keystore.Address{Name: "alice", DeviceID: 1}
	ctx := context.Background()

	require.Panics(t, func() {
		_ = store.Update(ctx, func(tx keystore.Tx) error {
			if err := tx.StoreSession(ctx, addr, []byte("half-written")); err != nil {
				return err
			}
			panic("fn failed halfway")
		})
	})
	require.NoError(t, store.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, addr)
		assert.Nil(t, rec, "a panicking update leaves nothing behind")
		return err
	}))
}

func TestAppDataRollsBack(t *testing.T) {
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	store := keystore.NewMemoryStore(id, 1)
	ctx := context.Background()

	require.NoError(t, store.Update(ctx, func(tx keystore.Tx) error {
		return tx.StoreAppData(ctx, "contacts", []byte("v1"))
	}))
	failed := errors.New("fn failed")
	err = store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StoreAppData(ctx, "contacts", []byte("v2")); err != nil {
			return err
		}
		return failed
	})
	require.ErrorIs(t, err, failed)
	require.NoError(t, store.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.AppData(ctx, "contacts")
		assert.Equal(t, []byte("v1"), rec)
		assert.ErrorIs(t, tx.StoreAppData(ctx, "contacts", nil), keystore.ErrReadOnly)
		return err
	}))
}
