package client

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/transport"
)

// Prekey ids. The signed prekey made at registration has id 1 and each
// rotation takes the next one. Last-resort and one-time Kyber prekeys share
// the Kyber id space: the first last-resort key has id 1, and later keys
// take ids from state.NextKyberPreKeyID, which starts at 2.
const (
	firstSignedPreKeyID = 1
	lastResortKyberID   = 1
	firstPreKeyID       = 1
	firstKyberPreKeyID  = 2
	// maxPreKeyID keeps ids within the 24 bits that Signal clients use.
	maxPreKeyID = 0xFFFFFF
)

const (
	// refillTimeout bounds one prekey check and upload.
	refillTimeout = 30 * time.Second
	// refillInterval is how often the client checks its prekeys without a
	// trigger, so that rotation happens in a long-running process.
	refillInterval = time.Hour
	// DefaultPreKeyRotation is how long a signed prekey and a last-resort
	// Kyber prekey are used before new ones replace them on the relay.
	DefaultPreKeyRotation = 7 * 24 * time.Hour
)

// uploadInitialPreKeys creates and uploads the signed and last-resort
// prekeys and a first batch of one-time prekeys.
func (c *Client) uploadInitialPreKeys(ctx context.Context) error {
	var up transport.PreKeys
	err := c.update(ctx, func(tx keystore.Tx, st *state) error {
		st.NextPreKeyID, st.NextKyberPreKeyID = firstPreKeyID, firstKyberPreKeyID
		if err := c.generateSigned(ctx, tx, st, &up, firstSignedPreKeyID, lastResortKyberID); err != nil {
			return err
		}
		var err error
		up.OneTime, up.Kyber, err = c.generateOneTime(ctx, tx, st, c.opts.PreKeyBatch, c.opts.PreKeyBatch)
		return err
	})
	if err != nil {
		return fmt.Errorf("client: create prekeys: %w", err)
	}
	if err := c.tc.UploadPreKeys(ctx, up); err != nil {
		return fmt.Errorf("client: upload prekeys: %w", err)
	}
	return c.update(ctx, func(_ keystore.Tx, st *state) error {
		st.PreKeysUploaded = true
		return nil
	})
}

// generateSigned creates and stores a signed prekey and a last-resort Kyber
// prekey with the given ids, records them in st and adds them to up. The
// keys it replaces stay for one more rotation period, so that first
// messages sent with them still decrypt, and the keys before those are
// deleted.
func (c *Client) generateSigned(ctx context.Context, tx keystore.Tx, st *state, up *transport.PreKeys, signedID, kyberID uint32) error {
	identity, err := tx.IdentityKeyPair(ctx)
	if err != nil {
		return err
	}
	now := c.opts.Now()
	signed, err := session.NewSignedPreKey(c.opts.Rand, identity, signedID, now)
	if err != nil {
		return err
	}
	lastResort, err := session.NewKyberPreKey(c.opts.Rand, identity, kyberID, now, true)
	if err != nil {
		return err
	}
	if err := tx.StoreSignedPreKey(ctx, signed); err != nil {
		return err
	}
	if err := tx.StoreKyberPreKey(ctx, lastResort); err != nil {
		return err
	}
	if old := st.PreviousSignedPreKeyID; old != 0 && old != signedID && old != st.SignedPreKeyID {
		if err := tx.RemoveSignedPreKey(ctx, old); err != nil {
			return err
		}
	}
	if old := st.PreviousLastResortKyberID; old != 0 && old != kyberID && old != st.LastResortKyberID {
		if err := tx.RemoveKyberPreKey(ctx, old); err != nil {
			return err
		}
	}
	st.PreviousSignedPreKeyID, st.PreviousLastResortKyberID = st.SignedPreKeyID, st.LastResortKyberID
	st.LastResortKyberID = kyberID
	st.SignedPreKeyID = signedID
	st.SignedPreKeyCreated = now.UnixMilli()
	up.Signed, up.LastResort = &signed, &lastResort
	return nil
}

// generateOneTime creates and stores ec one-time Curve25519 prekeys and
// kyber one-time Kyber prekeys, advancing the id counters in st.
func (c *Client) generateOneTime(ctx context.Context, tx keystore.Tx, st *state, ec, kyber int) ([]keystore.PreKey, []keystore.KyberPreKey, error) {
	identity, err := tx.IdentityKeyPair(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := c.opts.Now()
	var preKeys []keystore.PreKey
	for range ec {
		id := st.NextPreKeyID
		st.NextPreKeyID = wrapID(id+1, firstPreKeyID)
		k, err := session.NewPreKey(c.opts.Rand, id)
		if err != nil {
			return nil, nil, err
		}
		if err := tx.StorePreKey(ctx, k); err != nil {
			return nil, nil, err
		}
		preKeys = append(preKeys, k)
	}
	var kyberKeys []keystore.KyberPreKey
	for range kyber {
		id := st.nextKyberID()
		k, err := session.NewKyberPreKey(c.opts.Rand, identity, id, now, false)
		if err != nil {
			return nil, nil, err
		}
		if err := tx.StoreKyberPreKey(ctx, k); err != nil {
			return nil, nil, err
		}
		kyberKeys = append(kyberKeys, k)
	}
	return preKeys, kyberKeys, nil
}

// nextKyberID returns the next Kyber prekey id and advances the counter.
func (st *state) nextKyberID() uint32 {
	id := st.NextKyberPreKeyID
	st.NextKyberPreKeyID = wrapID(id+1, firstKyberPreKeyID)
	return id
}

// wrapID returns id, or first when id has passed maxPreKeyID. A key whose
// id comes round again after 16 million uploads replaces the old one.
func wrapID(id, first uint32) uint32 {
	if id > maxPreKeyID {
		return first
	}
	return id
}

// RefillPreKeys starts a background check of the prekeys on the relay,
// which uploads more one-time prekeys when they run low and rotates the
// signed prekey when it is due. It returns at once.
func (c *Client) RefillPreKeys() { signalRefill(c.refill) }

func (c *Client) refillLoop() {
	defer c.wg.Done()
	ticker := time.NewTicker(refillInterval)
	defer ticker.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.refill:
		case <-ticker.C:
		}
		ctx, cancel := context.WithTimeout(c.ctx, refillTimeout)
		err := c.refillPreKeys(ctx)
		cancel()
		if err != nil && c.ctx.Err() == nil {
			c.emit(&ErrorEvent{Op: "refill prekeys", Err: err})
		}
	}
}

// refillPreKeys uploads one-time prekeys up to PreKeyBatch of each kind
// when fewer than a quarter are left, rotates the signed and last-resort
// prekeys when they are older than PreKeyRotation, and finishes an initial
// upload that failed.
func (c *Client) refillPreKeys(ctx context.Context) error {
	st := c.snapshot()
	if st.ServiceID == "" {
		return nil
	}
	if !st.PreKeysUploaded {
		return c.uploadInitialPreKeys(ctx)
	}

	count, err := c.tc.PreKeyCount(ctx)
	if err != nil {
		return fmt.Errorf("client: count prekeys: %w", err)
	}
	low := c.opts.PreKeyBatch / 4
	ec, kyber := 0, 0
	if count.EC < low || count.Kyber < low {
		ec = max(0, c.opts.PreKeyBatch-count.EC)
		kyber = max(0, c.opts.PreKeyBatch-count.Kyber)
	}
	age := c.opts.Now().Sub(time.UnixMilli(st.SignedPreKeyCreated))
	rotate := age >= c.opts.PreKeyRotation
	if ec == 0 && kyber == 0 && !rotate {
		return nil
	}

	var up transport.PreKeys
	err = c.update(ctx, func(tx keystore.Tx, st *state) error {
		if rotate {
			signedID := wrapID(st.SignedPreKeyID+1, firstSignedPreKeyID)
			if err := c.generateSigned(ctx, tx, st, &up, signedID, st.nextKyberID()); err != nil {
				return err
			}
		}
		var err error
		up.OneTime, up.Kyber, err = c.generateOneTime(ctx, tx, st, ec, kyber)
		return err
	})
	if err != nil {
		return fmt.Errorf("client: create prekeys: %w", err)
	}
	if err := c.tc.UploadPreKeys(ctx, up); err != nil {
		return fmt.Errorf("client: upload prekeys: %w", err)
	}
	return nil
}
