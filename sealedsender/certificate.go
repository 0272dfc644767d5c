package sealedsender

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"io"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
)

// ServerCertificate binds a server key id to a server public key. A trust
// root signs it, and the server key signs sender certificates. It is
// immutable once created or parsed.
type ServerCertificate struct {
	keyID       uint32
	key         curve.PublicKey
	certificate []byte // serialized inner Certificate, covered by signature
	signature   []byte
	serialized  []byte
}

// NewServerCertificate creates a server certificate for key with the given
// key id, signed by trustRoot. rand supplies the XEdDSA signature's
// randomness; nil means crypto/rand.Reader.
func NewServerCertificate(rand io.Reader, keyID uint32, key curve.PublicKey, trustRoot curve.PrivateKey) (*ServerCertificate, error) {
	inner, err := proto.Marshal(&wire.ServerCertificate_Certificate{
		Id:  proto.Uint32(keyID),
		Key: key.Bytes(),
	})
	if err != nil {
		return nil, fmt.Errorf("sealedsender: encoding server certificate: %w", err)
	}
	sig, err := trustRoot.Sign(rand, inner)
	if err != nil {
		return nil, fmt.Errorf("sealedsender: signing server certificate: %w", err)
	}
	outer, err := proto.Marshal(&wire.ServerCertificate{Certificate: inner, Signature: sig})
	if err != nil {
		return nil, fmt.Errorf("sealedsender: encoding server certificate: %w", err)
	}
	return &ServerCertificate{keyID: keyID, key: key, certificate: inner, signature: sig, serialized: outer}, nil
}

// ParseServerCertificate parses a serialized ServerCertificate. It checks
// the structure and the key, not the signature; see [ServerCertificate.Verify].
func ParseServerCertificate(b []byte) (*ServerCertificate, error) {
	var outer wire.ServerCertificate
	if err := proto.Unmarshal(b, &outer); err != nil {
		return nil, malformed("server certificate: %v", err)
	}
	if wire.HasMisencodedField(&outer) {
		return nil, malformed("server certificate: a field has the wrong wire type")
	}
	if outer.Certificate == nil || outer.Signature == nil {
		return nil, malformed("server certificate: missing certificate or signature")
	}
	var inner wire.ServerCertificate_Certificate
	if err := proto.Unmarshal(outer.Certificate, &inner); err != nil {
		return nil, malformed("server certificate: %v", err)
	}
	if wire.HasMisencodedField(&inner) {
		return nil, malformed("server certificate: a field has the wrong wire type")
	}
	if inner.Id == nil || inner.Key == nil {
		return nil, malformed("server certificate: missing key id or key")
	}
	key, err := curve.NewPublicKey(inner.Key)
	if err != nil {
		return nil, malformed("server certificate key: %v", err)
	}
	return &ServerCertificate{
		keyID:       inner.GetId(),
		key:         key,
		certificate: outer.Certificate,
		signature:   outer.Signature,
		serialized:  bytes.Clone(b),
	}, nil
}

// KeyID returns the server key id.
func (c *ServerCertificate) KeyID() uint32 { return c.keyID }

// Key returns the server public key.
func (c *ServerCertificate) Key() curve.PublicKey { return c.key }

// Bytes returns a copy of the serialized certificate.
func (c *ServerCertificate) Bytes() []byte { return bytes.Clone(c.serialized) }

// Verify reports whether trustRoot signed c and c's key id is not revoked.
func (c *ServerCertificate) Verify(trustRoot curve.PublicKey) bool {
	for _, id := range revokedServerKeyIDs {
		if c.keyID == id {
			return false
		}
	}
	return trustRoot.Verify(c.certificate, c.signature) == nil
}

// Sender names the sender of a sealed message, as a sender certificate
// states it.
type Sender struct {
	// UUID is the sender's ACI as a string. Certificates made by
	// NewSenderCertificate and by libsignal carry a hyphenated UUID, and
	// one that carries 16 raw bytes is read into the lowercase
	// hyphenated form.
	UUID string
	// E164 is the sender's phone number, or "" when the certificate has
	// none.
	E164        string
	DeviceID    uint32
	IdentityKey curve.PublicKey
}

// ServiceID returns the sender's service ID, and ok is false when UUID is not
// a valid service ID string.
func (s Sender) ServiceID() (id ServiceID, ok bool) { return ParseServiceID(s.UUID) }

// SenderCertificate is a server's statement that a sender's identity key
// belongs to a service ID and device until an expiry time. It is immutable
// once created or parsed.
type SenderCertificate struct {
	sender   Sender
	expires  uint64 // milliseconds since the Unix epoch
	signer   *ServerCertificate
	signerID uint32 // key id when signer is nil
	// certificate is the serialized inner Certificate, covered by
	// signature.
	certificate []byte
	signature   []byte
	serialized  []byte
}

// NewSenderCertificate creates a certificate for sender that expires at
// expires (millisecond precision), embeds signer and is signed with
// signerKey, the private key of signer. The relay issues these. rand
// supplies the signature's randomness; nil means crypto/rand.Reader.
func NewSenderCertificate(rand io.Reader, sender Sender, expires time.Time, signer *ServerCertificate, signerKey curve.PrivateKey) (*SenderCertificate, error) {
	if sender.DeviceID < 1 || sender.DeviceID > maxDeviceID {
		return nil, fmt.Errorf("%w: device id %d is outside 1 to %d", ErrInvalidArgument, sender.DeviceID, maxDeviceID)
	}
	if !signer.key.Equal(signerKey.PublicKey()) {
		return nil, fmt.Errorf("%w: signer key does not match the server certificate", ErrInvalidArgument)
	}
	ms := uint64(expires.UnixMilli())
	inner := &wire.SenderCertificate_Certificate{
		SenderUuid:   &wire.SenderCertificate_Certificate_UuidString{UuidString: sender.UUID},
		SenderDevice: proto.Uint32(sender.DeviceID),
		Expires:      proto.Uint64(ms),
		IdentityKey:  sender.IdentityKey.Bytes(),
		Signer:       &wire.SenderCertificate_Certificate_Certificate{Certificate: signer.serialized},
	}
	if sender.E164 != "" {
		inner.SenderE164 = proto.String(sender.E164)
	}
	innerBytes, err := proto.Marshal(inner)
	if err != nil {
		return nil, fmt.Errorf("sealedsender: encoding sender certificate: %w", err)
	}
	sig, err := signerKey.Sign(rand, innerBytes)
	if err != nil {
		return nil, fmt.Errorf("sealedsender: signing sender certificate: %w", err)
	}
	outer, err := proto.Marshal(&wire.SenderCertificate{Certificate: innerBytes, Signature: sig})
	if err != nil {
		return nil, fmt.Errorf("sealedsender: encoding sender certificate: %w", err)
	}
	return &SenderCertificate{
		sender:      sender,
		expires:     ms,
		signer:      signer,
		certificate: innerBytes,
		signature:   sig,
		serialized:  outer,
	}, nil
}

// ParseSenderCertificate parses a serialized SenderCertificate, with an
// embedded server certificate if it has one. It checks the structure and
// the keys, not the signatures or the expiry; see [SenderCertificate.Validate].
func ParseSenderCertificate(b []byte) (*SenderCertificate, error) {
	var outer wire.SenderCertificate
	if err := proto.Unmarshal(b, &outer); err != nil {
		return nil, malformed("sender certificate: %v", err)
	}
	if wire.HasMisencodedField(&outer) {
		return nil, malformed("sender certificate: a field has the wrong wire type")
	}
	if outer.Certificate == nil || outer.Signature == nil {
		return nil, malformed("sender certificate: missing certificate or signature")
	}
	var inner wire.SenderCertificate_Certificate
	if err := proto.Unmarshal(outer.Certificate, &inner); err != nil {
		return nil, malformed("sender certificate: %v", err)
	}
	if wire.HasMisencodedField(&inner) {
		return nil, malformed("sender certificate: a field has the wrong wire type")
	}

	c := &SenderCertificate{
		certificate: outer.Certificate,
		signature:   outer.Signature,
		serialized:  bytes.Clone(b),
	}
	if inner.SenderDevice == nil || inner.GetSenderDevice() < 1 || inner.GetSenderDevice() > maxDeviceID {
		return nil, malformed("sender certificate: missing or invalid device id")
	}
	c.sender.DeviceID = inner.GetSenderDevice()
	if inner.Expires == nil {
		return nil, malformed("sender certificate: missing expiry")
	}
	c.expires = inner.GetExpires()

	switch s := inner.Signer.(type) {
	case *wire.SenderCertificate_Certificate_Certificate:
		server, err := ParseServerCertificate(s.Certificate)
		if err != nil {
			return nil, fmt.Errorf("sealedsender: embedded server certificate: %w", err)
		}
		c.signer = server
	case *wire.SenderCertificate_Certificate_Id:
		c.signerID = s.Id
	default:
		return nil, malformed("sender certificate: missing signer")
	}

	switch u := inner.SenderUuid.(type) {
	case *wire.SenderCertificate_Certificate_UuidString:
		c.sender.UUID = u.UuidString
	case *wire.SenderCertificate_Certificate_UuidBytes:
		if len(u.UuidBytes) != uuidSize {
			return nil, malformed("sender certificate: uuid has %d bytes, expected %d", len(u.UuidBytes), uuidSize)
		}
		c.sender.UUID = formatUUID([uuidSize]byte(u.UuidBytes))
	default:
		return nil, malformed("sender certificate: missing sender uuid")
	}
	c.sender.E164 = inner.GetSenderE164()

	if inner.IdentityKey == nil {
		return nil, malformed("sender certificate: missing identity key")
	}
	key, err := curve.NewPublicKey(inner.IdentityKey)
	if err != nil {
		return nil, malformed("sender certificate identity key: %v", err)
	}
	c.sender.IdentityKey = key
	return c, nil
}

// Sender returns the sender that the certificate names.
func (c *SenderCertificate) Sender() Sender { return c.sender }

// Expires returns the expiry time, with millisecond precision.
func (c *SenderCertificate) Expires() time.Time { return time.UnixMilli(int64(c.expires)) }

// ExpiresMillis returns the expiry time in milliseconds since the Unix epoch,
// as the certificate stores it.
func (c *SenderCertificate) ExpiresMillis() uint64 { return c.expires }

// ServerCertificate returns the embedded server certificate, or nil when the
// certificate names its server certificate by key id.
func (c *SenderCertificate) ServerCertificate() *ServerCertificate { return c.signer }

// ServerKeyID returns the key id of the server certificate that signed c,
// embedded or not.
func (c *SenderCertificate) ServerKeyID() uint32 {
	if c.signer != nil {
		return c.signer.keyID
	}
	return c.signerID
}

// Bytes returns a copy of the serialized certificate.
func (c *SenderCertificate) Bytes() []byte { return bytes.Clone(c.serialized) }

// Trust is what a receiver trusts when it validates sender certificates.
type Trust struct {
	// Roots are the trust roots; a server certificate signed by any one of
	// them is trusted.
	Roots []curve.PublicKey
	// ServerCertificates resolves sender certificates that name their
	// server certificate by key id instead of embedding it. libsignal 0.103
	// has such a list built in; Parley takes it from the application.
	ServerCertificates []*ServerCertificate
}

// server returns the server certificate that signed c.
func (t Trust) server(c *SenderCertificate) (*ServerCertificate, error) {
	if c.signer != nil {
		return c.signer, nil
	}
	for _, s := range t.ServerCertificates {
		if s != nil && s.keyID == c.signerID {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w %#x", ErrUnknownServerCertificate, c.signerID)
}

// Validate checks c as libsignal 0.103 does, in this order: one of
// trust.Roots signed the server certificate and its key id is not revoked
// (ErrUntrustedRoot), the server key signed c (ErrInvalidCertificate), and
// now is not after the expiry time (ErrExpired). Every root is checked, so
// the time taken does not reveal which root matched.
func (c *SenderCertificate) Validate(trust Trust, now time.Time) error {
	server, err := trust.server(c)
	if err != nil {
		return err
	}
	trusted := 0
	for _, root := range trust.Roots {
		if server.Verify(root) {
			trusted |= 1
		}
	}
	if subtle.ConstantTimeEq(int32(trusted), 1) != 1 {
		return ErrUntrustedRoot
	}
	if server.key.Verify(c.certificate, c.signature) != nil {
		return ErrInvalidCertificate
	}
	if nowMs := now.UnixMilli(); nowMs > 0 && uint64(nowMs) > c.expires {
		return fmt.Errorf("%w at %s", ErrExpired, c.Expires().UTC().Format(time.RFC3339Nano))
	}
	return nil
}
