package transport

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/kem"
)

// requestError is a failed request with the status and body to answer.
type requestError struct {
	status  uint32
	message string
	body    proto.Message
}

func (e *requestError) Error() string { return e.message }

func failf(status uint32, format string, args ...any) error {
	return &requestError{status: status, message: fmt.Sprintf(format, args...)}
}

// errAuthFailed is the single answer to every failed authentication, so a
// client learns nothing about which check failed.
var errAuthFailed = &requestError{status: StatusUnauthorized, message: "authentication failed"}

type handler struct {
	needAuth bool
	fn       func(c *serverConn, ctx context.Context, body []byte) (proto.Message, error)
}

var handlers = map[string]handler{
	VerbRegister:           {false, (*serverConn).handleRegister},
	VerbAddDevice:          {false, (*serverConn).handleAddDevice},
	VerbReregisterDevice:   {false, (*serverConn).handleReregisterDevice},
	VerbAuthenticate:       {false, (*serverConn).handleAuthenticate},
	VerbUploadPreKeys:      {true, (*serverConn).handleUploadPreKeys},
	VerbPreKeyCount:        {true, (*serverConn).handlePreKeyCount},
	VerbFetchBundles:       {true, (*serverConn).handleFetchBundles},
	VerbSend:               {false, (*serverConn).handleSend},
	VerbLookupUser:         {false, (*serverConn).handleLookupUser},
	VerbSenderCertificate:  {true, (*serverConn).handleSenderCertificate},
	VerbUploadAttachment:   {true, (*serverConn).handleUploadAttachment},
	VerbDownloadAttachment: {false, (*serverConn).handleDownloadAttachment},
}

func (c *serverConn) handleRequest(req *wire.Request, frameSize int) *wire.Response {
	resp := &wire.Response{Id: req.Id}
	h, ok := handlers[req.Verb]
	switch {
	case !ok:
		resp.Status, resp.Message = StatusNotFound, fmt.Sprintf("unknown request verb %q", req.Verb)
		return resp
	case frameSize > c.s.opts.MaxFrameSize && req.Verb != VerbUploadAttachment:
		c.s.metrics.drop(dropTooLarge, 1)
		resp.Status, resp.Message = StatusTooLarge, fmt.Sprintf("frame of %d bytes exceeds the limit of %d", frameSize, c.s.opts.MaxFrameSize)
		return resp
	case h.needAuth && !c.authed:
		resp.Status, resp.Message = StatusUnauthorized, "authentication required"
		return resp
	}

	// A request that arrived runs to the end even if the connection
	// closes meanwhile, so a send is either stored whole or not at all and
	// a retry finds its message id.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), requestTimeout)
	defer cancel()
	out, err := h.fn(c, ctx, req.Body)
	if err != nil {
		c.fillError(resp, req.Verb, err)
		return resp
	}
	resp.Status = StatusOK
	if out != nil {
		b, err := proto.Marshal(out)
		if err != nil {
			c.fillError(resp, req.Verb, err)
			return resp
		}
		resp.Body = b
	}
	return resp
}

// fillError maps err to a status. Errors of the store that are not one of
// the package sentinels are logged and answered with a bare status 500.
func (c *serverConn) fillError(resp *wire.Response, verb string, err error) {
	var re *requestError
	var mismatch *MismatchedDevicesError
	var stale *StaleDevicesError
	switch {
	case errors.As(err, &re):
		resp.Status, resp.Message = re.status, re.message
		if re.body != nil {
			resp.Body, _ = proto.Marshal(re.body)
		}
	case errors.As(err, &mismatch):
		resp.Status, resp.Message = StatusConflict, "mismatched devices"
		resp.Body, _ = proto.Marshal(&wire.MismatchedDevices{MissingDevices: mismatch.Missing, ExtraDevices: mismatch.Extra})
	case errors.As(err, &stale):
		resp.Status, resp.Message = StatusGone, "stale devices"
		resp.Body, _ = proto.Marshal(&wire.StaleDevices{StaleDevices: stale.Stale})
	case errors.Is(err, ErrUsernameTaken):
		resp.Status, resp.Message = StatusConflict, "username already taken"
	case errors.Is(err, ErrNotFound):
		resp.Status, resp.Message = StatusNotFound, "not found"
	case errors.Is(err, ErrForbidden):
		resp.Status, resp.Message = StatusForbidden, strings.TrimPrefix(err.Error(), "transport: ")
	case errors.Is(err, ErrQueueFull):
		resp.Status, resp.Message = StatusInsufficientStorage, "recipient queue full, retry later"
	case errors.Is(err, ErrNoCertificateIssuer):
		resp.Status, resp.Message = StatusNotImplemented, "sender certificates not available"
	default:
		resp.Status, resp.Message = StatusServerError, "internal server error"
		c.s.logger.Error("request failed", "verb", verb, "remote", c.remote, "service_id", c.key.serviceID, "device", c.key.deviceID, "err", err)
	}
}

func decodeBody(body []byte, m proto.Message) error {
	if err := proto.Unmarshal(body, m); err != nil {
		return failf(StatusBadRequest, "malformed request body: %v", err)
	}
	return nil
}

// checkNonce rejects a second authentication on a connection. Each
// challenge nonce signs in at most once.
func (c *serverConn) checkNonce() error {
	if c.nonceUsed || c.authed {
		return failf(StatusBadRequest, "connection already authenticated")
	}
	return nil
}

// authFailed counts a failed authentication and closes the connection after
// maxAuthFailures.
func (c *serverConn) authFailed(verb, serviceID string) error {
	c.authFailures++
	c.s.metrics.drop(dropAuthFailed, 1)
	if c.s.logs.allow("auth:"+c.remote, c.s.opts.Now()) {
		c.s.logger.Info("authentication failed", "verb", verb, "remote", c.remote, "service_id", serviceID)
	}
	if c.authFailures >= maxAuthFailures {
		c.closeAfterResponse = true
	}
	return errAuthFailed
}

func validRegistrationID(id uint32) bool { return id >= 1 && id <= 0x3fff }

func validUsername(u string) bool {
	if len(u) < 3 || len(u) > maxUsernameLength {
		return false
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func (c *serverConn) handleRegister(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.RegisterRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if err := c.checkNonce(); err != nil {
		return nil, err
	}
	if !validUsername(req.Username) {
		return nil, failf(StatusBadRequest, "invalid username: use 3 to %d characters from a-z, 0-9, '_', '.' and '-'", maxUsernameLength)
	}
	identity, err := curve.NewPublicKey(req.IdentityKey)
	if err != nil {
		return nil, failf(StatusBadRequest, "invalid identity key: %v", err)
	}
	if !validRegistrationID(req.RegistrationId) {
		return nil, failf(StatusBadRequest, "invalid registration id %d: must be 1 to 16383", req.RegistrationId)
	}
	if len(req.UnidentifiedAccessKey) != AccessKeySize {
		return nil, failf(StatusBadRequest, "unidentified access key has %d bytes, want %d", len(req.UnidentifiedAccessKey), AccessKeySize)
	}
	msg := registerTranscript(c.nonce, req.Username, req.IdentityKey, req.RegistrationId, req.UnidentifiedAccessKey)
	if identity.Verify(msg, req.Signature) != nil {
		return nil, c.authFailed(VerbRegister, "")
	}

	serviceID, err := newServiceID(c.s.opts.Rand)
	if err != nil {
		return nil, err
	}
	now := c.s.opts.Now()
	acct := Account{ServiceID: serviceID, Username: req.Username, IdentityKey: identity, CreatedAt: now}
	copy(acct.AccessKey[:], req.UnidentifiedAccessKey)
	dev := Device{ID: 1, RegistrationID: req.RegistrationId, Key: identity, CreatedAt: now}
	if err := c.s.store.CreateAccount(ctx, acct, dev); err != nil {
		return nil, err
	}
	c.s.logger.Info("account registered", "service_id", serviceID, "identity", identity.Fingerprint())
	c.authenticated(serviceID, 1)
	return &wire.RegisterResponse{ServiceId: serviceID, DeviceId: 1}, nil
}

// newServiceID returns a random (version 4) UUID in lowercase string form.
func newServiceID(rand io.Reader) (string, error) {
	var u [16]byte
	if _, err := io.ReadFull(rand, u[:]); err != nil {
		return "", fmt.Errorf("transport: read randomness for service id: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

func (c *serverConn) handleAddDevice(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.AddDeviceRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if err := c.checkNonce(); err != nil {
		return nil, err
	}
	if len(req.ServiceId) == 0 || len(req.ServiceId) > maxServiceIDLength {
		return nil, failf(StatusBadRequest, "invalid service id")
	}
	deviceKey, err := curve.NewPublicKey(req.DeviceKey)
	if err != nil {
		return nil, failf(StatusBadRequest, "invalid device key: %v", err)
	}
	if !validRegistrationID(req.RegistrationId) {
		return nil, failf(StatusBadRequest, "invalid registration id %d: must be 1 to 16383", req.RegistrationId)
	}
	acct, err := c.s.store.Account(ctx, req.ServiceId)
	if errors.Is(err, ErrNotFound) {
		return nil, c.authFailed(VerbAddDevice, req.ServiceId)
	}
	if err != nil {
		return nil, err
	}
	msg := addDeviceTranscript(c.nonce, req.ServiceId, req.DeviceKey, req.RegistrationId)
	accountOK := acct.IdentityKey.Verify(msg, req.AccountSignature) == nil
	deviceOK := deviceKey.Verify(msg, req.DeviceSignature) == nil
	if !accountOK || !deviceOK {
		return nil, c.authFailed(VerbAddDevice, req.ServiceId)
	}
	dev := Device{RegistrationID: req.RegistrationId, Key: deviceKey, CreatedAt: c.s.opts.Now()}
	id, err := c.s.store.AddDevice(ctx, req.ServiceId, dev, c.s.opts.MaxDevices)
	if err != nil {
		return nil, err
	}
	c.s.logger.Info("device added", "service_id", req.ServiceId, "device", id, "key", deviceKey.Fingerprint())
	c.authenticated(req.ServiceId, id)
	return &wire.AddDeviceResponse{DeviceId: id}, nil
}

func (c *serverConn) handleAuthenticate(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.AuthenticateRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if err := c.checkNonce(); err != nil {
		return nil, err
	}
	if len(req.ServiceId) == 0 || len(req.ServiceId) > maxServiceIDLength {
		return nil, c.authFailed(VerbAuthenticate, "")
	}
	devices, err := c.s.store.Devices(ctx, req.ServiceId)
	if errors.Is(err, ErrNotFound) {
		return nil, c.authFailed(VerbAuthenticate, req.ServiceId)
	}
	if err != nil {
		return nil, err
	}
	var dev *Device
	for i := range devices {
		if devices[i].ID == req.DeviceId {
			dev = &devices[i]
		}
	}
	msg := authenticateTranscript(c.nonce, req.ServiceId, req.DeviceId)
	if dev == nil || dev.Key.Verify(msg, req.Signature) != nil {
		return nil, c.authFailed(VerbAuthenticate, req.ServiceId)
	}
	count, err := c.s.store.PreKeyCount(ctx, req.ServiceId, req.DeviceId)
	if err != nil {
		return nil, err
	}
	c.authenticated(req.ServiceId, req.DeviceId)
	return &wire.AuthenticateResponse{PreKeys: &wire.PreKeyStatus{EcCount: uint32(count.EC), KyberCount: uint32(count.Kyber)}}, nil
}

func (c *serverConn) handleUploadPreKeys(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.UploadPreKeysRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if len(req.PreKeys) > MaxPreKeysPerUpload || len(req.KyberPreKeys) > MaxPreKeysPerUpload {
		return nil, failf(StatusBadRequest, "upload has %d prekeys and %d kyber prekeys, at most %d of each are allowed",
			len(req.PreKeys), len(req.KyberPreKeys), MaxPreKeysPerUpload)
	}
	acct, err := c.s.store.Account(ctx, c.key.serviceID)
	if err != nil {
		return nil, err
	}
	var u PreKeyUpload
	if req.SignedPreKey != nil {
		k, err := checkSigned(acct.IdentityKey, req.SignedPreKey, false)
		if err != nil {
			return nil, err
		}
		u.Signed = &k
	}
	if req.LastResortKyber != nil {
		k, err := checkSigned(acct.IdentityKey, req.LastResortKyber, true)
		if err != nil {
			return nil, err
		}
		u.LastResort = &k
	}
	for _, p := range req.PreKeys {
		if p == nil {
			return nil, failf(StatusBadRequest, "empty prekey")
		}
		if _, err := curve.NewPublicKey(p.PublicKey); err != nil {
			return nil, failf(StatusBadRequest, "invalid prekey %d: %v", p.Id, err)
		}
		u.PreKeys = append(u.PreKeys, PublicPreKey{ID: p.Id, PublicKey: p.PublicKey})
	}
	for _, p := range req.KyberPreKeys {
		k, err := checkSigned(acct.IdentityKey, p, true)
		if err != nil {
			return nil, err
		}
		u.KyberPreKeys = append(u.KyberPreKeys, k)
	}

	count, err := c.s.store.PreKeyCount(ctx, c.key.serviceID, c.key.deviceID)
	if err != nil {
		return nil, err
	}
	limit := c.s.opts.MaxStoredPreKeys
	if count.EC+len(u.PreKeys) > limit || count.Kyber+len(u.KyberPreKeys) > limit {
		return nil, failf(StatusBadRequest, "device would store more than %d one-time prekeys of a kind", limit)
	}
	if err := c.s.store.StorePreKeys(ctx, c.key.serviceID, c.key.deviceID, u); err != nil {
		return nil, err
	}
	return nil, nil
}

// signedKey is implemented by the generated signed prekey messages.
type signedKey interface {
	GetId() uint32
	GetPublicKey() []byte
	GetSignature() []byte
}

// checkSigned parses a signed prekey (Curve25519, or Kyber1024 when kyber
// is set) and verifies the identity key's signature over its serialized
// public key.
func checkSigned(identity curve.PublicKey, k signedKey, kyber bool) (SignedPublicKey, error) {
	if k == nil || k.GetPublicKey() == nil {
		return SignedPublicKey{}, failf(StatusBadRequest, "empty signed prekey")
	}
	var err error
	if kyber {
		_, err = kem.NewPublicKey(k.GetPublicKey())
	} else {
		_, err = curve.NewPublicKey(k.GetPublicKey())
	}
	if err != nil {
		return SignedPublicKey{}, failf(StatusBadRequest, "invalid prekey %d: %v", k.GetId(), err)
	}
	if identity.Verify(k.GetPublicKey(), k.GetSignature()) != nil {
		return SignedPublicKey{}, failf(StatusBadRequest, "invalid signature on prekey %d", k.GetId())
	}
	return SignedPublicKey{ID: k.GetId(), PublicKey: k.GetPublicKey(), Signature: k.GetSignature()}, nil
}

func (c *serverConn) handlePreKeyCount(ctx context.Context, body []byte) (proto.Message, error) {
	count, err := c.s.store.PreKeyCount(ctx, c.key.serviceID, c.key.deviceID)
	if err != nil {
		return nil, err
	}
	return &wire.PreKeyStatus{EcCount: uint32(count.EC), KyberCount: uint32(count.Kyber)}, nil
}

func (c *serverConn) handleFetchBundles(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.FetchBundlesRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if len(req.ServiceId) == 0 || len(req.ServiceId) > maxServiceIDLength {
		return nil, failf(StatusBadRequest, "invalid service id")
	}
	acct, err := c.s.store.Account(ctx, req.ServiceId)
	if errors.Is(err, ErrNotFound) {
		return nil, failf(StatusNotFound, "account %q not found", req.ServiceId)
	}
	if err != nil {
		return nil, err
	}
	bundles, err := c.s.store.TakeBundles(ctx, req.ServiceId, req.DeviceId)
	if errors.Is(err, ErrNotFound) {
		return nil, failf(StatusNotFound, "no prekey bundle for %q device %d", req.ServiceId, req.DeviceId)
	}
	if err != nil {
		return nil, err
	}
	if len(bundles) == 0 {
		return nil, failf(StatusNotFound, "account %q has no device with prekeys", req.ServiceId)
	}
	resp := &wire.FetchBundlesResponse{IdentityKey: acct.IdentityKey.Bytes()}
	for _, b := range bundles {
		db := &wire.DeviceBundle{
			DeviceId:       b.DeviceID,
			RegistrationId: b.RegistrationID,
			SignedPreKey:   &wire.PublicSignedPreKey{Id: b.Signed.ID, PublicKey: b.Signed.PublicKey, Signature: b.Signed.Signature},
			KyberPreKey:    &wire.PublicKyberPreKey{Id: b.Kyber.ID, PublicKey: b.Kyber.PublicKey, Signature: b.Kyber.Signature},
		}
		if b.PreKey != nil {
			db.PreKey = &wire.PublicPreKey{Id: b.PreKey.ID, PublicKey: b.PreKey.PublicKey}
		}
		resp.Devices = append(resp.Devices, db)

		low := c.s.opts.PreKeyLowThreshold
		if b.Remaining.EC < low || b.Remaining.Kyber < low {
			if peer := c.s.online(req.ServiceId, b.DeviceID); peer != nil {
				peer.pushPreKeyStatus(b.Remaining)
			}
		}
	}
	return resp, nil
}

func (c *serverConn) handleSend(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.SendRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	sealed := req.UnidentifiedAccessKey != nil
	if !sealed && !c.authed {
		return nil, failf(StatusUnauthorized, "authentication or an unidentified access key required")
	}
	if len(req.Destination) == 0 || len(req.Destination) > maxServiceIDLength {
		return nil, failf(StatusBadRequest, "invalid destination")
	}
	if len(req.MessageId) != MessageIDSize {
		return nil, failf(StatusBadRequest, "message id has %d bytes, want %d", len(req.MessageId), MessageIDSize)
	}
	if len(req.Messages) == 0 || len(req.Messages) > c.s.opts.MaxDevices {
		return nil, failf(StatusBadRequest, "send has %d messages, want 1 to %d", len(req.Messages), c.s.opts.MaxDevices)
	}
	r := EnqueueRequest{
		Destination:   req.Destination,
		Ephemeral:     req.Ephemeral,
		Now:           c.s.opts.Now(),
		MaxQueueCount: c.s.opts.MaxQueueCount,
		MaxQueueBytes: c.s.opts.MaxQueueBytes,
	}
	copy(r.MessageID[:], req.MessageId)
	seen := make(map[uint32]bool, len(req.Messages))
	for _, m := range req.Messages {
		if m == nil || len(m.Content) == 0 {
			return nil, failf(StatusBadRequest, "empty message")
		}
		if seen[m.DeviceId] {
			return nil, failf(StatusBadRequest, "device %d appears twice", m.DeviceId)
		}
		seen[m.DeviceId] = true
		if len(m.Content) > c.s.opts.MaxEnvelopeSize {
			c.s.metrics.drop(dropTooLarge, 1)
			return nil, failf(StatusTooLarge, "message for device %d has %d bytes, the limit is %d", m.DeviceId, len(m.Content), c.s.opts.MaxEnvelopeSize)
		}
		r.Messages = append(r.Messages, OutgoingMessage{DeviceID: m.DeviceId, RegistrationID: m.RegistrationId, Type: m.Type, Content: m.Content})
	}

	rateKey := ""
	if sealed {
		if err := c.checkAccessKey(ctx, req.Destination, req.UnidentifiedAccessKey); err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(c.remote)
		if err != nil {
			host = c.remote
		}
		rateKey = "sealed:" + host
	} else {
		r.Sender, r.SenderDevice = c.key.serviceID, c.key.deviceID
		rateKey = "sender:" + c.key.serviceID
	}
	if c.s.limiter != nil && !c.s.limiter.allow(rateKey, r.Now) {
		c.s.metrics.drop(dropRateLimited, 1)
		return nil, failf(StatusTooManyRequests, "send rate limit exceeded, retry later")
	}
	r.Online = func(deviceID uint32) bool { return c.s.online(req.Destination, deviceID) != nil }

	res, err := c.s.store.Enqueue(ctx, r)
	if errors.Is(err, ErrQueueFull) {
		c.s.metrics.drop(dropQueueFull, 1)
	}
	if errors.Is(err, ErrNotFound) {
		if sealed {
			return nil, errAuthFailed
		}
		return nil, failf(StatusNotFound, "account %q not found", req.Destination)
	}
	if err != nil {
		return nil, err
	}
	if res.Duplicate {
		c.s.metrics.duplicates.Add(1)
		return &wire.SendResponse{Duplicate: true}, nil
	}
	c.s.metrics.sends.Add(1)
	if n := len(res.Dropped); n > 0 {
		c.s.metrics.drop(dropEphemeralOffline, uint64(n))
	}
	for _, id := range res.Devices {
		if peer := c.s.online(req.Destination, id); peer != nil {
			signal(peer.notify)
		}
	}
	return &wire.SendResponse{}, nil
}

// dummyAccessKey is compared against when the destination does not exist,
// so the work done for an unknown account matches the work for a wrong key.
var dummyAccessKey [AccessKeySize]byte

// checkAccessKey compares a sealed sender's access key with the
// destination's in constant time. A wrong key and an unknown account return
// the same error.
func (c *serverConn) checkAccessKey(ctx context.Context, destination string, key []byte) error {
	acct, err := c.s.store.Account(ctx, destination)
	want := dummyAccessKey[:]
	switch {
	case err == nil:
		want = acct.AccessKey[:]
	case !errors.Is(err, ErrNotFound):
		return err
	}
	match := subtle.ConstantTimeCompare(want, key) == 1
	if err != nil || !match {
		c.s.metrics.drop(dropAuthFailed, 1)
		return errAuthFailed
	}
	return nil
}

func (c *serverConn) handleLookupUser(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.LookupUserRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if !validUsername(req.Username) {
		return nil, failf(StatusBadRequest, "invalid username")
	}
	acct, err := c.s.store.AccountByUsername(ctx, req.Username)
	if errors.Is(err, ErrNotFound) {
		return nil, failf(StatusNotFound, "username %q not found", req.Username)
	}
	if err != nil {
		return nil, err
	}
	return &wire.LookupUserResponse{ServiceId: acct.ServiceID, IdentityKey: acct.IdentityKey.Bytes()}, nil
}

func (c *serverConn) handleSenderCertificate(ctx context.Context, body []byte) (proto.Message, error) {
	if c.s.opts.CertificateIssuer == nil {
		return nil, ErrNoCertificateIssuer
	}
	acct, err := c.s.store.Account(ctx, c.key.serviceID)
	if err != nil {
		return nil, err
	}
	cert, err := c.s.opts.CertificateIssuer.IssueSenderCertificate(ctx, SenderIdentity{
		ServiceID: c.key.serviceID, DeviceID: c.key.deviceID, IdentityKey: acct.IdentityKey,
	})
	if err != nil {
		return nil, fmt.Errorf("transport: issue sender certificate: %w", err)
	}
	return &wire.SenderCertificateResponse{Certificate: cert}, nil
}

func (c *serverConn) handleUploadAttachment(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.UploadAttachmentRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if len(req.Data) == 0 {
		return nil, failf(StatusBadRequest, "empty attachment")
	}
	if len(req.Data) > c.s.opts.MaxAttachmentSize {
		c.s.metrics.drop(dropTooLarge, 1)
		return nil, failf(StatusTooLarge, "attachment has %d bytes, the limit is %d", len(req.Data), c.s.opts.MaxAttachmentSize)
	}
	var raw [16]byte
	if _, err := io.ReadFull(c.s.opts.Rand, raw[:]); err != nil {
		return nil, fmt.Errorf("transport: read randomness for attachment id: %w", err)
	}
	id := hex.EncodeToString(raw[:])
	if err := c.s.store.PutAttachment(ctx, id, req.Data); err != nil {
		return nil, err
	}
	return &wire.UploadAttachmentResponse{Id: id}, nil
}

func (c *serverConn) handleDownloadAttachment(ctx context.Context, body []byte) (proto.Message, error) {
	var req wire.DownloadAttachmentRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if len(req.Id) == 0 || len(req.Id) > maxAttachmentIDSize {
		return nil, failf(StatusBadRequest, "invalid attachment id")
	}
	data, err := c.s.store.Attachment(ctx, req.Id)
	if errors.Is(err, ErrNotFound) {
		return nil, failf(StatusNotFound, "attachment %q not found", req.Id)
	}
	if err != nil {
		return nil, err
	}
	return &wire.DownloadAttachmentResponse{Data: data}, nil
}
