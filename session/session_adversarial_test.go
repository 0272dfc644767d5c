package session_test

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/x3dh"
)

// advPeer is a participant of the adversarial tests, built only from the
// public API.
type advPeer struct {
	t      *testing.T
	addr   keystore.Address
	id     curve.KeyPair
	store  *keystore.MemoryStore
	cipher *session.Cipher
	keyIDs []uint32
}

func newAdvPeer(t *testing.T, name string, deviceID, regID uint32) *advPeer {
	t.Helper()
	id, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)
	st := keystore.NewMemoryStore(id, regID)
	addr := keystore.Address{Name: name, DeviceID: deviceID}
	return &advPeer{t: t, addr: addr, id: id, store: st, cipher: &session.Cipher{Store: st, LocalAddress: addr}}
}

// publish stores a full set of prekeys under id and returns the bundle.
func (p *advPeer) publish(id uint32) *x3dh.Bundle {
	p.t.Helper()
	now := time.Now()
	pk, err := session.NewPreKey(nil, id)
	require.NoError(p.t, err)
	spk, err := session.NewSignedPreKey(nil, p.id, id, now)
	require.NoError(p.t, err)
	kpk, err := session.NewKyberPreKey(nil, p.id, id, now, false)
	require.NoError(p.t, err)
	require.NoError(p.t, p.store.Update(ctx, func(tx keystore.Tx) error {
		if err := tx.StorePreKey(ctx, pk); err != nil {
			return err
		}
		if err := tx.StoreSignedPreKey(ctx, spk); err != nil {
			return err
		}
		return tx.StoreKyberPreKey(ctx, kpk)
	}))
	p.keyIDs = append(p.keyIDs, id)
	return session.NewBundle(p.id.Public, 7, p.addr.DeviceID, &pk, spk, kpk)
}

// snapshotAll renders every session record and identity for addrs and the
// presence of every prekey this peer published.
func (p *advPeer) snapshotAll(addrs ...keystore.Address) string {
	p.t.Helper()
	var lines []string
	require.NoError(p.t, p.store.View(ctx, func(tx keystore.Tx) error {
		for _, a := range addrs {
			rec, err := tx.Session(ctx, a)
			if err != nil {
				return err
			}
			key, ok, err := tx.Identity(ctx, a)
			if err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("%s rec=%x id=%v/%x", a, rec, ok, key.Bytes()))
		}
		for _, id := range p.keyIDs {
			_, e1 := tx.PreKey(ctx, id)
			_, e2 := tx.SignedPreKey(ctx, id)
			_, e3 := tx.KyberPreKey(ctx, id)
			lines = append(lines, fmt.Sprintf("keys %d %v %v %v", id, e1 == nil, e2 == nil, e3 == nil))
		}
		return nil
	}))
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// preKeyFields is a PreKeySignalMessage taken apart, re-encoded by hand.
type preKeyFields struct {
	version     byte
	preKeyID    *uint32
	baseKey     []byte
	identityKey []byte
	message     []byte
	regID       uint32
	signedID    uint32
	kyberID     uint32
	kyberCT     []byte
	extra       []byte // raw protobuf bytes appended after the known fields
}

func splitPreKey(t *testing.T, b []byte) preKeyFields {
	t.Helper()
	m, err := session.ParsePreKeySignalMessage(b)
	require.NoError(t, err)
	f := preKeyFields{
		version:     b[0],
		baseKey:     m.BaseKey.Bytes(),
		identityKey: m.IdentityKey.Bytes(),
		message:     m.Message.Bytes(),
		regID:       m.RegistrationID,
		signedID:    m.SignedPreKeyID,
		kyberID:     m.KyberPreKeyID,
		kyberCT:     append([]byte(nil), m.KyberCiphertext...),
	}
	if m.HasPreKeyID {
		id := m.PreKeyID
		f.preKeyID = &id
	}
	return f
}

func (f preKeyFields) encode() []byte {
	b := []byte{f.version}
	if f.preKeyID != nil {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(*f.preKeyID))
	}
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, f.baseKey)
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	b = protowire.AppendBytes(b, f.identityKey)
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, f.message)
	b = protowire.AppendTag(b, 5, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(f.regID))
	b = protowire.AppendTag(b, 6, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(f.signedID))
	b = protowire.AppendTag(b, 7, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(f.kyberID))
	b = protowire.AppendTag(b, 8, protowire.BytesType)
	b = protowire.AppendBytes(b, f.kyberCT)
	return append(b, f.extra...)
}

// firstMessage starts a session from from to to and returns the PreKey
// message without delivering it.
func firstMessage(t *testing.T, from, to *advPeer, bundleID uint32, text string) []byte {
	t.Helper()
	b := to.publish(bundleID)
	require.NoError(t, from.cipher.ProcessBundle(ctx, to.addr, b))
	typ, ct, err := from.cipher.Encrypt(ctx, to.addr, []byte(text))
	require.NoError(t, err)
	require.Equal(t, session.MessageTypePreKey, typ)
	return ct
}

const (
	advAlice = "11111111-2222-4333-8444-555555555555"
	advBob   = "66666666-7777-4888-9999-aaaaaaaaaaaa"
	advCarol = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"
)

func TestAdversarialPreKeySwappedFields(t *testing.T) {
	alice := newAdvPeer(t, advAlice, 1, 101)
	carol := newAdvPeer(t, advCarol, 1, 103)
	bob := newAdvPeer(t, advBob, 1, 102)
	bob2 := newAdvPeer(t, advBob, 2, 104)

	fromAlice := firstMessage(t, alice, bob, 1, "from alice")
	fromCarol := firstMessage(t, carol, bob, 2, "from carol")
	// A prekey id that only Bob's second device has.
	_ = bob2.publish(50)

	a := splitPreKey(t, fromAlice)
	c := splitPreKey(t, fromCarol)
	otherDeviceID := uint32(50)

	cases := map[string]func(f *preKeyFields){
		"carol base key":       func(f *preKeyFields) { f.baseKey = c.baseKey },
		"carol kyber ct":       func(f *preKeyFields) { f.kyberCT = c.kyberCT },
		"carol identity":       func(f *preKeyFields) { f.identityKey = c.identityKey },
		"carol inner message":  func(f *preKeyFields) { f.message = c.message },
		"carol prekey ids":     func(f *preKeyFields) { f.preKeyID, f.signedID, f.kyberID = c.preKeyID, c.signedID, c.kyberID },
		"other device prekey":  func(f *preKeyFields) { f.preKeyID = &otherDeviceID },
		"no one-time prekey":   func(f *preKeyFields) { f.preKeyID = nil },
		"carol signed id only": func(f *preKeyFields) { f.signedID = c.signedID },
		"carol kyber id only":  func(f *preKeyFields) { f.kyberID = c.kyberID },
		"third identity": func(f *preKeyFields) {
			k, err := curve.GenerateKeyPair(nil)
			require.NoError(t, err)
			f.identityKey = k.Public.Bytes()
		},
	}
	before := bob.snapshotAll(alice.addr, carol.addr)
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			f := a
			edit(&f)
			_, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, f.encode())
			require.Error(t, err)
			assert.Equal(t, before, bob.snapshotAll(alice.addr, carol.addr), "state changed after failed decrypt")
		})
	}

	// The untouched messages still work afterwards.
	pt, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, fromAlice)
	require.NoError(t, err)
	assert.Equal(t, "from alice", string(pt))
	pt, err = bob.cipher.Decrypt(ctx, carol.addr, session.MessageTypePreKey, fromCarol)
	require.NoError(t, err)
	assert.Equal(t, "from carol", string(pt))
}

func TestAdversarialPreKeyWrongSender(t *testing.T) {
	alice := newAdvPeer(t, advAlice, 1, 101)
	carol := newAdvPeer(t, advCarol, 1, 103)
	bob := newAdvPeer(t, advBob, 1, 102)
	msg := firstMessage(t, alice, bob, 1, "hi")

	// Delivered as if Carol had sent it: the addresses field names Alice.
	before := bob.snapshotAll(alice.addr, carol.addr)
	_, err := bob.cipher.Decrypt(ctx, carol.addr, session.MessageTypePreKey, msg)
	require.Error(t, err)
	assert.Equal(t, before, bob.snapshotAll(alice.addr, carol.addr))
}

func TestAdversarialReplayToOtherRecipient(t *testing.T) {
	alice := newAdvPeer(t, advAlice, 1, 101)
	bob := newAdvPeer(t, advBob, 1, 102)
	msg := firstMessage(t, alice, bob, 1, "hi")

	// Bob's keys but another device address: the addresses field binds the
	// message to device 1.
	misrouted := &session.Cipher{Store: bob.store, LocalAddress: keystore.Address{Name: advBob, DeviceID: 2}}
	before := bob.snapshotAll(alice.addr)
	_, err := misrouted.Decrypt(ctx, alice.addr, session.MessageTypePreKey, msg)
	require.ErrorIs(t, err, session.ErrInvalidMessage)
	assert.Equal(t, before, bob.snapshotAll(alice.addr))

	// Carol has no such prekeys at all.
	carol := newAdvPeer(t, advCarol, 1, 103)
	_, err = carol.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, msg)
	require.Error(t, err)

	pt, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, msg)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(pt))
}

// connected returns two peers that have exchanged one message each way.
func connected(t *testing.T) (alice, bob *advPeer) {
	t.Helper()
	alice = newAdvPeer(t, advAlice, 1, 101)
	bob = newAdvPeer(t, advBob, 1, 102)
	msg := firstMessage(t, alice, bob, 1, "hello")
	_, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, msg)
	require.NoError(t, err)
	typ, ct, err := bob.cipher.Encrypt(ctx, alice.addr, []byte("hi"))
	require.NoError(t, err)
	_, err = alice.cipher.Decrypt(ctx, bob.addr, typ, ct)
	require.NoError(t, err)
	return alice, bob
}

func TestAdversarialReflection(t *testing.T) {
	alice := newAdvPeer(t, advAlice, 1, 101)
	bob := newAdvPeer(t, advBob, 1, 102)
	first := firstMessage(t, alice, bob, 1, "hello")

	// Alice's own PreKey message sent back to her as if from Bob.
	before := alice.snapshotAll(bob.addr)
	_, err := alice.cipher.Decrypt(ctx, bob.addr, session.MessageTypePreKey, first)
	require.Error(t, err)
	assert.Equal(t, before, alice.snapshotAll(bob.addr))
	// And its inner Whisper message.
	m, err := session.ParsePreKeySignalMessage(first)
	require.NoError(t, err)
	_, err = alice.cipher.Decrypt(ctx, bob.addr, session.MessageTypeWhisper, m.Message.Bytes())
	require.Error(t, err)
	assert.Equal(t, before, alice.snapshotAll(bob.addr))

	_, err = bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, first)
	require.NoError(t, err)
	typ, ct, err := bob.cipher.Encrypt(ctx, alice.addr, []byte("hi"))
	require.NoError(t, err)
	_, err = alice.cipher.Decrypt(ctx, bob.addr, typ, ct)
	require.NoError(t, err)

	// A Whisper message reflected back to Bob.
	typ, ct, err = bob.cipher.Encrypt(ctx, alice.addr, []byte("again"))
	require.NoError(t, err)
	require.Equal(t, session.MessageTypeWhisper, typ)
	before = bob.snapshotAll(alice.addr)
	_, err = bob.cipher.Decrypt(ctx, alice.addr, typ, ct)
	require.ErrorIs(t, err, session.ErrInvalidMessage)
	assert.Equal(t, before, bob.snapshotAll(alice.addr))
	pt, err := alice.cipher.Decrypt(ctx, bob.addr, typ, ct)
	require.NoError(t, err)
	assert.Equal(t, "again", string(pt))
}

func TestAdversarialWhisperEdits(t *testing.T) {
	alice, bob := connected(t)
	typ, ct, err := alice.cipher.Encrypt(ctx, bob.addr, []byte("payload"))
	require.NoError(t, err)
	require.Equal(t, session.MessageTypeWhisper, typ)
	m, err := session.ParseSignalMessage(ct)
	require.NoError(t, err)
	require.Nil(t, m.Addresses)

	addrs := make([]byte, 36)
	cases := map[string]func(*fields){
		"max counter":          func(f *fields) { f.counter = 0xFFFFFFFF },
		"max previous counter": func(f *fields) { f.previousCounter = 0xFFFFFFFF },
		"both max": func(f *fields) {
			f.counter, f.previousCounter = 0xFFFFFFFF, 0xFFFFFFFF
		},
		"addresses added": func(f *fields) { f.addresses = addrs },
		"new ratchet key max counter": func(f *fields) {
			k, err := curve.GenerateKeyPair(nil)
			require.NoError(t, err)
			f.ratchetKey = k.Public.Bytes()
			f.counter, f.previousCounter = 0xFFFFFFFF, 0xFFFFFFFF
		},
		"new ratchet key counter zero": func(f *fields) {
			k, err := curve.GenerateKeyPair(nil)
			require.NoError(t, err)
			f.ratchetKey = k.Public.Bytes()
			f.counter, f.previousCounter = 0, 0xFFFFFFFF
		},
	}
	before := bob.snapshotAll(alice.addr)
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypeWhisper, reencode(t, m, edit))
			require.Error(t, err)
			assert.Equal(t, before, bob.snapshotAll(alice.addr))
		})
	}
	pt, err := bob.cipher.Decrypt(ctx, alice.addr, typ, ct)
	require.NoError(t, err)
	assert.Equal(t, "payload", string(pt))
}

func TestAdversarialProtobufTricks(t *testing.T) {
	alice := newAdvPeer(t, advAlice, 1, 101)
	bob := newAdvPeer(t, advBob, 1, 102)
	msg := firstMessage(t, alice, bob, 1, "tricks")
	f := splitPreKey(t, msg)
	junkKey, err := curve.GenerateKeyPair(nil)
	require.NoError(t, err)

	deep := []byte{}
	for range 5000 {
		deep = protowire.AppendTag(deep, 99, protowire.StartGroupType)
	}

	bad := map[string][]byte{
		"oversize length": func() []byte {
			b := f.encode()
			b = protowire.AppendTag(b, 20, protowire.BytesType)
			return protowire.AppendVarint(b, 1<<40)
		}(),
		"length past end": func() []byte {
			b := f.encode()
			b = protowire.AppendTag(b, 20, protowire.BytesType)
			return append(protowire.AppendVarint(b, 10), 1, 2)
		}(),
		"deep groups": append(f.encode(), deep...),
		"varint overflow": func() []byte {
			b := f.encode()
			b = protowire.AppendTag(b, 5, protowire.VarintType)
			return append(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)
		}(),
		"bad version":  append([]byte{0x54}, f.encode()[1:]...),
		"truncated":    f.encode()[:len(f.encode())/2],
		"only version": {f.version},
	}
	before := bob.snapshotAll(alice.addr)
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, b)
			require.Error(t, err)
			assert.Equal(t, before, bob.snapshotAll(alice.addr))
		})
	}

	// Duplicate fields: the last one wins, as in every protobuf decoder, and
	// unknown fields are skipped.
	dup := []byte{f.version}
	dup = protowire.AppendTag(dup, 2, protowire.BytesType)
	dup = protowire.AppendBytes(dup, junkKey.Public.Bytes())
	dup = protowire.AppendTag(dup, 6, protowire.VarintType)
	dup = protowire.AppendVarint(dup, 999)
	dup = append(dup, f.encode()[1:]...)
	dup = protowire.AppendTag(dup, 30, protowire.BytesType)
	dup = protowire.AppendBytes(dup, []byte("unknown"))
	pt, err := bob.cipher.Decrypt(ctx, alice.addr, session.MessageTypePreKey, dup)
	require.NoError(t, err)
	assert.Equal(t, "tricks", string(pt))
}

func TestAdversarialPlaintextSizes(t *testing.T) {
	alice, bob := connected(t)
	for _, n := range []int{0, 1, 15, 16, 17, 64 << 10} {
		pt := bytes.Repeat([]byte{0xA5}, n)
		typ, ct, err := alice.cipher.Encrypt(ctx, bob.addr, pt)
		require.NoError(t, err)
		got, err := bob.cipher.Decrypt(ctx, alice.addr, typ, ct)
		require.NoError(t, err, "size %d", n)
		assert.Equal(t, n, len(got))
		assert.True(t, bytes.Equal(pt, got))
	}
}

func TestAdversarialConcurrentExactlyOnce(t *testing.T) {
	const remotes, perRemote = 4, 25
	hub := newAdvPeer(t, advAlice, 1, 101)
	names := []string{advBob, advCarol, "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"}
	var peers []*advPeer
	for i := range remotes {
		p := newAdvPeer(t, names[i], 1, uint32(200+i))
		msg := firstMessage(t, hub, p, 1, "hello")
		_, err := p.cipher.Decrypt(ctx, hub.addr, session.MessageTypePreKey, msg)
		require.NoError(t, err)
		peers = append(peers, p)
	}

	type sent struct {
		typ  session.MessageType
		data []byte
		text string
	}
	var wg sync.WaitGroup
	outbox := make([][]sent, remotes)
	inbox := make([][]sent, remotes)
	var mu sync.Mutex
	for i, p := range peers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range perRemote {
				text := fmt.Sprintf("hub->%d #%d", i, j)
				typ, ct, err := hub.cipher.Encrypt(ctx, p.addr, []byte(text))
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				outbox[i] = append(outbox[i], sent{typ, ct, text})
				mu.Unlock()
			}
		}()
		go func() {
			defer wg.Done()
			for j := range perRemote {
				text := fmt.Sprintf("%d->hub #%d", i, j)
				typ, ct, err := p.cipher.Encrypt(ctx, hub.addr, []byte(text))
				if !assert.NoError(t, err) {
					return
				}
				inbox[i] = append(inbox[i], sent{typ, ct, text})
			}
		}()
	}
	wg.Wait()

	// Decrypt everything concurrently, each message twice: exactly one of
	// the two attempts must succeed.
	var okCount sync.Map
	for i, p := range peers {
		for _, s := range outbox[i] {
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := p.cipher.Decrypt(ctx, hub.addr, s.typ, s.data)
					if err == nil {
						assert.Equal(t, s.text, string(got))
						v, _ := okCount.LoadOrStore(s.text, new(int32))
						mu.Lock()
						*v.(*int32)++
						mu.Unlock()
						return
					}
					if !errors.Is(err, session.ErrDuplicateMessage) {
						t.Errorf("%s: %v", s.text, err)
					}
				}()
			}
		}
		for _, s := range inbox[i] {
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := hub.cipher.Decrypt(ctx, p.addr, s.typ, s.data)
					if err == nil {
						assert.Equal(t, s.text, string(got))
						v, _ := okCount.LoadOrStore(s.text, new(int32))
						mu.Lock()
						*v.(*int32)++
						mu.Unlock()
						return
					}
					if !errors.Is(err, session.ErrDuplicateMessage) {
						t.Errorf("%s: %v", s.text, err)
					}
				}()
			}
		}
	}
	wg.Wait()
	n := 0
	okCount.Range(func(k, v any) bool {
		n++
		assert.Equal(t, int32(1), *v.(*int32), "%v decrypted more than once", k)
		return true
	})
	assert.Equal(t, 2*remotes*perRemote, n)
}
