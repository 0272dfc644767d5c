// Package sqlstore is a [keystore.Store] kept in one SQLite file and
// encrypted at rest. It runs on modernc.org/sqlite, a SQLite compiled to
// pure Go, so it needs no cgo.
//
// A device calls [Create] once with its identity key pair and registration
// ID, then [Open] on later starts, and passes the Store to a session.Cipher.
// Each [Store.Update] is one SQL transaction started with BEGIN IMMEDIATE,
// so the session update of an encrypt or decrypt, the removal of the
// one-time prekey it used and the saved identity key commit together or not
// at all. A function that returns an error rolls the transaction back.
//
// # Encryption
//
// Create draws a random 32-byte data key. The data key is stored only
// wrapped (sealed with XChaCha20-Poly1305), in one of two ways:
//
//   - Options.Passphrase: the wrapping key is Argon2id(passphrase, salt)
//     with a random 16-byte salt. The parameters and salt are stored in the
//     meta table and bound to the wrapped key as associated data.
//     [DefaultArgon2] is time 3, memory 64 MiB, threads 4.
//   - Options.Key: the application supplies a raw 32-byte wrapping key, for
//     example one kept in an OS keychain.
//
// [Store.ChangePassphrase] and [Store.ChangeKey] rewrap the data key and
// re-encrypt no row. A copy of the file taken before the change still opens
// with the old passphrase, and the data key it yields also opens the
// current file.
//
// HKDF-SHA256 derives two keys from the data key: a sealing key and an
// index key. Every value in every data table is sealed with
// XChaCha20-Poly1305 under the sealing key with a random nonce. The
// associated data is the table name and the row's logical key: an address,
// a prekey id, an address with a distribution ID, or the name of an
// application record. A value moved to
// another row or table therefore fails to open. The stored primary key is not the
// logical key but HMAC-SHA256 of the table name and logical key under the
// index key.
//
// The sealed values are:
//
//   - the local identity private key with the registration ID;
//   - the identity public keys of remote addresses;
//   - one-time, signed and Kyber prekeys: private key or Kyber seed,
//     signature and creation time;
//   - the used (Kyber prekey, signed prekey, base key) triples of
//     last-resort Kyber prekeys;
//   - session records, sender key records and application records.
//
// # What a stolen file reveals
//
// Without the passphrase or raw key, a copy of the file shows:
//
//   - that it is a Parley keystore, its schema version, the wrapping mode,
//     and the Argon2id parameters and salt, which an attacker needs for an
//     offline guessing attack on the passphrase;
//   - the number of rows in each table: how many remote identities,
//     sessions, sender keys and prekeys the device holds;
//   - the approximate size of each value, so roughly how many archived
//     states a session record holds;
//   - which rows changed between two copies, because a row keeps the same
//     primary key for its whole life.
//
// Addresses, prekey ids and distribution IDs are not stored in plaintext:
// only their HMACs are, and testing a guessed address needs the data key.
//
// SQLite's secure_delete is on, so deleted rows are overwritten in the
// main file. Old sealed versions of a page can stay in the write-ahead log
// (path+"-wal") until a checkpoint.
//
// # Durability
//
// The file always uses SQLite's write-ahead log (WAL).
//
//   - [DurabilityFull] (synchronous=FULL) syncs the log on every commit:
//     when Update returns, the commit survives a power loss.
//   - [DurabilityNormal] (synchronous=NORMAL) syncs only at checkpoints. A
//     power loss or OS crash may lose the last commits but never corrupts
//     the file. A crash of the process alone loses nothing.
//
// Losing commits after a power loss is not harmless for a ratchet: the
// device may send again with a message key that it already used, and
// messages that it had received may then fail to decrypt.
// DurabilityNormal trades that risk for speed. BenchmarkEncryptDecrypt
// measures one 1 KiB encrypt plus decrypt, each with its own commit. Over
// several runs on 2 cores of an AMD EPYC shared with other jobs, it took 1.1
// to 1.9 ms with DurabilityFull, 0.36 to 0.56 ms with DurabilityNormal and
// 0.12 to 0.15 ms with keystore.MemoryStore. Sync cost depends heavily on
// the disk.
//
// # Concurrency
//
// A Store is safe for concurrent use. It has one SQLite connection and a
// mutex, so Update and View calls run one at a time. On Unix, Create and
// Open take an exclusive flock on path+".lock" for the life of the Store,
// so a second Store on the same file, in this process or another, gets
// [ErrInUse]. The kernel releases the lock when the process dies. The lock
// file is never removed, because removing it would race with another Open.
//
// # Schema
//
// The meta table holds the format name, schema_version and the wrapped
// key. Open runs the migrations from the file's version up to the version
// of this package after the key is checked, and rejects a newer version
// with [ErrNewerSchema].
//
// # Errors
//
// A wrong passphrase or key gives [ErrWrongKey] and writes nothing. A file
// that is not a keystore gives [ErrNotKeystore]. A row that fails
// authentication when read gives a [*CorruptError] that wraps [ErrCorrupt]
// and names the table and logical key. Other rows stay readable. A
// database file that SQLite itself finds damaged gives an error that wraps
// [ErrCorrupt] and SQLite's message. A cancelled context gives an error
// that wraps the context's error, and nothing is committed.
//
// The data key and the keys derived from it stay in memory while the Store
// is open, and Close overwrites them. Go may have copied them elsewhere, so
// the wipe is best-effort.
package sqlstore
