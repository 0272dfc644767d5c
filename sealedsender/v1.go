package sealedsender

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
)

// v1Keys are the cipher and MAC keys of one v1 layer, and the chain key that
// the ephemeral layer passes to the static layer.
type v1Keys struct {
	chain, cipher, mac [32]byte
}

func (k *v1Keys) clear() {
	clear(k.chain[:])
	clear(k.cipher[:])
	clear(k.mac[:])
}

// deriveV1Keys splits HKDF-SHA256(salt, ikm, info = "", 96 bytes) into the
// chain, cipher and MAC keys. The static layer ignores the chain key.
func deriveV1Keys(salt []byte, ikm [32]byte) (v1Keys, error) {
	okm, err := hkdf.Key(sha256.New, ikm[:], salt, "", 96)
	if err != nil {
		return v1Keys{}, fmt.Errorf("sealedsender: hkdf: %w", err)
	}
	var k v1Keys
	copy(k.chain[:], okm[0:32])
	copy(k.cipher[:], okm[32:64])
	copy(k.mac[:], okm[64:96])
	clear(okm)
	return k, nil
}

// ephemeralKeysV1 derives the ephemeral layer's keys from DH(e, R) with the
// salt "UnidentifiedDelivery" || R || E, where R is the recipient's identity
// key and E the ephemeral public key.
func ephemeralKeysV1(shared [32]byte, recipient, ephemeral curve.PublicKey) (v1Keys, error) {
	salt := make([]byte, 0, len(v1SaltPrefix)+2*curve.PublicKeySize)
	salt = append(salt, v1SaltPrefix...)
	salt = append(salt, recipient.Bytes()...)
	salt = append(salt, ephemeral.Bytes()...)
	return deriveV1Keys(salt, shared)
}

// staticKeysV1 derives the static layer's keys from DH(S, R) with the salt
// chain key || encrypted static key (with its MAC).
func staticKeysV1(shared [32]byte, chain [32]byte, encryptedStatic []byte) (v1Keys, error) {
	salt := make([]byte, 0, 32+len(encryptedStatic))
	salt = append(salt, chain[:]...)
	salt = append(salt, encryptedStatic...)
	return deriveV1Keys(salt, shared)
}

// ctrHMACEncrypt returns AES-256-CTR(cipherKey, zero IV, plaintext) followed
// by the first 10 bytes of HMAC-SHA256(macKey, ciphertext).
func ctrHMACEncrypt(k *v1Keys, plaintext []byte) []byte {
	out := make([]byte, len(plaintext), len(plaintext)+v1MACSize)
	aesCTR(k.cipher, out, plaintext)
	m := hmac.New(sha256.New, k.mac[:])
	m.Write(out)
	return append(out, m.Sum(nil)[:v1MACSize]...)
}

// ctrHMACDecrypt checks the truncated MAC in constant time and decrypts.
func ctrHMACDecrypt(k *v1Keys, in []byte) ([]byte, bool) {
	if len(in) < v1MACSize {
		return nil, false
	}
	body, tag := in[:len(in)-v1MACSize], in[len(in)-v1MACSize:]
	m := hmac.New(sha256.New, k.mac[:])
	m.Write(body)
	if subtle.ConstantTimeCompare(m.Sum(nil)[:v1MACSize], tag) != 1 {
		return nil, false
	}
	out := make([]byte, len(body))
	aesCTR(k.cipher, out, body)
	return out, true
}

// aesCTR applies AES-256-CTR with an all-zero initial counter block.
// libsignal increments only the last 32 bits of the block, and so does this
// for messages under 2^32 blocks (64 GiB), far above any sealed message.
func aesCTR(key [32]byte, dst, src []byte) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic("sealedsender: unreachable: AES-256 key has the wrong size")
	}
	var iv [aes.BlockSize]byte
	cipher.NewCTR(block, iv[:]).XORKeyStream(dst, src)
}

// EncryptV1 seals content for one recipient with sealed sender v1, the
// format libsignal's sealedSenderEncrypt writes: 0x11 and a protobuf
// UnidentifiedSenderMessage. sender is the sender's identity key pair, whose
// public key must be the one in content's certificate, and recipient is the
// recipient's identity key. rand supplies the ephemeral key; nil means
// crypto/rand.Reader.
func EncryptV1(rand io.Reader, sender curve.KeyPair, recipient curve.PublicKey, content *Content) ([]byte, error) {
	body, err := content.Marshal()
	if err != nil {
		return nil, err
	}
	if !content.Certificate.sender.IdentityKey.Equal(sender.Public) {
		return nil, fmt.Errorf("%w: sender key pair does not match the certificate", ErrInvalidArgument)
	}
	ephemeral, err := curve.GenerateKeyPair(rand)
	if err != nil {
		return nil, fmt.Errorf("sealedsender: generating ephemeral key: %w", err)
	}

	shared, err := ephemeral.Private.Agree(recipient)
	if err != nil {
		return nil, fmt.Errorf("sealedsender: recipient identity key: %w", err)
	}
	eph, err := ephemeralKeysV1(shared, recipient, ephemeral.Public)
	clear(shared[:])
	if err != nil {
		return nil, err
	}
	defer eph.clear()
	encryptedStatic := ctrHMACEncrypt(&eph, sender.Public.Bytes())

	shared, err = sender.Private.Agree(recipient)
	if err != nil {
		return nil, fmt.Errorf("sealedsender: recipient identity key: %w", err)
	}
	static, err := staticKeysV1(shared, eph.chain, encryptedStatic)
	clear(shared[:])
	if err != nil {
		return nil, err
	}
	defer static.clear()
	encryptedMessage := ctrHMACEncrypt(&static, body)

	msg, err := proto.Marshal(&wire.UnidentifiedSenderMessage{
		EphemeralPublic:  ephemeral.Public.Bytes(),
		EncryptedStatic:  encryptedStatic,
		EncryptedMessage: encryptedMessage,
	})
	if err != nil {
		return nil, fmt.Errorf("sealedsender: encoding message: %w", err)
	}
	return append([]byte{versionV1}, msg...), nil
}

// v1Message is a parsed v1 message.
type v1Message struct {
	ephemeral        curve.PublicKey
	encryptedStatic  []byte
	encryptedMessage []byte
}

func parseV1(body []byte) (*v1Message, error) {
	var m wire.UnidentifiedSenderMessage
	if err := proto.Unmarshal(body, &m); err != nil {
		return nil, malformed("v1 message: %v", err)
	}
	if wire.HasMisencodedField(&m) {
		return nil, malformed("v1 message: a field has the wrong wire type")
	}
	if m.EphemeralPublic == nil || m.EncryptedStatic == nil || m.EncryptedMessage == nil {
		return nil, malformed("v1 message: missing field")
	}
	eph, err := curve.NewPublicKey(m.EphemeralPublic)
	if err != nil {
		return nil, malformed("v1 ephemeral key: %v", err)
	}
	return &v1Message{ephemeral: eph, encryptedStatic: m.EncryptedStatic, encryptedMessage: m.EncryptedMessage}, nil
}

// decryptV1 removes both v1 layers and checks that the sender key under
// the ephemeral layer is the one in the certificate.
func decryptV1(recipient curve.KeyPair, m *v1Message) (*Content, error) {
	shared, err := recipient.Private.Agree(m.ephemeral)
	if err != nil {
		return nil, ErrDecrypt
	}
	eph, err := ephemeralKeysV1(shared, recipient.Public, m.ephemeral)
	clear(shared[:])
	if err != nil {
		return nil, err
	}
	defer eph.clear()
	staticBytes, ok := ctrHMACDecrypt(&eph, m.encryptedStatic)
	if !ok {
		return nil, ErrDecrypt
	}
	senderKey, err := curve.NewPublicKey(staticBytes)
	if err != nil {
		return nil, ErrDecrypt
	}

	shared, err = recipient.Private.Agree(senderKey)
	if err != nil {
		return nil, ErrDecrypt
	}
	static, err := staticKeysV1(shared, eph.chain, m.encryptedStatic)
	clear(shared[:])
	if err != nil {
		return nil, err
	}
	defer static.clear()
	body, ok := ctrHMACDecrypt(&static, m.encryptedMessage)
	if !ok {
		return nil, ErrDecrypt
	}

	content, err := ParseContent(body)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(staticBytes, content.Certificate.sender.IdentityKey.Bytes()) != 1 {
		return nil, ErrDecrypt
	}
	return content, nil
}
