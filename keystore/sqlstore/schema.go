package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// schemaVersion is the schema this package writes. Open migrates older
// files up to it and rejects newer ones with ErrNewerSchema.
const schemaVersion = 2

// formatName is the value of the "format" meta row, which distinguishes a
// keystore from any other SQLite database.
const formatName = "parley-keystore"

// Table names. They are also part of every row's associated data, so a
// table must never be renamed without re-sealing its rows.
const (
	tableLocal         = "local"
	tableIdentities    = "identities"
	tablePreKeys       = "prekeys"
	tableSignedPreKeys = "signed_prekeys"
	tableKyberPreKeys  = "kyber_prekeys"
	tableKyberUses     = "kyber_uses"
	tableSessions      = "sessions"
	tableSenderKeys    = "sender_keys"
	tableAppData       = "app_data"
)

// localIdentityKey is the logical key of the identity row in tableLocal.
const localIdentityKey = "identity"

// migrations[i] moves a database from schema version i to i+1. Entries
// are only ever appended.
var migrations = []func(tx *sql.Tx) error{
	migrateV1,
	migrateV2,
}

// migrateV1 creates the first schema. Every data table has a 32-byte
// HMAC of the logical key as primary key and a sealed value.
func migrateV1(tx *sql.Tx) error {
	stmts := []string{
		`CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID`,
	}
	for _, t := range []string{tableLocal, tableIdentities, tablePreKeys, tableSignedPreKeys, tableKyberPreKeys, tableKyberUses, tableSessions, tableSenderKeys} {
		stmts = append(stmts, `CREATE TABLE `+t+` (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID`)
	}
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return fmt.Errorf("sqlstore: creating schema: %w", err)
		}
	}
	return nil
}

// migrateV2 adds the table for application records.
func migrateV2(tx *sql.Tx) error {
	if _, err := tx.Exec(`CREATE TABLE ` + tableAppData + ` (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID`); err != nil {
		return fmt.Errorf("sqlstore: creating schema: %w", err)
	}
	return nil
}

// migrate runs the migrations from version from up to schemaVersion and
// records the new version.
func migrate(tx *sql.Tx, from int) error {
	if from == schemaVersion {
		return nil
	}
	for v := from; v < schemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return err
		}
	}
	return setMeta(tx, "schema_version", strconv.Itoa(schemaVersion))
}

// meta is the content of the meta table.
type meta struct {
	version  int
	wrapping wrapping
	wrapped  []byte
}

func setMeta(tx *sql.Tx, name string, value any) error {
	_, err := tx.Exec(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	if err != nil {
		return fmt.Errorf("sqlstore: writing meta %s: %w", name, err)
	}
	return nil
}

// writeMeta stores the format name and the wrapped data key with its
// parameters.
func writeMeta(tx *sql.Tx, w wrapping, wrapped []byte) error {
	rows := []struct {
		name  string
		value any
	}{
		{"format", formatName},
		{"kdf", w.kdf},
		{"wrapped_key", wrapped},
		{"argon2_time", strconv.FormatUint(uint64(w.argon2.Time), 10)},
		{"argon2_memory_kib", strconv.FormatUint(uint64(w.argon2.Memory), 10)},
		{"argon2_threads", strconv.FormatUint(uint64(w.argon2.Threads), 10)},
		{"argon2_salt", w.salt},
	}
	for _, r := range rows {
		if r.value == nil {
			r.value = []byte{}
		}
		if b, ok := r.value.([]byte); ok && b == nil {
			r.value = []byte{}
		}
		if err := setMeta(tx, r.name, r.value); err != nil {
			return err
		}
	}
	return nil
}

// readMeta reads and checks the meta table. A database without one, or
// with another format name, is ErrNotKeystore.
func readMeta(tx *sql.Tx) (*meta, error) {
	rows, err := tx.Query(`SELECT name, value FROM meta`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, ErrNotKeystore
		}
		return nil, dbError(err)
	}
	defer rows.Close()
	values := map[string][]byte{}
	for rows.Next() {
		var name string
		var value []byte
		if err := rows.Scan(&name, &value); err != nil {
			return nil, dbError(err)
		}
		values[name] = value
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	if string(values["format"]) != formatName {
		return nil, ErrNotKeystore
	}

	m := &meta{}
	v, err := strconv.Atoi(string(values["schema_version"]))
	if err != nil || v < 1 {
		return nil, fmt.Errorf("%w: invalid schema_version %q", ErrNotKeystore, values["schema_version"])
	}
	m.version = v
	if v > schemaVersion {
		// A newer schema may store the key differently; stop here.
		return m, nil
	}

	m.wrapped = values["wrapped_key"]
	m.wrapping.kdf = string(values["kdf"])
	switch m.wrapping.kdf {
	case kdfRaw:
	case kdfArgon2id:
		p, err := parseArgon2(values)
		if err != nil {
			return nil, err
		}
		m.wrapping.argon2 = p
		m.wrapping.salt = values["argon2_salt"]
		if len(m.wrapping.salt) != saltSize {
			return nil, fmt.Errorf("%w: Argon2 salt is %d bytes, want %d", ErrWrongKey, len(m.wrapping.salt), saltSize)
		}
	default:
		return nil, fmt.Errorf("%w: unknown key wrapping %q", ErrNotKeystore, m.wrapping.kdf)
	}
	return m, nil
}

func parseArgon2(values map[string][]byte) (Argon2Params, error) {
	var out [3]uint64
	for i, name := range []string{"argon2_time", "argon2_memory_kib", "argon2_threads"} {
		n, err := strconv.ParseUint(string(values[name]), 10, 32)
		if err != nil {
			return Argon2Params{}, fmt.Errorf("%w: invalid %s %q", ErrWrongKey, name, values[name])
		}
		out[i] = n
	}
	if out[2] > 255 {
		return Argon2Params{}, fmt.Errorf("%w: invalid argon2_threads %d", ErrWrongKey, out[2])
	}
	p := Argon2Params{Time: uint32(out[0]), Memory: uint32(out[1]), Threads: uint8(out[2])}
	if err := p.validate(); err != nil {
		return Argon2Params{}, errors.Join(ErrWrongKey, err)
	}
	return p, nil
}
