// In-memory libsignal stores and helpers shared by gen-vectors.mjs and
// peer.mjs. Nothing here persists: every process starts empty.

import * as SignalClient from '@signalapp/libsignal-client';

const {
  ErrorCode,
  IdentityChange,
  IdentityKeyStore,
  KyberPreKeyStore,
  LibSignalErrorBase,
  PreKeyStore,
  SessionRecord,
  SessionStore,
  SignedPreKeyStore,
} = SignalClient;

// Lowercase hex of a byte array.
export function toHex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

// Bytes of a hex string. Throws a TypeError on odd length or a non-hex digit,
// because Buffer.from(..., 'hex') silently stops at the first bad digit.
export function fromHex(text) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new TypeError(`invalid hex string of length ${String(text?.length)}`);
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function addressKey(address) {
  return `${address.name()}.${address.deviceId()}`;
}

export class MemorySessionStore extends SessionStore {
  #records = new Map();

  async saveSession(address, record) {
    this.#records.set(addressKey(address), record.serialize());
  }

  async getSession(address) {
    const bytes = this.#records.get(addressKey(address));
    return bytes === undefined ? null : SessionRecord.deserialize(bytes);
  }

  async getExistingSessions(addresses) {
    return addresses.map((address) => {
      const bytes = this.#records.get(addressKey(address));
      if (bytes === undefined) {
        throw new Error(`no session for ${addressKey(address)}`);
      }
      return SessionRecord.deserialize(bytes);
    });
  }

  // Returns the serialized SessionRecord for address, or null.
  serializedSession(address) {
    return this.#records.get(addressKey(address)) ?? null;
  }

  clear() {
    this.#records.clear();
  }
}

// Identity store that trusts a remote identity on first use and rejects a
// changed key until saveIdentity replaces it, as Signal clients do.
export class MemoryIdentityStore extends IdentityKeyStore {
  #identityPrivate;
  #registrationId;
  #remotes = new Map();

  constructor(identityPrivate, registrationId) {
    super();
    this.#identityPrivate = identityPrivate;
    this.#registrationId = registrationId;
  }

  async getIdentityKey() {
    return this.#identityPrivate;
  }

  async getLocalRegistrationId() {
    return this.#registrationId;
  }

  async saveIdentity(address, key) {
    const id = addressKey(address);
    const previous = this.#remotes.get(id);
    this.#remotes.set(id, key);
    if (previous !== undefined && !previous.equals(key)) {
      return IdentityChange.ReplacedExisting;
    }
    return IdentityChange.NewOrUnchanged;
  }

  async isTrustedIdentity(address, key, _direction) {
    const known = this.#remotes.get(addressKey(address));
    return known === undefined || known.equals(key);
  }

  async getIdentity(address) {
    return this.#remotes.get(addressKey(address)) ?? null;
  }

  // Replaces the local identity key and deletes every stored remote identity.
  replaceLocalIdentity(identityPrivate) {
    this.#identityPrivate = identityPrivate;
    this.#remotes.clear();
  }
}

export class MemoryPreKeyStore extends PreKeyStore {
  #records = new Map();

  async savePreKey(id, record) {
    this.#records.set(id, record);
  }

  async getPreKey(id) {
    const record = this.#records.get(id);
    if (record === undefined) {
      throw new Error(`no prekey with id ${id}`);
    }
    return record;
  }

  async removePreKey(id) {
    this.#records.delete(id);
  }

  has(id) {
    return this.#records.has(id);
  }

  clear() {
    this.#records.clear();
  }
}

export class MemorySignedPreKeyStore extends SignedPreKeyStore {
  #records = new Map();

  async saveSignedPreKey(id, record) {
    this.#records.set(id, record);
  }

  async getSignedPreKey(id) {
    const record = this.#records.get(id);
    if (record === undefined) {
      throw new Error(`no signed prekey with id ${id}`);
    }
    return record;
  }

  clear() {
    this.#records.clear();
  }
}

// Kyber prekey store that keeps every key as a last-resort key and rejects a
// second use of the same (Kyber prekey id, signed prekey id, base key) triple,
// the replay check that libsignal leaves to the store.
export class MemoryKyberPreKeyStore extends KyberPreKeyStore {
  #records = new Map();
  #used = new Set();

  async saveKyberPreKey(id, record) {
    this.#records.set(id, record);
  }

  async getKyberPreKey(id) {
    const record = this.#records.get(id);
    if (record === undefined) {
      throw new Error(`no Kyber prekey with id ${id}`);
    }
    return record;
  }

  async markKyberPreKeyUsed(id, signedPreKeyId, baseKey) {
    const triple = `${id}/${signedPreKeyId}/${toHex(baseKey.serialize())}`;
    if (this.#used.has(triple)) {
      throw new Error('reused base key');
    }
    this.#used.add(triple);
  }

  clear() {
    this.#records.clear();
    this.#used.clear();
  }
}

// Maps an error thrown by libsignal (or by the stores above) to one of the
// outcome categories used in the vectors and the peer protocol:
// ok, duplicate, invalid_message, untrusted_identity, invalid_key,
// no_session, other.
export function errorCategory(error) {
  if (error instanceof LibSignalErrorBase) {
    switch (error.code) {
      case ErrorCode.DuplicatedMessage:
        return 'duplicate';
      case ErrorCode.UntrustedIdentity:
        return 'untrusted_identity';
      case ErrorCode.InvalidSession:
        return 'no_session';
      default:
        break;
    }
  }
  const message = String(error?.message ?? error);
  if (/session (not found|with .* not found)|no session/i.test(message)) {
    return 'no_session';
  }
  if (/untrusted identity/i.test(message)) {
    return 'untrusted_identity';
  }
  if (/bad key type|bad key length|invalid public key|invalid private key|bad KEM key|invalid key|no key type|invalid signature|invalid (signed |kyber )?prekey (id|identifier)|no (signed |kyber )?prekey with id/i.test(message)) {
    return 'invalid_key';
  }
  if (/invalid (prekey )?message|decryption failed|protobuf|too short|ciphertext version was (unrecognized|too old)|too far into the future|reused base key|bad mac|invalid sealed sender/i.test(message)) {
    return 'invalid_message';
  }
  return 'other';
}
