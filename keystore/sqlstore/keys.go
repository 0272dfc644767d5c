package sqlstore

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	dataKeySize = chacha20poly1305.KeySize
	nonceSize   = chacha20poly1305.NonceSizeX
	saltSize    = 16

	// Labels for HKDF-SHA256 over the data key. The sealing key and the
	// index key are separate so that no key is used by two algorithms.
	sealKeyLabel  = "parley keystore v1 seal key"
	indexKeyLabel = "parley keystore v1 index key"
	wrapLabel     = "parley keystore v1 data key"
	sealLabel     = "parley keystore v1 row"
)

// Key wrapping modes stored in the meta table.
const (
	kdfArgon2id = "argon2id"
	kdfRaw      = "raw"
)

// Argon2Params are the Argon2id parameters that turn a passphrase into the
// key that wraps the data key.
type Argon2Params struct {
	// Time is the number of passes over the memory.
	Time uint32
	// Memory is the memory size in KiB.
	Memory uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultArgon2 is used when Options.Argon2 is nil: 3 passes over 64 MiB
// with 4 threads. Open with these parameters took about 170 ms on a 2-core
// AMD EPYC test machine (BenchmarkOpen). Slow phones may take several
// times longer.
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 4}

// Limits on stored Argon2 parameters, so that a tampered meta table cannot
// make Open allocate without bound.
const (
	maxArgon2Time   = 100
	maxArgon2Memory = 4 * 1024 * 1024 // 4 GiB in KiB
)

func (p Argon2Params) validate() error {
	if p.Time == 0 || p.Memory < 8*uint32(p.Threads) || p.Threads == 0 {
		return fmt.Errorf("sqlstore: invalid Argon2 parameters time=%d memory=%d KiB threads=%d", p.Time, p.Memory, p.Threads)
	}
	if p.Time > maxArgon2Time || p.Memory > maxArgon2Memory {
		return fmt.Errorf("sqlstore: Argon2 parameters time=%d memory=%d KiB exceed the limits %d and %d KiB", p.Time, p.Memory, maxArgon2Time, maxArgon2Memory)
	}
	return nil
}

// wrapping describes how the data key is wrapped: the mode and, for a
// passphrase, the Argon2id parameters and salt.
type wrapping struct {
	kdf    string
	argon2 Argon2Params
	salt   []byte
}

// additionalData binds the wrapped key to its mode and parameters, so a
// changed parameter in the meta table fails like a wrong key.
func (w wrapping) additionalData() []byte {
	ad := []byte(wrapLabel)
	ad = append(ad, 0)
	ad = append(ad, w.kdf...)
	ad = append(ad, 0)
	if w.kdf == kdfArgon2id {
		ad = binary.BigEndian.AppendUint32(ad, w.argon2.Time)
		ad = binary.BigEndian.AppendUint32(ad, w.argon2.Memory)
		ad = append(ad, w.argon2.Threads)
		ad = append(ad, w.salt...)
	}
	return ad
}

// wrappingKey derives the key-encryption key from the options.
func (w wrapping) wrappingKey(opts *Options) []byte {
	if w.kdf == kdfRaw {
		return opts.Key[:]
	}
	return argon2.IDKey(opts.Passphrase, w.salt, w.argon2.Time, w.argon2.Memory, w.argon2.Threads, dataKeySize)
}

// wrapKey seals dataKey under kek, returning nonce || ciphertext.
func wrapKey(rand io.Reader, kek, dataKey, ad []byte) ([]byte, error) {
	return sealWith(rand, kek, dataKey, ad)
}

// unwrapKey opens a wrapped data key. Any failure is ErrWrongKey, because a
// wrong key and a tampered wrapped key cannot be distinguished.
func unwrapKey(kek, wrapped, ad []byte) ([]byte, error) {
	if len(wrapped) != nonceSize+dataKeySize+chacha20poly1305.Overhead {
		return nil, ErrWrongKey
	}
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	key, err := aead.Open(nil, wrapped[:nonceSize], wrapped[nonceSize:], ad)
	if err != nil {
		return nil, ErrWrongKey
	}
	return key, nil
}

func sealWith(rand io.Reader, key, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, nonceSize, nonceSize+len(plaintext)+aead.Overhead())
	if _, err := io.ReadFull(rand, out); err != nil {
		return nil, fmt.Errorf("sqlstore: reading random nonce: %w", err)
	}
	return aead.Seal(out, out, plaintext, ad), nil
}

// rowCipher seals row values and computes the hidden primary keys. It is
// derived from the data key, which never changes for the life of a file.
type rowCipher struct {
	seal  []byte // XChaCha20-Poly1305 key for row values
	index []byte // HMAC-SHA256 key for primary keys
}

func newRowCipher(dataKey []byte) (*rowCipher, error) {
	seal, err := hkdf.Key(sha256.New, dataKey, nil, sealKeyLabel, dataKeySize)
	if err != nil {
		return nil, err
	}
	index, err := hkdf.Key(sha256.New, dataKey, nil, indexKeyLabel, sha256.Size)
	if err != nil {
		return nil, err
	}
	return &rowCipher{seal: seal, index: index}, nil
}

func (c *rowCipher) wipe() {
	clear(c.seal)
	clear(c.index)
}

// rowKey returns the stored primary key of a row: HMAC-SHA256 over the
// table name and the row's logical key, so the file does not show which
// addresses or ids it holds.
func (c *rowCipher) rowKey(table string, key []byte) []byte {
	m := hmac.New(sha256.New, c.index)
	m.Write(rowAD(table, key))
	return m.Sum(nil)
}

// rowAD is the associated data of a row: label, table name and logical
// key, each length-prefixed, so a value moved to another row or table
// fails to open.
func rowAD(table string, key []byte) []byte {
	ad := make([]byte, 0, len(sealLabel)+len(table)+len(key)+12)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(sealLabel)))
	ad = append(ad, sealLabel...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(table)))
	ad = append(ad, table...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(key)))
	return append(ad, key...)
}

func (c *rowCipher) sealRow(rand io.Reader, table string, key, value []byte) ([]byte, error) {
	return sealWith(rand, c.seal, value, rowAD(table, key))
}

var errOpen = errors.New("sqlstore: authentication failed")

func (c *rowCipher) openRow(table string, key, sealed []byte) ([]byte, error) {
	if len(sealed) < nonceSize+chacha20poly1305.Overhead {
		return nil, errOpen
	}
	aead, err := chacha20poly1305.NewX(c.seal)
	if err != nil {
		return nil, err
	}
	out, err := aead.Open(nil, sealed[:nonceSize], sealed[nonceSize:], rowAD(table, key))
	if err != nil {
		return nil, errOpen
	}
	return out, nil
}
