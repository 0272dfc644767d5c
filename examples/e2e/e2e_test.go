package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitTimeout bounds every wait for a line of output or a process exit.
const waitTimeout = 60 * time.Second

// TestChatEndToEnd runs a relay and two line-mode chat clients as separate
// processes: messages both ways, receipts, a file, a group, a client that
// is offline while messages arrive, and a relay restart. Finally it reads
// every file the relay wrote and looks for each plaintext sent.
func TestChatEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example binaries")
	}
	dir := t.TempDir()
	bin := buildExamples(t, dir)
	relayDir := filepath.Join(dir, "relay-data")
	addr := freeAddress(t)

	relay := startRelay(t, bin, relayDir, addr)
	info := relay.relayInfo(t)
	chatArgs := func(name string) []string {
		return []string{"-line", "-relay", info["relay"], "-tls-sha256", info["tls-sha256"], "-trust-root", info["trust-root"],
			"-dir", filepath.Join(dir, name), "-name", name}
	}
	alice := startProcess(t, filepath.Join(bin, "chat"), chatArgs("alice")...)
	bob := startProcess(t, filepath.Join(bin, "chat"), chatArgs("bob")...)
	alice.expect(t, "ready ")
	bob.expect(t, "ready ")

	var plaintexts []string
	say := func(from, to *process, toName, text string) {
		t.Helper()
		plaintexts = append(plaintexts, text)
		from.send(t, "/msg "+toName+" "+text)
		from.expect(t, "sent to="+toName)
		line := to.expect(t, "msg ", "text="+text)
		assert.Contains(t, line, "from=")
	}

	// 1:1 both ways, with receipts. Alice's first message names her to the
	// relay; later messages go with sealed sender.
	say(alice, bob, "bob", "first words from alice e2e")
	alice.expect(t, "receipt from=bob type=delivered")
	say(bob, alice, "alice", "reply from bob e2e")
	say(alice, bob, "bob", "sealed words from alice e2e")
	assert.Contains(t, bob.last(t, "text=sealed words from alice e2e"), "sealed=true")
	bob.send(t, "/read alice")
	bob.expect(t, "read to=alice")
	alice.expect(t, "receipt from=bob type=read")

	// Safety numbers match on both sides, and marking verified sticks.
	aliceNumber := alice.sendExpect(t, "/safety bob", "safety contact=bob")
	bobNumber := bob.sendExpect(t, "/safety alice", "safety contact=alice")
	assert.Equal(t, fieldText(aliceNumber), fieldText(bobNumber))
	assert.Len(t, strings.ReplaceAll(fieldText(aliceNumber), " ", ""), 60)
	alice.send(t, "/verify bob")
	alice.expect(t, "verified contact=bob")
	alice.send(t, "/contacts")
	alice.expect(t, "contact name=bob", "verified=true")

	// A file.
	fileData := []byte("e2e attachment plaintext contents\n")
	filePath := filepath.Join(dir, "e2e-notes-file.txt")
	require.NoError(t, os.WriteFile(filePath, fileData, 0o600))
	plaintexts = append(plaintexts, string(fileData[:20]), "e2e-notes-file.txt", "caption for the e2e file")
	alice.send(t, "/file bob "+filePath+" caption for the e2e file")
	line := bob.expect(t, "msg-file ", "text=caption for the e2e file")
	saved := fieldValue(line, "saved")
	got, err := os.ReadFile(saved)
	require.NoError(t, err)
	assert.Equal(t, fileData, got)

	// A group.
	plaintexts = append(plaintexts, "e2e-plaintext-group", "hello e2e group from alice", "hello e2e group from bob")
	alice.send(t, "/group e2e-plaintext-group bob")
	alice.expect(t, "group-created name=e2e-plaintext-group")
	bob.expect(t, "group name=e2e-plaintext-group")
	alice.send(t, "/gmsg e2e-plaintext-group hello e2e group from alice")
	bob.expect(t, "gmsg group=e2e-plaintext-group from=alice", "text=hello e2e group from alice")
	bob.send(t, "/gmsg e2e-plaintext-group hello e2e group from bob")
	alice.expect(t, "gmsg group=e2e-plaintext-group from=bob", "text=hello e2e group from bob")

	// Bob goes offline; messages wait on the relay until he is back.
	bob.send(t, "/quit")
	bob.wait(t)
	for _, text := range []string{"queued one for bob e2e", "queued two for bob e2e"} {
		plaintexts = append(plaintexts, text)
		alice.send(t, "/msg bob "+text)
		alice.expect(t, "sent to=bob")
	}
	bob = startProcess(t, filepath.Join(bin, "chat"), chatArgs("bob")...)
	bob.expect(t, "msg from=alice", "text=queued one for bob e2e")
	bob.expect(t, "msg from=alice", "text=queued two for bob e2e")

	// The relay restarts mid-conversation: a message sent while it is down
	// goes out once it is back, and nothing is lost.
	relay.stop(t)
	plaintexts = append(plaintexts, "sent during the relay outage e2e")
	alice.send(t, "/msg bob sent during the relay outage e2e")
	relay = startRelay(t, bin, relayDir, addr)
	assert.Equal(t, info, relay.relayInfo(t), "a restarted relay keeps its keys")
	bob.expect(t, "msg from=alice", "text=sent during the relay outage e2e")
	say(bob, alice, "alice", "after the restart from bob e2e")

	// The bot replies.
	bot := startProcess(t, filepath.Join(bin, "bot"), "-relay", info["relay"], "-tls-sha256", info["tls-sha256"],
		"-trust-root", info["trust-root"], "-dir", filepath.Join(dir, "bot"), "-name", "e2e-bot")
	bot.expectStderr(t, "bot started")
	plaintexts = append(plaintexts, "ping from alice e2e")
	alice.send(t, "/msg e2e-bot ping from alice e2e")
	// The bot marks a message read before it replies.
	alice.expect(t, "receipt from=e2e-bot type=read")
	alice.expect(t, "msg from=e2e-bot", "text=you said: ping from alice e2e")
	alice.send(t, "/msg e2e-bot ping")
	alice.expect(t, "msg from=e2e-bot", "text=pong")
	bot.stop(t)

	alice.send(t, "/quit")
	bob.send(t, "/quit")
	alice.wait(t)
	bob.wait(t)
	relay.stop(t)

	// Every file the relay wrote holds ciphertext only.
	var files int
	err = filepath.WalkDir(relayDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, p := range plaintexts {
			assert.False(t, bytes.Contains(b, []byte(p)), "relay file %s contains %q", d.Name(), p)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Positive(t, files)
}

// buildExamples builds the relay, chat and bot commands into dir/bin.
func buildExamples(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	for _, name := range []string{"relay", "chat", "bot"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, name), "github.com/parleyhq/parley/examples/"+name)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go build %s: %s", name, out)
	}
	return bin
}

// freeAddress returns a loopback address with a port that was free a
// moment ago, so that the relay can restart on the same address.
func freeAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func startRelay(t *testing.T, bin, dataDir, addr string) *process {
	t.Helper()
	return startProcess(t, filepath.Join(bin, "relay"), "-addr", addr, "-data", dataDir, "-log-level", "warn")
}

// process is a running example program whose output lines are collected.
type process struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan struct{}

	mu     sync.Mutex
	all    []string
	stderr bytes.Buffer
}

func startProcess(t *testing.T, path string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "PARLEY_PASSPHRASE=e2e test passphrase")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	p := &process{name: filepath.Base(path), cmd: cmd, stdin: stdin, lines: make(chan string, 1024), done: make(chan struct{})}
	cmd.Stderr = lockedWriter{p}
	require.NoError(t, cmd.Start())
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.all = append(p.all, sc.Text())
			p.mu.Unlock()
			p.lines <- sc.Text()
		}
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() || testing.Verbose() {
			p.mu.Lock()
			t.Logf("%s %v output:\n%s\nstderr:\n%s", p.name, args, strings.Join(p.all, "\n"), p.stderr.String())
			p.mu.Unlock()
		}
	})
	return p
}

// lockedWriter collects a process's standard error.
type lockedWriter struct{ p *process }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.stderr.Write(b)
}

// expectStderr waits until the process's standard error contains s.
func (p *process) expectStderr(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		found := strings.Contains(p.stderr.String(), s)
		p.mu.Unlock()
		if found {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before printing %q", p.name, s)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not print %q within %v", p.name, s, waitTimeout)
}

func (p *process) send(t *testing.T, line string) {
	t.Helper()
	_, err := fmt.Fprintln(p.stdin, line)
	require.NoError(t, err)
}

// expect returns the next output line that starts with prefix and contains
// every string in parts, skipping other lines.
func (p *process) expect(t *testing.T, prefix string, parts ...string) string {
	t.Helper()
	return p.expectLine(t, func(l string) bool {
		if !strings.HasPrefix(l, prefix) {
			return false
		}
		for _, part := range parts {
			if !strings.Contains(l, part) {
				return false
			}
		}
		return true
	}, waitTimeout)
}

// expectLine returns the next line for which match is true.
func (p *process) expectLine(t *testing.T, match func(string) bool, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l := <-p.lines:
			if strings.HasPrefix(l, "error ") {
				t.Logf("%s: %s", p.name, l)
			}
			if match(l) {
				return l
			}
		case <-p.done:
			t.Fatalf("%s exited while a line was expected", p.name)
		case <-deadline:
			t.Fatalf("%s printed no matching line within %v", p.name, timeout)
		}
	}
}

// last returns the most recent output line containing s.
func (p *process) last(t *testing.T, s string) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.all) - 1; i >= 0; i-- {
		if strings.Contains(p.all[i], s) {
			return p.all[i]
		}
	}
	t.Fatalf("%s printed no line containing %q", p.name, s)
	return ""
}

// relayInfo reads the three lines a relay prints at start.
func (p *process) relayInfo(t *testing.T) map[string]string {
	t.Helper()
	info := map[string]string{}
	for _, key := range []string{"relay", "tls-sha256", "trust-root"} {
		line := p.expect(t, key+": ")
		info[key] = strings.TrimPrefix(line, key+": ")
	}
	return info
}

// stop sends SIGTERM and waits for the process to exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.wait(t)
}

func (p *process) wait(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(waitTimeout):
		t.Fatalf("%s did not exit within %v", p.name, waitTimeout)
	}
}

// sendExpect sends a command and returns the first matching line after it.
func (p *process) sendExpect(t *testing.T, line, prefix string) string {
	t.Helper()
	p.send(t, line)
	return p.expect(t, prefix)
}

// fieldText returns the text field of a line-mode record, which runs to the
// end of the line.
func fieldText(line string) string {
	_, text, _ := strings.Cut(line, " text=")
	return text
}

// fieldValue returns the value of key in a line-mode record.
func fieldValue(line, key string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}
