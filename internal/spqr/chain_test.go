package spqr

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chainKAT contains the values of testdata/chain_kat.json. Its "source"
// field names the SPQR fixtures they were read from.
type chainKAT struct {
	AuthKey                string `json:"auth_key"`
	StartNextRoot          string `json:"start_next_root"`
	Steps                  int    `json:"steps"`
	AliceToBobNext         string `json:"alice_to_bob_next"`
	BobToAliceNext         string `json:"bob_to_alice_next"`
	AliceAuthenticatorRoot string `json:"alice_authenticator_root"`
	AliceAuthenticatorMAC  string `json:"alice_authenticator_mac"`
	EpochSecret1           string `json:"epoch_secret_1"`
	BobAuthenticatorRoot   string `json:"bob_authenticator_root"`
	BobAuthenticatorMAC    string `json:"bob_authenticator_mac"`
	AddEpochNextRoot       string `json:"add_epoch_next_root"`
	AddEpochAliceToBobSeed string `json:"add_epoch_alice_to_bob_seed"`
	AddEpochBobToAliceSeed string `json:"add_epoch_bob_to_alice_seed"`
}

func loadChainKAT(t *testing.T) chainKAT {
	t.Helper()
	b, err := os.ReadFile("testdata/chain_kat.json")
	require.NoError(t, err)
	var kat chainKAT
	require.NoError(t, json.Unmarshal(b, &kat))
	return kat
}

func hex32(t *testing.T, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	require.Len(t, b, 32)
	return [32]byte(b)
}

func TestChainStartKAT(t *testing.T) {
	kat := loadChainKAT(t)
	authKey := hex32(t, kat.AuthKey)

	for _, dir := range []Direction{AliceToBob, BobToAlice} {
		t.Run(dir.String(), func(t *testing.T) {
			c := newChain(authKey, dir, defaultChainParams)
			assert.Equal(t, hex32(t, kat.StartNextRoot), c.nextRoot, "next root")

			for i := 1; i <= kat.Steps; i++ {
				index, _, err := c.sendKey(0)
				require.NoError(t, err)
				require.Equal(t, uint32(i), index)
			}
			// The fixture's receivers stepped one message at a time. Jumping
			// straight to the last index must reach the same chain key.
			_, err := c.recvKey(0, uint32(kat.Steps))
			require.NoError(t, err)

			sendNext, recvNext := kat.AliceToBobNext, kat.BobToAliceNext
			if dir == BobToAlice {
				sendNext, recvNext = recvNext, sendNext
			}
			assert.Equal(t, hex32(t, sendNext), c.links[0].send.next, "send chain key")
			assert.Equal(t, hex32(t, recvNext), c.links[0].recv.next, "receive chain key")
		})
	}
}

// authenticatorUpdate computes SPQR's authenticator update, which the test
// uses to check the epoch secret against Bob's stored authenticator:
// HKDF(salt none, ikm = root || k, info = label || BE64(epoch), 64 bytes).
func authenticatorUpdate(root, k [32]byte, epoch uint64) (newRoot, macKey [32]byte) {
	info := binary.BigEndian.AppendUint64([]byte("Signal_PQCKA_V1_MLKEM768:Authenticator Update"), epoch)
	o := hkdfSHA256(append(root[:], k[:]...), nil, string(info), 64)
	return [32]byte(o[:32]), [32]byte(o[32:])
}

func TestChainAddEpochKAT(t *testing.T) {
	kat := loadChainKAT(t)
	authKey := hex32(t, kat.AuthKey)
	secret := hex32(t, kat.EpochSecret1)

	// The epoch secret was derived outside the fixtures, so first confirm it
	// against both stored authenticators.
	root, mac := authenticatorUpdate([32]byte{}, authKey, 1)
	require.Equal(t, hex32(t, kat.AliceAuthenticatorRoot), root, "authenticator root after the auth key")
	require.Equal(t, hex32(t, kat.AliceAuthenticatorMAC), mac, "authenticator MAC key after the auth key")
	root, mac = authenticatorUpdate(root, secret, 1)
	require.Equal(t, hex32(t, kat.BobAuthenticatorRoot), root, "authenticator root after epoch 1")
	require.Equal(t, hex32(t, kat.BobAuthenticatorMAC), mac, "authenticator MAC key after epoch 1")

	for _, dir := range []Direction{AliceToBob, BobToAlice} {
		t.Run(dir.String(), func(t *testing.T) {
			c := newChain(authKey, dir, defaultChainParams)
			require.NoError(t, c.addEpoch(1, secret))

			assert.Equal(t, uint64(1), c.currentEpoch)
			assert.Equal(t, hex32(t, kat.AddEpochNextRoot), c.nextRoot, "next root")
			require.Len(t, c.links, 2)
			sendSeed, recvSeed := kat.AddEpochAliceToBobSeed, kat.AddEpochBobToAliceSeed
			if dir == BobToAlice {
				sendSeed, recvSeed = recvSeed, sendSeed
			}
			assert.Equal(t, hex32(t, sendSeed), c.links[1].send.next, "send seed")
			assert.Equal(t, hex32(t, recvSeed), c.links[1].recv.next, "receive seed")
			assert.Zero(t, c.links[1].send.ctr)
			assert.Zero(t, c.links[1].recv.ctr)
		})
	}
}

func TestChainAddEpochWrongEpoch(t *testing.T) {
	c := newChain([32]byte{1}, AliceToBob, defaultChainParams)
	for _, epoch := range []uint64{0, 2} {
		assert.ErrorIs(t, c.addEpoch(epoch, [32]byte{2}), ErrInvalidState, "epoch %d", epoch)
	}
	assert.Equal(t, uint64(0), c.currentEpoch)
	assert.Len(t, c.links, 1)
}

func TestChainAddEpochLinkLimit(t *testing.T) {
	c := newChain([32]byte{1}, AliceToBob, defaultChainParams)
	for e := uint64(1); e < maxChainLinks; e++ {
		require.NoError(t, c.addEpoch(e, [32]byte{byte(e)}))
	}
	assert.ErrorIs(t, c.addEpoch(maxChainLinks, [32]byte{9}), ErrInvalidState)
}

// TestChainDirectionsMatch checks that each side's send chain is the other
// side's receive chain in every epoch.
func TestChainDirectionsMatch(t *testing.T) {
	a := newChain([32]byte{1}, AliceToBob, defaultChainParams)
	b := newChain([32]byte{1}, BobToAlice, defaultChainParams)

	for epoch := uint64(0); epoch < 3; epoch++ {
		if epoch > 0 {
			require.NoError(t, a.addEpoch(epoch, [32]byte{2, byte(epoch)}))
			require.NoError(t, b.addEpoch(epoch, [32]byte{2, byte(epoch)}))
		}
		for i := uint32(1); i <= 10; i++ {
			index, sent, err := a.sendKey(epoch)
			require.NoError(t, err)
			require.Equal(t, i, index)
			got, err := b.recvKey(epoch, index)
			require.NoError(t, err)
			require.Equal(t, sent, got, "A to B, epoch %d index %d", epoch, i)

			index, sent, err = b.sendKey(epoch)
			require.NoError(t, err)
			got, err = a.recvKey(epoch, index)
			require.NoError(t, err)
			require.Equal(t, sent, got, "B to A, epoch %d index %d", epoch, i)
		}
	}
}

func TestChainSendEpochRules(t *testing.T) {
	c := newChain([32]byte{1}, AliceToBob, defaultChainParams)
	_, _, err := c.sendKey(1)
	assert.ErrorIs(t, err, ErrEpochOutOfRange, "epoch above current")

	require.NoError(t, c.addEpoch(1, [32]byte{2}))
	require.NoError(t, c.addEpoch(2, [32]byte{3}))
	_, _, err = c.sendKey(0)
	require.NoError(t, err)

	// Sending in epoch 2 keeps epoch 1, drops epoch 0 and erases epoch 1's
	// send chain.
	_, _, err = c.sendKey(2)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), c.sendEpoch)
	require.Len(t, c.links, 2)
	assert.True(t, c.links[0].send.erased, "epoch 1 send chain erased")
	assert.Equal(t, [32]byte{}, c.links[0].send.next, "epoch 1 send chain key cleared")
	assert.False(t, c.links[1].send.erased, "epoch 2 send chain kept")

	_, _, err = c.sendKey(1)
	assert.ErrorIs(t, err, ErrEpochOutOfRange, "send epoch decreased")
	_, err = c.recvKey(0, 1)
	assert.ErrorIs(t, err, ErrEpochOutOfRange, "dropped epoch")
	_, err = c.recvKey(1, 1)
	assert.NoError(t, err, "epoch before the send epoch still receives")
}

func TestChainSendCounterExhausted(t *testing.T) {
	c := newChain([32]byte{1}, AliceToBob, defaultChainParams)
	c.links[0].send.ctr = 1<<32 - 1
	before := c.clone()
	_, _, err := c.sendKey(0)
	assert.ErrorIs(t, err, ErrInvalidState)
	assert.Equal(t, before, c)
}

// TestChainTrimmedSmallWindow follows SPQR's own scenario with both limits
// set to 10: receiving 10 and then 12 trims index 1.
func TestChainTrimmedSmallWindow(t *testing.T) {
	c := newChain([32]byte{1}, AliceToBob, chainParams{maxJump: 10, maxOutOfOrder: 10})
	_, err := c.recvKey(0, 10)
	require.NoError(t, err)
	_, err = c.recvKey(0, 12)
	require.NoError(t, err)

	_, err = c.recvKey(0, 1)
	var keyErr *KeyError
	require.ErrorAs(t, err, &keyErr)
	assert.ErrorIs(t, err, ErrKeyTrimmed)
	assert.Equal(t, uint32(1), keyErr.Index)
	assert.Equal(t, uint32(12), keyErr.Counter)

	_, err = c.recvKey(0, 2)
	assert.NoError(t, err, "index 2 is exactly 10 behind")
	_, err = c.recvKey(0, 23)
	assert.ErrorIs(t, err, ErrKeyJump, "11 ahead")
}

func TestChainStoreBounded(t *testing.T) {
	c := newChain([32]byte{1}, AliceToBob, defaultChainParams)
	_, err := c.recvKey(0, MaxJump)
	require.NoError(t, err)
	skipped := c.links[0].recv.skipped
	require.Equal(t, MaxOutOfOrderKeys, len(skipped))
	assert.Equal(t, uint32(MaxJump-MaxOutOfOrderKeys), skipped[0].index)
	assert.Equal(t, uint32(MaxJump-1), skipped[len(skipped)-1].index)

	// Moving on by 10 drops the 10 oldest keys and stores 9 new ones. The
	// window then also covers index MaxJump, whose key was already used.
	_, err = c.recvKey(0, MaxJump+10)
	require.NoError(t, err)
	skipped = c.links[0].recv.skipped
	assert.Equal(t, MaxOutOfOrderKeys-1, len(skipped))
	assert.Equal(t, uint32(MaxJump+10-MaxOutOfOrderKeys), skipped[0].index)
	assert.Equal(t, uint32(MaxJump+9), skipped[len(skipped)-1].index)
}

func TestChainCloneIndependent(t *testing.T) {
	c := newChain([32]byte{1}, AliceToBob, defaultChainParams)
	_, err := c.recvKey(0, 5)
	require.NoError(t, err)
	d := c.clone()
	_, err = d.recvKey(0, 3)
	require.NoError(t, err)
	_, err = c.recvKey(0, 3)
	assert.NoError(t, err, "the original still holds key 3")
}
