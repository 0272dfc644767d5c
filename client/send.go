package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/parleyhq/parley/internal/wire"
	"github.com/parleyhq/parley/keystore"
	"github.com/parleyhq/parley/sealedsender"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/transport"
	"github.com/parleyhq/parley/transport/attachment"
	"github.com/parleyhq/parley/x3dh"
)

// Envelope types in transport.OutgoingMessage.Type, with the numbers of
// Signal's Envelope.Type.
const (
	envelopeWhisper   = 1
	envelopePreKey    = 3
	envelopeSealed    = 6
	envelopeSenderKey = 7
)

// maxSendAttempts bounds the sends of one message while the client brings
// its device list up to date or falls back from sealed sender.
const maxSendAttempts = 4

// certificateMargin is how long before its expiry a sender certificate is
// replaced. certificateRecheck is how long the client waits before it
// requests a certificate again from a relay that issued none.
const (
	certificateMargin  = time.Hour
	certificateRecheck = 10 * time.Minute
)

// File is a file to send.
type File struct {
	// Name is the file name shown to the recipient, without a directory.
	Name        string
	ContentType string
	Data        []byte
}

// SendText sends text to the account serviceID and returns the message's
// timestamp, which receipts for it carry.
func (c *Client) SendText(ctx context.Context, serviceID, text string) (uint64, error) {
	ts := c.nextTimestamp()
	content := &wire.AppContent{Timestamp: ts, Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{Text: text}}}
	return ts, c.sendContent(ctx, serviceID, content, false, sealedsender.HintResendable)
}

// SendFile encrypts f with a fresh key, uploads it to the relay and sends
// the key, digest and size to serviceID with caption. The relay stores only
// the encrypted, padded blob.
func (c *Client) SendFile(ctx context.Context, serviceID string, f File, caption string) (uint64, error) {
	ptr, err := c.uploadFile(ctx, f)
	if err != nil {
		return 0, err
	}
	ts := c.nextTimestamp()
	content := &wire.AppContent{Timestamp: ts, Body: &wire.AppContent_Data{Data: &wire.AppDataMessage{Text: caption, Attachment: ptr}}}
	return ts, c.sendContent(ctx, serviceID, content, false, sealedsender.HintResendable)
}

// SendReceipt sends serviceID a delivery or read receipt for its messages
// with the given timestamps.
func (c *Client) SendReceipt(ctx context.Context, serviceID string, typ ReceiptType, timestamps []uint64) error {
	r := &wire.AppReceiptMessage{Type: wire.AppReceiptMessage_DELIVERY, Timestamps: timestamps}
	if typ == ReadReceipt {
		r.Type = wire.AppReceiptMessage_READ
	}
	content := &wire.AppContent{Timestamp: c.nextTimestamp(), Body: &wire.AppContent_Receipt{Receipt: r}}
	return c.sendContent(ctx, serviceID, content, false, sealedsender.HintImplicit)
}

// SendTyping sends serviceID a typing indicator: started or stopped. The
// relay drops it for devices that are offline.
func (c *Client) SendTyping(ctx context.Context, serviceID string, started bool) error {
	return c.sendContent(ctx, serviceID, typingContent(c.nextTimestamp(), started, nil), true, sealedsender.HintImplicit)
}

func typingContent(ts uint64, started bool, groupID []byte) *wire.AppContent {
	action := wire.AppTypingMessage_STOPPED
	if started {
		action = wire.AppTypingMessage_STARTED
	}
	return &wire.AppContent{Timestamp: ts, Body: &wire.AppContent_Typing{Typing: &wire.AppTypingMessage{Action: action, GroupId: groupID}}}
}

// Download fetches an attachment from the relay and checks and decrypts it.
func (c *Client) Download(ctx context.Context, a *Attachment) ([]byte, error) {
	conn, err := c.anonymousTransport(ctx)
	if err != nil {
		return nil, err
	}
	blob, err := conn.DownloadAttachment(ctx, a.id)
	if err != nil {
		return nil, err
	}
	return attachment.Decrypt(blob, a.pointer)
}

func (c *Client) uploadFile(ctx context.Context, f File) (*wire.AppAttachmentPointer, error) {
	if _, err := c.requireRegistered(); err != nil {
		return nil, err
	}
	blob, ptr, err := attachment.Encrypt(c.opts.Rand, f.Data)
	if err != nil {
		return nil, err
	}
	id, err := c.tc.UploadAttachment(ctx, blob)
	if err != nil {
		return nil, fmt.Errorf("client: upload attachment: %w", err)
	}
	return &wire.AppAttachmentPointer{
		Id:          id,
		Key:         ptr.Key[:],
		Digest:      ptr.Digest[:],
		Size:        uint64(ptr.Size),
		FileName:    f.Name,
		ContentType: f.ContentType,
	}, nil
}

// sendContent encrypts content with the sessions of every device of
// serviceID and sends it, adding this account's access key and username.
func (c *Client) sendContent(ctx context.Context, serviceID string, content *wire.AppContent, ephemeral bool, hint sealedsender.ContentHint) error {
	st, err := c.requireRegistered()
	if err != nil {
		return err
	}
	content.AccessKey = st.AccessKey
	content.Username = st.Username
	plaintext, err := encodeContent(content)
	if err != nil {
		return err
	}
	enc := func(ctx context.Context, addr keystore.Address) (sealedsender.MessageType, []byte, error) {
		typ, ct, err := c.sessions.Encrypt(ctx, addr, plaintext)
		if err != nil {
			return 0, nil, err
		}
		if typ == session.MessageTypePreKey {
			return sealedsender.TypePreKey, ct, nil
		}
		return sealedsender.TypeWhisper, ct, nil
	}
	return c.deliver(ctx, serviceID, ephemeral, hint, nil, enc)
}

// encryptFunc returns the inner message for one device of a destination.
type encryptFunc func(ctx context.Context, addr keystore.Address) (sealedsender.MessageType, []byte, error)

// deliver sends one message to every device of serviceID. It makes sure
// there is a session with each device, encrypts with enc and seals the
// result when it can. When the relay reports missing, extra or stale
// devices, it brings the device list up to date and tries again.
func (c *Client) deliver(ctx context.Context, serviceID string, ephemeral bool, hint sealedsender.ContentHint, groupID []byte, enc encryptFunc) error {
	if serviceID == c.Address().Name {
		return fmt.Errorf("client: sending to this account's own devices is not supported")
	}
	trySealed := true
	var lastErr error
	for range maxSendAttempts {
		devices, err := c.ensureSessions(ctx, serviceID)
		if err != nil {
			return err
		}
		cert, accessKey := (*sealedsender.SenderCertificate)(nil), []byte(nil)
		if trySealed {
			cert, accessKey, err = c.sealing(ctx, serviceID)
			if err != nil {
				return err
			}
		}
		msgs, err := c.encryptAll(ctx, serviceID, devices, cert, hint, groupID, enc)
		var noSession *staleSessionError
		if errors.As(err, &noSession) {
			if err := c.fixDevices(ctx, serviceID, nil, nil, []uint32{noSession.device}); err != nil {
				return err
			}
			lastErr = err
			continue
		}
		if err != nil {
			return err
		}
		m := transport.Message{Destination: serviceID, Ephemeral: ephemeral, Messages: msgs}
		if cert != nil {
			var key [transport.AccessKeySize]byte
			copy(key[:], accessKey)
			conn, dialErr := c.anonymousTransport(ctx)
			if dialErr != nil {
				return fmt.Errorf("client: connect for sealed sender: %w", dialErr)
			}
			err = conn.SendSealed(ctx, m, key)
		} else {
			err = c.tc.Send(ctx, m)
		}
		lastErr = err
		var mismatch *transport.MismatchedDevicesError
		var stale *transport.StaleDevicesError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &mismatch):
			err = c.fixDevices(ctx, serviceID, mismatch.Missing, mismatch.Extra, nil)
		case errors.As(err, &stale):
			err = c.fixDevices(ctx, serviceID, nil, nil, stale.Stale)
		case cert != nil && errors.Is(err, transport.ErrUnauthorized):
			// The access key is wrong or out of date. Forget it and send
			// with the sender visible: the contact's reply will carry its
			// current key.
			trySealed = false
			err = c.update(ctx, func(_ keystore.Tx, st *state) error {
				st.contact(serviceID).AccessKey = nil
				return nil
			})
		default:
			return err
		}
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("client: send to %q failed after %d attempts: %w", serviceID, maxSendAttempts, lastErr)
}

// staleSessionError reports a session that can no longer send (the
// initiator's session got no reply for 30 days).
type staleSessionError struct{ device uint32 }

func (e *staleSessionError) Error() string {
	return fmt.Sprintf("client: session with device %d is stale", e.device)
}

func (c *Client) encryptAll(ctx context.Context, serviceID string, devices []uint32, cert *sealedsender.SenderCertificate, hint sealedsender.ContentHint, groupID []byte, enc encryptFunc) ([]transport.OutgoingMessage, error) {
	msgs := make([]transport.OutgoingMessage, 0, len(devices))
	for _, d := range devices {
		addr := keystore.Address{Name: serviceID, DeviceID: d}
		info, err := c.sessions.SessionInfo(ctx, addr)
		if errors.Is(err, session.ErrNoSession) {
			return nil, &staleSessionError{device: d}
		}
		if err != nil {
			return nil, fmt.Errorf("client: session with %s: %w", addr, err)
		}
		typ, body, err := enc(ctx, addr)
		if errors.Is(err, session.ErrNoSession) {
			return nil, &staleSessionError{device: d}
		}
		if errors.Is(err, session.ErrUntrustedIdentity) {
			return nil, &IdentityChangedError{ServiceID: serviceID, NewKey: info.RemoteIdentity}
		}
		if err != nil {
			return nil, fmt.Errorf("client: encrypt for %s: %w", addr, err)
		}
		out := transport.OutgoingMessage{DeviceID: d, RegistrationID: info.RemoteRegistrationID, Content: body}
		if cert != nil {
			content := &sealedsender.Content{Type: typ, Certificate: cert, Message: body, ContentHint: hint, GroupID: groupID}
			if out.Content, err = c.sealed.Seal(ctx, addr, content); err != nil {
				return nil, fmt.Errorf("client: seal for %s: %w", addr, err)
			}
			out.Type = envelopeSealed
		} else {
			out.Type = identifiedType(typ)
		}
		msgs = append(msgs, out)
	}
	return msgs, nil
}

func identifiedType(t sealedsender.MessageType) uint32 {
	switch t {
	case sealedsender.TypePreKey:
		return envelopePreKey
	case sealedsender.TypeSenderKey:
		return envelopeSenderKey
	default:
		return envelopeWhisper
	}
}

// sealing returns the sender certificate and the recipient's access key
// when the message can go with sealed sender, and nils otherwise.
func (c *Client) sealing(ctx context.Context, serviceID string) (*sealedsender.SenderCertificate, []byte, error) {
	if c.opts.DisableSealedSender || len(c.opts.TrustRoots) == 0 {
		return nil, nil, nil
	}
	ct, ok := c.snapshot().Contacts[serviceID]
	if !ok || len(ct.AccessKey) != transport.AccessKeySize {
		return nil, nil, nil
	}
	cert, err := c.senderCertificate(ctx)
	if err != nil || cert == nil {
		return nil, nil, err
	}
	return cert, ct.AccessKey, nil
}

// senderCertificate returns a valid sender certificate from the relay, or
// nil when the relay issues none or one that the trust roots reject.
func (c *Client) senderCertificate(ctx context.Context) (*sealedsender.SenderCertificate, error) {
	now := c.opts.Now()
	c.mu.Lock()
	cert, checked := c.cert, c.certCheckedAt
	c.mu.Unlock()
	if cert != nil && cert.Expires().After(now.Add(certificateMargin)) {
		return cert, nil
	}
	if cert == nil && !checked.IsZero() && now.Sub(checked) < certificateRecheck {
		return nil, nil
	}

	b, err := c.tc.SenderCertificate(ctx)
	if errors.Is(err, transport.ErrNoCertificateIssuer) {
		c.setCertificate(nil, now)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("client: fetch sender certificate: %w", err)
	}

	cert, err = sealedsender.ParseSenderCertificate(b)
	if err == nil {
		err = cert.Validate(sealedsender.Trust{Roots: c.opts.TrustRoots}, now)
	}
	if err == nil && cert.Sender().UUID != c.Address().Name {
		err = fmt.Errorf("client: sender certificate names %q, not this account", cert.Sender().UUID)
	}
	if err != nil {
		c.setCertificate(nil, now)
		c.emit(&ErrorEvent{Op: "sender certificate", Err: fmt.Errorf("client: relay's sender certificate rejected, sending with the sender visible: %w", err)})
		return nil, nil
	}
	c.setCertificate(cert, now)
	return cert, nil
}

func (c *Client) setCertificate(cert *sealedsender.SenderCertificate, at time.Time) {
	c.mu.Lock()
	c.cert, c.certCheckedAt = cert, at
	c.mu.Unlock()
}

// ensureSessions returns the devices of serviceID, fetching bundles and
// starting sessions when the client knows none.
func (c *Client) ensureSessions(ctx context.Context, serviceID string) ([]uint32, error) {
	if ct, ok := c.snapshot().Contacts[serviceID]; ok && len(ct.Devices) > 0 {
		return slices.Clone(ct.Devices), nil
	}
	bundles, err := c.tc.FetchBundles(ctx, serviceID)
	if err != nil {
		return nil, fmt.Errorf("client: fetch prekey bundles of %q: %w", serviceID, err)
	}
	var devices []uint32
	for _, b := range bundles {
		if err := c.processBundle(ctx, serviceID, b); err != nil {
			return nil, err
		}
		devices = append(devices, b.DeviceID)
	}
	if len(devices) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrNoDevices, serviceID)
	}
	err = c.update(ctx, func(_ keystore.Tx, st *state) error {
		ct := st.contact(serviceID)
		for _, d := range devices {
			ct.addDevice(d)
		}
		devices = slices.Clone(ct.Devices)
		return nil
	})
	return devices, err
}

// processBundle starts a session with one device from its bundle.
func (c *Client) processBundle(ctx context.Context, serviceID string, b *x3dh.Bundle) error {
	addr := keystore.Address{Name: serviceID, DeviceID: b.DeviceID}
	before, had, err := c.identity(ctx, addr)
	if err != nil {
		return err
	}
	err = c.sessions.ProcessBundle(ctx, addr, b)
	if errors.Is(err, session.ErrUntrustedIdentity) {
		return &IdentityChangedError{ServiceID: serviceID, NewKey: b.IdentityKey}
	}
	if err != nil {
		return fmt.Errorf("client: start session with %s: %w", addr, err)
	}
	return c.noteIdentity(ctx, addr, before, had)
}

// fixDevices applies the relay's view of a destination's devices: sessions
// with extra devices are deleted, stale ones are started again from new
// bundles, and missing devices get sessions.
func (c *Client) fixDevices(ctx context.Context, serviceID string, missing, extra, stale []uint32) error {
	err := c.update(ctx, func(tx keystore.Tx, st *state) error {
		ct := st.contact(serviceID)
		for _, d := range slices.Concat(extra, stale) {
			if err := tx.DeleteSession(ctx, keystore.Address{Name: serviceID, DeviceID: d}); err != nil {
				return err
			}
			ct.removeDevice(d)
			st.forgetDistribution(serviceID, d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Concat(missing, stale) {
		b, err := c.tc.FetchBundle(ctx, keystore.Address{Name: serviceID, DeviceID: d})
		if err != nil {
			return fmt.Errorf("client: fetch prekey bundle of %q device %d: %w", serviceID, d, err)
		}
		if err := c.processBundle(ctx, serviceID, b); err != nil {
			return err
		}
		err = c.update(ctx, func(_ keystore.Tx, st *state) error {
			st.contact(serviceID).addDevice(d)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Plaintext padding: 0x80, then zero bytes up to a multiple of paddingBlock
// bytes, so that a message's length shows only its size class.
const paddingBlock = 160

func encodeContent(content *wire.AppContent) ([]byte, error) {
	b, err := proto.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("client: encode message: %w", err)
	}
	n := (len(b)/paddingBlock + 1) * paddingBlock
	out := make([]byte, n)
	copy(out, b)
	out[len(b)] = 0x80
	return out, nil
}

// errMalformedContent reports a decrypted message that is not a padded
// AppContent.
var errMalformedContent = errors.New("client: malformed message content")

func decodeContent(b []byte) (*wire.AppContent, error) {
	end := len(b)
	for end > 0 && b[end-1] == 0 {
		end--
	}
	if end == 0 || b[end-1] != 0x80 {
		return nil, errMalformedContent
	}
	var content wire.AppContent
	if err := proto.Unmarshal(b[:end-1], &content); err != nil {
		return nil, fmt.Errorf("%w: %w", errMalformedContent, err)
	}
	return &content, nil
}
