package sqlstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// crashEnv names the directory of a crash test child. When it is set, the
// test binary runs crashChild instead of the tests.
const crashEnv = "PARLEY_SQLSTORE_CRASH_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild opens alice's store in dir and encrypts messages to bob until
// it is killed, appending each ciphertext to dir/out once Encrypt returns.
// It stops by itself after two seconds.
func crashChild(dir string) error {
	s, err := Open(filepath.Join(dir, "alice.db"), testOptions("alice"))
	if err != nil {
		return err
	}
	defer s.Close()
	out, err := os.OpenFile(filepath.Join(dir, "out"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()

	c := &session.Cipher{Store: s, LocalAddress: alice}
	deadline := time.Now().Add(2 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		typ, data, err := c.Encrypt(ctx, bob, fmt.Appendf(nil, "message %d", i))
		if err != nil {
			return err
		}
		if typ != session.MessageTypeWhisper {
			return fmt.Errorf("message type %d, want Whisper", typ)
		}
		rec := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		if _, err := out.Write(append(rec, data...)); err != nil {
			return err
		}
	}
	return nil
}

// readRecords returns the complete length-prefixed records in b. A record
// cut short by the kill is dropped: its message was never sent.
func readRecords(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 4 {
		n := int(binary.BigEndian.Uint32(b))
		if len(b)-4 < n {
			break
		}
		out = append(out, b[4:4+n])
		b = b[4+n:]
	}
	return out
}

func counterOf(t *testing.T, data []byte) uint32 {
	t.Helper()
	m, err := session.ParseSignalMessage(data)
	require.NoError(t, err)
	return m.Counter
}

func TestCrashDuringEncrypt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	a := newDevice(t, alice, testOptions("alice"))
	b := newDevice(t, bob, testOptions("bob"))
	require.NoError(t, a.cipher.ProcessBundle(ctx, b.addr, b.bundle(1)))
	b.mustDecrypt(a, a.encrypt(b, "hello"), "hello")
	a.mustDecrypt(b, b.encrypt(a, "hi"), "hi")
	last := counterOf(t, a.encrypt(b, "before children").data)
	require.NoError(t, a.store.Close())
	require.NoError(t, os.Rename(a.path, filepath.Join(dir, "alice.db")))
	a.path = filepath.Join(dir, "alice.db")

	decrypted := 0
	for round := range 3 {
		outPath := filepath.Join(dir, "out")
		require.NoError(t, os.WriteFile(outPath, nil, 0o600))

		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())

		// Wait for the first ciphertext, then kill at a random moment.
		start := time.Now()
		for time.Since(start) < 10*time.Second {
			if fi, err := os.Stat(outPath); err == nil && fi.Size() > 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		err := cmd.Wait()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "round %d: child ended with %v before the kill", round, err)

		b2, err := os.ReadFile(outPath)
		require.NoError(t, err)
		recs := readRecords(b2)
		require.NotEmpty(t, recs, "round %d", round)
		for _, data := range recs {
			c := counterOf(t, data)
			require.Greater(t, c, last, "round %d: counter reused", round)
			last = c
			pt, err := b.cipher.Decrypt(ctx, a.addr, session.MessageTypeWhisper, data)
			require.NoError(t, err, "round %d counter %d", round, c)
			require.Contains(t, string(pt), "message ")
			decrypted++
		}
		t.Logf("round %d: %d messages before the kill", round, len(recs))
	}

	// The parent opens the file the children were killed on.
	s, err := Open(a.path, a.opts)
	require.NoError(t, err)
	a.attach(s)
	next := a.encrypt(b, "after the crashes")
	require.Greater(t, counterOf(t, next.data), last, "the next encrypt uses a new counter")
	b.mustDecrypt(a, next, "after the crashes")
	a.mustDecrypt(b, b.encrypt(a, "reply"), "reply")
	require.NoError(t, b.store.View(ctx, func(tx keystore.Tx) error {
		rec, err := tx.Session(ctx, a.addr)
		require.NotNil(t, rec)
		return err
	}))
	t.Logf("%d messages decrypted in all", decrypted)
}
