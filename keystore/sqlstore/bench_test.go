package sqlstore

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// connectDevices starts a session from a to b and has b reply, so both
// sides send Whisper messages afterwards.
func connectDevices(tb testing.TB, a, b *device) {
	tb.Helper()
	require.NoError(tb, a.cipher.ProcessBundle(ctx, b.addr, b.bundle(1)))
	b.mustDecrypt(a, a.encrypt(b, "hello"), "hello")
	a.mustDecrypt(b, b.encrypt(a, "hi"), "hi")
}

// BenchmarkEncryptDecrypt measures one 1 KiB Whisper message encrypted by
// one device and decrypted by another, each in its own committed Update.
func BenchmarkEncryptDecrypt(b *testing.B) {
	msg := bytes.Repeat([]byte{'m'}, 1024)
	run := func(b *testing.B, ca, cb *session.Cipher) {
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			typ, data, err := ca.Encrypt(ctx, bob, msg)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cb.Decrypt(ctx, alice, typ, data); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, d := range []Durability{DurabilityFull, DurabilityNormal} {
		name := map[Durability]string{DurabilityFull: "full", DurabilityNormal: "normal"}[d]
		b.Run("sqlite-"+name, func(b *testing.B) {
			opts := Options{Key: new([32]byte), Durability: d}
			da, db := newDevice(b, alice, opts), newDevice(b, bob, opts)
			connectDevices(b, da, db)
			run(b, da.cipher, db.cipher)
		})
	}
	b.Run("memory", func(b *testing.B) {
		da, db := newMemoryDevice(b, alice), newMemoryDevice(b, bob)
		connectDevices(b, da, db)
		run(b, da.cipher, db.cipher)
	})
}

func newMemoryDevice(tb testing.TB, addr keystore.Address) *device {
	d := &device{t: tb, addr: addr, regID: 1000 + addr.DeviceID, id: newIdentity(tb)}
	d.cipher = &session.Cipher{Store: keystore.NewMemoryStore(d.id, d.regID), LocalAddress: addr}
	return d
}

// BenchmarkOpen measures Open, one session read and Close of a store that
// holds 10,000 sessions of 1 KiB each. "passphrase-small" uses the test
// Argon2 parameters and "passphrase-default" uses DefaultArgon2.
func BenchmarkOpen(b *testing.B) {
	for _, mode := range []string{"passphrase-small", "passphrase-default", "rawkey"} {
		b.Run(mode, func(b *testing.B) {
			opts := testOptions("pw")
			switch mode {
			case "passphrase-default":
				opts.Argon2 = nil
			case "rawkey":
				opts = Options{Key: new([32]byte)}
			}
			opts.Durability = DurabilityNormal
			path := filepath.Join(b.TempDir(), "big.db")
			s, err := Create(path, newIdentity(b), 1, opts)
			require.NoError(b, err)
			rec := make([]byte, 1024)
			_, err = rand.Read(rec)
			require.NoError(b, err)
			require.NoError(b, s.Update(ctx, func(tx keystore.Tx) error {
				for i := range 10000 {
					a := keystore.Address{Name: fmt.Sprintf("user-%d", i), DeviceID: 1}
					if err := tx.StoreSession(ctx, a, rec); err != nil {
						return err
					}
				}
				return nil
			}))
			require.NoError(b, s.Close())

			b.ReportAllocs()
			for b.Loop() {
				s, err := Open(path, opts)
				if err != nil {
					b.Fatal(err)
				}
				err = s.View(ctx, func(tx keystore.Tx) error {
					_, err := tx.Session(ctx, keystore.Address{Name: "user-5000", DeviceID: 1})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
