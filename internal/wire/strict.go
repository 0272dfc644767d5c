package wire

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// HasMisencodedField reports whether m's unknown fields include a field
// number that m declares, or cannot be parsed. Go's decoder keeps a known
// field sent with the wrong wire type as an unknown field and leaves the
// real field unset, while libsignal's decoder rejects the message. Parsers
// call this to reject such a message too.
func HasMisencodedField(m proto.Message) bool {
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	unknown := r.GetUnknown()
	for len(unknown) > 0 {
		num, _, n := protowire.ConsumeField(unknown)
		if n < 0 {
			return true
		}
		if fields.ByNumber(num) != nil {
			return true
		}
		unknown = unknown[n:]
	}
	return false
}
