// Package session builds Signal 1:1 sessions and encrypts and decrypts their
// messages, byte-compatible with libsignal 0.103.
//
// A [Cipher] works on a [keystore.Store] for one local device. The
// initiator calls [Cipher.ProcessBundle] with the remote device's prekey
// bundle and then [Cipher.Encrypt]; its messages are PreKey messages
// ([MessageTypePreKey]) until the remote device replies, and Whisper
// messages ([MessageTypeWhisper]) after. The responder passes each message
// to [Cipher.Decrypt] with its type.
//
// # Records
//
// Each remote address has one record: the current session state and up to
// [MaxArchivedStates] earlier ones. A PreKey message that starts a new
// session archives the current state. A message that decrypts on an
// archived state makes that state current again (the Sesame rule), so two
// sides that start sessions at the same time converge on one.
//
// # Failures
//
// Every call runs in one keystore transaction. A message that is malformed,
// replayed or fails authentication returns an error ([ErrInvalidMessage],
// [ErrDuplicateMessage], [ErrLegacyMessage], [ErrNoSession], [ErrNoPreKey]
// or an [*UntrustedIdentityError]) and leaves every stored record unchanged.
// Authentication failures all return the same error, so a forger learns
// nothing about which check failed.
package session
