// Package transport is Parley's relay: the server that Signal-protocol
// conversations run over, and the client that devices use to reach it. The
// relay stores prekey bundles, queues encrypted envelopes for devices that
// are offline, pushes them to devices that are online over one WebSocket
// connection each, and holds encrypted attachments. It only ever sees
// ciphertext and public keys.
//
// # Protocol
//
// A client opens a WebSocket connection to /v1/websocket over TLS. Every
// WebSocket message is one binary message with one Frame from
// internal/wire/transport.proto, which documents each frame and field. The
// server sends a Challenge first. The client then sends Requests with a
// nonzero id and a verb (see the Verb constants), and the server answers
// each with a Response carrying the same id and an HTTP status code. A frame
// that cannot be decoded gets a Response with status 400 and id 0, and the
// connection carries on. Keepalive is WebSocket ping and pong.
//
// After authentication the server pushes the device's queue oldest first as
// Envelope frames, with at most ServerOptions.DeliveryWindow of them
// unacknowledged, and then a QueueDrained frame. The client sends an Ack for
// each envelope once it has stored it. Delivery is at least once: an
// envelope is deleted only when its device acknowledges it, and every new
// connection starts again from the oldest unacknowledged envelope. A device
// has one live connection, and a new one closes the old with WebSocket
// status 1008.
//
// # Authentication
//
// No passwords are stored. A device proves it holds its key by signing,
// with XEdDSA, a transcript of the connection's 32-byte challenge nonce:
//
//	label || len(nonce) || nonce || len(f1) || f1 || ...
//
// where label is an ASCII string naming the purpose and every length is
// 4 bytes big-endian. The labels and fields are:
//
//	"parley-transport-v1 authenticate":      service id, device id (4 bytes)
//	"parley-transport-v1 register":          username, identity key (33 bytes),
//	                                         registration id (4 bytes), access key
//	"parley-transport-v1 add-device":        service id, device key (33 bytes),
//	                                         registration id (4 bytes)
//	"parley-transport-v1 reregister-device": service id, device id (4 bytes),
//	                                         device key (33 bytes),
//	                                         registration id (4 bytes)
//
// Registration is signed by the new identity key. Adding a device is signed
// by both the account identity key and the new device's key, and so is
// registering an existing device again after it lost its keys. Registering
// again gives the device a new key and registration id and deletes its
// queue and prekeys, so a send that still names the old registration id
// fails with status 410 (stale devices) until the sender fetches new
// bundles. Device 1 authenticates with the account identity key, so it
// registers again with that same key. Because the
// nonce is fresh per connection and used once, a recorded signature is
// useless on any other connection. Every failed authentication returns the
// same status 401 and message, and three failures close the connection.
//
// # Sealed sender
//
// A send that carries an unidentified access key needs no authentication.
// The server compares the key with the destination's in constant time and
// answers a wrong key and an unknown account with the same 401, so a sender
// cannot probe which accounts exist. Its envelopes carry no sender. Sender
// certificates come from a [CertificateIssuer] supplied by the operator.
//
// # Storage
//
// [Store] is the durable state and [SQLiteStore] implements it on one
// SQLite file in WAL mode. A send is answered only after its envelopes are
// committed. The SQLite store commits the writes that arrive while a commit
// is under way together in the next transaction (group commit), so
// concurrent sends and acknowledgements share one sync. The interface
// keeps transactions inside single methods, so a PostgreSQL store can
// implement it with the same semantics.
//
// # Limits
//
// [ServerOptions] sets every limit; the defaults are in constants.go. Until
// a connection authenticates, the server reads no WebSocket message larger
// than MaxFrameSize (256 KiB by default) and closes the connection with
// status 1009 on a larger one; an authenticated device may send messages up
// to MaxAttachmentSize plus 4 KiB, for attachment uploads. One send is one
// frame, so the ciphertexts for all of a user's devices together must fit
// in MaxFrameSize even though each may be up to MaxEnvelopeSize.
package transport
