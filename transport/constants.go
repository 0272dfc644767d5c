package transport

import "time"

// Protocol values. They are part of the wire protocol and change only with
// a new protocol version.
const (
	// ProtocolVersion is the version of the frame protocol in
	// internal/wire/transport.proto.
	ProtocolVersion = 1

	// WebSocketPath is the path of the relay's WebSocket endpoint.
	WebSocketPath = "/v1/websocket"

	// ChallengeSize is the length of the server's authentication nonce.
	ChallengeSize = 32

	// MessageIDSize is the length of a sender-chosen message id.
	MessageIDSize = 16

	// AccessKeySize is the length of an unidentified access key.
	AccessKeySize = 16

	// MaxPreKeysPerUpload is the limit on one-time prekeys of each kind
	// (Curve25519 and Kyber) in one upload.
	MaxPreKeysPerUpload = 100
)

// Request verbs.
const (
	VerbRegister           = "register"
	VerbAddDevice          = "device.add"
	VerbReregisterDevice   = "device.reregister"
	VerbAuthenticate       = "authenticate"
	VerbUploadPreKeys      = "prekeys.upload"
	VerbPreKeyCount        = "prekeys.count"
	VerbFetchBundles       = "prekeys.fetch"
	VerbSend               = "message.send"
	VerbLookupUser         = "user.lookup"
	VerbSenderCertificate  = "certificate.sender"
	VerbUploadAttachment   = "attachment.upload"
	VerbDownloadAttachment = "attachment.download"
)

// Response status codes, taken from HTTP.
const (
	StatusOK                  = 200
	StatusBadRequest          = 400
	StatusUnauthorized        = 401
	StatusForbidden           = 403
	StatusNotFound            = 404
	StatusConflict            = 409 // mismatched devices
	StatusGone                = 410 // stale devices
	StatusTooLarge            = 413
	StatusTooManyRequests     = 429
	StatusServerError         = 500
	StatusNotImplemented      = 501 // no certificate issuer
	StatusInsufficientStorage = 507 // recipient queue full
)

// Transcript labels. Each signed transcript starts with one of them, so a
// signature made for one purpose is never valid for another.
const (
	labelAuthenticate = "parley-transport-v1 authenticate"
	labelRegister     = "parley-transport-v1 register"
	labelAddDevice    = "parley-transport-v1 add-device"
	labelReregister   = "parley-transport-v1 reregister-device"
)

// Implementation defaults for ServerOptions. They are limits of this
// server, not of the protocol.
const (
	DefaultMaxFrameSize       = 256 << 10
	DefaultMaxEnvelopeSize    = 128 << 10
	DefaultMaxAttachmentSize  = 8 << 20
	DefaultMaxQueueCount      = 10000
	DefaultMaxQueueBytes      = 64 << 20
	DefaultMaxEnvelopeAge     = 30 * 24 * time.Hour
	DefaultDeliveryWindow     = 32
	DefaultWriteTimeout       = 10 * time.Second
	DefaultPingInterval       = 30 * time.Second
	DefaultPreKeyLowThreshold = 10
	DefaultMaxStoredPreKeys   = 1000
	DefaultMaxDevices         = 6
	DefaultDuplicateWindow    = 24 * time.Hour

	maxUsernameLength   = 64
	maxServiceIDLength  = 64
	maxAuthFailures     = 3
	maxAttachmentIDSize = 64
)
