package transport

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

func openTestStore(t *testing.T) *SQLiteStore {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "relay.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// createTestAccount stores an account named name with one device whose
// registration id is regID, and returns its service id.
func createTestAccount(t *testing.T, s *SQLiteStore, name string, regID uint32) string {
	t.Helper()
	key, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	serviceID := "service-" + name
	now := time.Now()
	acct := Account{ServiceID: serviceID, Username: name, IdentityKey: key.Public, CreatedAt: now}
	dev := Device{ID: 1, RegistrationID: regID, Key: key.Public, CreatedAt: now}
	require.NoError(t, s.CreateAccount(testContext(t), acct, dev))
	return serviceID
}

func testEnqueue(sender, destination string, regID uint32, id uint64, content string) EnqueueRequest {
	r := EnqueueRequest{
		Sender:       sender,
		SenderDevice: 1,
		Destination:  destination,
		Messages:     []OutgoingMessage{{DeviceID: 1, RegistrationID: regID, Type: 1, Content: []byte(content)}},
		Now:          time.Now(),
	}
	binary.BigEndian.PutUint64(r.MessageID[:], id)
	return r
}

// holdWriter makes the writer goroutine run an operation that blocks until
// the returned function is called, so that operations queued meanwhile
// commit together in the next batch.
func holdWriter(t *testing.T, s *SQLiteStore) (release func()) {
	t.Helper()
	running := make(chan struct{})
	unblock := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.inTx(context.Background(), func(*sql.Tx) error {
			close(running)
			<-unblock
			return nil
		})
	}()
	select {
	case <-running:
	case <-time.After(10 * time.Second):
		t.Fatal("writer did not start the blocking operation")
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(unblock)
			require.NoError(t, <-done)
		})
	}
	t.Cleanup(release)
	return release
}

// queueInOrder starts each function in its own goroutine and waits until
// its write operation is queued before starting the next, so the writer
// takes them in this order. The writer must be held.
func queueInOrder(t *testing.T, s *SQLiteStore, fns ...func() error) []chan error {
	t.Helper()
	results := make([]chan error, len(fns))
	for i, fn := range fns {
		want := len(s.ops) + 1
		results[i] = make(chan error, 1)
		go func() { results[i] <- fn() }()
		deadline := time.Now().Add(10 * time.Second)
		for len(s.ops) < want {
			require.True(t, time.Now().Before(deadline), "operation %d was not queued", i)
			time.Sleep(time.Millisecond)
		}
	}
	return results
}

func wait(t *testing.T, ch chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("write operation did not finish")
		return nil
	}
}

func TestGroupCommitFailingOpAlone(t *testing.T) {
	s := openTestStore(t)
	alice := createTestAccount(t, s, "alice", 11)
	bob := createTestAccount(t, s, "bob", 22)
	ctx := testContext(t)

	release := holdWriter(t, s)
	before := s.commits.Load()
	errDeliberate := errors.New("deliberate failure")
	var first, second EnqueueResult
	results := queueInOrder(t, s,
		func() (err error) {
			first, err = s.Enqueue(ctx, testEnqueue(alice, bob, 22, 1, "first"))
			return err
		},
		func() error {
			// Writes a row, then fails: the row must be rolled back.
			return s.inTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO attachments (id, data, created_at) VALUES ('rolled-back', x'00', 0)`)
				assert.NoError(t, err)
				return errDeliberate
			})
		},
		func() error {
			// Fails inside the store: the username is taken.
			return s.CreateAccount(ctx, Account{ServiceID: "service-other", Username: "alice"}, Device{ID: 1})
		},
		func() (err error) {
			second, err = s.Enqueue(ctx, testEnqueue(alice, bob, 22, 2, "second"))
			return err
		},
	)
	release()

	require.NoError(t, wait(t, results[0]))
	assert.ErrorIs(t, wait(t, results[1]), errDeliberate)
	assert.ErrorIs(t, wait(t, results[2]), ErrUsernameTaken)
	require.NoError(t, wait(t, results[3]))
	assert.Equal(t, uint64(2), s.commits.Load()-before, "the held operation and one batch of four")

	assert.Equal(t, []uint32{1}, first.Devices)
	assert.Equal(t, []uint32{1}, second.Devices)
	envs, err := s.Envelopes(ctx, bob, 1, 0, 10)
	require.NoError(t, err)
	require.Len(t, envs, 2)
	assert.Equal(t, "first", string(envs[0].Content))
	assert.Equal(t, "second", string(envs[1].Content))
	_, err = s.Attachment(ctx, "rolled-back")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = s.Account(ctx, "service-other")
	assert.ErrorIs(t, err, ErrNotFound)
	depth, err := s.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), depth)
}

func TestGroupCommitDuplicateInBatch(t *testing.T) {
	s := openTestStore(t)
	alice := createTestAccount(t, s, "alice", 11)
	bob := createTestAccount(t, s, "bob", 22)
	ctx := testContext(t)

	release := holdWriter(t, s)
	before := s.commits.Load()
	res := make([]EnqueueResult, 2)
	send := func(i int) func() error {
		return func() (err error) {
			res[i], err = s.Enqueue(ctx, testEnqueue(alice, bob, 22, 7, fmt.Sprintf("attempt %d", i)))
			return err
		}
	}
	results := queueInOrder(t, s, send(0), send(1))
	release()

	require.NoError(t, wait(t, results[0]))
	require.NoError(t, wait(t, results[1]))
	assert.Equal(t, uint64(2), s.commits.Load()-before)
	assert.False(t, res[0].Duplicate)
	assert.True(t, res[1].Duplicate)
	envs, err := s.Envelopes(ctx, bob, 1, 0, 10)
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, "attempt 0", string(envs[0].Content))
}

func TestGroupCommitCanceledOp(t *testing.T) {
	s := openTestStore(t)
	alice := createTestAccount(t, s, "alice", 11)
	bob := createTestAccount(t, s, "bob", 22)
	ctx := testContext(t)
	canceled, cancel := context.WithCancel(ctx)

	release := holdWriter(t, s)
	results := queueInOrder(t, s,
		func() error {
			_, err := s.Enqueue(canceled, testEnqueue(alice, bob, 22, 1, "canceled"))
			return err
		},
		func() error {
			_, err := s.Enqueue(ctx, testEnqueue(alice, bob, 22, 2, "kept"))
			return err
		},
	)
	cancel()
	release()

	assert.ErrorIs(t, wait(t, results[0]), context.Canceled)
	require.NoError(t, wait(t, results[1]))
	envs, err := s.Envelopes(ctx, bob, 1, 0, 10)
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, "kept", string(envs[0].Content))
}

func TestGroupCommitBatchLimit(t *testing.T) {
	s := openTestStore(t)
	ctx := testContext(t)
	const n = maxWriteBatch + 44

	release := holdWriter(t, s)
	before := s.commits.Load()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = s.PutAttachment(ctx, fmt.Sprintf("blob-%d", i), []byte{byte(i)}) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(s.ops) < maxWriteBatch {
		require.True(t, time.Now().Before(deadline), "queue did not fill")
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()

	for i, err := range errs {
		require.NoError(t, err, "attachment %d", i)
	}
	assert.GreaterOrEqual(t, s.commits.Load()-before, uint64(2), "%d operations fit in no fewer than two batches", n)
	data, err := s.Attachment(ctx, fmt.Sprintf("blob-%d", n-1))
	require.NoError(t, err)
	assert.Equal(t, []byte{byte((n - 1) % 256)}, data)
}

// TestGroupCommitConcurrentSends sends from many goroutines, with message
// ids that collide across goroutines, and checks that each id is stored
// exactly once and reported as new to exactly one caller.
func TestGroupCommitConcurrentSends(t *testing.T) {
	s := openTestStore(t)
	alice := createTestAccount(t, s, "alice", 11)
	bob := createTestAccount(t, s, "bob", 22)
	ctx := testContext(t)
	const (
		senders   = 16
		perSender = 20
		ids       = 120 // fewer than senders*perSender, so ids repeat
	)

	var mu sync.Mutex
	newSends := map[uint64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, senders*perSender)
	before := s.commits.Load()
	for g := range senders {
		wg.Go(func() {
			for i := range perSender {
				id := uint64((g*7 + i*13) % ids)
				res, err := s.Enqueue(ctx, testEnqueue(alice, bob, 22, id, fmt.Sprintf("id %d", id)))
				if err != nil {
					errs <- err
					continue
				}
				if !res.Duplicate {
					mu.Lock()
					newSends[id]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	t.Logf("%d sends in %d commits", senders*perSender, s.commits.Load()-before)

	envs, err := s.Envelopes(ctx, bob, 1, 0, senders*perSender+1)
	require.NoError(t, err)
	stored := map[uint64]int{}
	for _, e := range envs {
		stored[binary.BigEndian.Uint64(e.MessageID[:8])]++
	}
	assert.Len(t, stored, len(newSends))
	for id, n := range newSends {
		assert.Equal(t, 1, n, "message id %d reported as new", id)
		assert.Equal(t, 1, stored[id], "message id %d stored", id)
	}
	depth, err := s.QueueDepth(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(len(envs)), depth)
}

func TestSQLiteWriteAfterClose(t *testing.T) {
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "relay.db"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.NoError(t, s.Close())
	err = s.PutAttachment(testContext(t), "late", []byte{1})
	assert.ErrorIs(t, err, ErrClosed)
}

func BenchmarkGroupCommitEnqueue(b *testing.B) {
	s, err := OpenSQLite(filepath.Join(b.TempDir(), "relay.db"))
	require.NoError(b, err)
	defer s.Close()
	ctx := context.Background()
	key, err := curve.GenerateKeyPair(nil)
	require.NoError(b, err)
	dev := Device{ID: 1, RegistrationID: 22, Key: key.Public}
	require.NoError(b, s.CreateAccount(ctx, Account{ServiceID: "bob", Username: "bob", IdentityKey: key.Public}, dev))

	var next sync.Mutex
	var id uint64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			next.Lock()
			id++
			n := id
			next.Unlock()
			if _, err := s.Enqueue(ctx, testEnqueue("alice", "bob", 22, n, "benchmark")); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
