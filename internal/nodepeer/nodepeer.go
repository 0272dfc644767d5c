package nodepeer

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Outcome categories reported in [Error.Category].
const (
	CategoryDuplicate         = "duplicate"
	CategoryInvalidMessage    = "invalid_message"
	CategoryUntrustedIdentity = "untrusted_identity"
	CategoryInvalidKey        = "invalid_key"
	CategoryNoSession         = "no_session"
	CategoryOther             = "other"
)

// Message types returned by [Peer.Encrypt] and accepted by [Peer.Decrypt].
const (
	MessageTypePreKey  = "prekey"
	MessageTypeWhisper = "whisper"
)

const (
	// callTimeout bounds each request, including Node's start-up for the first.
	callTimeout = 30 * time.Second

	// maxResponseLine bounds one response line. The largest response, a
	// bundle, is under 4 KiB; decrypted plaintexts are hex, so twice their size.
	maxResponseLine = 16 << 20

	// maxStderr bounds the diagnostics kept for the test log.
	maxStderr = 64 << 10
)

// scriptDir is the folder of peer.mjs, relative to the repository root.
var scriptDir = filepath.Join("interop", "node")

// ErrClosed is returned by a call on a Peer whose process has exited or was
// stopped after a timeout.
var ErrClosed = errors.New("nodepeer: peer process is not running")

// errOutOfSync marks a response line that is not the response to the
// pending request. The Peer stops, since later lines cannot be matched either.
var errOutOfSync = errors.New("nodepeer: peer output out of sync")

// Error is a request that the peer rejected. Category is one of the Category
// constants and Message is libsignal's or the script's error text.
type Error struct {
	Category string
	Message  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("nodepeer: %s: %s", e.Category, e.Message)
}

// Address names a remote device: a service ID string (usually an ACI UUID)
// and a device id from 1 to 127.
type Address struct {
	Name   string
	Device uint32
}

// Bundle is a prekey bundle as libsignal publishes it. Keys are in their
// serialized forms: EC public keys of 33 bytes (0x05 prefix) and a Kyber1024
// public key of 1569 bytes (0x08 prefix). PreKeyID and PreKey are nil when the
// bundle has no one-time prekey.
type Bundle struct {
	RegistrationID, DeviceID uint32
	PreKeyID                 *uint32
	PreKey                   []byte
	SignedPreKeyID           uint32
	SignedPreKey             []byte
	SignedPreKeySignature    []byte
	KyberPreKeyID            uint32
	KyberPreKey              []byte
	KyberPreKeySignature     []byte
	IdentityKey              []byte
}

// Peer is a running peer.mjs process. Its methods may be called from several
// goroutines; requests are sent one at a time.
type Peer struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []byte
	done   chan struct{}
	nextID uint64
	closed bool

	stopped chan struct{} // closed by shutDown
	stderr  limitedBuffer
	readErr error // set by readLines before it closes done

	waitOnce sync.Once
	waitDone chan struct{}
}

// Available reports whether a peer can start: it returns nil when the
// repository root, node on PATH and the installed npm packages are all found.
func Available() error {
	_, err := locate()
	return err
}

// locate returns the folder of peer.mjs after checking what it needs.
func locate() (string, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return "", fmt.Errorf("nodepeer: node not found on PATH: %w", err)
	}
	root, err := repositoryRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, scriptDir)
	module := filepath.Join(dir, "node_modules", "@signalapp", "libsignal-client", "package.json")
	if _, err := os.Stat(module); err != nil {
		return "", fmt.Errorf("nodepeer: libsignal-client not installed (run npm ci in %s): %w", dir, err)
	}
	return dir, nil
}

// repositoryRoot walks up from the working directory to the folder with go.mod.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("nodepeer: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("nodepeer: go.mod not found in the working directory or above it")
		}
		dir = parent
	}
}

// Start launches a peer for the test tb and stops it when the test ends.
// When the peer cannot run (see [Available]), Start skips the test, or fails
// it if the CI environment variable is non-empty.
func Start(tb testing.TB) *Peer {
	tb.Helper()
	dir, err := locate()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("libsignal peer unavailable in CI: %v", err)
		}
		tb.Skipf("libsignal peer unavailable: %v", err)
	}

	p, err := start(dir)
	if err != nil {
		tb.Fatalf("start libsignal peer: %v", err)
	}
	tb.Cleanup(func() {
		p.stop()
		if tb.Failed() && p.stderr.Len() > 0 {
			tb.Logf("peer.mjs stderr:\n%s", p.stderr.String())
		}
	})
	return p
}

func start(dir string) (*Peer, error) {
	cmd := exec.Command("node", "peer.mjs")
	cmd.Dir = dir
	p := &Peer{
		cmd:     cmd,
		lines:   make(chan []byte),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	cmd.Stderr = &p.stderr

	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("nodepeer: %w", err)
	}
	// An os.Pipe rather than StdoutPipe, so that Wait does not close the
	// read end while readLines is still using it.
	stdout, stdoutWriter, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("nodepeer: %w", err)
	}
	cmd.Stdout = stdoutWriter
	err = cmd.Start()
	_ = stdoutWriter.Close()
	if err != nil {
		_ = stdout.Close()
		return nil, fmt.Errorf("nodepeer: start node: %w", err)
	}
	p.stdin = stdin
	go p.readLines(stdout)
	return p, nil
}

// readLines forwards response lines until stdout ends or the peer is
// stopped, then closes done.
func (p *Peer) readLines(stdout *os.File) {
	defer close(p.done)
	defer stdout.Close()
	scanner := bufio.NewScanner(stdout)
	scanner.Buffer(make([]byte, 0, 64<<10), maxResponseLine)
	for scanner.Scan() {
		line := bytes.Clone(scanner.Bytes())
		select {
		case p.lines <- line:
		case <-p.stopped:
			return
		}
	}
	p.readErr = scanner.Err()
}

// stop kills the process and waits for it.
func (p *Peer) stop() {
	p.mu.Lock()
	p.shutDown()
	p.mu.Unlock()
	<-p.exited()
}

// shutDown marks the peer unusable and kills the process. The caller holds p.mu.
func (p *Peer) shutDown() {
	if p.closed {
		return
	}
	p.closed = true
	close(p.stopped)
	_ = p.stdin.Close()
	_ = p.cmd.Process.Kill()
}

// exited returns a channel closed once the process has been reaped.
func (p *Peer) exited() <-chan struct{} {
	p.waitOnce.Do(func() {
		p.waitDone = make(chan struct{})
		go func() {
			// The process was killed, so Wait reports an error that means nothing here.
			_ = p.cmd.Wait()
			close(p.waitDone)
		}()
	})
	return p.waitDone
}

// response is the envelope common to every response.
type response struct {
	ID      *uint64 `json:"id"`
	OK      bool    `json:"ok"`
	Error   string  `json:"error"`
	Message string  `json:"message"`
}

// call sends cmd with args and decodes the response into result (which may
// be nil).
func (p *Peer) call(cmd string, args map[string]any, result any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}

	p.nextID++
	id := p.nextID
	line, err := encodeRequest(id, cmd, args)
	if err != nil {
		return err
	}
	if _, err := p.stdin.Write(line); err != nil {
		p.shutDown()
		return fmt.Errorf("nodepeer: write %s request: %w", cmd, err)
	}

	timer := time.NewTimer(callTimeout)
	defer timer.Stop()
	select {
	case reply := <-p.lines:
		err := decodeResponse(reply, id, result)
		if errors.Is(err, errOutOfSync) {
			// Later responses could not be matched to their requests.
			p.shutDown()
		}
		return err
	case <-p.done:
		p.shutDown()
		return fmt.Errorf("nodepeer: %s: peer exited: %w", cmd, errors.Join(ErrClosed, p.readErr))
	case <-timer.C:
		p.shutDown()
		return fmt.Errorf("nodepeer: %s: no response within %v: %w", cmd, callTimeout, ErrClosed)
	}
}

// encodeRequest returns one request line: the envelope merged with args.
func encodeRequest(id uint64, cmd string, args map[string]any) ([]byte, error) {
	fields := make(map[string]any, len(args)+2)
	for k, v := range args {
		fields[k] = v
	}
	fields["id"] = id
	fields["cmd"] = cmd
	line, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("nodepeer: encode %s request: %w", cmd, err)
	}
	return append(line, '\n'), nil
}

// decodeResponse parses one response line for request id. It returns an
// [*Error] for ok:false and decodes the rest of an ok:true line into result.
func decodeResponse(line []byte, id uint64, result any) error {
	var envelope response
	if err := json.Unmarshal(line, &envelope); err != nil {
		return fmt.Errorf("%w: invalid response line %q: %w", errOutOfSync, truncate(line), err)
	}
	if envelope.ID == nil || *envelope.ID != id {
		return fmt.Errorf("%w: response %q is not for request id %d", errOutOfSync, truncate(line), id)
	}
	if !envelope.OK {
		category := envelope.Error
		switch category {
		case CategoryDuplicate, CategoryInvalidMessage, CategoryUntrustedIdentity,
			CategoryInvalidKey, CategoryNoSession, CategoryOther:
		default:
			return fmt.Errorf("nodepeer: response with unknown error category %q: %s", category, envelope.Message)
		}
		return &Error{Category: category, Message: envelope.Message}
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(line, result); err != nil {
		return fmt.Errorf("nodepeer: invalid response fields in %q: %w", truncate(line), err)
	}
	return nil
}

func truncate(line []byte) string {
	const limit = 200
	if len(line) > limit {
		return string(line[:limit]) + "..."
	}
	return string(line)
}

// hexBytes is a byte string carried as lowercase hex in JSON. It decodes
// null as nil and encodes nil as "".
type hexBytes []byte

func (h hexBytes) MarshalJSON() ([]byte, error) {
	return json.Marshal(hex.EncodeToString(h))
}

// optionalHex is a hexBytes that encodes nil as null, for a field that may
// be absent.
type optionalHex []byte

func (h optionalHex) MarshalJSON() ([]byte, error) {
	if h == nil {
		return []byte("null"), nil
	}
	return hexBytes(h).MarshalJSON()
}

func (h *optionalHex) UnmarshalJSON(data []byte) error {
	return (*hexBytes)(h).UnmarshalJSON(data)
}

func (h *hexBytes) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*h = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("nodepeer: invalid hex: %w", err)
	}
	*h = b
	return nil
}

type wireAddress struct {
	Name   string `json:"name"`
	Device uint32 `json:"device"`
}

func (a Address) wire() wireAddress {
	return wireAddress{Name: a.Name, Device: a.Device}
}

type wireBundle struct {
	RegistrationID        uint32      `json:"registration_id"`
	DeviceID              uint32      `json:"device_id"`
	PreKeyID              *uint32     `json:"pre_key_id"`
	PreKey                optionalHex `json:"pre_key"`
	SignedPreKeyID        uint32      `json:"signed_pre_key_id"`
	SignedPreKey          hexBytes    `json:"signed_pre_key"`
	SignedPreKeySignature hexBytes    `json:"signed_pre_key_signature"`
	KyberPreKeyID         uint32      `json:"kyber_pre_key_id"`
	KyberPreKey           hexBytes    `json:"kyber_pre_key"`
	KyberPreKeySignature  hexBytes    `json:"kyber_pre_key_signature"`
	IdentityKey           hexBytes    `json:"identity_key"`
}

func (b Bundle) wire() wireBundle {
	var preKeyID *uint32
	if b.PreKeyID != nil {
		id := *b.PreKeyID
		preKeyID = &id
	}
	return wireBundle{
		RegistrationID:        b.RegistrationID,
		DeviceID:              b.DeviceID,
		PreKeyID:              preKeyID,
		PreKey:                optionalHex(b.PreKey),
		SignedPreKeyID:        b.SignedPreKeyID,
		SignedPreKey:          hexBytes(b.SignedPreKey),
		SignedPreKeySignature: hexBytes(b.SignedPreKeySignature),
		KyberPreKeyID:         b.KyberPreKeyID,
		KyberPreKey:           hexBytes(b.KyberPreKey),
		KyberPreKeySignature:  hexBytes(b.KyberPreKeySignature),
		IdentityKey:           hexBytes(b.IdentityKey),
	}
}

func (w wireBundle) bundle() Bundle {
	return Bundle{
		RegistrationID:        w.RegistrationID,
		DeviceID:              w.DeviceID,
		PreKeyID:              w.PreKeyID,
		PreKey:                w.PreKey,
		SignedPreKeyID:        w.SignedPreKeyID,
		SignedPreKey:          w.SignedPreKey,
		SignedPreKeySignature: w.SignedPreKeySignature,
		KyberPreKeyID:         w.KyberPreKeyID,
		KyberPreKey:           w.KyberPreKey,
		KyberPreKeySignature:  w.KyberPreKeySignature,
		IdentityKey:           w.IdentityKey,
	}
}

// Init creates the peer's local identity for address (name, device) with the
// given registration id, replacing any earlier identity and all stores. It
// returns the 33-byte serialized identity public key.
func (p *Peer) Init(name string, device, registrationID uint32) (identityKey []byte, err error) {
	var result struct {
		IdentityKey hexBytes `json:"identity_key"`
	}
	err = p.call("init", map[string]any{"name": name, "device": device, "registration_id": registrationID}, &result)
	if err != nil {
		return nil, err
	}
	return result.IdentityKey, nil
}

// Bundle makes and stores fresh prekeys with new ids and returns them as a
// bundle. With oneTime false, the bundle has no one-time prekey.
func (p *Peer) Bundle(oneTime bool) (Bundle, error) {
	var result struct {
		Bundle wireBundle `json:"bundle"`
	}
	if err := p.call("bundle", map[string]any{"one_time": oneTime}, &result); err != nil {
		return Bundle{}, err
	}
	return result.Bundle.bundle(), nil
}

// ProcessBundle starts a session with addr from its bundle (libsignal's
// processPreKeyBundle). The peer's next message to addr is a PreKey message.
func (p *Peer) ProcessBundle(addr Address, b Bundle) error {
	return p.call("process_bundle", map[string]any{"address": addr.wire(), "bundle": b.wire()}, nil)
}

// Encrypt encrypts plaintext for addr. The message type is
// [MessageTypePreKey] until the peer has received a reply, then
// [MessageTypeWhisper].
func (p *Peer) Encrypt(addr Address, plaintext []byte) (messageType string, ciphertext []byte, err error) {
	var result struct {
		MessageType string   `json:"message_type"`
		Ciphertext  hexBytes `json:"ciphertext"`
	}
	err = p.call("encrypt", map[string]any{"address": addr.wire(), "plaintext": hexBytes(plaintext)}, &result)
	if err != nil {
		return "", nil, err
	}
	return result.MessageType, result.Ciphertext, nil
}

// Decrypt decrypts a message of the given type from addr.
func (p *Peer) Decrypt(addr Address, messageType string, ciphertext []byte) ([]byte, error) {
	var result struct {
		Plaintext hexBytes `json:"plaintext"`
	}
	args := map[string]any{"address": addr.wire(), "message_type": messageType, "ciphertext": hexBytes(ciphertext)}
	if err := p.call("decrypt", args, &result); err != nil {
		return nil, err
	}
	if result.Plaintext == nil {
		return []byte{}, nil
	}
	return result.Plaintext, nil
}

// SaveIdentity stores identityKey as the trusted identity of addr, replacing
// any earlier one.
func (p *Peer) SaveIdentity(addr Address, identityKey []byte) error {
	return p.call("save_identity", map[string]any{"address": addr.wire(), "identity_key": hexBytes(identityKey)}, nil)
}

// NewIdentity simulates a reinstall: the peer gets a fresh identity key and
// deletes its sessions, trusted remote identities and prekeys. The name,
// device and registration id stay.
func (p *Peer) NewIdentity() error {
	return p.call("new_identity", nil, nil)
}

// HasSession reports whether the peer has a session with addr that it can
// send on.
func (p *Peer) HasSession(addr Address) (bool, error) {
	var result struct {
		HasSession bool `json:"has_session"`
	}
	if err := p.call("has_session", map[string]any{"address": addr.wire()}, &result); err != nil {
		return false, err
	}
	return result.HasSession, nil
}

// limitedBuffer keeps the first maxStderr bytes written to it.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxStderr - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
