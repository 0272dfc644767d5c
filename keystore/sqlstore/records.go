package sqlstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"time"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
)

// Plaintext layouts of sealed values. Integers are big-endian. Times are
// int64 Unix nanoseconds.
//
//	local identity:  private key (32) | registration ID (4)
//	identity:        public key (33, libsignal form)
//	prekey:          private key (32)
//	signed prekey:   created (8) | private key (32) | signature (rest)
//	kyber prekey:    created (8) | last resort (1) | seed (64) | signature (rest)
//	session, sender key: the record bytes as given
//	kyber use:       empty

const (
	privateKeySize = 32
	kyberSeedSize  = 64
	maxSignature   = 1024
)

var errDecode = errors.New("sqlstore: malformed value")

// Logical keys, the bytes that the row HMAC and the associated data bind.

func idKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32(nil, id)
}

func addressKey(a keystore.Address) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(a.Name)))
	b = append(b, a.Name...)
	return binary.BigEndian.AppendUint32(b, a.DeviceID)
}

func appDataKey(name string) []byte {
	return []byte(name)
}

func senderKeyKey(a keystore.Address, distributionID [16]byte) []byte {
	return append(addressKey(a), distributionID[:]...)
}

func kyberUseKey(kyberID, signedID uint32, baseKey curve.PublicKey) []byte {
	b := binary.BigEndian.AppendUint32(nil, kyberID)
	b = binary.BigEndian.AppendUint32(b, signedID)
	raw := baseKey.Raw()
	return append(b, raw[:]...)
}

func encodeLocal(kp curve.KeyPair, regID uint32) []byte {
	return binary.BigEndian.AppendUint32(kp.Private.Bytes(), regID)
}

func decodeLocal(b []byte) (curve.KeyPair, uint32, error) {
	if len(b) != privateKeySize+4 {
		return curve.KeyPair{}, 0, errDecode
	}
	kp, err := decodePrivate(b[:privateKeySize])
	if err != nil {
		return curve.KeyPair{}, 0, err
	}
	return kp, binary.BigEndian.Uint32(b[privateKeySize:]), nil
}

func decodePrivate(b []byte) (curve.KeyPair, error) {
	if len(b) != privateKeySize {
		return curve.KeyPair{}, errDecode
	}
	priv, err := curve.NewPrivateKey(b)
	if err != nil || priv.IsZero() || !bytes.Equal(priv.Bytes(), b) {
		// The encoder writes clamped scalars only.
		return curve.KeyPair{}, errDecode
	}
	return curve.NewKeyPair(priv), nil
}

func encodePreKey(k keystore.PreKey) []byte {
	return k.KeyPair.Private.Bytes()
}

func decodePreKey(id uint32, b []byte) (keystore.PreKey, error) {
	kp, err := decodePrivate(b)
	if err != nil {
		return keystore.PreKey{}, err
	}
	return keystore.PreKey{ID: id, KeyPair: kp}, nil
}

func encodeSignedPreKey(k keystore.SignedPreKey) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(k.CreatedAt.UnixNano()))
	b = append(b, k.KeyPair.Private.Bytes()...)
	return append(b, k.Signature...)
}

func decodeSignedPreKey(id uint32, b []byte) (keystore.SignedPreKey, error) {
	if len(b) < 8+privateKeySize || len(b) > 8+privateKeySize+maxSignature {
		return keystore.SignedPreKey{}, errDecode
	}
	kp, err := decodePrivate(b[8 : 8+privateKeySize])
	if err != nil {
		return keystore.SignedPreKey{}, err
	}
	return keystore.SignedPreKey{
		ID:        id,
		CreatedAt: time.Unix(0, int64(binary.BigEndian.Uint64(b))),
		KeyPair:   kp,
		Signature: append([]byte{}, b[8+privateKeySize:]...),
	}, nil
}

func encodeKyberPreKey(k keystore.KyberPreKey) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(k.CreatedAt.UnixNano()))
	var last byte
	if k.LastResort {
		last = 1
	}
	b = append(b, last)
	b = append(b, k.KeyPair.Private.Seed()...)
	return append(b, k.Signature...)
}

func decodeKyberPreKey(id uint32, b []byte) (keystore.KyberPreKey, error) {
	const head = 8 + 1 + kyberSeedSize
	if len(b) < head || len(b) > head+maxSignature || b[8] > 1 {
		return keystore.KyberPreKey{}, errDecode
	}
	priv, err := kem.NewPrivateKeyFromSeed(b[9:head])
	if err != nil {
		return keystore.KyberPreKey{}, errDecode
	}
	return keystore.KyberPreKey{
		ID:         id,
		CreatedAt:  time.Unix(0, int64(binary.BigEndian.Uint64(b))),
		KeyPair:    kem.KeyPair{Private: priv, Public: priv.PublicKey()},
		Signature:  append([]byte{}, b[head:]...),
		LastResort: b[8] == 1,
	}, nil
}
