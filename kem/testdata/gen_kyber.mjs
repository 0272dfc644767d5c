// gen_kyber.mjs writes kyber_vectors.json, the Kyber1024 vectors that
// kem_test.go replays.
//
// To rerun it, install the two packages it loads into any directory and run
// it from there, because it resolves packages from the working directory:
//
//	cd /tmp/npmtest
//	npm install @signalapp/libsignal-client@0.103.0 @noble/post-quantum@0.7.1
//	node /path/to/kem/testdata/gen_kyber.mjs > /path/to/kem/testdata/kyber_vectors.json
//
// The output has two parts.
//
// "keygen" contains known-answer cases computed by @noble/post-quantum's
// ML-KEM-1024, an implementation independent of Go's: for a fixed seed
// d || z, the SHA-256 of the serialized public key (0x08 || ek); for a fixed
// encapsulation message m, the SHA-256 of the serialized ciphertext, the
// ML-KEM shared key, and the Kyber shared secret
// SHAKE256(K || SHA3-256(ciphertext without 0x08), 32), hashed with Node's
// OpenSSL. libsignal's KEMPublicKey.deserialize must accept each public key.
//
// "pqxdh" records a session that libsignal starts (processPreKeyBundle, then
// signalEncrypt) against a bundle whose Kyber prekey is the public key of a
// fixed seed. The test decapsulates the ciphertext from the PreKey message,
// repeats the PQXDH key derivation with Bob's private keys, and looks for the
// resulting chain key in libsignal's session record. libsignal exposes no
// encapsulate or decapsulate call in Node, so this is how the Kyber shared
// secret is checked against libsignal itself. All inputs except the
// ephemeral keys and the ciphertext are fixed. Those change on every run.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(pathToFileURL(process.cwd() + '/'));
const S = require('@signalapp/libsignal-client');
const { ml_kem1024 } = require('@noble/post-quantum/ml-kem.js');

const KYBER1024 = 0x08;

const hex = (b) => Buffer.from(b).toString('hex');
const digest = (alg, ...parts) => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const sha256 = (...p) => digest('sha256', ...p);
const sha512 = (...p) => digest('sha512', ...p);
const withType = (raw) => Uint8Array.from([KYBER1024, ...raw]);

function kyberSharedSecret(mlkemKey, rawCiphertext) {
  const h = createHash('shake256', { outputLength: 32 });
  h.update(mlkemKey);
  h.update(digest('sha3-256', rawCiphertext));
  return new Uint8Array(h.digest());
}

// Part 1: known-answer values from @noble/post-quantum.
const keygen = [];
for (let i = 0; i < 3; i++) {
  const seed = sha512(`parley kyber vectors/seed/${i}`);
  const m = sha256(`parley kyber vectors/message/${i}`);
  const { publicKey } = ml_kem1024.keygen(seed);
  const serialized = withType(publicKey);

  const libsignalKey = S.KEMPublicKey.deserialize(serialized);
  if (hex(libsignalKey.serialize()) !== hex(serialized)) throw new Error(`case ${i}: libsignal changed the key`);

  const { cipherText, sharedSecret } = ml_kem1024.encapsulate(publicKey, m);
  keygen.push({
    seed: hex(seed),
    public_key_sha256: hex(sha256(serialized)),
    message: hex(m),
    ciphertext_sha256: hex(sha256(withType(cipherText))),
    mlkem_shared_key: hex(sharedSecret),
    shared_secret: hex(kyberSharedSecret(sharedSecret, cipherText)),
  });
}

// Part 2: a PQXDH session started by libsignal.
class MemorySessionStore extends S.SessionStore {
  sessions = new Map();
  async saveSession(address, record) {
    this.sessions.set(address.toString(), record.serialize());
  }
  async getSession(address) {
    const r = this.sessions.get(address.toString());
    return r ? S.SessionRecord.deserialize(r) : null;
  }
  async getExistingSessions(addresses) {
    return Promise.all(addresses.map((a) => this.getSession(a)));
  }
}

class MemoryIdentityStore extends S.IdentityKeyStore {
  constructor(privateKey, registrationId) {
    super();
    this.privateKey = privateKey;
    this.registrationId = registrationId;
    this.identities = new Map();
  }
  async getIdentityKey() {
    return this.privateKey;
  }
  async getLocalRegistrationId() {
    return this.registrationId;
  }
  async saveIdentity(address, key) {
    this.identities.set(address.toString(), key);
    return S.IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity() {
    return true;
  }
  async getIdentity(address) {
    return this.identities.get(address.toString()) ?? null;
  }
}

// readFields parses a protobuf message into a map from field number to the
// last value, as a number for varints and bytes for length-delimited fields.
function readFields(buf) {
  const fields = new Map();
  let i = 0;
  const varint = () => {
    let x = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[i++];
      x |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return x;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    switch (key & 7) {
      case 0:
        fields.set(field, varint());
        break;
      case 2: {
        const n = Number(varint());
        fields.set(field, buf.slice(i, i + n));
        i += n;
        break;
      }
      default:
        throw new Error(`unexpected wire type ${key & 7}`);
    }
  }
  return fields;
}

const bobIdentity = S.PrivateKey.deserialize(sha256('parley kyber vectors/bob identity'));
const bobSignedPreKey = S.PrivateKey.deserialize(sha256('parley kyber vectors/bob signed prekey'));
const aliceIdentity = S.PrivateKey.deserialize(sha256('parley kyber vectors/alice identity'));
const kyberSeed = sha512('parley kyber vectors/bob kyber prekey');
const kyberPublic = S.KEMPublicKey.deserialize(withType(ml_kem1024.keygen(kyberSeed).publicKey));

const signedPreKeyPublic = bobSignedPreKey.getPublicKey();
const bundle = S.PreKeyBundle.new(
  2, 1, null, null,
  7, signedPreKeyPublic, bobIdentity.sign(signedPreKeyPublic.serialize()),
  bobIdentity.getPublicKey(),
  9, kyberPublic, bobIdentity.sign(kyberPublic.serialize()),
);

const aliceAddress = S.ProtocolAddress.new('alice', 1);
const bobAddress = S.ProtocolAddress.new('bob', 1);
const sessions = new MemorySessionStore();
const identities = new MemoryIdentityStore(aliceIdentity, 1);
await S.processPreKeyBundle(bundle, bobAddress, aliceAddress, sessions, identities);
const message = await S.signalEncrypt(new TextEncoder().encode('hello'), bobAddress, aliceAddress, sessions, identities);
if (message.type() !== S.CiphertextMessageType.PreKey) throw new Error(`expected a PreKey message, got type ${message.type()}`);

const preKeyMessage = new Uint8Array(message.serialize());
const fields = readFields(preKeyMessage.subarray(1));
const record = (await sessions.getSession(bobAddress)).serialize();

const out = {
  source: 'kem/testdata/gen_kyber.mjs with @signalapp/libsignal-client 0.103.0 and @noble/post-quantum 0.7.1',
  keygen,
  pqxdh: {
    bob_identity_private: hex(bobIdentity.serialize()),
    bob_signed_prekey_private: hex(bobSignedPreKey.serialize()),
    bob_kyber_seed: hex(kyberSeed),
    alice_identity_public: hex(aliceIdentity.getPublicKey().serialize()),
    message_version: preKeyMessage[0],
    base_key: hex(fields.get(2)),
    identity_key: hex(fields.get(3)),
    kyber_ciphertext: hex(fields.get(8)),
    alice_session_record: hex(record),
  },
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
