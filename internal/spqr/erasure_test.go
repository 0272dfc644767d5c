package spqr

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGFMulVectors(t *testing.T) {
	// Products in GF(2^16) with the polynomial 0x1100B, as listed with the
	// erasure-code vector below.
	for _, c := range []struct{ a, b, want uint16 }{
		{0x8000, 0x0002, 0x100B},
		{0x00F5, 0x0093, 0x74CF},
		{0x1234, 0x5678, 0x6324},
		{0x0001, 0xBEEF, 0xBEEF},
		{0x0000, 0xBEEF, 0x0000},
	} {
		assert.Equal(t, c.want, gfMul(c.a, c.b), "%#04x·%#04x", c.a, c.b)
		assert.Equal(t, c.want, gfMul(c.b, c.a), "%#04x·%#04x", c.b, c.a)
		assert.Equal(t, c.want, gfMulSlow(c.a, c.b), "%#04x·%#04x without tables", c.a, c.b)
	}
}

func TestGFTablesMatchSlow(t *testing.T) {
	for a := 0; a < 1<<16; a += 251 {
		for b := 0; b < 1<<16; b += 257 {
			require.Equal(t, gfMulSlow(uint16(a), uint16(b)), gfMul(uint16(a), uint16(b)), "%#04x·%#04x", a, b)
		}
	}
}

func TestGFInv(t *testing.T) {
	for a := 1; a < 1<<16; a += 97 {
		assert.Equal(t, uint16(1), gfMul(uint16(a), gfInv(uint16(a))), "a=%#04x", a)
	}
	assert.Equal(t, uint16(0), gfInv(0))
}

// erasureVectorMessage is the 96-byte message of the erasure-code vector:
// SHA-256("spqr-rs-test"), then SHA-256 of that, then SHA-256 of that.
func erasureVectorMessage() []byte {
	a := sha256.Sum256([]byte("spqr-rs-test"))
	b := sha256.Sum256(a[:])
	c := sha256.Sum256(b[:])
	return append(append(a[:], b[:]...), c[:]...)
}

// TestErasureVector checks parity chunks computed independently from the
// code's definition (systematic polynomials over GF(2^16) with 0x1100B,
// chunk c = the 16 big-endian values at x = c). SparsePostQuantumRatchet's
// repository has no parity vectors, so a mismatch with libsignal would show
// in the interop tests instead.
func TestErasureVector(t *testing.T) {
	msg := erasureVectorMessage()
	require.Equal(t, "ccc1a6864101ef93be9c8c1555699350b6987b9d9b582fb86d8fcc5658334b5a", hex.EncodeToString(msg[:32]))
	e := newEncoder(msg)
	for c := range 3 {
		got := e.chunk(uint16(c))
		assert.Equal(t, msg[c*32:(c+1)*32], got[:], "systematic chunk %d", c)
	}
	want := map[uint16]string{
		3:     "34992fd8f061e5d812b36d77f0984601355c93766bd93af4f1280ef373ec318d",
		4:     "5d7816cdb9d030c7c6868a6b0c4f2ef77950cad4f47cff277efd4ce11cbbaeeb",
		1000:  "a2cb2b7d45c3cf26bf0c2c28e94ba796eaf0aa5964efe4c680e8f914d50b1927",
		65535: "5abad4b533925a4237b421da46450d11fc9b4d6fa6cd25061f558b18145bb067",
	}
	for c, w := range want {
		got := e.chunk(c)
		assert.Equal(t, w, hex.EncodeToString(got[:]), "chunk %d", c)
	}

	d := newDecoder(len(msg))
	for _, c := range []uint16{65535, 1000} {
		ch := e.chunk(c)
		_, done := d.add(c, ch[:])
		require.False(t, done)
	}
	ch := e.chunk(4)
	out, done := d.add(4, ch[:])
	require.True(t, done)
	assert.Equal(t, msg, out)
}

func TestErasureAnySubset(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{96, 160, 960, 1152} {
		msg := make([]byte, size)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		e := newEncoder(msg)
		n := size / ChunkSize
		d := newDecoder(size)
		// Pick n distinct indices among the first 3n, with duplicates mixed in.
		perm := rng.Perm(3 * n)[:n]
		for i, c := range perm {
			ch := e.chunk(uint16(c))
			out, done := d.add(uint16(c), ch[:])
			if i > 0 {
				prev := e.chunk(uint16(perm[i-1]))
				_, again := d.add(uint16(perm[i-1]), prev[:])
				require.False(t, again, "duplicate chunk completes the payload")
			}
			if i < n-1 {
				require.False(t, done, "size %d after %d chunks", size, i+1)
				continue
			}
			require.True(t, done, "size %d", size)
			assert.Equal(t, msg, out, "size %d", size)
		}
	}
}

func TestEncoderSequence(t *testing.T) {
	msg := erasureVectorMessage()
	e := newEncoder(msg)
	for want := range 5 {
		idx, ch := e.nextChunk()
		assert.Equal(t, uint16(want), idx)
		assert.Equal(t, e.chunk(idx), ch)
	}
	e.next = 1<<16 - 1
	idx, _ := e.nextChunk()
	assert.Equal(t, uint16(65535), idx)
	idx, ch := e.nextChunk()
	assert.Equal(t, uint16(0), idx, "the 16-bit index wraps")
	assert.Equal(t, msg[:32], ch[:])
}
