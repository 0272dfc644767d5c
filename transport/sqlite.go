package transport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/curve"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLiteStore is a [Store] in one SQLite database file, opened in WAL mode
// with synchronous=FULL, so a write that returned is on disk. Reads use a
// pool of connections. Writes go through a single connection and a single
// goroutine, which commits the write operations waiting at that moment
// together, up to 256 of them, in one transaction with one sync (group
// commit). Each operation still gets its own result, and one that fails is
// rolled back alone.
type SQLiteStore struct {
	write *sql.DB
	read  *sql.DB

	// ops queues write operations for writeLoop. closeMu guards closed and
	// the close of ops, so no operation is queued after Close.
	ops        chan *writeOp
	closeMu    sync.RWMutex
	closed     bool
	writerDone chan struct{}
	// commits counts committed batches.
	commits atomic.Uint64
}

var _ Store = (*SQLiteStore)(nil)

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS accounts (
	service_id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	identity_key BLOB NOT NULL,
	access_key BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
	service_id TEXT NOT NULL REFERENCES accounts(service_id),
	device_id INTEGER NOT NULL,
	registration_id INTEGER NOT NULL,
	device_key BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	queue_count INTEGER NOT NULL DEFAULT 0,
	queue_bytes INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (service_id, device_id)
);
CREATE TABLE IF NOT EXISTS device_counters (
	service_id TEXT PRIMARY KEY,
	last_device_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS signed_prekeys (
	service_id TEXT NOT NULL,
	device_id INTEGER NOT NULL,
	kind INTEGER NOT NULL, -- 0 signed Curve25519, 1 last-resort Kyber
	key_id INTEGER NOT NULL,
	public_key BLOB NOT NULL,
	signature BLOB NOT NULL,
	PRIMARY KEY (service_id, device_id, kind)
);
CREATE TABLE IF NOT EXISTS one_time_prekeys (
	service_id TEXT NOT NULL,
	device_id INTEGER NOT NULL,
	kind INTEGER NOT NULL, -- 0 Curve25519, 1 Kyber
	key_id INTEGER NOT NULL,
	public_key BLOB NOT NULL,
	signature BLOB NOT NULL,
	PRIMARY KEY (service_id, device_id, kind, key_id)
);
CREATE TABLE IF NOT EXISTS envelopes (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	service_id TEXT NOT NULL,
	device_id INTEGER NOT NULL,
	sender TEXT NOT NULL,
	sender_device INTEGER NOT NULL,
	type INTEGER NOT NULL,
	content BLOB NOT NULL,
	message_id BLOB NOT NULL,
	ephemeral INTEGER NOT NULL,
	stored_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS envelopes_queue ON envelopes (service_id, device_id, id);
CREATE INDEX IF NOT EXISTS envelopes_age ON envelopes (stored_at);
CREATE TABLE IF NOT EXISTS sent_messages (
	sender TEXT NOT NULL,
	destination TEXT NOT NULL,
	message_id BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (sender, destination, message_id)
);
CREATE INDEX IF NOT EXISTS sent_messages_age ON sent_messages (created_at);
CREATE TABLE IF NOT EXISTS attachments (
	id TEXT PRIMARY KEY,
	data BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
`

const (
	kindEC    = 0
	kindKyber = 1
)

// OpenSQLite opens or creates the database at path and creates the schema.
func OpenSQLite(path string) (*SQLiteStore, error) {
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		pragmas.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + pragmas.Encode()
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("transport: open sqlite %q: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	if _, err := write.Exec(sqliteSchema); err != nil {
		write.Close()
		return nil, fmt.Errorf("transport: create sqlite schema in %q: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("transport: open sqlite %q: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	s := &SQLiteStore{
		write:      write,
		read:       read,
		ops:        make(chan *writeOp, maxWriteBatch),
		writerDone: make(chan struct{}),
	}
	go s.writeLoop()
	return s, nil
}

// Close waits for the queued write operations to commit, stops the writer
// and closes both connection pools. Writes after Close return an error
// matching ErrClosed.
func (s *SQLiteStore) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.ops)
	s.closeMu.Unlock()
	<-s.writerDone
	return errors.Join(s.read.Close(), s.write.Close())
}

func millis(t time.Time) int64 { return t.UnixMilli() }

// CreateAccount implements [Store].
func (s *SQLiteStore) CreateAccount(ctx context.Context, a Account, first Device) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE username = ?`, a.Username).Scan(&n); err != nil {
			return fmt.Errorf("transport: check username: %w", err)
		}
		if n > 0 {
			return ErrUsernameTaken
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (service_id, username, identity_key, access_key, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.ServiceID, a.Username, a.IdentityKey.Bytes(), a.AccessKey[:], millis(a.CreatedAt))
		if err != nil {
			return fmt.Errorf("transport: insert account: %w", err)
		}
		if err := insertDevice(ctx, tx, a.ServiceID, first); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO device_counters (service_id, last_device_id) VALUES (?, ?)`, a.ServiceID, first.ID)
		if err != nil {
			return fmt.Errorf("transport: insert device counter: %w", err)
		}
		return nil
	})
}

func insertDevice(ctx context.Context, tx *sql.Tx, serviceID string, d Device) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO devices (service_id, device_id, registration_id, device_key, created_at) VALUES (?, ?, ?, ?, ?)`,
		serviceID, d.ID, d.RegistrationID, d.Key.Bytes(), millis(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("transport: insert device: %w", err)
	}
	return nil
}

// AddDevice implements [Store].
func (s *SQLiteStore) AddDevice(ctx context.Context, serviceID string, d Device, maxDevices int) (uint32, error) {
	var id uint32
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var last uint32
		err := tx.QueryRowContext(ctx, `SELECT last_device_id FROM device_counters WHERE service_id = ?`, serviceID).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("transport: account %q: %w", serviceID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("transport: read device counter: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices WHERE service_id = ?`, serviceID).Scan(&n); err != nil {
			return fmt.Errorf("transport: count devices: %w", err)
		}
		if maxDevices > 0 && n >= maxDevices {
			return fmt.Errorf("transport: account %q has %d devices, the maximum: %w", serviceID, n, ErrForbidden)
		}
		id = last + 1
		d.ID = id
		if err := insertDevice(ctx, tx, serviceID, d); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE device_counters SET last_device_id = ? WHERE service_id = ?`, id, serviceID)
		if err != nil {
			return fmt.Errorf("transport: update device counter: %w", err)
		}
		return nil
	})
	return id, err
}

// ReregisterDevice implements [Store]. The queue is deleted because its
// envelopes were encrypted for sessions with the device's old keys, which
// the device no longer has, and the prekeys because they belong to the old
// registration.
func (s *SQLiteStore) ReregisterDevice(ctx context.Context, serviceID string, d Device) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET registration_id = ?, device_key = ?, created_at = ?, queue_count = 0, queue_bytes = 0
			WHERE service_id = ? AND device_id = ?`,
			d.RegistrationID, d.Key.Bytes(), millis(d.CreatedAt), serviceID, d.ID)
		if err != nil {
			return fmt.Errorf("transport: update device: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("transport: update device: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("transport: device %s.%d: %w", serviceID, d.ID, ErrNotFound)
		}
		for _, table := range []string{"envelopes", "signed_prekeys", "one_time_prekeys"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE service_id = ? AND device_id = ?`, serviceID, d.ID); err != nil {
				return fmt.Errorf("transport: delete %s of re-registered device: %w", table, err)
			}
		}
		return nil
	})
}

func scanAccount(row *sql.Row, what string) (Account, error) {
	var a Account
	var key, access []byte
	var created int64
	err := row.Scan(&a.ServiceID, &a.Username, &key, &access, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("transport: account %q: %w", what, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("transport: read account: %w", err)
	}
	a.IdentityKey, err = curve.NewPublicKey(key)
	if err != nil {
		return Account{}, fmt.Errorf("transport: stored identity key of %q: %w", a.ServiceID, err)
	}
	if len(access) != AccessKeySize {
		return Account{}, fmt.Errorf("transport: stored access key of %q has %d bytes", a.ServiceID, len(access))
	}
	copy(a.AccessKey[:], access)
	a.CreatedAt = time.UnixMilli(created)
	return a, nil
}

const accountColumns = `service_id, username, identity_key, access_key, created_at`

// Account implements [Store].
func (s *SQLiteStore) Account(ctx context.Context, serviceID string) (Account, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE service_id = ?`, serviceID)
	return scanAccount(row, serviceID)
}

// AccountByUsername implements [Store].
func (s *SQLiteStore) AccountByUsername(ctx context.Context, username string) (Account, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE username = ?`, username)
	return scanAccount(row, username)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readDevices(ctx context.Context, q querier, serviceID string) ([]Device, error) {
	rows, err := q.QueryContext(ctx, `SELECT device_id, registration_id, device_key, created_at FROM devices WHERE service_id = ? ORDER BY device_id`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("transport: read devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		var d Device
		var key []byte
		var created int64
		if err := rows.Scan(&d.ID, &d.RegistrationID, &key, &created); err != nil {
			return nil, fmt.Errorf("transport: read device: %w", err)
		}
		d.Key, err = curve.NewPublicKey(key)
		if err != nil {
			return nil, fmt.Errorf("transport: stored key of device %s.%d: %w", serviceID, d.ID, err)
		}
		d.CreatedAt = time.UnixMilli(created)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transport: read devices: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("transport: account %q: %w", serviceID, ErrNotFound)
	}
	return out, nil
}

// Devices implements [Store].
func (s *SQLiteStore) Devices(ctx context.Context, serviceID string) ([]Device, error) {
	return readDevices(ctx, s.read, serviceID)
}

// StorePreKeys implements [Store].
func (s *SQLiteStore) StorePreKeys(ctx context.Context, serviceID string, deviceID uint32, u PreKeyUpload) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		upsertSigned := `INSERT OR REPLACE INTO signed_prekeys (service_id, device_id, kind, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)`
		if u.Signed != nil {
			if _, err := tx.ExecContext(ctx, upsertSigned, serviceID, deviceID, kindEC, u.Signed.ID, u.Signed.PublicKey, u.Signed.Signature); err != nil {
				return fmt.Errorf("transport: store signed prekey: %w", err)
			}
		}
		if u.LastResort != nil {
			if _, err := tx.ExecContext(ctx, upsertSigned, serviceID, deviceID, kindKyber, u.LastResort.ID, u.LastResort.PublicKey, u.LastResort.Signature); err != nil {
				return fmt.Errorf("transport: store last-resort kyber prekey: %w", err)
			}
		}
		upsertOneTime := `INSERT OR REPLACE INTO one_time_prekeys (service_id, device_id, kind, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)`
		for _, k := range u.PreKeys {
			if _, err := tx.ExecContext(ctx, upsertOneTime, serviceID, deviceID, kindEC, k.ID, k.PublicKey, []byte{}); err != nil {
				return fmt.Errorf("transport: store prekey: %w", err)
			}
		}
		for _, k := range u.KyberPreKeys {
			if _, err := tx.ExecContext(ctx, upsertOneTime, serviceID, deviceID, kindKyber, k.ID, k.PublicKey, k.Signature); err != nil {
				return fmt.Errorf("transport: store kyber prekey: %w", err)
			}
		}
		return nil
	})
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func countPreKeys(ctx context.Context, q rowQuerier, serviceID string, deviceID uint32) (PreKeyCount, error) {
	var c PreKeyCount
	err := q.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN kind = 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN kind = 1 THEN 1 ELSE 0 END), 0)
		FROM one_time_prekeys WHERE service_id = ? AND device_id = ?`, serviceID, deviceID).Scan(&c.EC, &c.Kyber)
	if err != nil {
		return PreKeyCount{}, fmt.Errorf("transport: count prekeys: %w", err)
	}
	return c, nil
}

// PreKeyCount implements [Store].
func (s *SQLiteStore) PreKeyCount(ctx context.Context, serviceID string, deviceID uint32) (PreKeyCount, error) {
	return countPreKeys(ctx, s.read, serviceID, deviceID)
}

// TakeBundles implements [Store].
func (s *SQLiteStore) TakeBundles(ctx context.Context, serviceID string, deviceID uint32) ([]StoredBundle, error) {
	var out []StoredBundle
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		devices, err := readDevices(ctx, tx, serviceID)
		if err != nil {
			return err
		}
		for _, d := range devices {
			if deviceID != 0 && d.ID != deviceID {
				continue
			}
			b, ok, err := takeBundle(ctx, tx, serviceID, d)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, b)
			}
		}
		if deviceID != 0 && len(out) == 0 {
			return fmt.Errorf("transport: bundle for device %s.%d: %w", serviceID, deviceID, ErrNotFound)
		}
		return nil
	})
	return out, err
}

func takeBundle(ctx context.Context, tx *sql.Tx, serviceID string, d Device) (StoredBundle, bool, error) {
	b := StoredBundle{DeviceID: d.ID, RegistrationID: d.RegistrationID}
	readSigned := `SELECT key_id, public_key, signature FROM signed_prekeys WHERE service_id = ? AND device_id = ? AND kind = ?`
	err := tx.QueryRowContext(ctx, readSigned, serviceID, d.ID, kindEC).Scan(&b.Signed.ID, &b.Signed.PublicKey, &b.Signed.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return b, false, nil
	}
	if err != nil {
		return b, false, fmt.Errorf("transport: read signed prekey: %w", err)
	}

	// One-time keys are taken with DELETE ... RETURNING on the lowest id,
	// inside the write transaction, so no two fetches get the same key.
	takeOne := `DELETE FROM one_time_prekeys WHERE rowid = (
		SELECT rowid FROM one_time_prekeys WHERE service_id = ? AND device_id = ? AND kind = ? ORDER BY key_id LIMIT 1
	) RETURNING key_id, public_key, signature`
	var pk PublicPreKey
	var unused []byte
	err = tx.QueryRowContext(ctx, takeOne, serviceID, d.ID, kindEC).Scan(&pk.ID, &pk.PublicKey, &unused)
	switch {
	case err == nil:
		b.PreKey = &pk
	case !errors.Is(err, sql.ErrNoRows):
		return b, false, fmt.Errorf("transport: take prekey: %w", err)
	}

	err = tx.QueryRowContext(ctx, takeOne, serviceID, d.ID, kindKyber).Scan(&b.Kyber.ID, &b.Kyber.PublicKey, &b.Kyber.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		b.LastResort = true
		err = tx.QueryRowContext(ctx, readSigned, serviceID, d.ID, kindKyber).Scan(&b.Kyber.ID, &b.Kyber.PublicKey, &b.Kyber.Signature)
		if errors.Is(err, sql.ErrNoRows) {
			return b, false, nil
		}
	}
	if err != nil {
		return b, false, fmt.Errorf("transport: take kyber prekey: %w", err)
	}

	b.Remaining, err = countPreKeys(ctx, tx, serviceID, d.ID)
	if err != nil {
		return b, false, err
	}
	return b, true, nil
}

// Enqueue implements [Store].
func (s *SQLiteStore) Enqueue(ctx context.Context, r EnqueueRequest) (EnqueueResult, error) {
	var res EnqueueResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res = EnqueueResult{}
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sent_messages WHERE sender = ? AND destination = ? AND message_id = ?`,
			r.Sender, r.Destination, r.MessageID[:]).Scan(&n)
		if err != nil {
			return fmt.Errorf("transport: check message id: %w", err)
		}
		if n > 0 {
			res.Duplicate = true
			return nil
		}

		devices, err := readDevices(ctx, tx, r.Destination)
		if err != nil {
			return err
		}
		if r.Sender == r.Destination {
			// A send to the sender's own account skips the sending device.
			devices = slices.DeleteFunc(devices, func(d Device) bool { return d.ID == r.SenderDevice })
		}
		if err := CheckDevices(devices, r.Messages); err != nil {
			return err
		}

		for _, m := range r.Messages {
			if r.Ephemeral && (r.Online == nil || !r.Online(m.DeviceID)) {
				res.Dropped = append(res.Dropped, m.DeviceID)
				continue
			}
			if err := enqueueOne(ctx, tx, r, m); err != nil {
				return err
			}
			res.Devices = append(res.Devices, m.DeviceID)
		}

		_, err = tx.ExecContext(ctx, `INSERT INTO sent_messages (sender, destination, message_id, created_at) VALUES (?, ?, ?, ?)`,
			r.Sender, r.Destination, r.MessageID[:], millis(r.Now))
		if err != nil {
			return fmt.Errorf("transport: record message id: %w", err)
		}
		return nil
	})
	if err != nil {
		return EnqueueResult{}, err
	}
	return res, nil
}

func enqueueOne(ctx context.Context, tx *sql.Tx, r EnqueueRequest, m OutgoingMessage) error {
	size := int64(len(m.Content))
	var count, bytes int64
	err := tx.QueryRowContext(ctx, `SELECT queue_count, queue_bytes FROM devices WHERE service_id = ? AND device_id = ?`,
		r.Destination, m.DeviceID).Scan(&count, &bytes)
	if err != nil {
		return fmt.Errorf("transport: read queue size: %w", err)
	}
	if r.MaxQueueCount > 0 && count+1 > int64(r.MaxQueueCount) {
		return &QueueFullError{DeviceID: m.DeviceID, Count: count, Bytes: bytes}
	}
	if r.MaxQueueBytes > 0 && bytes+size > r.MaxQueueBytes {
		return &QueueFullError{DeviceID: m.DeviceID, Count: count, Bytes: bytes}
	}
	ephemeral := 0
	if r.Ephemeral {
		ephemeral = 1
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO envelopes (service_id, device_id, sender, sender_device, type, content, message_id, ephemeral, stored_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Destination, m.DeviceID, r.Sender, r.SenderDevice, m.Type, m.Content, r.MessageID[:], ephemeral, millis(r.Now))
	if err != nil {
		return fmt.Errorf("transport: insert envelope: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE devices SET queue_count = queue_count + 1, queue_bytes = queue_bytes + ? WHERE service_id = ? AND device_id = ?`,
		size, r.Destination, m.DeviceID)
	if err != nil {
		return fmt.Errorf("transport: update queue size: %w", err)
	}
	return nil
}

// QueueFullError reports the device queue that a send would overflow.
type QueueFullError struct {
	DeviceID uint32
	Count    int64
	Bytes    int64
}

func (e *QueueFullError) Error() string {
	return fmt.Sprintf("transport: queue of device %d is full (%d envelopes, %d bytes)", e.DeviceID, e.Count, e.Bytes)
}

// Is reports whether target is ErrQueueFull.
func (e *QueueFullError) Is(target error) bool { return target == ErrQueueFull }

// Envelopes implements [Store].
func (s *SQLiteStore) Envelopes(ctx context.Context, serviceID string, deviceID uint32, afterID uint64, limit int) ([]QueuedEnvelope, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, sender, sender_device, type, content, message_id, ephemeral, stored_at
		FROM envelopes WHERE service_id = ? AND device_id = ? AND id > ? ORDER BY id LIMIT ?`, serviceID, deviceID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("transport: read envelopes: %w", err)
	}
	defer rows.Close()
	var out []QueuedEnvelope
	for rows.Next() {
		e := QueuedEnvelope{DeviceID: deviceID}
		var msgID []byte
		var ephemeral int
		var stored int64
		if err := rows.Scan(&e.ID, &e.Sender, &e.SenderDevice, &e.Type, &e.Content, &msgID, &ephemeral, &stored); err != nil {
			return nil, fmt.Errorf("transport: read envelope: %w", err)
		}
		copy(e.MessageID[:], msgID)
		e.Ephemeral = ephemeral != 0
		e.StoredAt = time.UnixMilli(stored)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transport: read envelopes: %w", err)
	}
	return out, nil
}

// DeleteEnvelope implements [Store].
func (s *SQLiteStore) DeleteEnvelope(ctx context.Context, serviceID string, deviceID uint32, id uint64) (bool, error) {
	var deleted bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var size int64
		err := tx.QueryRowContext(ctx, `DELETE FROM envelopes WHERE id = ? AND service_id = ? AND device_id = ? RETURNING length(content)`,
			id, serviceID, deviceID).Scan(&size)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("transport: delete envelope: %w", err)
		}
		deleted = true
		_, err = tx.ExecContext(ctx, `UPDATE devices SET queue_count = queue_count - 1, queue_bytes = queue_bytes - ? WHERE service_id = ? AND device_id = ?`,
			size, serviceID, deviceID)
		if err != nil {
			return fmt.Errorf("transport: update queue size: %w", err)
		}
		return nil
	})
	return deleted, err
}

// ExpireEnvelopes implements [Store].
func (s *SQLiteStore) ExpireEnvelopes(ctx context.Context, cutoff, dupCutoff time.Time) (int64, error) {
	var removed int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		removed = 0
		rows, err := tx.QueryContext(ctx, `DELETE FROM envelopes WHERE stored_at < ? RETURNING service_id, device_id, length(content)`, millis(cutoff))
		if err != nil {
			return fmt.Errorf("transport: expire envelopes: %w", err)
		}
		type queueKey struct {
			serviceID string
			deviceID  uint32
		}
		type delta struct{ count, bytes int64 }
		deltas := map[queueKey]delta{}
		for rows.Next() {
			var k queueKey
			var size int64
			if err := rows.Scan(&k.serviceID, &k.deviceID, &size); err != nil {
				rows.Close()
				return fmt.Errorf("transport: expire envelopes: %w", err)
			}
			d := deltas[k]
			d.count++
			d.bytes += size
			deltas[k] = d
			removed++
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("transport: expire envelopes: %w", err)
		}
		for k, d := range deltas {
			_, err := tx.ExecContext(ctx, `UPDATE devices SET queue_count = queue_count - ?, queue_bytes = queue_bytes - ? WHERE service_id = ? AND device_id = ?`,
				d.count, d.bytes, k.serviceID, k.deviceID)
			if err != nil {
				return fmt.Errorf("transport: update queue size: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sent_messages WHERE created_at < ?`, millis(dupCutoff)); err != nil {
			return fmt.Errorf("transport: expire message ids: %w", err)
		}
		return nil
	})
	return removed, err
}

// QueueDepth implements [Store].
func (s *SQLiteStore) QueueDepth(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(queue_count), 0) FROM devices`).Scan(&n); err != nil {
		return 0, fmt.Errorf("transport: queue depth: %w", err)
	}
	return n, nil
}

// PutAttachment implements [Store].
func (s *SQLiteStore) PutAttachment(ctx context.Context, id string, data []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO attachments (id, data, created_at) VALUES (?, ?, ?)`, id, data, millis(time.Now()))
		if err != nil {
			return fmt.Errorf("transport: store attachment: %w", err)
		}
		return nil
	})
}

// Attachment implements [Store].
func (s *SQLiteStore) Attachment(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := s.read.QueryRowContext(ctx, `SELECT data FROM attachments WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("transport: attachment %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("transport: read attachment: %w", err)
	}
	return data, nil
}
