package transport

import (
	"context"
	"database/sql"
	"fmt"
)

// maxWriteBatch bounds the write operations that share one transaction and
// one commit. A larger batch saves syncs but makes every operation in it
// wait for the slowest.
const maxWriteBatch = 256

// writeOp is one write transaction queued for the writer goroutine. done
// receives its result exactly once, when the transaction of its batch has
// committed or failed.
type writeOp struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

// inTx runs fn in a write transaction and returns once the commit that
// contains fn's changes has returned. The writer goroutine may run fn in
// one transaction with other operations (group commit), each inside its
// own savepoint: when fn returns an error only fn's changes are rolled
// back, and the others still commit. fn must not call Commit or Rollback.
//
// Because a batch runs in one transaction, fn sees the changes of the
// operations queued before it in the same batch, as it would see them if
// they had committed on their own.
func (s *SQLiteStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return fmt.Errorf("transport: sqlite store: %w", ErrClosed)
	}
	select {
	case s.ops <- op:
	case <-ctx.Done():
		s.closeMu.RUnlock()
		return ctx.Err()
	}
	s.closeMu.RUnlock()

	// Once queued, the operation is waited for even if ctx ends, so a nil
	// result always means committed and an error always means not
	// committed. The writer checks ctx before it runs fn, and fn's
	// statements use ctx, so a canceled operation finishes quickly.
	return <-op.done
}

// writeLoop is the only goroutine that writes. It takes the first queued
// operation, adds the others already waiting up to maxWriteBatch, and
// commits them together. It returns when s.ops is closed and drained.
func (s *SQLiteStore) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*writeOp, 0, maxWriteBatch)
	for op := range s.ops {
		batch = append(batch[:0], op)
	fill:
		for len(batch) < maxWriteBatch {
			select {
			case next, ok := <-s.ops:
				if !ok {
					break fill
				}
				batch = append(batch, next)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
		clear(batch)
	}
}

// commitBatch runs a batch in one transaction and sends each operation its
// result. An operation whose own function succeeded gets the batch's error
// when the transaction as a whole fails.
func (s *SQLiteStore) commitBatch(batch []*writeOp) {
	errs := make([]error, len(batch))
	batchErr := s.runBatch(batch, errs)
	for i, op := range batch {
		if errs[i] == nil {
			errs[i] = batchErr
		}
		op.done <- errs[i]
	}
}

// runBatch applies each operation inside a savepoint of one transaction,
// rolls back to the savepoint those that fail, and commits. It records
// each operation's own error in errs and returns an error that applies to
// the whole batch, when nothing of the batch committed.
func (s *SQLiteStore) runBatch(batch []*writeOp, errs []error) error {
	// The transaction's context is not an operation's context: database/sql
	// rolls a transaction back when its context ends, which would discard
	// the other operations.
	bg := context.Background()
	tx, err := s.write.BeginTx(bg, nil)
	if err != nil {
		return fmt.Errorf("transport: begin transaction: %w", err)
	}
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := tx.ExecContext(bg, `SAVEPOINT write_op`); err != nil {
			tx.Rollback()
			return fmt.Errorf("transport: begin savepoint: %w", err)
		}
		if err := op.fn(tx); err != nil {
			errs[i] = err
			// NOTE: some SQLite errors (SQLITE_FULL, SQLITE_IOERR,
			// SQLITE_NOMEM) roll back the whole transaction. ROLLBACK TO
			// then fails, and the batch fails as a whole, which is correct
			// because none of it is on disk.
			if _, err := tx.ExecContext(bg, `ROLLBACK TO write_op`); err != nil {
				tx.Rollback()
				return fmt.Errorf("transport: roll back failed write: %w", err)
			}
		}
		if _, err := tx.ExecContext(bg, `RELEASE write_op`); err != nil {
			tx.Rollback()
			return fmt.Errorf("transport: release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("transport: commit: %w", err)
	}
	s.commits.Add(1)
	return nil
}
