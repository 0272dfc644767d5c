package sealedsender_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/nodepeer"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/senderkey"
)

// These tests send sender-key group messages sealed with sealed sender v2
// between libsignal (interop/node/groups_v2.mjs) and Parley, and deliver
// each recipient's copies shuffled with one message delivered twice. The
// sender-key distribution message is handed to each receiver directly, as
// if it had arrived over a 1:1 session.

const (
	daveACI = "dddddddd-7000-11eb-b32a-33b8a8a487a6"
	// groupMessages is the number of group messages each test sends.
	groupMessages = 8
	// groupDistUUID is the distribution ID of the tests as libsignal takes it.
	groupDistUUID = "5e9d2f00-1c2b-4a6e-9b1d-0c3f2a7e8d41"
)

var groupID = []byte("parley group v2")

// groupDistID returns groupDistUUID as 16 bytes.
func groupDistID(t *testing.T) [16]byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(groupDistUUID, "-", ""))
	require.NoError(t, err)
	require.Len(t, b, 16)
	return [16]byte(b)
}

func groupPlaintext(i int) []byte { return fmt.Appendf(nil, "group message %d", i) }

// runGroupsV2 runs ops in one groups_v2.mjs process with l's state, like
// run does with sealed.mjs. It fails the test for an op that failed unless
// that op has "fail": true.
func (l *libsignal) runGroupsV2(ops ...op) []map[string]any {
	l.t.Helper()
	in := struct {
		State json.RawMessage `json:"state,omitempty"`
		Ops   []op            `json:"ops"`
	}{State: l.state, Ops: ops}
	var out struct {
		State   json.RawMessage  `json:"state"`
		Results []map[string]any `json:"results"`
	}
	nodepeer.RunScript(l.t, "groups_v2.mjs", in, &out)
	l.state = out.State
	require.Len(l.t, out.Results, len(ops))
	for i, r := range out.Results {
		if ops[i]["fail"] != true {
			require.Equal(l.t, true, r["ok"], "op %d (%v): %v: %v", i, ops[i]["op"], r["error"], r["message"])
		}
	}
	return out.Results
}

// deliveryOrder returns the message indexes 0 to n-1 in shuffled order with
// one of them inserted a second time at position dup, after its first
// delivery.
func deliveryOrder(rng *rand.Rand, n int) (order []int, dup int) {
	order = rng.Perm(n)
	dup = 1 + rng.IntN(n)
	repeated := order[rng.IntN(dup)]
	return slices.Insert(order, dup, repeated), dup
}

// senderKeyRecord returns the sender key record that d stores for sender's
// chain in distribution id.
func senderKeyRecord(t *testing.T, d *device, sender keystore.Address, id [16]byte) []byte {
	t.Helper()
	var record []byte
	require.NoError(t, d.store.View(ctx, func(tx keystore.Tx) error {
		var err error
		record, err = tx.SenderKey(ctx, sender, id)
		return err
	}))
	require.NotEmpty(t, record)
	return record
}

func TestInteropGroupV2FromLibsignal(t *testing.T) {
	distID := groupDistID(t)
	rng := rand.New(rand.NewPCG(0x67726f7570, 1))

	// Alice runs libsignal and sends to three Parley devices (Bob's two
	// devices and Carol's one) and to Dave, a libsignal device.
	alice, aliceKey := newLibsignal(t, aliceACI, 1)
	lauth := newLibsignalAuthority(t, alice, 1)
	auth := newAuthority(t, 2)
	bob := newDevice(t, auth, bobACI, 1)
	bob2 := newSecondDevice(t, auth, bob, 2)
	carol := newDevice(t, auth, carolACI, 4)
	parley := []*device{bob, bob2, carol}
	dave, _ := newLibsignal(t, daveACI, 3)
	daveBundle := dave.one(op{"op": "bundle"})["bundle"]
	aliceCert := lauth.issue(t, alice, aliceACI, 1, aliceKey, testNow.Add(time.Hour))

	var ops, addrs []op
	for _, d := range parley {
		d.cipher.Trust = sealedsender.Trust{Roots: []curve.PublicKey{lauth.root}}
		ops = append(ops, op{"op": "process_bundle", "address": jsonAddress(d.addr), "bundle": jsonBundle(d.bundle())})
		addrs = append(addrs, jsonAddress(d.addr))
	}
	ops = append(ops, op{"op": "process_bundle", "address": jsonAddress(dave.addr), "bundle": daveBundle})
	addrs = append(addrs, jsonAddress(dave.addr))
	first := len(ops)
	ops = append(ops, op{"op": "skdm_create", "distribution_id": groupDistUUID})
	for i := range groupMessages {
		ops = append(ops, op{
			"op": "group_seal_v2", "addresses": addrs, "distribution_id": groupDistUUID,
			"plaintext": hex.EncodeToString(groupPlaintext(i)), "sender_cert": aliceCert,
			"content_hint": sealedsender.HintResendable, "group_id": hex.EncodeToString(groupID),
		})
	}
	rs := alice.runGroupsV2(ops...)
	skdm := unhexField(t, rs[first]["skdm"])
	sent := make([][]byte, groupMessages)
	for i := range sent {
		sent[i] = unhexField(t, rs[first+1+i]["message"])
	}

	// Go splits every sent form for each recipient account.
	received := make(map[string][][]byte)
	for i, s := range sent {
		parsed, err := sealedsender.ParseSentMessage(s)
		require.NoError(t, err, "message %d", i)
		require.Len(t, parsed.Recipients, 3, "message %d", i)
		for _, name := range []string{bobACI, carolACI, daveACI} {
			id, ok := sealedsender.ParseServiceID(name)
			require.True(t, ok)
			rcpt, ok := parsed.Recipient(id)
			require.True(t, ok, "message %d has no recipient %s", i, name)
			r, err := parsed.ReceivedMessage(rcpt)
			require.NoError(t, err)
			received[name] = append(received[name], r)
		}
	}

	for _, d := range parley {
		t.Run(d.addr.String(), func(t *testing.T) {
			require.NoError(t, senderkey.ProcessDistributionMessage(ctx, d.store, alice.addr, skdm))
			order, dup := deliveryOrder(rng, groupMessages)
			t.Logf("delivery order %v, duplicate at position %d", order, dup)
			for k, i := range order {
				message := received[d.addr.Name][i]
				if k == dup {
					before := senderKeyRecord(t, d, alice.addr, distID)
					_, err := d.cipher.Decrypt(ctx, message)
					require.ErrorIs(t, err, senderkey.ErrDuplicateMessage, "order %v, message %d again", order, i)
					assert.Equal(t, before, senderKeyRecord(t, d, alice.addr, distID), "record changed by the duplicate")
					continue
				}

				res, err := d.cipher.Decrypt(ctx, message)
				require.NoError(t, err, "order %v, message %d", order, i)
				assert.Equal(t, groupPlaintext(i), res.Plaintext)
				assert.Equal(t, sealedsender.TypeSenderKey, res.Content.Type)
				assert.Equal(t, sealedsender.HintResendable, res.Content.ContentHint)
				assert.Equal(t, groupID, res.Content.GroupID)
				assert.Equal(t, aliceACI, res.Sender.UUID)
				assert.Equal(t, uint32(1), res.Sender.DeviceID)
				assert.True(t, res.Sender.IdentityKey.Equal(aliceKey))

				inner, err := senderkey.ParseMessage(res.Content.Message)
				require.NoError(t, err)
				assert.Equal(t, distID, inner.DistributionID)
				assert.Equal(t, uint32(i), inner.Iteration)
			}
		})
	}

	// Dave, on libsignal, opens the copies Go split for him, in an order of
	// his own, so the sent forms serve both kinds of receiver.
	t.Run(dave.addr.String(), func(t *testing.T) {
		order, dup := deliveryOrder(rng, groupMessages)
		t.Logf("delivery order %v, duplicate at position %d", order, dup)
		ops := []op{{"op": "process_skdm", "address": jsonAddress(alice.addr), "skdm": hex.EncodeToString(skdm)}}
		root := hex.EncodeToString(lauth.root.Bytes())
		for k, i := range order {
			ops = append(ops, op{"op": "group_open", "message": hex.EncodeToString(received[daveACI][i]),
				"trust_root": root, "time": testNow.UnixMilli(), "fail": k == dup})
		}
		rs := dave.runGroupsV2(ops...)
		for k, i := range order {
			r := rs[1+k]
			if k == dup {
				assert.Equal(t, false, r["ok"], "order %v, message %d again", order, i)
				assert.Equal(t, "duplicate", r["error"], "message: %v", r["message"])
				assert.Equal(t, false, r["record_changed"])
				continue
			}
			assert.Equal(t, hex.EncodeToString(groupPlaintext(i)), r["plaintext"], "order %v, message %d", order, i)
			assert.Equal(t, float64(sealedsender.HintResendable), r["content_hint"])
			assert.Equal(t, hex.EncodeToString(groupID), r["group_id"])
			assert.Equal(t, aliceACI, r["sender_uuid"])
		}
	})
}

func TestInteropGroupV2ToLibsignal(t *testing.T) {
	distID := groupDistID(t)
	rng := rand.New(rand.NewPCG(0x67726f7570, 2))

	// Alice runs Parley and sends to Bob and Carol, two libsignal devices.
	auth := newAuthority(t, 3)
	alice := newDevice(t, auth, aliceACI, 1)
	bob, _ := newLibsignal(t, bobACI, 1)
	carol, _ := newLibsignal(t, carolACI, 2)
	receivers := []*libsignal{bob, carol}
	for _, l := range receivers {
		b := l.one(op{"op": "bundle"})
		require.NoError(t, alice.cipher.Sessions.ProcessBundle(ctx, l.addr, fromJSONBundle(t, b["bundle"])))
	}

	skdm, err := senderkey.NewDistributionMessage(ctx, alice.store, alice.addr, distID, nil)
	require.NoError(t, err)
	sent := make([][]byte, groupMessages)
	for i := range sent {
		inner, err := senderkey.Encrypt(ctx, alice.store, alice.addr, distID, groupPlaintext(i), nil)
		require.NoError(t, err)
		content := &sealedsender.Content{
			Type: sealedsender.TypeSenderKey, Certificate: alice.cert, Message: inner,
			ContentHint: sealedsender.HintImplicit, GroupID: groupID,
		}
		sent[i], err = alice.cipher.SealMulti(ctx, []keystore.Address{bob.addr, carol.addr}, nil, content)
		require.NoError(t, err)
	}

	// One more message goes to Bob alone, so that his script splits it with
	// sealedSenderMultiRecipientMessageForSingleRecipient, which takes only
	// sent forms with one recipient.
	last, err := senderkey.Encrypt(ctx, alice.store, alice.addr, distID, groupPlaintext(groupMessages), nil)
	require.NoError(t, err)
	sentToBob, err := alice.cipher.SealMulti(ctx, []keystore.Address{bob.addr}, nil, &sealedsender.Content{
		Type: sealedsender.TypeSenderKey, Certificate: alice.cert, Message: last,
		ContentHint: sealedsender.HintImplicit, GroupID: groupID,
	})
	require.NoError(t, err)

	// Each receiver's script splits the sent forms for itself.
	root := hex.EncodeToString(auth.root.Public.Bytes())
	for _, l := range receivers {
		t.Run(l.addr.String(), func(t *testing.T) {
			order, dup := deliveryOrder(rng, groupMessages)
			t.Logf("delivery order %v, duplicate at position %d", order, dup)
			ops := []op{{"op": "process_skdm", "address": jsonAddress(alice.addr), "skdm": hex.EncodeToString(skdm)}}
			for k, i := range order {
				ops = append(ops, op{"op": "group_open", "sent": hex.EncodeToString(sent[i]),
					"trust_root": root, "time": testNow.UnixMilli(), "fail": k == dup})
			}
			if l == bob {
				ops = append(ops, op{"op": "group_open", "sent": hex.EncodeToString(sentToBob),
					"trust_root": root, "time": testNow.UnixMilli()})
			}
			rs := l.runGroupsV2(ops...)
			if l == bob {
				r := rs[len(rs)-1]
				assert.Equal(t, hex.EncodeToString(groupPlaintext(groupMessages)), r["plaintext"])
				assert.Equal(t, "single", r["split"])
			}
			for k, i := range order {
				r := rs[1+k]
				if k == dup {
					assert.Equal(t, false, r["ok"], "order %v, message %d again", order, i)
					assert.Equal(t, "duplicate", r["error"], "message: %v", r["message"])
					assert.Equal(t, false, r["record_changed"])
					continue
				}
				assert.Equal(t, hex.EncodeToString(groupPlaintext(i)), r["plaintext"], "order %v, message %d", order, i)
				assert.Equal(t, float64(7), r["type"], "CiphertextMessageType SenderKey")
				assert.Equal(t, float64(sealedsender.HintImplicit), r["content_hint"])
				assert.Equal(t, hex.EncodeToString(groupID), r["group_id"])
				assert.Equal(t, aliceACI, r["sender_uuid"])
				assert.Equal(t, float64(1), r["device_id"])
				assert.Equal(t, true, r["record_changed"])
				assert.Equal(t, "recipient", r["split"])
			}
		})
	}
}
