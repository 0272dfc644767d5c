package session

import (
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/ratchet"
)

const (
	// recordFormatVersion is written into every stored record.
	recordFormatVersion = 1
	// MaxArchivedStates is the number of earlier session states kept per
	// address, as in libsignal.
	MaxArchivedStates = 40
	// MaxUnacknowledgedAge is how long an initiator keeps sending on a
	// session that the responder has not replied on.
	MaxUnacknowledgedAge = 30 * 24 * time.Hour
)

// ErrInvalidRecord is returned when a stored session record cannot be
// parsed.
var ErrInvalidRecord = errors.New("session: invalid session record")

type pendingPreKey struct {
	hasPreKeyID     bool
	preKeyID        uint32
	signedPreKeyID  uint32
	baseKey         curve.PublicKey
	kyberPreKeyID   uint32
	kyberCiphertext []byte
	createdAt       time.Time
}

// state is one session with a remote device.
type state struct {
	version        uint32
	localIdentity  curve.PublicKey
	remoteIdentity curve.PublicKey
	localRegID     uint32
	remoteRegID    uint32
	aliceBaseKey   curve.PublicKey
	// pending is set on the initiator's side until the first reply.
	pending *pendingPreKey
	ratchet *ratchet.State
}

func (s *state) clone() *state {
	c := *s
	if s.pending != nil {
		p := *s.pending
		c.pending = &p
	}
	c.ratchet = s.ratchet.Clone()
	return &c
}

// record is the current state with a remote address and archived ones,
// newest first. Archived states stay in storage form until a message needs
// them.
type record struct {
	current  *state
	previous []*wire.SessionState
}

func parseRecord(b []byte) (*record, error) {
	r := &record{}
	if len(b) == 0 {
		return r, nil
	}
	var p wire.SessionRecord
	if err := proto.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if v := p.GetFormatVersion(); v != recordFormatVersion {
		return nil, fmt.Errorf("%w: format version %d, want %d", ErrInvalidRecord, v, recordFormatVersion)
	}
	if len(p.Previous) > MaxArchivedStates {
		return nil, fmt.Errorf("%w: %d archived states", ErrInvalidRecord, len(p.Previous))
	}
	if p.Current != nil {
		st, err := stateFromProto(p.Current)
		if err != nil {
			return nil, err
		}
		r.current = st
	}
	r.previous = p.Previous
	return r, nil
}

func (r *record) marshal() ([]byte, error) {
	p := &wire.SessionRecord{
		FormatVersion: proto.Uint32(recordFormatVersion),
		Previous:      r.previous,
	}
	if r.current != nil {
		cur, err := r.current.toProto()
		if err != nil {
			return nil, err
		}
		p.Current = cur
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(p)
}

// promote makes st current and archives the old current state, dropping
// the oldest archived state beyond MaxArchivedStates.
func (r *record) promote(st *state) error {
	if r.current != nil {
		r.current.pending = nil
		old, err := r.current.toProto()
		if err != nil {
			return err
		}
		r.previous = append([]*wire.SessionState{old}, r.previous...)
		if len(r.previous) > MaxArchivedStates {
			r.previous = r.previous[:MaxArchivedStates]
		}
	}
	r.current = st
	return nil
}

// promoteArchived removes archived state i and makes st, its updated form,
// current.
func (r *record) promoteArchived(i int, st *state) error {
	r.previous = append(r.previous[:i:i], r.previous[i+1:]...)
	return r.promote(st)
}

// findBaseKey makes the state started by baseKey current and reports
// whether there was one.
func (r *record) findBaseKey(version uint32, baseKey curve.PublicKey) (bool, error) {
	if r.current != nil && r.current.version == version && r.current.aliceBaseKey.Equal(baseKey) {
		return true, nil
	}
	for i, p := range r.previous {
		if p.GetSessionVersion() != version {
			continue
		}
		k, err := curve.NewPublicKey(p.GetAliceBaseKey())
		if err != nil || !k.Equal(baseKey) {
			continue
		}
		st, err := stateFromProto(p)
		if err != nil {
			return false, err
		}
		return true, r.promoteArchived(i, st)
	}
	return false, nil
}

func (s *state) toProto() (*wire.SessionState, error) {
	rs, err := s.ratchet.ToProto()
	if err != nil {
		return nil, err
	}
	p := &wire.SessionState{
		SessionVersion:       proto.Uint32(s.version),
		LocalIdentityKey:     s.localIdentity.Bytes(),
		RemoteIdentityKey:    s.remoteIdentity.Bytes(),
		LocalRegistrationId:  proto.Uint32(s.localRegID),
		RemoteRegistrationId: proto.Uint32(s.remoteRegID),
		AliceBaseKey:         s.aliceBaseKey.Bytes(),
		Ratchet:              rs,
	}
	if pp := s.pending; pp != nil {
		p.PendingPreKey = &wire.PendingPreKey{
			SignedPreKeyId:  proto.Uint32(pp.signedPreKeyID),
			BaseKey:         pp.baseKey.Bytes(),
			KyberPreKeyId:   proto.Uint32(pp.kyberPreKeyID),
			KyberCiphertext: pp.kyberCiphertext,
			CreatedAt:       proto.Int64(pp.createdAt.Unix()),
		}
		if pp.hasPreKeyID {
			p.PendingPreKey.PreKeyId = proto.Uint32(pp.preKeyID)
		}
	}
	return p, nil
}

func stateFromProto(p *wire.SessionState) (*state, error) {
	s := &state{
		version:     p.GetSessionVersion(),
		localRegID:  p.GetLocalRegistrationId(),
		remoteRegID: p.GetRemoteRegistrationId(),
	}
	if s.version != CurrentVersion {
		return nil, fmt.Errorf("%w: session version %d", ErrInvalidRecord, s.version)
	}
	keys := []struct {
		dst  *curve.PublicKey
		src  []byte
		name string
	}{
		{&s.localIdentity, p.GetLocalIdentityKey(), "local identity key"},
		{&s.remoteIdentity, p.GetRemoteIdentityKey(), "remote identity key"},
		{&s.aliceBaseKey, p.GetAliceBaseKey(), "base key"},
	}
	for _, k := range keys {
		pk, err := curve.NewPublicKey(k.src)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidRecord, k.name, err)
		}
		*k.dst = pk
	}
	if pp := p.GetPendingPreKey(); pp != nil {
		base, err := curve.NewPublicKey(pp.GetBaseKey())
		if err != nil {
			return nil, fmt.Errorf("%w: pending base key: %w", ErrInvalidRecord, err)
		}
		s.pending = &pendingPreKey{
			hasPreKeyID:     pp.PreKeyId != nil,
			preKeyID:        pp.GetPreKeyId(),
			signedPreKeyID:  pp.GetSignedPreKeyId(),
			baseKey:         base,
			kyberPreKeyID:   pp.GetKyberPreKeyId(),
			kyberCiphertext: pp.GetKyberCiphertext(),
			createdAt:       time.Unix(pp.GetCreatedAt(), 0),
		}
	}
	rs, err := ratchet.FromProto(p.GetRatchet())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	s.ratchet = rs
	return s, nil
}
