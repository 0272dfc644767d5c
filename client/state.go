package client

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/parleyhq/parley/keystore"
)

// stateName names the client's record in the key store's application
// data. The client keeps its own state (account, contacts, groups, prekey
// counters) there, so that it commits in the same transactions as the keys
// it describes and is encrypted wherever the store encrypts its records.
const stateName = "parley.client.state"

// stateVersion is the version of the JSON encoding below.
const stateVersion = 1

// state is everything the client remembers besides keys and sessions.
type state struct {
	Version   int    `json:"version"`
	ServiceID string `json:"service_id,omitempty"`
	DeviceID  uint32 `json:"device_id,omitempty"`
	Username  string `json:"username,omitempty"`
	// AccessKey is this account's unidentified access key, which sealed
	// sender senders present to the relay.
	AccessKey []byte `json:"access_key,omitempty"`
	// PreKeysUploaded is false between registration and the first
	// successful upload of the signed and last-resort prekeys.
	PreKeysUploaded bool `json:"prekeys_uploaded,omitempty"`
	// NextPreKeyID and NextKyberPreKeyID are the ids the next generated
	// one-time prekeys get.
	NextPreKeyID      uint32 `json:"next_prekey_id,omitempty"`
	NextKyberPreKeyID uint32 `json:"next_kyber_prekey_id,omitempty"`
	// SignedPreKeyID is the id of the current signed prekey, and
	// SignedPreKeyCreated its creation time in Unix milliseconds.
	SignedPreKeyID      uint32 `json:"signed_prekey_id,omitempty"`
	SignedPreKeyCreated int64  `json:"signed_prekey_created,omitempty"`
	// LastResortKyberID is the id of the current last-resort Kyber prekey.
	LastResortKyberID uint32 `json:"last_resort_kyber_id,omitempty"`
	// PreviousSignedPreKeyID and PreviousLastResortKyberID are the keys
	// the last rotation replaced. They stay for one more rotation period so
	// first messages sent with them still decrypt; 0 means none.
	PreviousSignedPreKeyID    uint32 `json:"previous_signed_prekey_id,omitempty"`
	PreviousLastResortKyberID uint32 `json:"previous_last_resort_kyber_id,omitempty"`

	Contacts map[string]*contactState `json:"contacts,omitempty"`
	Groups   map[string]*groupState   `json:"groups,omitempty"`
}

type contactState struct {
	Username string `json:"username,omitempty"`
	// Devices are the device ids the client has sessions with.
	Devices []uint32 `json:"devices,omitempty"`
	// AccessKey is the contact's unidentified access key, learned from its
	// messages; empty until then.
	AccessKey []byte `json:"access_key,omitempty"`
	Verified  bool   `json:"verified,omitempty"`
}

type groupState struct {
	ID      []byte        `json:"id"`
	Name    string        `json:"name"`
	Members []memberState `json:"members"`
	// DistributionID names this device's current sender key chain for the
	// group.
	DistributionID []byte `json:"distribution_id"`
	// Distributed lists the member devices ("service-id.device") that have
	// received the sender key of DistributionID.
	Distributed []string `json:"distributed,omitempty"`
}

type memberState struct {
	ServiceID string `json:"service_id"`
	Username  string `json:"username,omitempty"`
}

func newState() *state {
	return &state{Version: stateVersion, Contacts: map[string]*contactState{}, Groups: map[string]*groupState{}}
}

// loadState reads the state from tx, or returns an empty state when none is
// stored.
func loadState(ctx context.Context, tx keystore.Tx) (*state, error) {
	b, err := tx.AppData(ctx, stateName)
	if err != nil {
		return nil, fmt.Errorf("client: read state: %w", err)
	}
	st := newState()
	if len(b) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("client: decode state: %w", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("client: state version %d is not supported (want %d)", st.Version, stateVersion)
	}
	if st.Contacts == nil {
		st.Contacts = map[string]*contactState{}
	}
	if st.Groups == nil {
		st.Groups = map[string]*groupState{}
	}
	return st, nil
}

func saveState(ctx context.Context, tx keystore.Tx, st *state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("client: encode state: %w", err)
	}
	if err := tx.StoreAppData(ctx, stateName, b); err != nil {
		return fmt.Errorf("client: store state: %w", err)
	}
	return nil
}

// contact returns the contact with serviceID, adding an empty one.
func (st *state) contact(serviceID string) *contactState {
	ct := st.Contacts[serviceID]
	if ct == nil {
		ct = &contactState{}
		st.Contacts[serviceID] = ct
	}
	return ct
}

func (ct *contactState) addDevice(id uint32) {
	if !slices.Contains(ct.Devices, id) {
		ct.Devices = append(ct.Devices, id)
		slices.Sort(ct.Devices)
	}
}

func (ct *contactState) removeDevice(id uint32) {
	ct.Devices = slices.DeleteFunc(ct.Devices, func(d uint32) bool { return d == id })
}

// clone returns a deep copy, so that a failed transaction leaves the
// client's cached state as it was.
func (st *state) clone() *state {
	b, err := json.Marshal(st)
	if err != nil {
		panic("client: encode state: " + err.Error())
	}
	out := newState()
	if err := json.Unmarshal(b, out); err != nil {
		panic("client: decode state: " + err.Error())
	}
	return out
}
