// Package wire defines the protobuf encodings of the Signal protocol
// messages: [SignalMessage], [PreKeySignalMessage], [SenderKeyMessage] and
// [SenderKeyDistributionMessage].
//
// Field numbers and types match libsignal's signal.proto.wire package
// (checked at libsignal commit b056faa6dd02, August 2026), so libsignal and
// Parley decode each other's messages. The messages use proto2 syntax: every
// field is optional, and a getter such as [PreKeySignalMessage.GetPreKeyId]
// returns zero for an absent field, while the field pointer (PreKeyId) is
// nil. Code that must tell "absent" from "zero" checks the pointer.
//
// The messages generated from storage.proto (such as [SessionRecord]) and
// senderkey_storage.proto (such as [SenderKeyRecord]) are Parley's own
// formats for stored records and are not libsignal's. fingerprint.proto
// holds the scannable safety number format, with libsignal's field numbers.
//
// These types carry only the protobuf part of a message. The version byte
// before it and the MAC or signature after it belong to the protocol packages,
// which must also check the length of every bytes field they read.
//
// # Generation
//
// The *.pb.go files are generated and committed. To regenerate them after
// editing a .proto file, run from the module root:
//
//	go generate ./internal/wire
//
// This needs protoc on PATH. The protoc-gen-go plugin is built from the
// separate tools module at tools/, which pins its version.
package wire

//go:generate sh generate.sh
