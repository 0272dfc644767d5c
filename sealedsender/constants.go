package sealedsender

// Protocol constants, as libsignal 0.103 defines them.
const (
	// A version byte is (required version << 4) | current version.
	versionV1         = 0x11
	versionV2UUID     = 0x22 // received form; also the original sent form with 16-byte ACIs
	versionV2Sent     = 0x23 // sent form with 17-byte service IDs
	majorVersionV1    = 1
	majorVersionV2    = 2
	v1SaltPrefix      = "UnidentifiedDelivery"
	v1MACSize         = 10
	v2LabelR          = "Sealed Sender v2: r (2023-08)"
	v2LabelK          = "Sealed Sender v2: K"
	v2LabelDH         = "Sealed Sender v2: DH"
	v2LabelDHSender   = "Sealed Sender v2: DH-sender"
	v2MessageKeySize  = 32 // M and C
	v2AuthTagSize     = 16 // AT
	v2PublicKeySize   = 32 // E.pub, raw without the type byte
	v2ReceivedHeader  = 1 + v2MessageKeySize + v2AuthTagSize + v2PublicKeySize
	serviceIDSize     = 17
	uuidSize          = 16
	registrationIDMax = 0x3fff // registration ids fit in 14 bits
	hasMoreDevices    = 0x8000
	maxDeviceID       = 127 // libsignal's DeviceId accepts 1 to 127
)

// revokedServerKeyIDs lists server certificate key ids that fail validation
// whatever their signature. libsignal 0.103 lists 0xDEADC357, an id kept for
// testing revocation.
var revokedServerKeyIDs = [...]uint32{0xDEADC357}
