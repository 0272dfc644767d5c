// Command gen-spqr-vectors records a session between libsignal-client 0.103
// and Parley that crosses several SPQR epochs, for session's offline replay
// test.
//
// libsignal, run by interop/node/peer.mjs, plays the initiator. Parley
// plays the responder and draws all its randomness from a ChaCha8 stream
// with a fixed seed, so a Go test can rebuild it, decrypt every libsignal
// message and re-create every Parley message byte for byte. libsignal's
// randomness cannot be injected, so its keys and messages change from run
// to run. Run it from the repository root after npm ci in interop/node:
//
//	go run ./interop/cmd/gen-spqr-vectors
//
// The output file is testdata/spqr/epochs.json unless -out sets another path.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/nodepeer"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
)

// Conversation parameters. With 300 messages after the first one, Parley
// reaches SPQR epoch 4 in the alternating test of interop/spqr_test.go.
const (
	messages = 300
	minEpoch = 4

	// Every burstEvery-th turn sends a burst of two to four messages and
	// delivers it shuffled. burstEvery is odd, so both sides send bursts.
	// The skip window of both libraries is far larger than a burst.
	burstEvery = 5

	libsignalName  = "a0e6d7c4-1f2b-4c8e-b3a9-6d5e4f3c2b1a"
	libsignalRegID = 1234
)

var (
	// seed is the ChaCha8 seed of Parley's randomness: 32 ASCII bytes.
	seed = [32]byte([]byte("parley spqr epoch vectors seed 1"))

	// now is Parley's clock, 2026-01-01T00:00:00Z, for prekey timestamps
	// and session age checks.
	now = time.Unix(1767225600, 0).UTC()

	// scheduleSeed fixes the burst sizes and delivery orders, so every run
	// has the same shape.
	scheduleSeed = [2]uint64{20261204, 1}
)

func main() {
	out := flag.String("out", "testdata/spqr/epochs.json", "output `file`, relative to the working directory")
	flag.Parse()

	if err := run(*out); err != nil {
		fmt.Fprintf(os.Stderr, "gen-spqr-vectors: %v\n", err)
		os.Exit(1)
	}
}

func run(out string) error {
	ctx := context.Background()
	peer, err := nodepeer.Launch()
	if err != nil {
		return fmt.Errorf("starting the libsignal peer: %w", err)
	}
	defer peer.Close()

	t, err := record(ctx, peer)
	if err != nil {
		if diag := peer.Stderr(); diag != "" {
			err = fmt.Errorf("%w\npeer.mjs stderr:\n%s", err, diag)
		}
		return err
	}

	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d messages, %d bursts delivered shuffled, Parley at SPQR epoch %d (first reached epoch %d at step %d)\n",
		out, t.Stats.Messages, t.Stats.ReorderedBursts, t.FinalEpoch, minEpoch, t.Stats.FirstStepAtEpoch4)
	return nil
}

// conversation is the state of one recording.
type conversation struct {
	ctx        context.Context
	peer       *nodepeer.Peer
	parley     *parleyDevice
	parleyAddr nodepeer.Address
	remoteAddr keystore.Address
	t          *transcript
	sent       int
}

// sentMessage is a message that one side encrypted and the other has not
// yet received.
type sentMessage struct {
	index       int
	messageType string
	plaintext   string
	ciphertext  []byte
}

func record(ctx context.Context, peer *nodepeer.Peer) (*transcript, error) {
	libsignalIdentity, err := peer.Init(libsignalName, 1, libsignalRegID)
	if err != nil {
		return nil, fmt.Errorf("initializing the libsignal peer: %w", err)
	}
	parley, err := newParleyDevice(ctx, seed, now)
	if err != nil {
		return nil, fmt.Errorf("creating the Parley device: %w", err)
	}
	c := &conversation{
		ctx:        ctx,
		peer:       peer,
		parley:     parley,
		parleyAddr: nodepeer.Address{Name: parleyName, Device: parleyDeviceID},
		remoteAddr: keystore.Address{Name: libsignalName, DeviceID: 1},
		t: &transcript{
			Description: "A session between libsignal-client 0.103 (libsignal, the initiator) and Parley " +
				"(the responder) that crosses several SPQR epochs, recorded by " +
				"go run ./interop/cmd/gen-spqr-vectors. Parley's keys and every random byte of its " +
				"session.Cipher come from one ChaCha8 stream (math/rand/v2) seeded with seed. Steps are " +
				"in the order Parley handled them. Every " + fmt.Sprint(burstEvery) + "th turn is a burst of " +
				"two to four messages delivered shuffled: Parley decrypted libsignal's bursts in step " +
				"order, and libsignal decrypted Parley's in an order that is not recorded.",
			Seed:   seed[:],
			Now:    now.Unix(),
			Parley: parleySide{Name: parleyName, Device: parleyDeviceID, RegistrationID: parleyRegID},
			Bundle: parley.bundle,
			Libsignal: remoteSide{
				Name:           libsignalName,
				Device:         1,
				RegistrationID: libsignalRegID,
				IdentityKey:    libsignalIdentity,
			},
			Stats: statsRecord{FirstStepAtEpoch4: -1},
		},
	}

	if err := peer.ProcessBundle(c.parleyAddr, c.nodeBundle()); err != nil {
		return nil, fmt.Errorf("processing Parley's bundle in libsignal: %w", err)
	}
	first, err := c.libsignalSend()
	if err != nil {
		return nil, err
	}
	if first.messageType != nodepeer.MessageTypePreKey {
		return nil, fmt.Errorf("libsignal's first message has type %q, expected %q", first.messageType, nodepeer.MessageTypePreKey)
	}
	if err := c.parleyReceive(first); err != nil {
		return nil, err
	}

	if err := c.converse(); err != nil {
		return nil, err
	}
	if c.t.FinalEpoch < minEpoch {
		return nil, fmt.Errorf("SPQR epoch %d on the Parley side after %d messages, expected at least %d", c.t.FinalEpoch, c.sent, minEpoch)
	}
	return c.t, nil
}

// converse sends messages in turns of alternating direction, Parley first,
// until it has sent the number of messages given by the messages constant after libsignal's first.
func (c *conversation) converse() error {
	schedule := rand.New(rand.NewPCG(scheduleSeed[0], scheduleSeed[1]))
	for turn := 0; c.sent <= messages; turn++ {
		n := 1
		if turn%burstEvery == burstEvery-1 {
			n = 2 + schedule.IntN(3)
		}
		n = min(n, messages+1-c.sent)

		parleySends := turn%2 == 0
		burst := make([]sentMessage, n)
		for i := range burst {
			var err error
			if parleySends {
				burst[i], err = c.parleySend()
			} else {
				burst[i], err = c.libsignalSend()
			}
			if err != nil {
				return err
			}
		}
		if n > 1 {
			c.t.Stats.ReorderedBursts++
			schedule.Shuffle(n, func(i, j int) { burst[i], burst[j] = burst[j], burst[i] })
		}

		for _, m := range burst {
			var err error
			if parleySends {
				err = c.libsignalReceive(m)
			} else {
				err = c.parleyReceive(m)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// plaintextFor returns the text of the index-th message. Some are empty or
// longer than one AES block, so the padding varies.
func plaintextFor(index int) string {
	switch {
	case index%97 == 50:
		return ""
	case index%41 == 20:
		return strings.Repeat(fmt.Sprintf("long message %d. ", index), 12)
	default:
		return fmt.Sprintf("message %d", index)
	}
}

func (c *conversation) libsignalSend() (sentMessage, error) {
	text := plaintextFor(c.sent)
	typ, ciphertext, err := c.peer.Encrypt(c.parleyAddr, []byte(text))
	if err != nil {
		return sentMessage{}, fmt.Errorf("libsignal encrypting message %d: %w", c.sent, err)
	}
	m := sentMessage{index: c.sent, messageType: typ, plaintext: text, ciphertext: ciphertext}
	c.sent++
	return m, nil
}

func (c *conversation) parleyReceive(m sentMessage) error {
	typ := session.MessageTypeWhisper
	if m.messageType == nodepeer.MessageTypePreKey {
		typ = session.MessageTypePreKey
	}
	got, err := c.parley.cipher.Decrypt(c.ctx, c.remoteAddr, typ, m.ciphertext)
	if err != nil {
		return fmt.Errorf("parley decrypting message %d: %w", m.index, err)
	}
	if string(got) != m.plaintext {
		return fmt.Errorf("parley decrypted message %d to %q, expected %q", m.index, got, m.plaintext)
	}
	return c.addStep(toParley, m)
}

func (c *conversation) parleySend() (sentMessage, error) {
	text := plaintextFor(c.sent)
	typ, ciphertext, err := c.parley.cipher.Encrypt(c.ctx, c.remoteAddr, []byte(text))
	if err != nil {
		return sentMessage{}, fmt.Errorf("parley encrypting message %d: %w", c.sent, err)
	}
	m := sentMessage{index: c.sent, messageType: typ.String(), plaintext: text, ciphertext: ciphertext}
	c.sent++
	return m, c.addStep(toLibsignal, m)
}

func (c *conversation) libsignalReceive(m sentMessage) error {
	got, err := c.peer.Decrypt(c.parleyAddr, m.messageType, m.ciphertext)
	if err != nil {
		return fmt.Errorf("libsignal decrypting message %d: %w", m.index, err)
	}
	if !bytes.Equal(got, []byte(m.plaintext)) {
		return fmt.Errorf("libsignal decrypted message %d to %q, expected %q", m.index, got, m.plaintext)
	}
	return nil
}

// addStep records m with Parley's SPQR epoch after handling it.
func (c *conversation) addStep(direction string, m sentMessage) error {
	info, err := c.parley.cipher.SessionInfo(c.ctx, c.remoteAddr)
	if err != nil {
		return fmt.Errorf("parley session info after message %d: %w", m.index, err)
	}
	t := c.t
	t.Steps = append(t.Steps, step{
		Direction:   direction,
		SentIndex:   m.index,
		MessageType: m.messageType,
		Plaintext:   m.plaintext,
		Ciphertext:  m.ciphertext,
		PQEpoch:     info.PQEpoch,
	})
	t.Stats.Messages++
	if direction == toParley {
		t.Stats.FromLibsignal++
	} else {
		t.Stats.FromParley++
	}
	if info.PQEpoch >= minEpoch && t.Stats.FirstStepAtEpoch4 < 0 {
		t.Stats.FirstStepAtEpoch4 = len(t.Steps) - 1
	}
	t.FinalEpoch = info.PQEpoch
	return nil
}

// nodeBundle converts Parley's bundle to the form the peer takes.
func (c *conversation) nodeBundle() nodepeer.Bundle {
	b := c.t.Bundle
	preKeyID := b.PreKeyID
	return nodepeer.Bundle{
		RegistrationID:        parleyRegID,
		DeviceID:              parleyDeviceID,
		PreKeyID:              &preKeyID,
		PreKey:                b.PreKey,
		SignedPreKeyID:        b.SignedPreKeyID,
		SignedPreKey:          b.SignedPreKey,
		SignedPreKeySignature: b.SignedPreKeySignature,
		KyberPreKeyID:         b.KyberPreKeyID,
		KyberPreKey:           b.KyberPreKey,
		KyberPreKeySignature:  b.KyberPreKeySignature,
		IdentityKey:           b.IdentityKey,
	}
}
