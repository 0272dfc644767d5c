// sealed.mjs runs libsignal's sealed sender for Parley's interoperability
// tests, one request per process.
//
// Standard input is one JSON object {"state": ..., "ops": [...]}. The ops
// run in order against one libsignal actor (an identity with its stores),
// and standard output is {"state": ..., "results": [...]}, one result per
// op: {"ok": true, ...} or {"ok": false, "error": category, "message":
// text}, with the categories of stores.mjs. The state is the actor's
// identity and stores in JSON, so a Go test can pass it back to a later run
// and keep a session going. Byte strings are lowercase hex; times are
// milliseconds since the Unix epoch. Diagnostics go to stderr, which never
// carries key material or plaintext.
//
// Ops (fields after the name):
//   init name device registration_id     new actor; returns identity_key
//   bundle                                fresh prekeys; returns bundle
//   process_bundle address bundle         starts a session with address
//   server_cert key_id [trust_root_private] [server_private]
//                                         returns the keys and server_cert
//   sender_cert uuid e164 device identity_key expiration server_cert
//               server_private            returns sender_cert
//   validate_cert sender_cert trust_roots time
//                                         returns valid and the fields
//   seal_v1 address plaintext sender_cert content_hint group_id
//                                         session-encrypts, then seals v1
//   seal_v2 addresses plaintext sender_cert content_hint group_id inner
//           [distribution_id] [excluded]  seals v2 (sent form); inner is
//                                         "session" (encrypted for the
//                                         first address) or "sender_key"
//   split_v2 message                      parses a sent form; returns each
//                                         recipient's received form
//   open message trust_root time [local_e164]
//                                         sealedSenderDecryptMessage
//   open_usmc message                     sealedSenderDecryptToUsmc; type is
//                                         libsignal's CiphertextMessageType
//                                         (PreKey 3, Whisper 2, SenderKey 7)
//   process_skdm address skdm             stores a sender key distribution

import { readFileSync } from 'node:fs';

import * as SignalClient from '@signalapp/libsignal-client';
// The package has no exports map, so its files can be imported directly;
// index.js does not re-export this class in 0.103.
import SealedSenderMultiRecipientMessage from '@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js';

import { errorCategory, fromHex, toHex } from './stores.mjs';

const {
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  KEMKeyPair,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyBundle,
  PreKeyRecord,
  PreKeyStore,
  PrivateKey,
  ProtocolAddress,
  PublicKey,
  KEMPublicKey,
  SenderCertificate,
  SenderKeyDistributionMessage,
  SenderKeyRecord,
  SenderKeyStore,
  ServerCertificate,
  SessionRecord,
  SessionStore,
  SignedPreKeyRecord,
  SignedPreKeyStore,
  UnidentifiedSenderMessageContent,
  groupEncrypt,
  processPreKeyBundle,
  processSenderKeyDistributionMessage,
  sealedSenderDecryptMessage,
  sealedSenderDecryptToUsmc,
  sealedSenderEncrypt,
  sealedSenderMultiRecipientEncrypt,
  signalEncrypt,
} = SignalClient;

// An error in the request itself, reported with category "other".
class RequestError extends Error {}

function hex(value, what) {
  if (typeof value !== 'string') {
    throw new RequestError(`${what}: expected a hex string`);
  }
  return fromHex(value);
}

function uint(value, what, max) {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RequestError(`${what}: expected an integer from 0 to ${max}`);
  }
  return value;
}

function address(value) {
  if (value === null || typeof value !== 'object' || typeof value.name !== 'string') {
    throw new RequestError('address: expected {name, device}');
  }
  return ProtocolAddress.new(value.name, uint(value.device, 'address.device', 127));
}

function key(addr) {
  return `${addr.name()}.${addr.deviceId()}`;
}

// Map-backed stores whose contents are kept as hex strings, so that the
// whole actor can be written to and read from JSON.
class Sessions extends SessionStore {
  constructor(map) { super(); this.map = map; }
  async saveSession(addr, record) { this.map[key(addr)] = toHex(record.serialize()); }
  async getSession(addr) {
    const h = this.map[key(addr)];
    return h === undefined ? null : SessionRecord.deserialize(fromHex(h));
  }
  async getExistingSessions(addrs) {
    return Promise.all(addrs.map(async (a) => {
      const r = await this.getSession(a);
      if (r === null) throw new Error(`no session for ${key(a)}`);
      return r;
    }));
  }
}

class Identities extends IdentityKeyStore {
  constructor(actor) { super(); this.actor = actor; }
  async getIdentityKey() { return IdentityKeyPair.deserialize(fromHex(this.actor.identity)).privateKey; }
  async getLocalRegistrationId() { return this.actor.registration_id; }
  async saveIdentity(addr, pub) {
    const previous = this.actor.identities[key(addr)];
    const next = toHex(pub.serialize());
    this.actor.identities[key(addr)] = next;
    return previous !== undefined && previous !== next ? IdentityChange.ReplacedExisting : IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(addr, pub) {
    const known = this.actor.identities[key(addr)];
    return known === undefined || known === toHex(pub.serialize());
  }
  async getIdentity(addr) {
    const known = this.actor.identities[key(addr)];
    return known === undefined ? null : PublicKey.deserialize(fromHex(known));
  }
}

class PreKeys extends PreKeyStore {
  constructor(map) { super(); this.map = map; }
  async savePreKey(id, r) { this.map[id] = toHex(r.serialize()); }
  async getPreKey(id) {
    if (this.map[id] === undefined) throw new Error(`no prekey with id ${id}`);
    return PreKeyRecord.deserialize(fromHex(this.map[id]));
  }
  async removePreKey(id) { delete this.map[id]; }
}

class SignedPreKeys extends SignedPreKeyStore {
  constructor(map) { super(); this.map = map; }
  async saveSignedPreKey(id, r) { this.map[id] = toHex(r.serialize()); }
  async getSignedPreKey(id) {
    if (this.map[id] === undefined) throw new Error(`no signed prekey with id ${id}`);
    return SignedPreKeyRecord.deserialize(fromHex(this.map[id]));
  }
}

// Keeps every Kyber prekey as a last-resort key and rejects a reused
// (Kyber prekey, signed prekey, base key) triple.
class KyberPreKeys extends KyberPreKeyStore {
  constructor(map, used) { super(); this.map = map; this.used = used; }
  async saveKyberPreKey(id, r) { this.map[id] = toHex(r.serialize()); }
  async getKyberPreKey(id) {
    if (this.map[id] === undefined) throw new Error(`no Kyber prekey with id ${id}`);
    return KyberPreKeyRecord.deserialize(fromHex(this.map[id]));
  }
  async markKyberPreKeyUsed(id, signedId, baseKey) {
    const triple = `${id}/${signedId}/${toHex(baseKey.serialize())}`;
    if (this.used.includes(triple)) throw new Error('reused base key');
    this.used.push(triple);
  }
}

class SenderKeys extends SenderKeyStore {
  constructor(map) { super(); this.map = map; }
  async saveSenderKey(sender, dist, record) { this.map[`${key(sender)}/${dist}`] = toHex(record.serialize()); }
  async getSenderKey(sender, dist) {
    const h = this.map[`${key(sender)}/${dist}`];
    return h === undefined ? null : SenderKeyRecord.deserialize(fromHex(h));
  }
}

class Actor {
  constructor(state) {
    this.s = state;
    this.sessions = new Sessions(state.sessions);
    this.identities = new Identities(state);
    this.preKeys = new PreKeys(state.prekeys);
    this.signedPreKeys = new SignedPreKeys(state.signed);
    this.kyberPreKeys = new KyberPreKeys(state.kyber, state.kyber_used);
    this.senderKeys = new SenderKeys(state.sender_keys);
  }

  get address() { return ProtocolAddress.new(this.s.name, this.s.device); }

  get identity() { return IdentityKeyPair.deserialize(fromHex(this.s.identity)); }
}

function newState(op) {
  return {
    name: String(op.name),
    device: uint(op.device, 'device', 127),
    registration_id: uint(op.registration_id, 'registration_id', 0x3fff),
    identity: toHex(IdentityKeyPair.generate().serialize()),
    next_id: 1,
    sessions: {}, identities: {}, prekeys: {}, signed: {}, kyber: {}, kyber_used: [], sender_keys: {},
  };
}

function requireActor(actor) {
  if (actor === null) throw new RequestError('no actor: run init first');
  return actor;
}

function certFields(cert) {
  return {
    uuid: cert.senderUuid(),
    e164: cert.senderE164(),
    device: cert.senderDeviceId(),
    expiration: cert.expiration(),
    identity_key: toHex(cert.key().serialize()),
    server_key_id: cert.serverCertificate().keyId(),
    server_key: toHex(cert.serverCertificate().key().serialize()),
  };
}

async function makeContent(actor, op, cert, firstAddress) {
  const hint = uint(op.content_hint ?? 0, 'content_hint', 0xffffffff);
  const groupId = op.group_id ? hex(op.group_id, 'group_id') : null;
  const plaintext = hex(op.plaintext, 'plaintext');
  let message;
  const extra = {};
  if ((op.inner ?? 'session') === 'session') {
    message = await signalEncrypt(plaintext, firstAddress, actor.address, actor.sessions, actor.identities);
  } else if (op.inner === 'sender_key') {
    const dist = String(op.distribution_id);
    const skdm = await SenderKeyDistributionMessage.create(actor.address, dist, actor.senderKeys);
    extra.skdm = toHex(skdm.serialize());
    message = await groupEncrypt(actor.address, dist, actor.senderKeys, plaintext);
  } else {
    throw new RequestError(`inner: unknown value ${JSON.stringify(op.inner)}`);
  }
  const content = UnidentifiedSenderMessageContent.new(message, cert, hint, groupId);
  return { content, innerType: message.type(), extra };
}

async function run(actor, op) {
  switch (op.op) {
    case 'bundle': {
      const a = requireActor(actor);
      const now = Date.now();
      const signing = a.identity.privateKey;
      const preKeyId = a.s.next_id++;
      const pre = PrivateKey.generate();
      await a.preKeys.savePreKey(preKeyId, PreKeyRecord.new(preKeyId, pre.getPublicKey(), pre));
      const spkId = a.s.next_id++;
      const spk = PrivateKey.generate();
      const spkSig = signing.sign(spk.getPublicKey().serialize());
      await a.signedPreKeys.saveSignedPreKey(spkId, SignedPreKeyRecord.new(spkId, now, spk.getPublicKey(), spk, spkSig));
      const kyberId = a.s.next_id++;
      const kyber = KEMKeyPair.generate();
      const kyberSig = signing.sign(kyber.getPublicKey().serialize());
      await a.kyberPreKeys.saveKyberPreKey(kyberId, KyberPreKeyRecord.new(kyberId, now, kyber, kyberSig));
      return {
        bundle: {
          registration_id: a.s.registration_id,
          device_id: a.s.device,
          pre_key_id: preKeyId,
          pre_key: toHex(pre.getPublicKey().serialize()),
          signed_pre_key_id: spkId,
          signed_pre_key: toHex(spk.getPublicKey().serialize()),
          signed_pre_key_signature: toHex(spkSig),
          kyber_pre_key_id: kyberId,
          kyber_pre_key: toHex(kyber.getPublicKey().serialize()),
          kyber_pre_key_signature: toHex(kyberSig),
          identity_key: toHex(a.identity.publicKey.serialize()),
        },
      };
    }
    case 'process_bundle': {
      const a = requireActor(actor);
      const b = op.bundle;
      const bundle = PreKeyBundle.new(
        b.registration_id, b.device_id,
        b.pre_key_id ?? null, b.pre_key ? PublicKey.deserialize(hex(b.pre_key, 'pre_key')) : null,
        b.signed_pre_key_id, PublicKey.deserialize(hex(b.signed_pre_key, 'signed_pre_key')),
        hex(b.signed_pre_key_signature, 'signed_pre_key_signature'),
        PublicKey.deserialize(hex(b.identity_key, 'identity_key')),
        b.kyber_pre_key_id, KEMPublicKey.deserialize(hex(b.kyber_pre_key, 'kyber_pre_key')),
        hex(b.kyber_pre_key_signature, 'kyber_pre_key_signature'),
      );
      await processPreKeyBundle(bundle, address(op.address), a.address, a.sessions, a.identities);
      return {};
    }
    case 'server_cert': {
      const root = op.trust_root_private ? PrivateKey.deserialize(hex(op.trust_root_private, 'trust_root_private')) : PrivateKey.generate();
      const server = op.server_private ? PrivateKey.deserialize(hex(op.server_private, 'server_private')) : PrivateKey.generate();
      const cert = ServerCertificate.new(uint(op.key_id, 'key_id', 0xffffffff), server.getPublicKey(), root);
      return {
        trust_root_private: toHex(root.serialize()),
        trust_root_public: toHex(root.getPublicKey().serialize()),
        server_private: toHex(server.serialize()),
        server_public: toHex(server.getPublicKey().serialize()),
        server_cert: toHex(cert.serialize()),
      };
    }
    case 'sender_cert': {
      const cert = SenderCertificate.new(
        String(op.uuid), op.e164 ?? null, uint(op.device, 'device', 127),
        PublicKey.deserialize(hex(op.identity_key, 'identity_key')),
        uint(op.expiration, 'expiration', Number.MAX_SAFE_INTEGER),
        ServerCertificate.deserialize(hex(op.server_cert, 'server_cert')),
        PrivateKey.deserialize(hex(op.server_private, 'server_private')),
      );
      return { sender_cert: toHex(cert.serialize()) };
    }
    case 'validate_cert': {
      const cert = SenderCertificate.deserialize(hex(op.sender_cert, 'sender_cert'));
      const roots = op.trust_roots.map((r) => PublicKey.deserialize(hex(r, 'trust_roots')));
      return { valid: cert.validateWithTrustRoots(roots, op.time), ...certFields(cert) };
    }
    case 'seal_v1': {
      const a = requireActor(actor);
      const to = address(op.address);
      const cert = SenderCertificate.deserialize(hex(op.sender_cert, 'sender_cert'));
      const { content, innerType } = await makeContent(a, op, cert, to);
      const message = await sealedSenderEncrypt(content, to, a.identities);
      return { message: toHex(message), inner_type: innerType };
    }
    case 'seal_v2': {
      const a = requireActor(actor);
      const addrs = op.addresses.map(address);
      const cert = SenderCertificate.deserialize(hex(op.sender_cert, 'sender_cert'));
      const { content, innerType, extra } = await makeContent(a, op, cert, addrs[0]);
      const excludedRecipients = (op.excluded ?? []).map((s) => SignalClient.ServiceId.parseFromServiceIdString(s));
      const message = await sealedSenderMultiRecipientEncrypt({
        content, recipients: addrs, excludedRecipients, identityStore: a.identities, sessionStore: a.sessions,
      });
      return { message: toHex(message), inner_type: innerType, ...extra };
    }
    case 'split_v2': {
      const parsed = new SealedSenderMultiRecipientMessage(Buffer.from(hex(op.message, 'message')));
      const recipients = Object.entries(parsed.recipientsByServiceIdString()).map(([serviceId, r]) => ({
        service_id: serviceId,
        devices: r.deviceIds,
        registration_ids: r.registrationIds,
        received: toHex(parsed.messageForRecipient(r)),
      }));
      return { recipients, excluded: [...parsed.excludedRecipientServiceIdStrings()] };
    }
    case 'open': {
      const a = requireActor(actor);
      const result = await sealedSenderDecryptMessage(
        Buffer.from(hex(op.message, 'message')),
        PublicKey.deserialize(hex(op.trust_root, 'trust_root')),
        op.time, op.local_e164 ?? null, a.s.name, a.s.device,
        a.sessions, a.identities, a.preKeys, a.signedPreKeys, a.kyberPreKeys,
      );
      return {
        sender_uuid: result.senderUuid(),
        sender_e164: result.senderE164(),
        device_id: result.deviceId(),
        plaintext: toHex(result.message()),
      };
    }
    case 'open_usmc': {
      const a = requireActor(actor);
      const usmc = await sealedSenderDecryptToUsmc(Buffer.from(hex(op.message, 'message')), a.identities);
      const group = usmc.groupId();
      return {
        type: usmc.msgType(),
        contents: toHex(usmc.contents()),
        content_hint: usmc.contentHint(),
        group_id: group === null ? null : toHex(group),
        sender_cert: toHex(usmc.senderCertificate().serialize()),
      };
    }
    case 'process_skdm': {
      const a = requireActor(actor);
      const skdm = SenderKeyDistributionMessage.deserialize(hex(op.skdm, 'skdm'));
      await processSenderKeyDistributionMessage(address(op.address), skdm, a.senderKeys);
      return {};
    }
    default:
      throw new RequestError(`unknown op ${JSON.stringify(op.op)}`);
  }
}

async function main() {
  const input = JSON.parse(readFileSync(0, 'utf8'));
  let state = input.state ?? null;
  const results = [];
  for (const op of input.ops ?? []) {
    try {
      if (op.op === 'init') {
        state = newState(op);
        results.push({ ok: true, identity_key: toHex(IdentityKeyPair.deserialize(fromHex(state.identity)).publicKey.serialize()) });
        continue;
      }
      const actor = state === null ? null : new Actor(state);
      results.push({ ok: true, ...(await run(actor, op)) });
    } catch (error) {
      const category = error instanceof RequestError ? 'other' : errorCategory(error);
      results.push({ ok: false, error: category, message: String(error?.message ?? error) });
    }
  }
  process.stdout.write(JSON.stringify({ state, results }));
}

// Run only when executed directly, so gen-sealed-vectors.mjs can import run.
if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    process.stderr.write(`sealed.mjs: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
}

export { Actor, newState, run };
