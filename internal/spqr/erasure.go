package spqr

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// The erasure code that carries the braid's keys and ciphertexts in
// ChunkSize-byte chunks, one per message. It is a systematic
// Reed–Solomon-style code over GF(2^16), as in SparsePostQuantumRatchet
// v1.5.3 (src/encoding): a payload of N·32 bytes is read as big-endian
// 16-bit words, word 16x+i being the value at x of polynomial i. Each of
// the 16 polynomials has degree below N, and chunk c is the 16 values at
// x = c. Chunks 0..N-1 are the payload itself. Later chunks are parity, and
// any N distinct chunks recover the payload, so lost and reordered
// messages do not stall an epoch.

// gfPoly is the reduction polynomial x^16 + x^12 + x^3 + x + 1 of GF(2^16).
const gfPoly = 0x1100B

// gfMulSlow multiplies in GF(2^16): a carry-less product reduced by
// gfPoly. It builds the tables behind gfMul and checks them in tests.
func gfMulSlow(a, b uint16) uint16 {
	var p uint32
	x := uint32(a)
	for i := range 16 {
		p ^= (x << i) * uint32(b>>i&1)
	}
	// p is below 2^31. Reduce bits 30 down to 16.
	for i := 30; i >= 16; i-- {
		p ^= (p >> i & 1) * (gfPoly << (i - 16))
	}
	return uint16(p)
}

// gfTables holds logarithms and powers of the generator x (the element 2,
// which has order 2^16-1 for gfPoly). Lookups depend on the operands, which
// is acceptable because everything this code encodes is sent in the clear.
var gfTables = sync.OnceValue(func() *gfTable {
	t := new(gfTable)
	v := uint16(1)
	for i := range gfOrder {
		t.exp[i] = v
		t.exp[i+gfOrder] = v
		t.log[v] = uint16(i)
		v = gfMulSlow(v, 2)
	}
	return t
})

const gfOrder = 1<<16 - 1

type gfTable struct {
	exp [2 * gfOrder]uint16
	log [1 << 16]uint16
}

// gfMul multiplies in GF(2^16).
func gfMul(a, b uint16) uint16 {
	if a == 0 || b == 0 {
		return 0
	}
	t := gfTables()
	return t.exp[int(t.log[a])+int(t.log[b])]
}

// gfInv returns a⁻¹. It returns 0 for a = 0.
func gfInv(a uint16) uint16 {
	if a == 0 {
		return 0
	}
	t := gfTables()
	return t.exp[gfOrder-int(t.log[a])]
}

// interpolateChunk computes the chunk at index t from chunks at the
// distinct indices xs: for each of the 16 polynomials, the value at t of
// the polynomial through the given points. It uses Lagrange's formula,
// where point j has the weight Π_{m≠j} (t - xs[m]) / (xs[j] - xs[m]), and
// works with logarithms so that each weight costs additions only. In
// GF(2^16) subtraction is XOR. The caller ensures t is not in xs.
func interpolateChunk(xs []uint16, chunks [][]byte, t uint16) [ChunkSize]byte {
	tab := gfTables()
	logW := make([]int, len(xs)) // log of each weight, in [0, gfOrder)
	for j, xj := range xs {
		logW[j] = 0
		for m, xm := range xs {
			if m == j {
				continue
			}
			logW[j] += int(tab.log[t^xm]) - int(tab.log[xj^xm])
		}
		logW[j] %= gfOrder
		if logW[j] < 0 {
			logW[j] += gfOrder
		}
	}

	var out [ChunkSize]byte
	for i := 0; i < ChunkSize; i += 2 {
		var y uint16
		for j, c := range chunks {
			if v := binary.BigEndian.Uint16(c[i:]); v != 0 {
				y ^= tab.exp[logW[j]+int(tab.log[v])]
			}
		}
		binary.BigEndian.PutUint16(out[i:], y)
	}
	return out
}

// encoder emits the chunks of one payload: the systematic chunks first,
// then parity chunks for as long as it is asked.
type encoder struct {
	payload []byte // N·ChunkSize bytes; never modified, so clones share it
	next    uint32 // index of the next chunk; only its low 16 bits go on the wire
}

func newEncoder(payload []byte) encoder {
	if len(payload) == 0 || len(payload)%ChunkSize != 0 {
		panic(fmt.Sprintf("spqr: erasure-coded payload of %d bytes", len(payload)))
	}
	return encoder{payload: payload}
}

// chunk returns chunk number index of the payload.
func (e *encoder) chunk(index uint16) [ChunkSize]byte {
	n := len(e.payload) / ChunkSize
	if int(index) < n {
		return [ChunkSize]byte(e.payload[int(index)*ChunkSize:])
	}
	xs := make([]uint16, n)
	chunks := make([][]byte, n)
	for x := range n {
		xs[x] = uint16(x)
		chunks[x] = e.payload[x*ChunkSize : (x+1)*ChunkSize]
	}
	return interpolateChunk(xs, chunks, index)
}

// nextChunk returns the next chunk and its index, and advances e.
func (e *encoder) nextChunk() (uint16, [ChunkSize]byte) {
	index := uint16(e.next)
	e.next++
	return index, e.chunk(index)
}

// receivedChunk is one chunk held by a decoder.
type receivedChunk struct {
	index uint16
	data  [ChunkSize]byte
}

// decoder collects the chunks of a payload of a known size until it holds
// as many distinct chunks as the payload has systematic chunks.
type decoder struct {
	size   int             // payload size in bytes, a multiple of ChunkSize
	chunks []receivedChunk // distinct indices in arrival order, fewer than size/ChunkSize
}

func newDecoder(size int) decoder {
	if size == 0 || size%ChunkSize != 0 {
		panic(fmt.Sprintf("spqr: erasure-coded payload of %d bytes", size))
	}
	return decoder{size: size}
}

func (d *decoder) needed() int { return d.size / ChunkSize }

// add stores a chunk and returns the payload once the decoder holds enough
// chunks. A chunk whose index is already held is ignored: with an honest
// peer both copies are equal, and a forged copy cannot reach the payload
// without failing the MAC or hash that covers it.
func (d *decoder) add(index uint16, data []byte) ([]byte, bool) {
	for _, c := range d.chunks {
		if c.index == index {
			return nil, false
		}
	}
	d.chunks = append(d.chunks, receivedChunk{index: index, data: [ChunkSize]byte(data)})
	if len(d.chunks) < d.needed() {
		return nil, false
	}
	return d.decode(), true
}

// decode recovers the payload from exactly needed() chunks. Systematic
// chunks are copied and the missing ones interpolated.
func (d *decoder) decode() []byte {
	n := d.needed()
	out := make([]byte, d.size)
	xs := make([]uint16, len(d.chunks))
	data := make([][]byte, len(d.chunks))
	have := make([]bool, n)
	for i := range d.chunks {
		c := &d.chunks[i]
		xs[i], data[i] = c.index, c.data[:]
		if int(c.index) < n {
			copy(out[int(c.index)*ChunkSize:], c.data[:])
			have[c.index] = true
		}
	}
	for x := range n {
		if !have[x] {
			c := interpolateChunk(xs, data, uint16(x))
			copy(out[x*ChunkSize:], c[:])
		}
	}
	return out
}

func (d *decoder) clone() decoder {
	return decoder{size: d.size, chunks: slices.Clone(d.chunks)}
}
