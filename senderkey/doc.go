// Package senderkey implements Signal's sender keys, the group messaging
// scheme in which each member encrypts a group message once for all other
// members. It reads and writes the same bytes as libsignal 0.103
// (group_cipher.rs and sender_keys.rs in github.com/signalapp/libsignal).
//
// # Protocol
//
// A sender creates, per distribution ID (a UUID that names one group
// distribution list), a sender chain: a random 31-bit chain ID, a 32-byte
// chain key and an XEdDSA signing key pair. [NewDistributionMessage] returns
// a SenderKeyDistributionMessage with the chain ID, the current iteration and
// chain key, and the signing public key. The sender sends it to every member
// over an authenticated 1:1 channel, and each member stores it with
// [ProcessDistributionMessage].
//
// [Encrypt] takes the message key of the current iteration and advances the
// chain. With ck the chain key, the message key seed is HMAC-SHA256(ck, 0x01)
// and the next chain key is HMAC-SHA256(ck, 0x02). The seed expands with
// HKDF-SHA256(salt = none, info = "WhisperGroup") into 48 bytes: the IV
// (16 bytes), then the AES-256 key (32 bytes). The body is AES-256-CBC with
// PKCS#7 padding. A SenderKeyMessage is the version byte 0x33, the protobuf
// SenderKeyMessage and a 64-byte XEdDSA signature over both.
//
// [Decrypt] finds the chain by the message's distribution ID and chain ID,
// verifies the signature, then derives the message key, keeping the keys of
// skipped iterations so that messages may arrive out of order.
//
// # Storage
//
// State lives in a [keystore.Store], one record per (sender address with its
// device ID, distribution ID), in Parley's own format. A record keeps up to
// [MaxStates] chains, newest first. A chain keeps up to [MaxSkippedKeys]
// skipped keys, and a message may skip at most [MaxForwardJumps] iterations.
// Every call runs in one Store.Update transaction, and a failed [Decrypt]
// stores nothing.
//
// # Security
//
// Sender keys give a group authenticity, through the signature, but only
// partial forward secrecy: a member who holds a chain key can derive every
// later message key of that chain. When a member leaves, start a new
// distribution ID, which gets a new chain that the former member never
// receives. A distribution message carries
// no signature of its own, so it is only as trustworthy as the channel that
// delivered it.
package senderkey
