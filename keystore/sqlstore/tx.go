package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/keystore"
)

// storeTx is the keystore.Tx of one Update or View.
type storeTx struct {
	s        *Store
	ctx      context.Context
	tx       *sql.Tx
	readOnly bool
}

var _ keystore.Tx = (*storeTx)(nil)

// get returns the opened value of a row, or nil and false if there is none.
// name is the logical key as shown in a CorruptError.
func (t *storeTx) get(table string, key []byte, name string) ([]byte, bool, error) {
	var sealed []byte
	err := t.tx.QueryRowContext(t.ctx, `SELECT v FROM `+table+` WHERE k = ?`, t.s.rows.rowKey(table, key)).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, dbError(err)
	}
	v, err := t.s.rows.openRow(table, key, sealed)
	if err != nil {
		return nil, false, &CorruptError{Table: table, Key: name}
	}
	return v, true, nil
}

func (t *storeTx) put(table string, key []byte, name string, value []byte) error {
	if t.readOnly {
		return keystore.ErrReadOnly
	}
	sealed, err := t.s.rows.sealRow(t.s.rand, table, key, value)
	clear(value)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO `+table+` (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, t.s.rows.rowKey(table, key), sealed)
	if err != nil {
		return fmt.Errorf("sqlstore: writing %s %s: %w", table, name, err)
	}
	return nil
}

func (t *storeTx) remove(table string, key []byte, name string) error {
	if t.readOnly {
		return keystore.ErrReadOnly
	}
	_, err := t.tx.ExecContext(t.ctx, `DELETE FROM `+table+` WHERE k = ?`, t.s.rows.rowKey(table, key))
	if err != nil {
		return fmt.Errorf("sqlstore: deleting %s %s: %w", table, name, err)
	}
	return nil
}

func idName(id uint32) string { return strconv.FormatUint(uint64(id), 10) }

func senderKeyName(a keystore.Address, distributionID [16]byte) string {
	return fmt.Sprintf("%s/%x", a, distributionID)
}

func (t *storeTx) IdentityKeyPair(ctx context.Context) (curve.KeyPair, error) {
	kp, _, err := t.local()
	return kp, err
}

func (t *storeTx) LocalRegistrationID(ctx context.Context) (uint32, error) {
	_, id, err := t.local()
	return id, err
}

func (t *storeTx) local() (curve.KeyPair, uint32, error) {
	v, ok, err := t.get(tableLocal, []byte(localIdentityKey), localIdentityKey)
	if err != nil {
		return curve.KeyPair{}, 0, err
	}
	if !ok {
		return curve.KeyPair{}, 0, keystore.ErrNoIdentity
	}
	defer clear(v)
	kp, regID, err := decodeLocal(v)
	if err != nil {
		return curve.KeyPair{}, 0, &CorruptError{Table: tableLocal, Key: localIdentityKey}
	}
	return kp, regID, nil
}

func (t *storeTx) SaveIdentity(ctx context.Context, addr keystore.Address, key curve.PublicKey) (bool, error) {
	old, ok, err := t.Identity(ctx, addr)
	if err != nil {
		return false, err
	}
	if ok && old.Equal(key) {
		return false, nil
	}
	if err := t.put(tableIdentities, addressKey(addr), addr.String(), key.Bytes()); err != nil {
		return false, err
	}
	return ok, nil
}

// IsTrustedIdentity trusts the first key seen for an address and rejects
// a different one until SaveIdentity stores it, as keystore.MemoryStore
// does.
func (t *storeTx) IsTrustedIdentity(ctx context.Context, addr keystore.Address, key curve.PublicKey, dir keystore.Direction) (bool, error) {
	old, ok, err := t.Identity(ctx, addr)
	if err != nil {
		return false, err
	}
	return !ok || old.Equal(key), nil
}

func (t *storeTx) Identity(ctx context.Context, addr keystore.Address) (curve.PublicKey, bool, error) {
	v, ok, err := t.get(tableIdentities, addressKey(addr), addr.String())
	if err != nil || !ok {
		return curve.PublicKey{}, false, err
	}
	k, err := curve.NewPublicKey(v)
	if err != nil {
		return curve.PublicKey{}, false, &CorruptError{Table: tableIdentities, Key: addr.String()}
	}
	return k, true, nil
}

func notFound(kind string, id uint32) error {
	return fmt.Errorf("sqlstore: %s %d: %w", kind, id, keystore.ErrNotFound)
}

func (t *storeTx) PreKey(ctx context.Context, id uint32) (keystore.PreKey, error) {
	v, ok, err := t.get(tablePreKeys, idKey(id), idName(id))
	if err != nil {
		return keystore.PreKey{}, err
	}
	if !ok {
		return keystore.PreKey{}, notFound("prekey", id)
	}
	defer clear(v)
	k, err := decodePreKey(id, v)
	if err != nil {
		return keystore.PreKey{}, &CorruptError{Table: tablePreKeys, Key: idName(id)}
	}
	return k, nil
}

func (t *storeTx) StorePreKey(ctx context.Context, k keystore.PreKey) error {
	return t.put(tablePreKeys, idKey(k.ID), idName(k.ID), encodePreKey(k))
}

func (t *storeTx) RemovePreKey(ctx context.Context, id uint32) error {
	return t.remove(tablePreKeys, idKey(id), idName(id))
}

func (t *storeTx) RemoveSignedPreKey(ctx context.Context, id uint32) error {
	return t.remove(tableSignedPreKeys, idKey(id), idName(id))
}

// RemoveKyberPreKey deletes the key but keeps its recorded uses: their
// primary keys are HMACs, so the uses of one key cannot be found without
// its base keys. They are small, and no message can match them again.
func (t *storeTx) RemoveKyberPreKey(ctx context.Context, id uint32) error {
	return t.remove(tableKyberPreKeys, idKey(id), idName(id))
}

func (t *storeTx) SignedPreKey(ctx context.Context, id uint32) (keystore.SignedPreKey, error) {
	v, ok, err := t.get(tableSignedPreKeys, idKey(id), idName(id))
	if err != nil {
		return keystore.SignedPreKey{}, err
	}
	if !ok {
		return keystore.SignedPreKey{}, notFound("signed prekey", id)
	}
	defer clear(v)
	k, err := decodeSignedPreKey(id, v)
	if err != nil {
		return keystore.SignedPreKey{}, &CorruptError{Table: tableSignedPreKeys, Key: idName(id)}
	}
	return k, nil
}

func (t *storeTx) StoreSignedPreKey(ctx context.Context, k keystore.SignedPreKey) error {
	if len(k.Signature) > maxSignature {
		return fmt.Errorf("sqlstore: signed prekey %d: signature of %d bytes exceeds %d", k.ID, len(k.Signature), maxSignature)
	}
	return t.put(tableSignedPreKeys, idKey(k.ID), idName(k.ID), encodeSignedPreKey(k))
}

func (t *storeTx) KyberPreKey(ctx context.Context, id uint32) (keystore.KyberPreKey, error) {
	v, ok, err := t.get(tableKyberPreKeys, idKey(id), idName(id))
	if err != nil {
		return keystore.KyberPreKey{}, err
	}
	if !ok {
		return keystore.KyberPreKey{}, notFound("kyber prekey", id)
	}
	defer clear(v)
	k, err := decodeKyberPreKey(id, v)
	if err != nil {
		return keystore.KyberPreKey{}, &CorruptError{Table: tableKyberPreKeys, Key: idName(id)}
	}
	return k, nil
}

func (t *storeTx) StoreKyberPreKey(ctx context.Context, k keystore.KyberPreKey) error {
	if len(k.Signature) > maxSignature {
		return fmt.Errorf("sqlstore: kyber prekey %d: signature of %d bytes exceeds %d", k.ID, len(k.Signature), maxSignature)
	}
	if k.KeyPair.Private == nil {
		return fmt.Errorf("sqlstore: kyber prekey %d has no private key", k.ID)
	}
	return t.put(tableKyberPreKeys, idKey(k.ID), idName(k.ID), encodeKyberPreKey(k))
}

func (t *storeTx) MarkKyberPreKeyUsed(ctx context.Context, kyberID, signedID uint32, baseKey curve.PublicKey) error {
	k, err := t.KyberPreKey(ctx, kyberID)
	if err != nil {
		return err
	}
	if t.readOnly {
		return keystore.ErrReadOnly
	}
	if !k.LastResort {
		return t.remove(tableKyberPreKeys, idKey(kyberID), idName(kyberID))
	}
	useKey := kyberUseKey(kyberID, signedID, baseKey)
	useName := fmt.Sprintf("%d/%d/%s", kyberID, signedID, baseKey.Fingerprint())
	_, seen, err := t.get(tableKyberUses, useKey, useName)
	if err != nil {
		return err
	}
	if seen {
		return keystore.ErrKyberPreKeyReused
	}
	return t.put(tableKyberUses, useKey, useName, []byte{})
}

func (t *storeTx) Session(ctx context.Context, addr keystore.Address) ([]byte, error) {
	v, _, err := t.get(tableSessions, addressKey(addr), addr.String())
	return v, err
}

func (t *storeTx) StoreSession(ctx context.Context, addr keystore.Address, rec []byte) error {
	return t.put(tableSessions, addressKey(addr), addr.String(), bytes.Clone(rec))
}

func (t *storeTx) DeleteSession(ctx context.Context, addr keystore.Address) error {
	return t.remove(tableSessions, addressKey(addr), addr.String())
}

func (t *storeTx) SenderKey(ctx context.Context, sender keystore.Address, distributionID [16]byte) ([]byte, error) {
	v, _, err := t.get(tableSenderKeys, senderKeyKey(sender, distributionID), senderKeyName(sender, distributionID))
	return v, err
}

func (t *storeTx) StoreSenderKey(ctx context.Context, sender keystore.Address, distributionID [16]byte, rec []byte) error {
	return t.put(tableSenderKeys, senderKeyKey(sender, distributionID), senderKeyName(sender, distributionID), bytes.Clone(rec))
}

func (t *storeTx) AppData(ctx context.Context, name string) ([]byte, error) {
	v, _, err := t.get(tableAppData, appDataKey(name), name)
	return v, err
}

func (t *storeTx) StoreAppData(ctx context.Context, name string, rec []byte) error {
	return t.put(tableAppData, appDataKey(name), name, bytes.Clone(rec))
}
