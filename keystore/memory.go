package keystore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/parleyhq/parley/curve"
)

// ErrReadOnly is returned by writes inside a View transaction.
var ErrReadOnly = errors.New("keystore: write in a read-only transaction")

type senderKeyID struct {
	sender         Address
	distributionID [16]byte
}

type kyberUse struct {
	kyberID, signedID uint32
	baseKey           [32]byte
}

// memoryData is the full content of a MemoryStore.
type memoryData struct {
	identities    map[Address]curve.PublicKey
	preKeys       map[uint32]PreKey
	signedPreKeys map[uint32]SignedPreKey
	kyberPreKeys  map[uint32]KyberPreKey
	kyberUses     map[kyberUse]struct{}
	sessions      map[Address][]byte
	senderKeys    map[senderKeyID][]byte
	appData       map[string][]byte
}

// MemoryStore is a Store kept in memory. It is safe for concurrent use.
type MemoryStore struct {
	identity       curve.KeyPair
	registrationID uint32

	mu   sync.RWMutex
	data memoryData
}

// NewMemoryStore returns an empty store for a device with the given
// identity key pair and registration ID.
func NewMemoryStore(identity curve.KeyPair, registrationID uint32) *MemoryStore {
	return &MemoryStore{
		identity:       identity,
		registrationID: registrationID,
		data: memoryData{
			identities:    map[Address]curve.PublicKey{},
			preKeys:       map[uint32]PreKey{},
			signedPreKeys: map[uint32]SignedPreKey{},
			kyberPreKeys:  map[uint32]KyberPreKey{},
			kyberUses:     map[kyberUse]struct{}{},
			sessions:      map[Address][]byte{},
			senderKeys:    map[senderKeyID][]byte{},
			appData:       map[string][]byte{},
		},
	}
}

// Update implements Store.
func (s *MemoryStore) Update(ctx context.Context, fn func(tx Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &memoryTx{store: s, data: &s.data}
	committed := false
	defer func() {
		// A panic in fn must not leave half of its writes behind.
		if !committed {
			tx.rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	return nil
}

// View implements Store.
func (s *MemoryStore) View(ctx context.Context, fn func(tx Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&memoryTx{store: s, data: &s.data, readOnly: true})
}

// memoryTx writes straight into the store's maps while Update holds the
// write lock, and keeps an undo log so that a failed transaction can put
// every entry back as it was.
type memoryTx struct {
	store    *MemoryStore
	data     *memoryData
	readOnly bool
	undo     []func()
}

func (tx *memoryTx) rollback() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i]()
	}
	tx.undo = nil
}

// record saves the current entry of key in m so rollback can restore it.
func record[K comparable, V any](tx *memoryTx, m map[K]V, key K) error {
	if tx.readOnly {
		return ErrReadOnly
	}
	old, ok := m[key]
	tx.undo = append(tx.undo, func() {
		if ok {
			m[key] = old
		} else {
			delete(m, key)
		}
	})
	return nil
}

func (tx *memoryTx) IdentityKeyPair(ctx context.Context) (curve.KeyPair, error) {
	if tx.store.identity.Public.IsZero() {
		return curve.KeyPair{}, ErrNoIdentity
	}
	return tx.store.identity, nil
}

func (tx *memoryTx) LocalRegistrationID(ctx context.Context) (uint32, error) {
	return tx.store.registrationID, nil
}

func (tx *memoryTx) SaveIdentity(ctx context.Context, addr Address, key curve.PublicKey) (bool, error) {
	old, ok := tx.data.identities[addr]
	if ok && old.Equal(key) {
		return false, nil
	}
	if err := record(tx, tx.data.identities, addr); err != nil {
		return false, err
	}
	tx.data.identities[addr] = key
	return ok, nil
}

func (tx *memoryTx) IsTrustedIdentity(ctx context.Context, addr Address, key curve.PublicKey, dir Direction) (bool, error) {
	old, ok := tx.data.identities[addr]
	return !ok || old.Equal(key), nil
}

func (tx *memoryTx) Identity(ctx context.Context, addr Address) (curve.PublicKey, bool, error) {
	k, ok := tx.data.identities[addr]
	return k, ok, nil
}

func (tx *memoryTx) PreKey(ctx context.Context, id uint32) (PreKey, error) {
	k, ok := tx.data.preKeys[id]
	if !ok {
		return PreKey{}, notFound("prekey", id)
	}
	return k, nil
}

func (tx *memoryTx) StorePreKey(ctx context.Context, k PreKey) error {
	if err := record(tx, tx.data.preKeys, k.ID); err != nil {
		return err
	}
	tx.data.preKeys[k.ID] = k
	return nil
}

func (tx *memoryTx) RemovePreKey(ctx context.Context, id uint32) error {
	if err := record(tx, tx.data.preKeys, id); err != nil {
		return err
	}
	delete(tx.data.preKeys, id)
	return nil
}

func (tx *memoryTx) SignedPreKey(ctx context.Context, id uint32) (SignedPreKey, error) {
	k, ok := tx.data.signedPreKeys[id]
	if !ok {
		return SignedPreKey{}, notFound("signed prekey", id)
	}
	k.Signature = bytes.Clone(k.Signature)
	return k, nil
}

func (tx *memoryTx) StoreSignedPreKey(ctx context.Context, k SignedPreKey) error {
	if err := record(tx, tx.data.signedPreKeys, k.ID); err != nil {
		return err
	}
	k.Signature = bytes.Clone(k.Signature)
	tx.data.signedPreKeys[k.ID] = k
	return nil
}

func (tx *memoryTx) RemoveSignedPreKey(ctx context.Context, id uint32) error {
	if err := record(tx, tx.data.signedPreKeys, id); err != nil {
		return err
	}
	delete(tx.data.signedPreKeys, id)
	return nil
}

func (tx *memoryTx) RemoveKyberPreKey(ctx context.Context, id uint32) error {
	if err := record(tx, tx.data.kyberPreKeys, id); err != nil {
		return err
	}
	delete(tx.data.kyberPreKeys, id)
	for use := range tx.data.kyberUses {
		if use.kyberID != id {
			continue
		}
		if err := record(tx, tx.data.kyberUses, use); err != nil {
			return err
		}
		delete(tx.data.kyberUses, use)
	}
	return nil
}

func (tx *memoryTx) KyberPreKey(ctx context.Context, id uint32) (KyberPreKey, error) {
	k, ok := tx.data.kyberPreKeys[id]
	if !ok {
		return KyberPreKey{}, notFound("kyber prekey", id)
	}
	k.Signature = bytes.Clone(k.Signature)
	return k, nil
}

func (tx *memoryTx) StoreKyberPreKey(ctx context.Context, k KyberPreKey) error {
	if err := record(tx, tx.data.kyberPreKeys, k.ID); err != nil {
		return err
	}
	k.Signature = bytes.Clone(k.Signature)
	tx.data.kyberPreKeys[k.ID] = k
	return nil
}

func (tx *memoryTx) MarkKyberPreKeyUsed(ctx context.Context, kyberID, signedID uint32, baseKey curve.PublicKey) error {
	k, ok := tx.data.kyberPreKeys[kyberID]
	if !ok {
		return notFound("kyber prekey", kyberID)
	}
	if !k.LastResort {
		if err := record(tx, tx.data.kyberPreKeys, kyberID); err != nil {
			return err
		}
		delete(tx.data.kyberPreKeys, kyberID)
		return nil
	}
	use := kyberUse{kyberID: kyberID, signedID: signedID, baseKey: baseKey.Raw()}
	if _, seen := tx.data.kyberUses[use]; seen {
		return ErrKyberPreKeyReused
	}
	if err := record(tx, tx.data.kyberUses, use); err != nil {
		return err
	}
	tx.data.kyberUses[use] = struct{}{}
	return nil
}

func (tx *memoryTx) Session(ctx context.Context, addr Address) ([]byte, error) {
	return bytes.Clone(tx.data.sessions[addr]), nil
}

func (tx *memoryTx) StoreSession(ctx context.Context, addr Address, rec []byte) error {
	if err := record(tx, tx.data.sessions, addr); err != nil {
		return err
	}
	tx.data.sessions[addr] = bytes.Clone(rec)
	return nil
}

func (tx *memoryTx) DeleteSession(ctx context.Context, addr Address) error {
	if err := record(tx, tx.data.sessions, addr); err != nil {
		return err
	}
	delete(tx.data.sessions, addr)
	return nil
}

func (tx *memoryTx) SenderKey(ctx context.Context, sender Address, distributionID [16]byte) ([]byte, error) {
	return bytes.Clone(tx.data.senderKeys[senderKeyID{sender, distributionID}]), nil
}

func (tx *memoryTx) StoreSenderKey(ctx context.Context, sender Address, distributionID [16]byte, rec []byte) error {
	id := senderKeyID{sender, distributionID}
	if err := record(tx, tx.data.senderKeys, id); err != nil {
		return err
	}
	tx.data.senderKeys[id] = bytes.Clone(rec)
	return nil
}

func (tx *memoryTx) AppData(ctx context.Context, name string) ([]byte, error) {
	return bytes.Clone(tx.data.appData[name]), nil
}

func (tx *memoryTx) StoreAppData(ctx context.Context, name string, rec []byte) error {
	if err := record(tx, tx.data.appData, name); err != nil {
		return err
	}
	tx.data.appData[name] = bytes.Clone(rec)
	return nil
}

// Format prints the public identity key's fingerprint only, for every verb,
// so the identity private key never reaches a log.
func (s *MemoryStore) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "keystore.MemoryStore{identity %s}", s.identity.Public.Fingerprint())
}
