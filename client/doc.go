// Package client is the high-level Parley API for applications and bots.
// One Client is one device of an account on a relay (package transport).
// It runs the whole Signal-protocol flow on a keystore.Store, so that
// applications only send and receive messages.
//
// # Setup
//
// A new device makes an identity with NewIdentity, creates a key store for
// it (keystore.NewMemoryStore, or keystore/sqlstore for one encrypted on
// disk), connects with Dial and calls Client.Register, which creates the
// account and uploads prekeys. Later starts call Dial with the same store,
// which authenticates as the registered device. Client.Run then receives
// messages and passes them to Options.OnEvent.
//
// # Sending
//
// SendText, SendFile, SendReceipt and SendTyping send to every device of an
// account. The client fetches prekey bundles for devices it has no session
// with, encrypts once per device, and when the relay reports missing, extra
// or stale devices it fixes its device list and sends again. Files are
// encrypted and padded (package transport/attachment) before upload; only
// their key, digest and size travel in the message.
//
// Messages go with sealed sender, which hides the sender from the relay,
// when three things hold: Options.TrustRoots is set, the relay issues a
// sender certificate that those roots validate, and the client knows the
// recipient's access key. Every 1:1 message carries the sender's access
// key, so the first message to a new contact names its sender to the relay
// and the rest of the conversation does not. A sealed send that the relay
// rejects is sent again with the sender visible. A Client made by Dial
// makes its sealed sends, user lookups and attachment downloads on a
// second connection that never authenticates, so the connection does not
// name the account either; the relay still sees its IP address.
//
// # Groups
//
// CreateGroup makes a group with fixed membership. Group messages use
// sender keys (package senderkey): each member's device sends its sender key
// to every other member's devices over their 1:1 sessions once, then
// encrypts each group message once and sends the same ciphertext to every
// device. A member learns of a group from the first sender key it receives
// for it (a GroupEvent).
//
// # Receiving
//
// Run decrypts each envelope, commits the new session state to the key
// store, calls OnEvent and only then acknowledges the envelope to the
// relay, so a crash never loses a message: an envelope that was decrypted
// but not acknowledged comes again and is dropped as a duplicate. Events
// carry the authenticated Sender. For each text or file message Run sends
// a delivery receipt unless Options.DisableDeliveryReceipts is set.
//
// # Identity keys
//
// The client trusts the first identity key it sees for a contact. When the
// key changes it emits an IdentityChangeEvent: messages from the new key
// are accepted, and sending to a contact whose old key was marked verified
// (MarkVerified, after comparing SafetyNumber) fails with an
// *IdentityChangedError until TrustIdentity accepts the new key.
//
// # Storage
//
// Besides keys and sessions, the client keeps its account, contacts,
// groups and prekey counters in the key store, inside the same
// transactions, so an encrypted store encrypts them too.
//
// # Limits
//
// The client registers first devices only: it does not link further
// devices or send copies of its messages to its own other devices, and
// group membership cannot change after CreateGroup.
package client
