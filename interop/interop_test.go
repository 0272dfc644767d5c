package interop

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/nodepeer"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/x3dh"
)

var ctx = context.Background()

const (
	goName   = "3e4b1a52-7d0c-4a3e-9a51-4f3f1c2d9b10"
	nodeName = "c8a7f0d2-55b1-4e7a-8f40-0e9d6b3a2c11"
)

// goDevice is the Parley side of a conversation.
type goDevice struct {
	addr    keystore.Address
	id      curve.KeyPair
	regID   uint32
	store   *keystore.MemoryStore
	cipher  *session.Cipher
	nextKey uint32
}

func newGoDevice(t *testing.T) *goDevice {
	t.Helper()
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	d := &goDevice{addr: keystore.Address{Name: goName, DeviceID: 1}, id: id, regID: 4242}
	d.store = keystore.NewMemoryStore(id, d.regID)
	d.cipher = &session.Cipher{Store: d.store, LocalAddress: d.addr}
	return d
}

// bundle publishes fresh prekeys of d in the form the Node peer takes.
func (d *goDevice) bundle(t *testing.T, oneTime bool) nodepeer.Bundle {
	t.Helper()
	d.nextKey++
	spk, err := session.NewSignedPreKey(nil, d.id, d.nextKey, nowForKeys)
	require.NoError(t, err)
	kpk, err := session.NewKyberPreKey(nil, d.id, d.nextKey, nowForKeys, false)
	require.NoError(t, err)
	b := nodepeer.Bundle{
		RegistrationID:        d.regID,
		DeviceID:              d.addr.DeviceID,
		SignedPreKeyID:        spk.ID,
		SignedPreKey:          spk.KeyPair.Public.Bytes(),
		SignedPreKeySignature: spk.Signature,
		KyberPreKeyID:         kpk.ID,
		KyberPreKey:           kpk.KeyPair.Public.Bytes(),
		KyberPreKeySignature:  kpk.Signature,
		IdentityKey:           d.id.Public.Bytes(),
	}
	var opk keystore.PreKey
	if oneTime {
		opk, err = session.NewPreKey(nil, d.nextKey)
		require.NoError(t, err)
		id := opk.ID
		b.PreKeyID = &id
		b.PreKey = opk.KeyPair.Public.Bytes()
	}
	require.NoError(t, d.store.Update(ctx, func(tx keystore.Tx) error {
		if oneTime {
			if err := tx.StorePreKey(ctx, opk); err != nil {
				return err
			}
		}
		if err := tx.StoreSignedPreKey(ctx, spk); err != nil {
			return err
		}
		return tx.StoreKyberPreKey(ctx, kpk)
	}))
	return b
}

// toX3DH converts a bundle that libsignal published.
func toX3DH(t *testing.T, b nodepeer.Bundle) *x3dh.Bundle {
	t.Helper()
	var err error
	out := &x3dh.Bundle{
		RegistrationID:        b.RegistrationID,
		DeviceID:              b.DeviceID,
		SignedPreKeyID:        b.SignedPreKeyID,
		SignedPreKeySignature: b.SignedPreKeySignature,
		KyberPreKeyID:         b.KyberPreKeyID,
		KyberPreKeySignature:  b.KyberPreKeySignature,
	}
	out.IdentityKey, err = curve.NewPublicKey(b.IdentityKey)
	require.NoError(t, err)
	out.SignedPreKey, err = curve.NewPublicKey(b.SignedPreKey)
	require.NoError(t, err)
	out.KyberPreKey, err = kem.NewPublicKey(b.KyberPreKey)
	require.NoError(t, err)
	if b.PreKeyID != nil {
		out.HasPreKey = true
		out.PreKeyID = *b.PreKeyID
		out.PreKey, err = curve.NewPublicKey(b.PreKey)
		require.NoError(t, err)
	}
	return out
}

func messageType(s string) session.MessageType {
	if s == "prekey" {
		return session.MessageTypePreKey
	}
	return session.MessageTypeWhisper
}

func typeName(t session.MessageType) string {
	if t == session.MessageTypePreKey {
		return "prekey"
	}
	return "whisper"
}

// pair is a live conversation between a Parley device and libsignal.
type pair struct {
	t        *testing.T
	goDev    *goDevice
	node     *nodepeer.Peer
	nodeAddr keystore.Address
	rng      *rand.Rand
	sent     int
}

type envelope struct {
	typ  string
	data []byte
	text string
}

func newPair(t *testing.T, seed uint64) *pair {
	t.Helper()
	node := nodepeer.Start(t)
	_, err := node.Init(nodeName, 1, 777)
	require.NoError(t, err)
	return &pair{
		t:        t,
		goDev:    newGoDevice(t),
		node:     node,
		nodeAddr: keystore.Address{Name: nodeName, DeviceID: 1},
		rng:      rand.New(rand.NewPCG(seed, seed+1)),
	}
}

func (p *pair) goAddr() nodepeer.Address {
	return nodepeer.Address{Name: p.goDev.addr.Name, Device: p.goDev.addr.DeviceID}
}

func (p *pair) goSend(text string) envelope {
	p.t.Helper()
	typ, data, err := p.goDev.cipher.Encrypt(ctx, p.nodeAddr, []byte(text))
	require.NoError(p.t, err)
	p.sent++
	return envelope{typeName(typ), data, text}
}

func (p *pair) nodeSend(text string) envelope {
	p.t.Helper()
	typ, data, err := p.node.Encrypt(p.goAddr(), []byte(text))
	require.NoError(p.t, err)
	p.sent++
	return envelope{typ, data, text}
}

func (p *pair) goReceive(e envelope) error {
	got, err := p.goDev.cipher.Decrypt(ctx, p.nodeAddr, messageType(e.typ), e.data)
	if err == nil && string(got) != e.text {
		return fmt.Errorf("go decrypted %q, want %q", got, e.text)
	}
	return err
}

func (p *pair) nodeReceive(e envelope) error {
	got, err := p.node.Decrypt(p.goAddr(), e.typ, e.data)
	if err == nil && string(got) != e.text {
		return fmt.Errorf("libsignal decrypted %q, want %q", got, e.text)
	}
	return err
}

func nodeCategory(err error) string {
	var ne *nodepeer.Error
	if errors.As(err, &ne) {
		return ne.Category
	}
	return ""
}

// converse runs rounds of bursts in alternating directions, each burst
// delivered shuffled. In some rounds a tampered copy arrives before the
// genuine message, or the last message arrives twice. Both must be
// rejected, and the genuine messages must still decrypt.
func (p *pair) converse(rounds int) {
	t := p.t
	t.Helper()
	for round := range rounds {
		goSends := round%2 == 0
		n := 1 + p.rng.IntN(6)
		burst := make([]envelope, n)
		for i := range burst {
			text := fmt.Sprintf("round %d message %d", round, i)
			if goSends {
				burst[i] = p.goSend(text)
			} else {
				burst[i] = p.nodeSend(text)
			}
		}
		p.rng.Shuffle(n, func(i, j int) { burst[i], burst[j] = burst[j], burst[i] })

		receive := p.nodeReceive
		if !goSends {
			receive = p.goReceive
		}
		for i, e := range burst {
			if round%7 == 3 && i == 0 {
				tampered := envelope{e.typ, append([]byte(nil), e.data...), e.text}
				tampered.data[len(tampered.data)-1] ^= 0x01
				err := receive(tampered)
				require.Error(t, err, "round %d: tampered message accepted", round)
				if !goSends {
					assert.ErrorIs(t, err, session.ErrInvalidMessage)
				} else {
					assert.Equal(t, "invalid_message", nodeCategory(err))
				}
			}
			require.NoError(t, receive(e), "round %d message %d (%s)", round, i, e.typ)
			if round%5 == 2 && i == n-1 {
				err := receive(e)
				require.Error(t, err, "round %d: duplicate accepted", round)
				if !goSends {
					assert.ErrorIs(t, err, session.ErrDuplicateMessage)
				} else {
					assert.Equal(t, "duplicate", nodeCategory(err))
				}
			}
		}
	}
}

func TestGoInitiates(t *testing.T) {
	p := newPair(t, 1)
	nb, err := p.node.Bundle(true)
	require.NoError(t, err)
	require.NoError(t, p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb)))

	first := p.goSend("hello from parley")
	assert.Equal(t, "prekey", first.typ)
	require.NoError(t, p.nodeReceive(first))
	p.converse(200)
	assert.GreaterOrEqual(t, p.sent, 500)
}

func TestLibsignalInitiates(t *testing.T) {
	p := newPair(t, 2)
	require.NoError(t, p.node.ProcessBundle(p.goAddr(), p.goDev.bundle(t, true)))

	first := p.nodeSend("hello from libsignal")
	assert.Equal(t, "prekey", first.typ)
	second := p.nodeSend("second prekey message")
	require.NoError(t, p.goReceive(second))
	require.NoError(t, p.goReceive(first))
	err := p.goReceive(first)
	require.ErrorIs(t, err, session.ErrDuplicateMessage, "prekey message replayed after its one-time prekey is gone")

	p.converse(201)
	assert.GreaterOrEqual(t, p.sent, 500)
}

func TestLibsignalWithoutOneTimePreKey(t *testing.T) {
	p := newPair(t, 3)
	require.NoError(t, p.node.ProcessBundle(p.goAddr(), p.goDev.bundle(t, false)))
	require.NoError(t, p.goReceive(p.nodeSend("no one-time prekey")))
	nb, err := p.node.Bundle(false)
	require.NoError(t, err)

	// A second session, started by Parley without a one-time prekey,
	// replaces the first on both sides.
	require.NoError(t, p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb)))
	require.NoError(t, p.nodeReceive(p.goSend("and back")))
	p.converse(10)
}

func TestSimultaneousInitiationWithLibsignal(t *testing.T) {
	p := newPair(t, 4)
	nb, err := p.node.Bundle(true)
	require.NoError(t, err)
	require.NoError(t, p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb)))
	require.NoError(t, p.node.ProcessBundle(p.goAddr(), p.goDev.bundle(t, true)))

	fromGo := p.goSend("from parley")
	fromNode := p.nodeSend("from libsignal")
	require.NoError(t, p.nodeReceive(fromGo))
	require.NoError(t, p.goReceive(fromNode))
	p.converse(20)

	last := p.goSend("converged")
	assert.Equal(t, "whisper", last.typ)
	require.NoError(t, p.nodeReceive(last))
}

func TestIdentityChangeWithLibsignal(t *testing.T) {
	p := newPair(t, 5)
	nb, err := p.node.Bundle(true)
	require.NoError(t, err)
	require.NoError(t, p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb)))
	require.NoError(t, p.nodeReceive(p.goSend("before")))
	require.NoError(t, p.goReceive(p.nodeSend("reply")))

	// The libsignal side reinstalls with a new identity key.
	require.NoError(t, p.node.NewIdentity())
	nb, err = p.node.Bundle(true)
	require.NoError(t, err)
	err = p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb))
	require.ErrorIs(t, err, session.ErrUntrustedIdentity)

	newKey, err := curve.NewPublicKey(nb.IdentityKey)
	require.NoError(t, err)
	require.NoError(t, p.goDev.store.Update(ctx, func(tx keystore.Tx) error {
		_, err := tx.SaveIdentity(ctx, p.nodeAddr, newKey)
		return err
	}))
	require.NoError(t, p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb)))
	require.NoError(t, p.nodeReceive(p.goSend("after")))
	require.NoError(t, p.goReceive(p.nodeSend("welcome")))

	// Now Parley changes identity: libsignal must refuse it until trusted.
	old := p.goDev
	p.goDev = newGoDevice(t)
	nb, err = p.node.Bundle(true)
	require.NoError(t, err)
	require.NoError(t, p.goDev.cipher.ProcessBundle(ctx, p.nodeAddr, toX3DH(t, nb)))
	m := p.goSend("new parley identity")
	err = p.nodeReceive(m)
	require.Error(t, err)
	assert.Equal(t, "untrusted_identity", nodeCategory(err))
	require.NoError(t, p.node.SaveIdentity(p.goAddr(), p.goDev.id.Public.Bytes()))
	require.NoError(t, p.nodeReceive(m))
	assert.False(t, old.id.Public.Equal(p.goDev.id.Public))
}
