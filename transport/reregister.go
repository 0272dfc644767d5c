package transport

import (
	"context"
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
)

// setReregisterDeviceID names the device a "device.reregister" request,
// whose body is an AddDeviceRequest, registers again.
func setReregisterDeviceID(req *wire.AddDeviceRequest, deviceID uint32) {
	req.DeviceId = deviceID
}

// reregisterDeviceID returns the device a "device.reregister" request
// names, and false when it names none.
func reregisterDeviceID(req *wire.AddDeviceRequest) (uint32, bool) {
	return req.DeviceId, req.DeviceId != 0
}

// handleReregisterDevice registers an existing device again with a new
// device key and registration id, as after a reinstall that lost the old
// keys. Like adding a device, it needs the signatures of both the account
// identity key and the new device key. Device 1 authenticates with the
// account identity key, so its new key must be that key. The device's
// queue and prekeys are deleted, so senders that still use the old
// registration id get a stale-devices error until they fetch new bundles.
func (c *serverConn) handleReregisterDevice(ctx context.Context, body []byte) (proto.Message, error) {
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
	deviceID, ok := reregisterDeviceID(&req)
	if !ok {
		return nil, failf(StatusBadRequest, "missing device id")
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
		return nil, c.authFailed(VerbReregisterDevice, req.ServiceId)
	}
	if err != nil {
		return nil, err
	}
	msg := reregisterTranscript(c.nonce, req.ServiceId, deviceID, req.DeviceKey, req.RegistrationId)
	accountOK := acct.IdentityKey.Verify(msg, req.AccountSignature) == nil
	deviceOK := deviceKey.Verify(msg, req.DeviceSignature) == nil
	if !accountOK || !deviceOK {
		return nil, c.authFailed(VerbReregisterDevice, req.ServiceId)
	}
	if deviceID == 1 && !deviceKey.Equal(acct.IdentityKey) {
		return nil, failf(StatusBadRequest, "device 1 authenticates with the account identity key, so it must register again with that key")
	}

	dev := Device{ID: deviceID, RegistrationID: req.RegistrationId, Key: deviceKey, CreatedAt: c.s.opts.Now()}
	err = c.s.store.ReregisterDevice(ctx, req.ServiceId, dev)
	if errors.Is(err, ErrNotFound) {
		return nil, failf(StatusNotFound, "account %q has no device %d", req.ServiceId, deviceID)
	}
	if err != nil {
		return nil, err
	}
	c.s.logger.Info("device re-registered", "service_id", req.ServiceId, "device", deviceID, "key", deviceKey.Fingerprint())
	// authenticated makes this the device's live connection and closes the
	// connection of the old registration, if it is still open.
	c.authenticated(req.ServiceId, deviceID)
	return &wire.AddDeviceResponse{DeviceId: deviceID}, nil
}
