package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
)

var (
	// ErrWrongKey is returned by Open when the passphrase or raw key does
	// not unwrap the data key, including when the store was created in the
	// other mode. The same error covers a tampered meta table.
	ErrWrongKey = errors.New("sqlstore: wrong passphrase or key")
	// ErrNotKeystore is returned by Open for a file that is not a SQLite
	// database or has no keystore meta table.
	ErrNotKeystore = errors.New("sqlstore: file is not a keystore")
	// ErrNewerSchema is returned by Open for a keystore written by a newer
	// version of this package.
	ErrNewerSchema = errors.New("sqlstore: keystore schema is newer than this package supports")
	// ErrCorrupt is wrapped by *CorruptError for a row that fails
	// authentication, and by the error for a damaged database file.
	ErrCorrupt = errors.New("sqlstore: corrupt data")
	// ErrInUse is returned by Create and Open when another Store, in this
	// process or another, has the file open.
	ErrInUse = errors.New("sqlstore: keystore is in use")
	// ErrClosed is returned by calls on a closed Store.
	ErrClosed = errors.New("sqlstore: store is closed")
)

// CorruptError reports a row whose sealed value fails authentication or
// does not decode: it was changed, moved from another row, or damaged.
// Other rows stay readable.
type CorruptError struct {
	// Table is the SQL table of the row.
	Table string
	// Key is the row's logical key, such as an address or a prekey id.
	Key string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("sqlstore: corrupt row in table %s, key %q", e.Table, e.Key)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Durability selects how far a commit is on disk when Update returns.
type Durability int

const (
	// DurabilityFull syncs the write-ahead log on every commit
	// (synchronous=FULL), so a committed Update survives a power loss.
	DurabilityFull Durability = iota
	// DurabilityNormal syncs only at checkpoints (WAL with
	// synchronous=NORMAL). A power loss or OS crash may lose the last
	// commits but never corrupts the file. A process crash loses nothing.
	DurabilityNormal
)

// Options configure Create and Open. Exactly one of Passphrase and Key
// must be set.
type Options struct {
	// Passphrase wraps the data key with a key derived by Argon2id.
	Passphrase []byte
	// Key wraps the data key directly, for a key held in an OS keychain.
	// It must be uniformly random.
	Key *[32]byte
	// Durability defaults to DurabilityFull.
	Durability Durability
	// Argon2 sets the Argon2id parameters that Create and ChangePassphrase
	// use. nil means DefaultArgon2 (time 3, memory 64 MiB, threads 4). Open
	// unwraps with the parameters stored in the file, whatever this is.
	Argon2 *Argon2Params
	// Rand is the source of keys, salts and nonces; nil means
	// crypto/rand.Reader.
	Rand io.Reader
}

func (o *Options) validate() error {
	if (len(o.Passphrase) > 0) == (o.Key != nil) {
		return errors.New("sqlstore: set exactly one of Options.Passphrase and Options.Key")
	}
	if o.Durability != DurabilityFull && o.Durability != DurabilityNormal {
		return fmt.Errorf("sqlstore: invalid durability %d", o.Durability)
	}
	return o.argon2().validate()
}

func (o *Options) argon2() Argon2Params {
	if o.Argon2 == nil {
		return DefaultArgon2
	}
	return *o.Argon2
}

func (o *Options) rand() io.Reader {
	if o.Rand == nil {
		return rand.Reader
	}
	return o.Rand
}

// Store is a keystore.Store kept in one SQLite file, with every value
// sealed. It is safe for concurrent use: Update and View calls run one at
// a time.
type Store struct {
	mu   sync.Mutex
	db   *sql.DB
	lock *os.File
	rows *rowCipher
	// dataKey is kept while the store is open so that ChangePassphrase
	// can rewrap it. The row keys derived from it are as sensitive.
	dataKey []byte
	rand    io.Reader
	argon2  Argon2Params
	path    string
}

var _ keystore.Store = (*Store)(nil)

// Create creates a keystore file at path for a device with the given
// identity key pair and registration ID. It fails if path exists.
func Create(path string, identity curve.KeyPair, registrationID uint32, opts Options) (*Store, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if identity.Private.IsZero() {
		return nil, errors.New("sqlstore: identity key pair is zero")
	}
	lock, err := lockFile(path)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("sqlstore: creating keystore: %w", err)
	}
	f.Close()

	s, err := create(path, lock, identity, registrationID, &opts)
	if err != nil {
		lock.Close()
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		return nil, err
	}
	return s, nil
}

func create(path string, lock *os.File, identity curve.KeyPair, registrationID uint32, opts *Options) (*Store, error) {
	db, err := openDB(path, opts.Durability)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, lock: lock, rand: opts.rand(), argon2: opts.argon2(), path: path}

	dataKey := make([]byte, dataKeySize)
	s.dataKey = dataKey
	if _, err := io.ReadFull(s.rand, dataKey); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: reading random data key: %w", err)
	}
	if s.rows, err = newRowCipher(dataKey); err != nil {
		db.Close()
		return nil, err
	}
	w, wrapped, err := s.wrap(dataKey, opts)
	if err != nil {
		db.Close()
		return nil, err
	}

	err = s.withTx(context.Background(), func(tx *sql.Tx) error {
		if err := migrate(tx, 0); err != nil {
			return err
		}
		if err := writeMeta(tx, w, wrapped); err != nil {
			return err
		}
		st := &storeTx{s: s, ctx: context.Background(), tx: tx}
		return st.put(tableLocal, []byte(localIdentityKey), "identity", encodeLocal(identity, registrationID))
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Open opens an existing keystore file.
func Open(path string, opts Options) (*Store, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlstore: opening keystore: %w", err)
	}
	lock, err := lockFile(path)
	if err != nil {
		return nil, err
	}
	s, err := open(path, lock, &opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

func open(path string, lock *os.File, opts *Options) (*Store, error) {
	db, err := openDB(path, opts.Durability)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, lock: lock, rand: opts.rand(), argon2: opts.argon2(), path: path}
	if err := s.unlock(opts); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// unlock reads the meta table, unwraps the data key and then, and only
// then, runs pending migrations.
func (s *Store) unlock(opts *Options) error {
	return s.withTx(context.Background(), func(tx *sql.Tx) error {
		m, err := readMeta(tx)
		if err != nil {
			return err
		}
		if m.version > schemaVersion {
			return fmt.Errorf("%w: file has version %d, this package supports up to %d", ErrNewerSchema, m.version, schemaVersion)
		}
		if (m.wrapping.kdf == kdfRaw) != (opts.Key != nil) {
			return ErrWrongKey
		}
		kek := m.wrapping.wrappingKey(opts)
		dataKey, err := unwrapKey(kek, m.wrapped, m.wrapping.additionalData())
		if opts.Key == nil {
			clear(kek)
		}
		if err != nil {
			return err
		}
		s.dataKey = dataKey
		if s.rows, err = newRowCipher(dataKey); err != nil {
			return err
		}
		return migrate(tx, m.version)
	})
}

// wrap wraps dataKey in the mode that opts select, with a fresh salt for a
// passphrase.
func (s *Store) wrap(dataKey []byte, opts *Options) (wrapping, []byte, error) {
	w := wrapping{kdf: kdfRaw}
	if opts.Key == nil {
		w = wrapping{kdf: kdfArgon2id, argon2: s.argon2, salt: make([]byte, saltSize)}
		if _, err := io.ReadFull(s.rand, w.salt); err != nil {
			return wrapping{}, nil, fmt.Errorf("sqlstore: reading random salt: %w", err)
		}
	}
	kek := w.wrappingKey(opts)
	if opts.Key == nil {
		defer clear(kek)
	}
	wrapped, err := wrapKey(s.rand, kek, dataKey, w.additionalData())
	return w, wrapped, err
}

// ChangePassphrase rewraps the data key under newPassphrase with a fresh
// salt and the Argon2 parameters given to Create or Open. No row is
// re-encrypted. It also turns a raw-key store into a passphrase store.
func (s *Store) ChangePassphrase(newPassphrase []byte) error {
	if len(newPassphrase) == 0 {
		return errors.New("sqlstore: empty passphrase")
	}
	return s.rewrap(&Options{Passphrase: newPassphrase})
}

// ChangeKey rewraps the data key under a new raw key. It also turns a
// passphrase store into a raw-key store.
func (s *Store) ChangeKey(newKey *[32]byte) error {
	if newKey == nil {
		panic("sqlstore: ChangeKey with a nil key")
	}
	return s.rewrap(&Options{Key: newKey})
}

func (s *Store) rewrap(opts *Options) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return ErrClosed
	}
	return s.withTx(context.Background(), func(tx *sql.Tx) error {
		w, wrapped, err := s.wrap(s.dataKey, opts)
		if err != nil {
			return err
		}
		return writeMeta(tx, w, wrapped)
	})
}

// Close closes the database and releases the file lock. It is safe to call
// more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	s.rows.wipe()
	clear(s.dataKey)
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

// Update implements keystore.Store. It runs fn in one SQL transaction
// started with BEGIN IMMEDIATE and commits it if fn returns nil. With
// DurabilityFull the commit is on disk when Update returns.
func (s *Store) Update(ctx context.Context, fn func(tx keystore.Tx) error) error {
	return s.run(ctx, false, fn)
}

// View implements keystore.Store. Writes through its Tx return
// keystore.ErrReadOnly.
func (s *Store) View(ctx context.Context, fn func(tx keystore.Tx) error) error {
	return s.run(ctx, true, fn)
}

func (s *Store) run(ctx context.Context, readOnly bool, fn func(tx keystore.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return ErrClosed
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		return fn(&storeTx{s: s, ctx: ctx, tx: tx, readOnly: readOnly})
	})
}

// withTx runs fn in a transaction and commits if fn returns nil. The
// transaction is rolled back if fn fails or panics, so the single
// connection is never left inside a transaction.
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return dbError(err)
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return cancelled(ctx, err)
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return cancelled(ctx, dbError(err))
	}
	return nil
}

// openDB opens path with one connection. Every transaction starts with
// BEGIN IMMEDIATE, so it takes the write lock at once.
func openDB(path string, d Durability) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlstore: path %q contains '?' or '#'", path)
	}
	sync := "FULL"
	if d == DurabilityNormal {
		sync = "NORMAL"
	}
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", sync)
	q.Set("_busy_timeout", "5000")
	q.Add("_pragma", "secure_delete(ON)")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, dbError(err)
	}
	return db, nil
}

// dbError maps SQLite's "not a database" to ErrNotKeystore.
func dbError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %w", ErrNotKeystore, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: the database file is damaged: %w", ErrCorrupt, err)
		}
	}
	return fmt.Errorf("sqlstore: %w", err)
}

// Format prints the file path only, for every verb, so the data key never
// reaches a log.
func (s *Store) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "sqlstore.Store{%s}", s.path)
}

// cancelled reports a failure caused by ctx as ctx's error. database/sql
// rolls a transaction back itself when its context ends, and the next
// statement then fails with sql.ErrTxDone, which hides the cause.
func cancelled(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("sqlstore: transaction abandoned: %w (%v)", ctxErr, err)
	}
	return err
}
