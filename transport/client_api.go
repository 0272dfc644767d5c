package transport

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/kem"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/x3dh"
)

// Registration is a new account with its first device.
type Registration struct {
	// Username must be 3 to 64 characters from a-z, 0-9, '_', '.' and '-',
	// unique on the relay.
	Username string
	// IdentityKey is the account identity key. Device 1 authenticates with it.
	IdentityKey curve.KeyPair
	// RegistrationID is the device's registration id, 1 to 16383.
	RegistrationID uint32
	// AccessKey is what sealed sender senders must present to send to the
	// account.
	AccessKey [AccessKeySize]byte
}

// Register creates an account and its device 1, and authenticates this
// client as that device for the rest of its life, reconnects included. It
// returns an error matching ErrUsernameTaken when the username is in use.
func (c *Client) Register(ctx context.Context, r Registration) (keystore.Address, error) {
	cc, err := c.current(ctx)
	if err != nil {
		return keystore.Address{}, err
	}
	identity := r.IdentityKey.Public.Bytes()
	sig, err := r.IdentityKey.Private.Sign(c.opts.Rand, registerTranscript(cc.nonce, r.Username, identity, r.RegistrationID, r.AccessKey[:]))
	if err != nil {
		return keystore.Address{}, fmt.Errorf("transport: sign registration: %w", err)
	}
	req := &wire.RegisterRequest{
		Username:              r.Username,
		IdentityKey:           identity,
		RegistrationId:        r.RegistrationID,
		UnidentifiedAccessKey: r.AccessKey[:],
		Signature:             sig,
	}
	var resp wire.RegisterResponse
	if err := c.roundTrip(ctx, cc, VerbRegister, req, &resp); err != nil {
		return keystore.Address{}, err
	}
	c.setCredentials(Credentials{ServiceID: resp.ServiceId, DeviceID: resp.DeviceId, Key: r.IdentityKey.Private})
	return keystore.Address{Name: resp.ServiceId, DeviceID: resp.DeviceId}, nil
}

// AddDevice adds a device to the account serviceID and authenticates this
// client as the new device. account is the account identity key, which
// signs the request, and device is the new device's own key, which it
// authenticates with from now on.
func (c *Client) AddDevice(ctx context.Context, serviceID string, account curve.PrivateKey, device curve.KeyPair, registrationID uint32) (keystore.Address, error) {
	cc, err := c.current(ctx)
	if err != nil {
		return keystore.Address{}, err
	}
	deviceKey := device.Public.Bytes()
	msg := addDeviceTranscript(cc.nonce, serviceID, deviceKey, registrationID)
	accountSig, err := account.Sign(c.opts.Rand, msg)
	if err != nil {
		return keystore.Address{}, fmt.Errorf("transport: sign device addition: %w", err)
	}
	deviceSig, err := device.Private.Sign(c.opts.Rand, msg)
	if err != nil {
		return keystore.Address{}, fmt.Errorf("transport: sign device addition: %w", err)
	}
	req := &wire.AddDeviceRequest{
		ServiceId:        serviceID,
		DeviceKey:        deviceKey,
		RegistrationId:   registrationID,
		AccountSignature: accountSig,
		DeviceSignature:  deviceSig,
	}
	var resp wire.AddDeviceResponse
	if err := c.roundTrip(ctx, cc, VerbAddDevice, req, &resp); err != nil {
		return keystore.Address{}, err
	}
	c.setCredentials(Credentials{ServiceID: serviceID, DeviceID: resp.DeviceId, Key: device.Private})
	return keystore.Address{Name: serviceID, DeviceID: resp.DeviceId}, nil
}

// ReregisterDevice registers device deviceID of the account serviceID again
// with a new device key and registration id, for a device that lost its
// keys, and authenticates this client as that device. account is the
// account identity key, which signs the request with device's key. Device
// 1 authenticates with the account identity key, so for it device must be
// the account identity key pair. The relay deletes the device's queued
// envelopes and prekeys, so upload new prekeys next. Senders that use the
// old registration id get a *StaleDevicesError listing the device.
func (c *Client) ReregisterDevice(ctx context.Context, serviceID string, deviceID uint32, account curve.PrivateKey, device curve.KeyPair, registrationID uint32) (keystore.Address, error) {
	cc, err := c.current(ctx)
	if err != nil {
		return keystore.Address{}, err
	}
	deviceKey := device.Public.Bytes()
	msg := reregisterTranscript(cc.nonce, serviceID, deviceID, deviceKey, registrationID)
	accountSig, err := account.Sign(c.opts.Rand, msg)
	if err != nil {
		return keystore.Address{}, fmt.Errorf("transport: sign device re-registration: %w", err)
	}
	deviceSig, err := device.Private.Sign(c.opts.Rand, msg)
	if err != nil {
		return keystore.Address{}, fmt.Errorf("transport: sign device re-registration: %w", err)
	}
	req := &wire.AddDeviceRequest{
		ServiceId:        serviceID,
		DeviceKey:        deviceKey,
		RegistrationId:   registrationID,
		AccountSignature: accountSig,
		DeviceSignature:  deviceSig,
	}
	setReregisterDeviceID(req, deviceID)
	var resp wire.AddDeviceResponse
	if err := c.roundTrip(ctx, cc, VerbReregisterDevice, req, &resp); err != nil {
		return keystore.Address{}, err
	}
	c.setCredentials(Credentials{ServiceID: serviceID, DeviceID: deviceID, Key: device.Private})
	return keystore.Address{Name: serviceID, DeviceID: deviceID}, nil
}

// Authenticate signs the connection's challenge as the device and keeps the
// credentials for reconnects. It returns the device's one-time prekey
// counts.
func (c *Client) Authenticate(ctx context.Context, creds Credentials) (PreKeyCount, error) {
	cc, err := c.current(ctx)
	if err != nil {
		return PreKeyCount{}, err
	}
	count, err := c.authenticateOnCount(ctx, cc, creds)
	if err != nil {
		return PreKeyCount{}, err
	}
	c.setCredentials(creds)
	return count, nil
}

func (c *Client) setCredentials(creds Credentials) {
	c.mu.Lock()
	c.creds = &creds
	c.mu.Unlock()
}

func (c *Client) authenticateOn(ctx context.Context, cc *clientConn, creds Credentials) error {
	_, err := c.authenticateOnCount(ctx, cc, creds)
	return err
}

func (c *Client) authenticateOnCount(ctx context.Context, cc *clientConn, creds Credentials) (PreKeyCount, error) {
	sig, err := creds.sign(c.opts.Rand, cc.nonce)
	if err != nil {
		return PreKeyCount{}, fmt.Errorf("transport: sign challenge: %w", err)
	}
	req := &wire.AuthenticateRequest{ServiceId: creds.ServiceID, DeviceId: creds.DeviceID, Signature: sig}
	var resp wire.AuthenticateResponse
	if err := c.roundTrip(ctx, cc, VerbAuthenticate, req, &resp); err != nil {
		return PreKeyCount{}, err
	}
	return PreKeyCount{EC: int(resp.PreKeys.GetEcCount()), Kyber: int(resp.PreKeys.GetKyberCount())}, nil
}

// PreKeys is an upload of the device's prekeys. Only the public halves are
// sent. A nil Signed or LastResort leaves the stored key in place.
type PreKeys struct {
	Signed     *keystore.SignedPreKey
	LastResort *keystore.KyberPreKey
	// OneTime and Kyber hold at most MaxPreKeysPerUpload keys each.
	OneTime []keystore.PreKey
	Kyber   []keystore.KyberPreKey
}

// UploadPreKeys stores public prekeys for the authenticated device. The
// server checks the identity key's signature on each signed key.
func (c *Client) UploadPreKeys(ctx context.Context, p PreKeys) error {
	req := &wire.UploadPreKeysRequest{}
	if p.Signed != nil {
		req.SignedPreKey = &wire.PublicSignedPreKey{Id: p.Signed.ID, PublicKey: p.Signed.KeyPair.Public.Bytes(), Signature: p.Signed.Signature}
	}
	if p.LastResort != nil {
		req.LastResortKyber = publicKyber(*p.LastResort)
	}
	for _, k := range p.OneTime {
		req.PreKeys = append(req.PreKeys, &wire.PublicPreKey{Id: k.ID, PublicKey: k.KeyPair.Public.Bytes()})
	}
	for _, k := range p.Kyber {
		req.KyberPreKeys = append(req.KyberPreKeys, publicKyber(k))
	}
	return c.do(ctx, VerbUploadPreKeys, req, nil)
}

func publicKyber(k keystore.KyberPreKey) *wire.PublicKyberPreKey {
	return &wire.PublicKyberPreKey{Id: k.ID, PublicKey: k.KeyPair.Public.Bytes(), Signature: k.Signature}
}

// PreKeyCount returns the number of one-time prekeys the server holds for
// the authenticated device.
func (c *Client) PreKeyCount(ctx context.Context) (PreKeyCount, error) {
	var resp wire.PreKeyStatus
	if err := c.do(ctx, VerbPreKeyCount, &wire.PreKeyCountRequest{}, &resp); err != nil {
		return PreKeyCount{}, err
	}
	return PreKeyCount{EC: int(resp.EcCount), Kyber: int(resp.KyberCount)}, nil
}

// FetchBundles returns a prekey bundle for every device of the account.
// Each one-time prekey in them is removed from the server. The caller
// checks the signatures when it processes a bundle.
func (c *Client) FetchBundles(ctx context.Context, serviceID string) ([]*x3dh.Bundle, error) {
	return c.fetchBundles(ctx, serviceID, 0)
}

// FetchBundle returns the prekey bundle of one device.
func (c *Client) FetchBundle(ctx context.Context, addr keystore.Address) (*x3dh.Bundle, error) {
	if addr.DeviceID == 0 {
		return nil, fmt.Errorf("transport: fetch bundle of %q: device id 0 is invalid", addr.Name)
	}
	bundles, err := c.fetchBundles(ctx, addr.Name, addr.DeviceID)
	if err != nil {
		return nil, err
	}
	if len(bundles) != 1 {
		return nil, fmt.Errorf("transport: fetch bundle of %s: server returned %d bundles", addr, len(bundles))
	}
	return bundles[0], nil
}

func (c *Client) fetchBundles(ctx context.Context, serviceID string, deviceID uint32) ([]*x3dh.Bundle, error) {
	var resp wire.FetchBundlesResponse
	if err := c.do(ctx, VerbFetchBundles, &wire.FetchBundlesRequest{ServiceId: serviceID, DeviceId: deviceID}, &resp); err != nil {
		return nil, err
	}
	identity, err := curve.NewPublicKey(resp.IdentityKey)
	if err != nil {
		return nil, fmt.Errorf("transport: bundle of %q has an invalid identity key: %w", serviceID, err)
	}
	out := make([]*x3dh.Bundle, 0, len(resp.Devices))
	for _, d := range resp.Devices {
		b, err := bundleFromWire(identity, d)
		if err != nil {
			return nil, fmt.Errorf("transport: bundle of %q device %d: %w", serviceID, d.GetDeviceId(), err)
		}
		out = append(out, b)
	}
	return out, nil
}

func bundleFromWire(identity curve.PublicKey, d *wire.DeviceBundle) (*x3dh.Bundle, error) {
	if d.SignedPreKey == nil || d.KyberPreKey == nil {
		return nil, errors.New("missing signed or kyber prekey")
	}
	signed, err := curve.NewPublicKey(d.SignedPreKey.PublicKey)
	if err != nil {
		return nil, err
	}
	kyber, err := kem.NewPublicKey(d.KyberPreKey.PublicKey)
	if err != nil {
		return nil, err
	}
	b := &x3dh.Bundle{
		RegistrationID:        d.RegistrationId,
		DeviceID:              d.DeviceId,
		SignedPreKeyID:        d.SignedPreKey.Id,
		SignedPreKey:          signed,
		SignedPreKeySignature: d.SignedPreKey.Signature,
		KyberPreKeyID:         d.KyberPreKey.Id,
		KyberPreKey:           kyber,
		KyberPreKeySignature:  d.KyberPreKey.Signature,
		IdentityKey:           identity,
	}
	if d.PreKey != nil {
		b.PreKey, err = curve.NewPublicKey(d.PreKey.PublicKey)
		if err != nil {
			return nil, err
		}
		b.HasPreKey = true
		b.PreKeyID = d.PreKey.Id
	}
	return b, nil
}

// Message is a send to every device of one account.
type Message struct {
	Destination string
	// ID makes the send idempotent: the server stores a send once per
	// sender, destination and ID. A zero ID is replaced by a random one, so
	// set it yourself to retry a send whose result you did not see.
	ID        [MessageIDSize]byte
	Ephemeral bool
	// Messages holds one ciphertext for each device of the destination.
	Messages []OutgoingMessage
}

// sendAttempts bounds the automatic retries of a send after a lost
// connection. Retries are safe because the message id makes them
// idempotent.
const sendAttempts = 3

// Send queues the message for each of the destination's devices. It
// returns a *MismatchedDevicesError or a *StaleDevicesError when the device
// set is out of date, and an error matching ErrQueueFull when a device's
// queue is full.
func (c *Client) Send(ctx context.Context, m Message) error {
	return c.send(ctx, m, nil)
}

// SendSealed queues a sealed sender message without identifying the
// sender: the envelopes carry no source. accessKey is the destination's
// unidentified access key. A wrong key and an unknown account both return
// an error matching ErrUnauthorized.
func (c *Client) SendSealed(ctx context.Context, m Message, accessKey [AccessKeySize]byte) error {
	return c.send(ctx, m, accessKey[:])
}

func (c *Client) send(ctx context.Context, m Message, accessKey []byte) error {
	if m.ID == ([MessageIDSize]byte{}) {
		if _, err := io.ReadFull(c.opts.Rand, m.ID[:]); err != nil {
			return fmt.Errorf("transport: read randomness for message id: %w", err)
		}
	}
	req := &wire.SendRequest{
		Destination:           m.Destination,
		MessageId:             m.ID[:],
		Ephemeral:             m.Ephemeral,
		UnidentifiedAccessKey: accessKey,
	}
	for _, o := range m.Messages {
		req.Messages = append(req.Messages, &wire.OutgoingMessage{
			DeviceId: o.DeviceID, RegistrationId: o.RegistrationID, Type: o.Type, Content: o.Content,
		})
	}
	var err error
	for range sendAttempts {
		err = c.do(ctx, VerbSend, req, &wire.SendResponse{})
		if !errors.Is(err, ErrConnectionLost) {
			return err
		}
	}
	return err
}

// LookupUser returns the service id and identity key of the account with
// the username.
func (c *Client) LookupUser(ctx context.Context, username string) (string, curve.PublicKey, error) {
	var resp wire.LookupUserResponse
	if err := c.do(ctx, VerbLookupUser, &wire.LookupUserRequest{Username: username}, &resp); err != nil {
		return "", curve.PublicKey{}, err
	}
	key, err := curve.NewPublicKey(resp.IdentityKey)
	if err != nil {
		return "", curve.PublicKey{}, fmt.Errorf("transport: identity key of %q: %w", username, err)
	}
	return resp.ServiceId, key, nil
}

// SenderCertificate returns a sealed sender certificate for the
// authenticated device, as the server's CertificateIssuer serialized it.
func (c *Client) SenderCertificate(ctx context.Context) ([]byte, error) {
	var resp wire.SenderCertificateResponse
	if err := c.do(ctx, VerbSenderCertificate, &wire.SenderCertificateRequest{}, &resp); err != nil {
		return nil, err
	}
	return resp.Certificate, nil
}

// UploadAttachment stores an encrypted blob on the relay and returns its
// id. Encrypt the blob first, for example with the attachment package: the
// relay stores what it is given.
func (c *Client) UploadAttachment(ctx context.Context, data []byte) (string, error) {
	var resp wire.UploadAttachmentResponse
	if err := c.do(ctx, VerbUploadAttachment, &wire.UploadAttachmentRequest{Data: data}, &resp); err != nil {
		return "", err
	}
	return resp.Id, nil
}

// DownloadAttachment returns the blob stored under id.
func (c *Client) DownloadAttachment(ctx context.Context, id string) ([]byte, error) {
	var resp wire.DownloadAttachmentResponse
	if err := c.do(ctx, VerbDownloadAttachment, &wire.DownloadAttachmentRequest{Id: id}, &resp); err != nil {
		return nil, err
	}
	return resp.Data, nil
}
