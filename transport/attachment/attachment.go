package attachment

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/parleyhq/parley/internal/cbc"
)

const (
	// KeySize is the length of an attachment key: an AES-256 key followed
	// by an HMAC-SHA256 key.
	KeySize = 64
	// DigestSize is the length of the SHA-256 digest of the blob.
	DigestSize = sha256.Size

	ivSize  = 16
	macSize = sha256.Size

	// minPaddedSize and paddingBase define the size buckets: every size
	// is rounded up to the next power of 1.05, and to at least 541 bytes.
	minPaddedSize = 541
	paddingBase   = 1.05
)

// ErrInvalid reports a blob that fails its digest or MAC check, is
// malformed, or does not match the pointer's size. The causes are not told
// apart.
var ErrInvalid = errors.New("attachment: invalid or tampered attachment")

// Pointer is what the receiver needs to fetch and decrypt a blob. Key must
// be kept secret; send the Pointer only inside an end-to-end encrypted
// message.
type Pointer struct {
	Key    [KeySize]byte
	Digest [DigestSize]byte
	// Size is the plaintext length before padding.
	Size int
}

// PaddedSize returns the size bucket that a plaintext of n bytes is padded
// to: max(541, floor(1.05^ceil(log_1.05(n)))).
func PaddedSize(n int) int {
	if n <= 0 {
		return minPaddedSize
	}
	exp := math.Ceil(math.Log(float64(n)) / math.Log(paddingBase))
	size := int(math.Floor(math.Pow(paddingBase, exp)))
	// Floating-point rounding can land one below n; never pad down.
	return max(minPaddedSize, size, n)
}

// Encrypt pads and encrypts plaintext under a fresh random key and IV read
// from rnd (nil means crypto/rand.Reader) and returns the blob to upload and
// its Pointer.
func Encrypt(rnd io.Reader, plaintext []byte) ([]byte, Pointer, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var p Pointer
	if _, err := io.ReadFull(rnd, p.Key[:]); err != nil {
		return nil, Pointer{}, fmt.Errorf("attachment: read randomness for key: %w", err)
	}
	iv := make([]byte, ivSize)
	if _, err := io.ReadFull(rnd, iv); err != nil {
		return nil, Pointer{}, fmt.Errorf("attachment: read randomness for iv: %w", err)
	}
	padded := make([]byte, PaddedSize(len(plaintext)))
	copy(padded, plaintext)
	ct, err := cbc.Encrypt(p.Key[:32], iv, padded)
	if err != nil {
		return nil, Pointer{}, fmt.Errorf("attachment: encrypt: %w", err)
	}
	blob := make([]byte, 0, ivSize+len(ct)+macSize)
	blob = append(blob, iv...)
	blob = append(blob, ct...)
	mac := hmac.New(sha256.New, p.Key[32:])
	mac.Write(blob)
	blob = mac.Sum(blob)
	p.Digest = sha256.Sum256(blob)
	p.Size = len(plaintext)
	return blob, p, nil
}

// Decrypt checks the blob's digest and MAC against p and returns the
// plaintext without padding. Every failure returns ErrInvalid.
func Decrypt(blob []byte, p Pointer) ([]byte, error) {
	if len(blob) < ivSize+16+macSize || (len(blob)-ivSize-macSize)%16 != 0 {
		return nil, ErrInvalid
	}
	digest := sha256.Sum256(blob)
	if subtle.ConstantTimeCompare(digest[:], p.Digest[:]) != 1 {
		return nil, ErrInvalid
	}
	body, tag := blob[:len(blob)-macSize], blob[len(blob)-macSize:]
	mac := hmac.New(sha256.New, p.Key[32:])
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), tag) {
		return nil, ErrInvalid
	}
	padded, err := cbc.Decrypt(p.Key[:32], body[:ivSize], body[ivSize:])
	if err != nil {
		return nil, ErrInvalid
	}
	if p.Size < 0 || p.Size > len(padded) {
		return nil, ErrInvalid
	}
	return padded[:p.Size], nil
}
