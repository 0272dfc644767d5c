package sealedsender_test

import (
	"testing"

	"github.com/parleyhq/parley/curve"
	"github.com/parleyhq/parley/sealedsender"
)

// fuzzSeeds returns a v1 message, a v2 received message, a v2 sent message
// and a sender certificate, all valid, to seed the fuzz targets.
func fuzzSeeds(f *testing.F) (recipient curve.KeyPair, v1, v2, sent, cert []byte) {
	auth := newAuthority(f, 1)
	alice := newDevice(f, auth, aliceACI, 1)
	bob := newDevice(f, auth, bobACI, 2)
	content := &sealedsender.Content{Type: sealedsender.TypeWhisper, Certificate: alice.cert, Message: []byte("m"), GroupID: []byte("g")}
	v1, err := sealedsender.EncryptV1(nil, alice.id, bob.id.Public, content)
	if err != nil {
		f.Fatal(err)
	}
	id, _ := sealedsender.ParseServiceID(bobACI)
	pni, _ := sealedsender.ParseServiceID("PNI:" + carolACI)
	sent, err = sealedsender.EncryptV2(nil, alice.id, []sealedsender.Recipient{{
		ServiceID: id, IdentityKey: bob.id.Public, Devices: []sealedsender.Device{{ID: 2, RegistrationID: 3}, {ID: 3, RegistrationID: 4}},
	}}, []sealedsender.ServiceID{pni}, content)
	if err != nil {
		f.Fatal(err)
	}
	m, err := sealedsender.ParseSentMessage(sent)
	if err != nil {
		f.Fatal(err)
	}
	v2, err = m.ReceivedMessage(&m.Recipients[0])
	if err != nil {
		f.Fatal(err)
	}
	return bob.id, v1, v2, sent, alice.cert.Bytes()
}

func FuzzUnseal(f *testing.F) {
	recipient, v1, v2, _, _ := fuzzSeeds(f)
	f.Add(v1)
	f.Add(v2)
	f.Add([]byte{0x11})
	f.Add([]byte{0x22})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := sealedsender.Unseal(recipient, b)
		if err == nil && c.Certificate == nil {
			t.Fatal("content without a certificate")
		}
	})
}

func FuzzParseSentMessage(f *testing.F) {
	_, _, _, sent, _ := fuzzSeeds(f)
	f.Add(sent)
	f.Add([]byte{0x23, 0x00})
	f.Add([]byte{0x22, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := sealedsender.ParseSentMessage(b)
		if err != nil {
			return
		}
		for i := range m.Recipients {
			r := &m.Recipients[i]
			out, err := m.ReceivedMessage(r)
			if r.Excluded() != (err != nil) {
				t.Fatalf("recipient %d: excluded %v, error %v", i, r.Excluded(), err)
			}
			if err == nil && len(out) < 1+32+16+32 {
				t.Fatalf("received message of %d bytes", len(out))
			}
		}
	})
}

func FuzzParseSenderCertificate(f *testing.F) {
	_, _, _, _, cert := fuzzSeeds(f)
	f.Add(cert)
	root, err := curve.GenerateKeyPair(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := sealedsender.ParseSenderCertificate(b)
		if err != nil {
			return
		}
		// Validation of a parsed certificate must not panic either.
		_ = c.Validate(sealedsender.Trust{Roots: []curve.PublicKey{root.Public}}, testNow)
	})
}

func FuzzParseServerCertificate(f *testing.F) {
	auth := newAuthority(f, 7)
	f.Add(auth.server.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := sealedsender.ParseServerCertificate(b)
		if err != nil {
			return
		}
		_ = c.Verify(auth.root.Public)
	})
}

func FuzzParseContent(f *testing.F) {
	auth := newAuthority(f, 1)
	alice := newDevice(f, auth, aliceACI, 1)
	b, err := (&sealedsender.Content{Type: sealedsender.TypePreKey, Certificate: alice.cert, Message: []byte("x")}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = sealedsender.ParseContent(b)
	})
}
