package gcmsiv

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"strconv"
)

const (
	// NonceSize is the nonce size of AES-GCM-SIV in bytes.
	NonceSize = 12
	// TagSize is the size of the authentication tag appended by Seal.
	TagSize = 16
	// KeySize is the AES-256-GCM-SIV key size in bytes. [New] also accepts
	// a 16-byte AES-128 key.
	KeySize = 32

	blockSize = 16
	// maxPlaintextSize and maxAdditionalDataSize are the 2^36-byte limits
	// of RFC 8452 section 6. maxCiphertextSize adds the tag.
	maxPlaintextSize      = 1 << 36
	maxAdditionalDataSize = 1 << 36
	maxCiphertextSize     = maxPlaintextSize + TagSize
)

// ErrOpen is returned by Open when the ciphertext is too short, too long or
// does not authenticate.
var ErrOpen = errors.New("gcmsiv: message authentication failed")

type aead struct {
	// keyGen is AES keyed with the key-generating key of RFC 8452 section 4.
	keyGen  cipher.Block
	keySize int
}

// New returns AES-GCM-SIV with the given key-generating key: AES-256-GCM-SIV
// for a 32-byte key and AES-128-GCM-SIV for a 16-byte key. Seal and Open
// panic if the nonce is not NonceSize bytes.
func New(key []byte) (cipher.AEAD, error) {
	if len(key) != 16 && len(key) != 32 {
		return nil, errors.New("gcmsiv: invalid key size " + strconv.Itoa(len(key)) + ", expected 16 or 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &aead{keyGen: block, keySize: len(key)}, nil
}

func (a *aead) NonceSize() int { return NonceSize }

func (a *aead) Overhead() int { return TagSize }

// deriveKeys implements the key derivation of RFC 8452 section 4: block i of
// the output is the first 8 bytes of AES(K, LE32(i) || nonce). Blocks 0 and 1
// form the 16-byte message-authentication key, and the next two or four
// blocks form the message-encryption key.
func (a *aead) deriveKeys(nonce []byte) (authKey [16]byte, encBlock cipher.Block) {
	var in, out [blockSize]byte
	copy(in[4:], nonce)
	var encKey [32]byte
	blocks := 2 + a.keySize/8
	for i := range blocks {
		binary.LittleEndian.PutUint32(in[:4], uint32(i))
		a.keyGen.Encrypt(out[:], in[:])
		if i < 2 {
			copy(authKey[i*8:], out[:8])
		} else {
			copy(encKey[(i-2)*8:], out[:8])
		}
	}
	block, err := aes.NewCipher(encKey[:a.keySize])
	if err != nil {
		panic("gcmsiv: unreachable: derived key has an invalid size")
	}
	clear(encKey[:])
	clear(out[:])
	return authKey, block
}

// computeTag returns the tag of RFC 8452 section 4: POLYVAL over the padded
// additional data, the padded plaintext and the length block, XORed with the
// nonce, with the top bit cleared, encrypted with the message-encryption key.
func computeTag(authKey *[16]byte, enc cipher.Block, nonce, plaintext, additionalData []byte) [TagSize]byte {
	p := newPolyval(authKey[:])
	p.update(additionalData)
	p.update(plaintext)
	var lengths [blockSize]byte
	binary.LittleEndian.PutUint64(lengths[0:8], uint64(len(additionalData))*8)
	binary.LittleEndian.PutUint64(lengths[8:16], uint64(len(plaintext))*8)
	p.update(lengths[:])

	var s [TagSize]byte
	p.sum(s[:])
	for i := range NonceSize {
		s[i] ^= nonce[i]
	}
	s[15] &= 0x7f
	enc.Encrypt(s[:], s[:])
	return s
}

// ctr XORs src with the key stream of RFC 8452 section 4 into dst. Counter
// blocks start at the tag with its top bit set. Only the first 32 bits,
// read as a little-endian integer, are incremented, wrapping modulo 2^32.
func ctr(enc cipher.Block, tag *[TagSize]byte, dst, src []byte) {
	var counter, stream [blockSize]byte
	copy(counter[:], tag[:])
	counter[15] |= 0x80
	n := binary.LittleEndian.Uint32(counter[:4])
	for len(src) > 0 {
		binary.LittleEndian.PutUint32(counter[:4], n)
		enc.Encrypt(stream[:], counter[:])
		k := subtle.XORBytes(dst, src, stream[:])
		dst, src = dst[k:], src[k:]
		n++
	}
	clear(stream[:])
}

// Seal encrypts and authenticates plaintext and additionalData, appends the
// ciphertext and the 16-byte tag to dst and returns the result. It panics if
// nonce is not NonceSize bytes or an input is over the 2^36-byte limit.
func (a *aead) Seal(dst, nonce, plaintext, additionalData []byte) []byte {
	if len(nonce) != NonceSize {
		panic("gcmsiv: incorrect nonce length given to Seal")
	}
	if uint64(len(plaintext)) > maxPlaintextSize || uint64(len(additionalData)) > maxAdditionalDataSize {
		panic("gcmsiv: message too large for Seal")
	}
	authKey, enc := a.deriveKeys(nonce)
	tag := computeTag(&authKey, enc, nonce, plaintext, additionalData)
	clear(authKey[:])

	ret, out := sliceForAppend(dst, len(plaintext)+TagSize)
	if inexactOverlap(out, plaintext) {
		panic("gcmsiv: invalid buffer overlap")
	}
	ctr(enc, &tag, out[:len(plaintext)], plaintext)
	copy(out[len(plaintext):], tag[:])
	return ret
}

// Open authenticates and decrypts ciphertext, appends the plaintext to dst
// and returns the result. On failure it returns ErrOpen and zeroes the bytes
// it wrote. It panics if nonce is not NonceSize bytes.
func (a *aead) Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if len(nonce) != NonceSize {
		panic("gcmsiv: incorrect nonce length given to Open")
	}
	if len(ciphertext) < TagSize || uint64(len(ciphertext)) > maxCiphertextSize ||
		uint64(len(additionalData)) > maxAdditionalDataSize {
		return nil, ErrOpen
	}
	var tag [TagSize]byte
	body := ciphertext[:len(ciphertext)-TagSize]
	copy(tag[:], ciphertext[len(body):])

	authKey, enc := a.deriveKeys(nonce)
	defer clear(authKey[:])
	ret, out := sliceForAppend(dst, len(body))
	if inexactOverlap(out, ciphertext) {
		panic("gcmsiv: invalid buffer overlap")
	}
	ctr(enc, &tag, out, body)
	expected := computeTag(&authKey, enc, nonce, out, additionalData)
	if subtle.ConstantTimeCompare(expected[:], tag[:]) != 1 {
		clear(out)
		return nil, ErrOpen
	}
	return ret, nil
}

// sliceForAppend extends in by n bytes, reusing its capacity when it can,
// and returns the whole slice and the new tail.
func sliceForAppend(in []byte, n int) (head, tail []byte) {
	total := len(in) + n
	if cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	return head, head[len(in):]
}

// inexactOverlap reports whether x and y share memory at different offsets,
// which would let an in-place operation overwrite input it has not read yet.
func inexactOverlap(x, y []byte) bool {
	if len(x) == 0 || len(y) == 0 || &x[0] == &y[0] {
		return false
	}
	xStart := uintptrOf(x)
	yStart := uintptrOf(y)
	return xStart < yStart+uintptr(len(y)) && yStart < xStart+uintptr(len(x))
}
