// peer.mjs is a live libsignal peer for Parley's interoperability tests.
//
// It reads one JSON request per line on stdin and writes one JSON response
// per line on stdout, in request order. A request is {"id": n, "cmd": "...",
// ...}; a response is {"id": n, "ok": true, ...} or {"id": n, "ok": false,
// "error": category, "message": text}, where category is one of duplicate,
// invalid_message, untrusted_identity, invalid_key, no_session or other.
// Byte strings are lowercase hex. Diagnostics go to stderr, which never
// carries key material or plaintext.
//
// The peer keeps in-memory stores for one local identity and any number of
// remote addresses. See README.md for the commands.

import { createInterface } from 'node:readline';

import * as SignalClient from '@signalapp/libsignal-client';

import {
  MemoryIdentityStore,
  MemoryKyberPreKeyStore,
  MemoryPreKeyStore,
  MemorySessionStore,
  MemorySignedPreKeyStore,
  errorCategory,
  fromHex,
  toHex,
} from './stores.mjs';

const {
  CiphertextMessageType,
  IdentityKeyPair,
  KEMKeyPair,
  KEMPublicKey,
  KyberPreKeyRecord,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PrivateKey,
  ProtocolAddress,
  PublicKey,
  SignalMessage,
  SignedPreKeyRecord,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} = SignalClient;

// Prekey ids are uint32 fields in the wire and storage formats.
const MAX_PREKEY_ID = 0xffffffff;

// An error in the request itself, reported with category "other".
class RequestError extends Error {}

function requireString(value, what) {
  if (typeof value !== 'string' || value.length === 0) {
    throw new RequestError(`${what}: expected a non-empty string`);
  }
  return value;
}

function requireUint(value, what, max) {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RequestError(`${what}: expected an integer from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requireHex(value, what) {
  if (typeof value !== 'string') {
    throw new RequestError(`${what}: expected a hex string`);
  }
  try {
    return fromHex(value);
  } catch (error) {
    throw new RequestError(`${what}: ${error.message}`);
  }
}

function requireAddress(value) {
  if (value === null || typeof value !== 'object') {
    throw new RequestError('address: expected {name, device}');
  }
  const name = requireString(value.name, 'address.name');
  const device = requireUint(value.device, 'address.device', 127);
  return ProtocolAddress.new(name, device);
}

class Peer {
  #local = null;
  #nextPreKeyId = 1;

  #requireInit() {
    if (this.#local === null) {
      throw new RequestError('no local identity: send init first');
    }
    return this.#local;
  }

  init(request) {
    const name = requireString(request.name, 'name');
    const device = requireUint(request.device, 'device', 127);
    const registrationId = requireUint(request.registration_id, 'registration_id', 0x3fff);
    const identity = IdentityKeyPair.generate();
    this.#local = {
      address: ProtocolAddress.new(name, device),
      registrationId,
      identity,
      sessions: new MemorySessionStore(),
      identities: new MemoryIdentityStore(identity.privateKey, registrationId),
      preKeys: new MemoryPreKeyStore(),
      signedPreKeys: new MemorySignedPreKeyStore(),
      kyberPreKeys: new MemoryKyberPreKeyStore(),
    };
    this.#nextPreKeyId = 1;
    return { identity_key: toHex(identity.publicKey.serialize()) };
  }

  #takePreKeyId() {
    if (this.#nextPreKeyId > MAX_PREKEY_ID) {
      throw new RequestError('prekey ids exhausted');
    }
    return this.#nextPreKeyId++;
  }

  async bundle(request) {
    const local = this.#requireInit();
    const oneTime = request.one_time ?? true;
    if (typeof oneTime !== 'boolean') {
      throw new RequestError('one_time: expected a boolean');
    }
    const now = Date.now();
    const signingKey = local.identity.privateKey;

    let preKeyId = null;
    let preKeyPublic = null;
    if (oneTime) {
      preKeyId = this.#takePreKeyId();
      const preKeyPrivate = PrivateKey.generate();
      preKeyPublic = preKeyPrivate.getPublicKey();
      await local.preKeys.savePreKey(preKeyId, PreKeyRecord.new(preKeyId, preKeyPublic, preKeyPrivate));
    }

    const signedPreKeyId = this.#takePreKeyId();
    const signedPreKeyPrivate = PrivateKey.generate();
    const signedPreKeyPublic = signedPreKeyPrivate.getPublicKey();
    const signedPreKeySignature = signingKey.sign(signedPreKeyPublic.serialize());
    await local.signedPreKeys.saveSignedPreKey(
      signedPreKeyId,
      SignedPreKeyRecord.new(signedPreKeyId, now, signedPreKeyPublic, signedPreKeyPrivate, signedPreKeySignature),
    );

    const kyberPreKeyId = this.#takePreKeyId();
    const kyberKeyPair = KEMKeyPair.generate();
    const kyberPublic = kyberKeyPair.getPublicKey();
    const kyberSignature = signingKey.sign(kyberPublic.serialize());
    await local.kyberPreKeys.saveKyberPreKey(kyberPreKeyId, KyberPreKeyRecord.new(kyberPreKeyId, now, kyberKeyPair, kyberSignature));

    return {
      bundle: {
        registration_id: local.registrationId,
        device_id: local.address.deviceId(),
        pre_key_id: preKeyId,
        pre_key: preKeyPublic === null ? null : toHex(preKeyPublic.serialize()),
        signed_pre_key_id: signedPreKeyId,
        signed_pre_key: toHex(signedPreKeyPublic.serialize()),
        signed_pre_key_signature: toHex(signedPreKeySignature),
        kyber_pre_key_id: kyberPreKeyId,
        kyber_pre_key: toHex(kyberPublic.serialize()),
        kyber_pre_key_signature: toHex(kyberSignature),
        identity_key: toHex(local.identity.publicKey.serialize()),
      },
    };
  }

  async processBundle(request) {
    const local = this.#requireInit();
    const address = requireAddress(request.address);
    const b = request.bundle;
    if (b === null || typeof b !== 'object') {
      throw new RequestError('bundle: expected an object');
    }
    const hasPreKey = b.pre_key_id !== null && b.pre_key_id !== undefined;
    if (hasPreKey !== (b.pre_key !== null && b.pre_key !== undefined)) {
      throw new RequestError('bundle: pre_key_id and pre_key must both be set or both be null');
    }
    const bundle = PreKeyBundle.new(
      requireUint(b.registration_id, 'bundle.registration_id', 0xffffffff),
      requireUint(b.device_id, 'bundle.device_id', 127),
      hasPreKey ? requireUint(b.pre_key_id, 'bundle.pre_key_id', 0xffffffff) : null,
      hasPreKey ? PublicKey.deserialize(requireHex(b.pre_key, 'bundle.pre_key')) : null,
      requireUint(b.signed_pre_key_id, 'bundle.signed_pre_key_id', 0xffffffff),
      PublicKey.deserialize(requireHex(b.signed_pre_key, 'bundle.signed_pre_key')),
      requireHex(b.signed_pre_key_signature, 'bundle.signed_pre_key_signature'),
      PublicKey.deserialize(requireHex(b.identity_key, 'bundle.identity_key')),
      requireUint(b.kyber_pre_key_id, 'bundle.kyber_pre_key_id', 0xffffffff),
      KEMPublicKey.deserialize(requireHex(b.kyber_pre_key, 'bundle.kyber_pre_key')),
      requireHex(b.kyber_pre_key_signature, 'bundle.kyber_pre_key_signature'),
    );
    await processPreKeyBundle(bundle, address, local.address, local.sessions, local.identities);
    return {};
  }

  async encrypt(request) {
    const local = this.#requireInit();
    const address = requireAddress(request.address);
    const plaintext = requireHex(request.plaintext, 'plaintext');
    const message = await signalEncrypt(plaintext, address, local.address, local.sessions, local.identities);
    let messageType;
    switch (message.type()) {
      case CiphertextMessageType.PreKey:
        messageType = 'prekey';
        break;
      case CiphertextMessageType.Whisper:
        messageType = 'whisper';
        break;
      default:
        throw new Error(`libsignal returned message type ${message.type()}`);
    }
    return { message_type: messageType, ciphertext: toHex(message.serialize()) };
  }

  async decrypt(request) {
    const local = this.#requireInit();
    const address = requireAddress(request.address);
    const ciphertext = requireHex(request.ciphertext, 'ciphertext');
    let plaintext;
    switch (request.message_type) {
      case 'prekey':
        plaintext = await signalDecryptPreKey(
          PreKeySignalMessage.deserialize(ciphertext),
          address,
          local.address,
          local.sessions,
          local.identities,
          local.preKeys,
          local.signedPreKeys,
          local.kyberPreKeys,
        );
        break;
      case 'whisper':
        plaintext = await signalDecrypt(SignalMessage.deserialize(ciphertext), address, local.address, local.sessions, local.identities);
        break;
      default:
        throw new RequestError(`message_type: expected "prekey" or "whisper", got ${JSON.stringify(request.message_type)}`);
    }
    return { plaintext: toHex(plaintext) };
  }

  async saveIdentity(request) {
    const local = this.#requireInit();
    const address = requireAddress(request.address);
    const key = PublicKey.deserialize(requireHex(request.identity_key, 'identity_key'));
    await local.identities.saveIdentity(address, key);
    return {};
  }

  // Simulates a reinstall: a fresh identity key, and no sessions, trusted
  // remote identities or prekeys. The name, device and registration id stay.
  newIdentity() {
    const local = this.#requireInit();
    local.identity = IdentityKeyPair.generate();
    local.identities.replaceLocalIdentity(local.identity.privateKey);
    local.sessions.clear();
    local.preKeys.clear();
    local.signedPreKeys.clear();
    local.kyberPreKeys.clear();
    return { identity_key: toHex(local.identity.publicKey.serialize()) };
  }

  async hasSession(request) {
    const local = this.#requireInit();
    const address = requireAddress(request.address);
    const record = await local.sessions.getSession(address);
    return { has_session: record !== null && record.hasCurrentState() };
  }

  async handle(request) {
    switch (request.cmd) {
      case 'init':
        return this.init(request);
      case 'bundle':
        return this.bundle(request);
      case 'process_bundle':
        return this.processBundle(request);
      case 'encrypt':
        return this.encrypt(request);
      case 'decrypt':
        return this.decrypt(request);
      case 'save_identity':
        return this.saveIdentity(request);
      case 'new_identity':
        return this.newIdentity();
      case 'has_session':
        return this.hasSession(request);
      case 'quit':
        return {};
      default:
        throw new RequestError(`unknown cmd ${JSON.stringify(request.cmd)}`);
    }
  }
}

function writeResponse(response) {
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

async function serve() {
  const peer = new Peer();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  for await (const line of lines) {
    if (line.trim() === '') {
      continue;
    }
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      writeResponse({ id: null, ok: false, error: 'other', message: `invalid JSON request: ${error.message}` });
      continue;
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      writeResponse({ id: null, ok: false, error: 'other', message: 'request must be a JSON object' });
      continue;
    }
    const id = request.id ?? null;
    try {
      const result = await peer.handle(request);
      writeResponse({ id, ok: true, ...result });
    } catch (error) {
      const category = error instanceof RequestError ? 'other' : errorCategory(error);
      writeResponse({ id, ok: false, error: category, message: String(error?.message ?? error) });
    }
    if (request.cmd === 'quit') {
      break;
    }
  }
  lines.close();
  process.stdin.destroy();
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`peer.mjs: unhandled rejection: ${String(reason?.message ?? reason)}\n`);
});

await serve();
