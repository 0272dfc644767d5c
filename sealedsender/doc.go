// Package sealedsender implements Signal's sealed sender, which hides the
// sender of a message from the server: the sender's identity travels inside
// the encryption, as a certificate issued by the server.
//
// The formats match libsignal 0.103 (rust/protocol/src/sealed_sender.rs),
// so messages and certificates made by either side are read by the other.
//
// # Certificates
//
// A trust root signs a [ServerCertificate], and the server key in it signs
// each [SenderCertificate], which binds a sender's ACI, device id and
// identity key to an expiry time. The relay creates them with
// [NewServerCertificate] and [NewSenderCertificate]. A receiver validates
// them with [SenderCertificate.Validate] against a [Trust], which holds one
// or more trust roots and the server certificates that sender certificates
// may name by key id instead of embedding.
//
// # Messages
//
// [Content] is what a sealed message carries: the sender certificate, an
// inner message of a [MessageType] (already encrypted by a session or a
// sender key), a [ContentHint] and an optional group id.
//
//   - Version 1 ([EncryptV1]): one recipient, 0x11 and a protobuf, with
//     AES-256-CTR and truncated HMAC-SHA256 under keys from two X25519
//     agreements.
//   - Version 2 ([EncryptV2]): one encryption with AES-256-GCM-SIV for many
//     recipients, each getting a 32-byte key wrapped by X25519 and a 16-byte
//     tag that binds it to the sender. The sender uploads the sent form
//     (0x23); the server parses it with [ParseSentMessage] and delivers to
//     each recipient the received form (0x22) from
//     [SentMessage.ReceivedMessage].
//
// [Unseal] opens both versions with the recipient's identity key pair.
//
// # Receiving
//
// [Cipher] ties this to a key store and the session and sender-key ciphers.
// [Cipher.Decrypt] follows libsignal's order: unseal, validate the
// certificate chain and expiry, reject a message from this device, then
// decrypt the inner message with the cipher for its type. Failures are
// reported with the sentinel errors of this package: [ErrMalformed],
// [ErrDecrypt] (which does not say which check failed), [ErrUntrustedRoot],
// [ErrInvalidCertificate], [ErrExpired], [ErrUnknownServerCertificate] and
// [ErrSelfSend].
package sealedsender
