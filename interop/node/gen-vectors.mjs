// gen-vectors.mjs writes Parley's session conformance vectors to
// testdata/vectors/*.json at the repository root.
//
// Each vector is a transcript between an initiator "Alice" and a responder
// "Bob", both run by @signalapp/libsignal-client. Bob's private keys come from
// a fixed seed, so a Go implementation can play Bob: it loads the keys from
// the vector, decrypts every alice_to_bob step and must reach the outcome
// libsignal's Bob reached ("expect"). Alice's keys are random on every run.
//
// Usage (from this folder): npm ci && node gen-vectors.mjs [output folder]

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import * as SignalClient from '@signalapp/libsignal-client';

import {
  MemoryIdentityStore,
  MemoryKyberPreKeyStore,
  MemoryPreKeyStore,
  MemorySessionStore,
  MemorySignedPreKeyStore,
  errorCategory,
  toHex,
} from './stores.mjs';

const {
  CiphertextMessageType,
  IdentityKeyPair,
  KyberPreKeyRecord,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PrivateKey,
  ProtocolAddress,
  SignalMessage,
  SignedPreKeyRecord,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} = SignalClient;

const LIBSIGNAL_VERSION = '0.103.0';
const GENERATOR = `interop/node/gen-vectors.mjs with @signalapp/libsignal-client ${LIBSIGNAL_VERSION}`;

// Every Bob key is derived from this label. Changing it changes every vector.
const BOB_SEED = 'parley interop vectors: fixed responder keys v1';

const BOB_DEVICE = 1;
const BOB_REGISTRATION_ID = 1234;
const BOB_SIGNED_PREKEY_ID = 7;
const BOB_KYBER_PREKEY_ID = 9;
const BOB_ONE_TIME_PREKEY_ID = 5;
const PREKEY_TIMESTAMP = 0;

const ALICE_DEVICE = 1;
const ALICE_REGISTRATION_ID = 4321;

const KYBER1024_KEY_TYPE = 0x08;

// --- Deterministic key material -------------------------------------------

// Returns SHA-256 (32 bytes) or SHA-512 (64 bytes) of BOB_SEED || 0x00 || label.
function deriveBytes(label, length) {
  const algorithm = { 32: 'sha256', 64: 'sha512' }[length];
  if (algorithm === undefined) {
    throw new Error(`deriveBytes: unsupported length ${length}`);
  }
  const digest = createHash(algorithm).update(BOB_SEED).update(Buffer.from([0])).update(label).digest();
  return new Uint8Array(digest);
}

// Formats 16 derived bytes as a version-4 UUID string, usable as an ACI.
function deriveUuid(label) {
  const bytes = deriveBytes(label, 32).slice(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- Protocol Buffers wire format --------------------------------------------

// Reads a base-128 varint at offset. Returns [value, nextOffset]. Values are
// limited to 2^53 so they stay exact as JavaScript numbers.
function readVarint(bytes, offset) {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (offset + i >= bytes.length) {
      throw new Error('protobuf: truncated varint');
    }
    const b = bytes[offset + i];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      return [value, offset + i + 1];
    }
    scale *= 128;
  }
  throw new Error('protobuf: varint longer than 8 bytes');
}

// Parses a protobuf message in bytes[start, end) into a list of fields:
// {number, wireType, value, start, end}. For varints, value is the number and
// [start, end) covers its encoding. For length-delimited fields, value is the
// payload and [start, end) covers the payload. Fixed-width fields are skipped
// over with their raw bytes as value. Groups are not supported.
function readFields(bytes, start = 0, end = bytes.length) {
  const fields = [];
  let offset = start;
  while (offset < end) {
    const [tag, afterTag] = readVarint(bytes, offset);
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    let field;
    switch (wireType) {
      case 0: {
        const [value, next] = readVarint(bytes, afterTag);
        field = { number, wireType, value, start: afterTag, end: next };
        break;
      }
      case 1:
      case 5: {
        const width = wireType === 1 ? 8 : 4;
        field = { number, wireType, value: bytes.subarray(afterTag, afterTag + width), start: afterTag, end: afterTag + width };
        break;
      }
      case 2: {
        const [length, payloadStart] = readVarint(bytes, afterTag);
        field = { number, wireType, value: bytes.subarray(payloadStart, payloadStart + length), start: payloadStart, end: payloadStart + length };
        break;
      }
      default:
        throw new Error(`protobuf: unsupported wire type ${wireType} for field ${number}`);
    }
    if (number === 0 || field.end > end) {
      throw new Error(`protobuf: field ${number} runs past the end of the message`);
    }
    fields.push(field);
    offset = field.end;
  }
  return fields;
}

// Returns the last occurrence of field number (protobuf's merge rule), or undefined.
function findField(fields, number) {
  return fields.filter((f) => f.number === number).at(-1);
}

function encodeVarint(value) {
  const out = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function encodeBytesField(number, payload) {
  return Buffer.concat([Buffer.from(encodeVarint(number * 8 + 2)), Buffer.from(encodeVarint(payload.length)), Buffer.from(payload)]);
}

function encodeVarintField(number, value) {
  return Buffer.from([...encodeVarint(number * 8), ...encodeVarint(value)]);
}

function encodeFixed64Field(number, value) {
  const payload = Buffer.alloc(8);
  payload.writeBigUInt64LE(BigInt(value));
  return Buffer.concat([Buffer.from(encodeVarint(number * 8 + 1)), payload]);
}

// Bob's current sending ratchet private key, read from a serialized libsignal
// SessionRecord: RecordStructure.current_session (1) ->
// SessionStructure.sender_chain (6) -> Chain.sender_ratchet_key_private (2).
function senderRatchetPrivate(serializedRecord) {
  if (serializedRecord === null) {
    return null;
  }
  const session = findField(readFields(serializedRecord), 1);
  if (session === undefined) {
    return null;
  }
  const chain = findField(readFields(session.value), 6);
  if (chain === undefined) {
    return null;
  }
  const key = findField(readFields(chain.value), 2);
  return key === undefined ? null : toHex(key.value);
}

// --- Message layout ----------------------------------------------------------

const MAC_LENGTH = 8;

// Splits a SignalMessage (version byte || protobuf || 8-byte MAC) into its
// protobuf fields, with offsets relative to the whole message.
function signalMessageFields(bytes) {
  if (bytes.length < 1 + MAC_LENGTH) {
    throw new Error(`SignalMessage of ${bytes.length} bytes is too short`);
  }
  return readFields(bytes, 1, bytes.length - MAC_LENGTH);
}

// Returns the offset range of the SignalMessage inside a PreKeySignalMessage
// (version byte || protobuf with the SignalMessage in field 4).
function innerMessageRange(prekeyBytes) {
  const inner = findField(readFields(prekeyBytes, 1), 4);
  if (inner === undefined) {
    throw new Error('PreKeySignalMessage without a message field');
  }
  return [inner.start, inner.end];
}

// Decodes the SPQR header of a SignalMessage: 0x01 (version), varint epoch,
// varint index. Throws when the message is past the first SPQR epoch, because
// the vectors must stay within what a Go peer at epoch 1 can follow.
function checkFirstSpqrEpoch(signalMessageBytes, label) {
  const pq = findField(signalMessageFields(signalMessageBytes), 5);
  if (pq === undefined || pq.value.length < 3) {
    throw new Error(`${label}: message without SPQR data`);
  }
  if (pq.value[0] !== 0x01) {
    throw new Error(`${label}: SPQR version ${pq.value[0]}, expected 1`);
  }
  const [epoch] = readVarint(pq.value, 1);
  if (epoch !== 1) {
    throw new Error(`${label}: SPQR epoch ${epoch}; shorten the transcript so it stays at epoch 1`);
  }
}

// --- Bob's fixed keys -------------------------------------------------------

function makeBobKeys() {
  const identityPrivate = PrivateKey.deserialize(deriveBytes('bob identity key', 32));
  const identity = new IdentityKeyPair(identityPrivate.getPublicKey(), identityPrivate);

  const signedPreKeyPrivate = PrivateKey.deserialize(deriveBytes('bob signed prekey', 32));
  const signedPreKeyPublic = signedPreKeyPrivate.getPublicKey();
  const signedPreKeySignature = identityPrivate.sign(signedPreKeyPublic.serialize());

  const oneTimePreKeyPrivate = PrivateKey.deserialize(deriveBytes('bob one-time prekey', 32));

  // libsignal stores a Kyber1024 secret key as 0x08 || the 3168-byte expanded
  // key. Kyber round 3 and FIPS 203 ML-KEM share that layout, so the ML-KEM
  // key generated from the 64-byte seed (d || z) serves, and Go can rebuild
  // the same key with mlkem.NewDecapsulationKey1024(seed).
  const kyberSeed = deriveBytes('bob kyber prekey', 64);
  const kyber = ml_kem1024.keygen(kyberSeed);
  const kyberPublic = Buffer.concat([Buffer.from([KYBER1024_KEY_TYPE]), kyber.publicKey]);
  const kyberSecret = Buffer.concat([Buffer.from([KYBER1024_KEY_TYPE]), kyber.secretKey]);
  const kyberSignature = identityPrivate.sign(new Uint8Array(kyberPublic));

  // The Node binding has no constructor for a KEM key pair from its parts, so
  // build the serialized record (SignedPreKeyRecordStructure: 1 id,
  // 2 public_key, 3 private_key, 4 signature, 5 timestamp) and parse it.
  const kyberRecordBytes = Buffer.concat([
    encodeVarintField(1, BOB_KYBER_PREKEY_ID),
    encodeBytesField(2, kyberPublic),
    encodeBytesField(3, kyberSecret),
    encodeBytesField(4, kyberSignature),
    encodeFixed64Field(5, PREKEY_TIMESTAMP),
  ]);
  const kyberRecord = KyberPreKeyRecord.deserialize(new Uint8Array(kyberRecordBytes));
  if (!Buffer.from(kyberRecord.publicKey().serialize()).equals(kyberPublic)) {
    throw new Error('libsignal changed the imported Kyber public key');
  }

  return {
    name: deriveUuid('bob name'),
    identity,
    signedPreKeyPrivate,
    signedPreKeySignature,
    oneTimePreKeyPrivate,
    kyberSeed,
    kyberPublic: new Uint8Array(kyberPublic),
    kyberSignature,
    kyberRecord,
  };
}

// --- Transcripts ------------------------------------------------------------

class Transcript {
  #steps = [];
  #lastBobRatchet = null;

  constructor(fileName, description, bobKeys, { oneTimePreKey }) {
    this.fileName = fileName;
    this.description = description;
    this.bobKeys = bobKeys;
    this.oneTimePreKey = oneTimePreKey;
    this.plaintextCounter = 0;
  }

  async setUp() {
    const keys = this.bobKeys;
    this.bobAddress = ProtocolAddress.new(keys.name, BOB_DEVICE);
    this.aliceName = deriveUuid('alice name');
    this.aliceAddress = ProtocolAddress.new(this.aliceName, ALICE_DEVICE);

    this.bob = {
      sessions: new MemorySessionStore(),
      identities: new MemoryIdentityStore(keys.identity.privateKey, BOB_REGISTRATION_ID),
      preKeys: new MemoryPreKeyStore(),
      signedPreKeys: new MemorySignedPreKeyStore(),
      kyberPreKeys: new MemoryKyberPreKeyStore(),
    };
    const signedPreKeyPublic = keys.signedPreKeyPrivate.getPublicKey();
    await this.bob.signedPreKeys.saveSignedPreKey(
      BOB_SIGNED_PREKEY_ID,
      SignedPreKeyRecord.new(BOB_SIGNED_PREKEY_ID, PREKEY_TIMESTAMP, signedPreKeyPublic, keys.signedPreKeyPrivate, keys.signedPreKeySignature),
    );
    await this.bob.kyberPreKeys.saveKyberPreKey(BOB_KYBER_PREKEY_ID, keys.kyberRecord);
    if (this.oneTimePreKey) {
      await this.bob.preKeys.savePreKey(
        BOB_ONE_TIME_PREKEY_ID,
        PreKeyRecord.new(BOB_ONE_TIME_PREKEY_ID, keys.oneTimePreKeyPrivate.getPublicKey(), keys.oneTimePreKeyPrivate),
      );
    }

    this.aliceIdentity = IdentityKeyPair.generate();
    this.alice = {
      sessions: new MemorySessionStore(),
      identities: new MemoryIdentityStore(this.aliceIdentity.privateKey, ALICE_REGISTRATION_ID),
    };
    const bundle = PreKeyBundle.new(
      BOB_REGISTRATION_ID,
      BOB_DEVICE,
      this.oneTimePreKey ? BOB_ONE_TIME_PREKEY_ID : null,
      this.oneTimePreKey ? keys.oneTimePreKeyPrivate.getPublicKey() : null,
      BOB_SIGNED_PREKEY_ID,
      signedPreKeyPublic,
      keys.signedPreKeySignature,
      keys.identity.publicKey,
      BOB_KYBER_PREKEY_ID,
      keys.kyberRecord.publicKey(),
      keys.kyberSignature,
    );
    await processPreKeyBundle(bundle, this.bobAddress, this.aliceAddress, this.alice.sessions, this.alice.identities);
    return this;
  }

  #plaintext(label) {
    this.plaintextCounter++;
    return new Uint8Array(Buffer.from(`${this.fileName.replace(/\.json$/, '')} ${label} #${this.plaintextCounter}`));
  }

  // Encrypts a message from Alice without delivering it. Returns
  // {label, type: 'prekey' | 'whisper', bytes, plaintext}.
  async aliceSends(label, plaintext = this.#plaintext(label)) {
    const message = await signalEncrypt(plaintext, this.bobAddress, this.aliceAddress, this.alice.sessions, this.alice.identities);
    const bytes = new Uint8Array(message.serialize());
    let type;
    switch (message.type()) {
      case CiphertextMessageType.PreKey: {
        type = 'prekey';
        const [start, end] = innerMessageRange(bytes);
        checkFirstSpqrEpoch(bytes.subarray(start, end), label);
        break;
      }
      case CiphertextMessageType.Whisper:
        type = 'whisper';
        checkFirstSpqrEpoch(bytes, label);
        break;
      default:
        throw new Error(`${label}: unexpected message type ${message.type()}`);
    }
    return { label, type, bytes, plaintext };
  }

  // Delivers message (or tampered bytes standing in for it) to libsignal-Bob
  // and records the outcome. Throws when the outcome differs from anticipated,
  // so a change in libsignal's behaviour shows up when the vectors are rebuilt.
  async deliverToBob(message, note, { bytes = message.bytes, anticipated = 'ok' } = {}) {
    let outcome = 'ok';
    let detail = '';
    let plaintext = null;
    try {
      if (message.type === 'prekey') {
        plaintext = await signalDecryptPreKey(
          PreKeySignalMessage.deserialize(bytes),
          this.aliceAddress,
          this.bobAddress,
          this.bob.sessions,
          this.bob.identities,
          this.bob.preKeys,
          this.bob.signedPreKeys,
          this.bob.kyberPreKeys,
        );
      } else {
        plaintext = await signalDecrypt(SignalMessage.deserialize(bytes), this.aliceAddress, this.bobAddress, this.bob.sessions, this.bob.identities);
      }
    } catch (error) {
      outcome = errorCategory(error);
      detail = String(error.message);
    }

    if (outcome !== anticipated) {
      throw new Error(`${this.fileName}: ${message.label} (${note}): libsignal outcome ${outcome} (${detail}), anticipated ${anticipated}`);
    }
    if (outcome === 'ok' && !Buffer.from(plaintext).equals(Buffer.from(message.plaintext))) {
      throw new Error(`${this.fileName}: ${message.label}: plaintext mismatch`);
    }

    const step = {
      direction: 'alice_to_bob',
      message_type: message.type,
      ciphertext: toHex(bytes),
      plaintext: outcome === 'ok' ? toHex(plaintext) : null,
      expect: outcome,
    };
    const ratchet = senderRatchetPrivate(this.bob.sessions.serializedSession(this.aliceAddress));
    if (ratchet !== this.#lastBobRatchet) {
      if (outcome !== 'ok') {
        throw new Error(`${this.fileName}: ${message.label}: a failed decrypt changed Bob's session`);
      }
      step.bob_ratchet_private = ratchet;
      this.#lastBobRatchet = ratchet;
    }
    step.note = outcome === 'ok' ? `${message.label}: ${note}` : `${message.label}: ${note}; libsignal ${LIBSIGNAL_VERSION}: ${detail}`;
    this.#steps.push(step);
    return this;
  }

  // Encrypts a reply with libsignal-Bob, decrypts it with libsignal-Alice and
  // records it.
  async bobReplies(label, note, plaintext = this.#plaintext(label)) {
    const message = await signalEncrypt(plaintext, this.aliceAddress, this.bobAddress, this.bob.sessions, this.bob.identities);
    if (message.type() !== CiphertextMessageType.Whisper) {
      throw new Error(`${label}: Bob sent message type ${message.type()}, expected whisper`);
    }
    const bytes = new Uint8Array(message.serialize());
    checkFirstSpqrEpoch(bytes, label);
    const decrypted = await signalDecrypt(SignalMessage.deserialize(bytes), this.bobAddress, this.aliceAddress, this.alice.sessions, this.alice.identities);
    if (!Buffer.from(decrypted).equals(Buffer.from(plaintext))) {
      throw new Error(`${label}: Alice decrypted a different plaintext`);
    }
    this.#steps.push({
      direction: 'bob_to_alice',
      message_type: 'whisper',
      ciphertext: toHex(bytes),
      plaintext: toHex(plaintext),
      note: `${label}: ${note}`,
    });
    return this;
  }

  toJSON() {
    const keys = this.bobKeys;
    const oneTime = this.oneTimePreKey;
    return {
      description: this.description,
      generator: GENERATOR,
      bob: {
        name: keys.name,
        device: BOB_DEVICE,
        registration_id: BOB_REGISTRATION_ID,
        identity_private: toHex(keys.identity.privateKey.serialize()),
        identity_public: toHex(keys.identity.publicKey.serialize()),
        signed_prekey_id: BOB_SIGNED_PREKEY_ID,
        signed_prekey_private: toHex(keys.signedPreKeyPrivate.serialize()),
        signed_prekey_public: toHex(keys.signedPreKeyPrivate.getPublicKey().serialize()),
        signed_prekey_signature: toHex(keys.signedPreKeySignature),
        signed_prekey_timestamp: PREKEY_TIMESTAMP,
        kyber_prekey_id: BOB_KYBER_PREKEY_ID,
        kyber_prekey_seed: toHex(keys.kyberSeed),
        kyber_prekey_public: toHex(keys.kyberPublic),
        kyber_prekey_signature: toHex(keys.kyberSignature),
        one_time_prekey_id: oneTime ? BOB_ONE_TIME_PREKEY_ID : null,
        one_time_prekey_private: oneTime ? toHex(keys.oneTimePreKeyPrivate.serialize()) : null,
        one_time_prekey_public: oneTime ? toHex(keys.oneTimePreKeyPrivate.getPublicKey().serialize()) : null,
      },
      alice: {
        name: this.aliceName,
        device: ALICE_DEVICE,
        registration_id: ALICE_REGISTRATION_ID,
        identity_public: toHex(this.aliceIdentity.publicKey.serialize()),
      },
      steps: this.#steps,
    };
  }
}

// --- Tampering --------------------------------------------------------------

// Returns a copy of bytes with one bit flipped at offset.
function flipBit(bytes, offset, bit = 0) {
  if (offset < 0 || offset >= bytes.length) {
    throw new Error(`flipBit: offset ${offset} outside ${bytes.length} bytes`);
  }
  const copy = new Uint8Array(bytes);
  copy[offset] ^= 1 << bit;
  return copy;
}

function withByte(bytes, offset, value) {
  const copy = new Uint8Array(bytes);
  copy[offset] = value;
  return copy;
}

// Returns a copy of a PreKeySignalMessage with the varint in the given field
// replaced by value, which must encode to the same length.
function withPreKeyVarint(bytes, number, value) {
  const field = findField(readFields(bytes, 1), number);
  if (field === undefined || field.wireType !== 0) {
    throw new Error(`PreKeySignalMessage has no varint field ${number}`);
  }
  const encoded = encodeVarint(value);
  if (encoded.length !== field.end - field.start) {
    throw new Error(`replacement for field ${number} changes its length`);
  }
  const copy = new Uint8Array(bytes);
  copy.set(encoded, field.start);
  return copy;
}

// --- The vectors ------------------------------------------------------------

async function prekeyInOrder(keys) {
  const t = await new Transcript(
    'prekey_in_order.json',
    'Alice sends three PreKey messages that Bob decrypts in order; Bob replies; Alice sends three whisper messages, including an empty plaintext and a 32-byte one (a whole padding block).',
    keys,
    { oneTimePreKey: true },
  ).setUp();
  const a1 = await t.aliceSends('a1');
  const a2 = await t.aliceSends('a2');
  const a3 = await t.aliceSends('a3');
  await t.deliverToBob(a1, 'first PreKey message creates the session and uses the one-time prekey');
  await t.deliverToBob(a2, 'second PreKey message reuses the session made by a1 (same base key)');
  await t.deliverToBob(a3, 'third PreKey message, same chain');
  await t.bobReplies('b1', "Bob's first reply; Alice takes a DH ratchet step");
  const a4 = await t.aliceSends('a4');
  const a5 = await t.aliceSends('a5', new Uint8Array(0));
  const a6 = await t.aliceSends('a6', new Uint8Array(Buffer.from('0123456789abcdef0123456789abcdef')));
  await t.deliverToBob(a4, 'first whisper message after the reply; Bob takes a DH ratchet step');
  await t.deliverToBob(a5, 'empty plaintext');
  await t.deliverToBob(a6, '32-byte plaintext, so PKCS#7 adds a whole block');
  return t;
}

async function prekeyOutOfOrder(keys) {
  const t = await new Transcript(
    'prekey_out_of_order.json',
    "Alice's three PreKey messages reach Bob in the order 3, 1, 2; then one round trip.",
    keys,
    { oneTimePreKey: true },
  ).setUp();
  const a1 = await t.aliceSends('a1');
  const a2 = await t.aliceSends('a2');
  const a3 = await t.aliceSends('a3');
  await t.deliverToBob(a3, 'third PreKey message arrives first: creates the session and stores the keys for counters 0 and 1');
  await t.deliverToBob(a1, 'first PreKey message, decrypted with a stored skipped key');
  await t.deliverToBob(a2, 'second PreKey message, decrypted with a stored skipped key');
  await t.bobReplies('b1', 'reply');
  const a4 = await t.aliceSends('a4');
  await t.deliverToBob(a4, 'whisper message after the reply');
  return t;
}

async function dhSteps(keys) {
  const t = await new Transcript(
    'dh_steps.json',
    'Alternating rounds so both sides take several DH ratchet steps; a2 is delivered late, after Bob has already stepped past its chain.',
    keys,
    { oneTimePreKey: true },
  ).setUp();
  const a1 = await t.aliceSends('a1');
  const a2 = await t.aliceSends('a2');
  await t.deliverToBob(a1, 'PreKey message creates the session');
  await t.bobReplies('b1', 'reply; Alice steps');
  const a3 = await t.aliceSends('a3');
  await t.deliverToBob(a3, 'whisper message on a new Alice ratchet key; Bob steps');
  await t.deliverToBob(a2, 'late PreKey message from the previous receiving chain');
  await t.bobReplies('b2', 'first message on the new Bob chain');
  await t.bobReplies('b3', 'second message on the same chain');
  const a4 = await t.aliceSends('a4');
  await t.deliverToBob(a4, 'Alice stepped after b2; Bob steps');
  await t.bobReplies('b4', 'reply on the next Bob chain');
  const a5 = await t.aliceSends('a5');
  const a6 = await t.aliceSends('a6');
  await t.deliverToBob(a5, 'Bob steps again');
  await t.deliverToBob(a6, 'same chain as a5');
  await t.bobReplies('b5', 'reply');
  const a7 = await t.aliceSends('a7');
  await t.deliverToBob(a7, 'Bob steps again');
  return t;
}

async function skippedKeys(keys) {
  const t = await new Transcript(
    'skipped_keys.json',
    'After one round trip Alice sends m1..m10 on one chain; Bob receives m10, m3, m7, m1, then the rest in order.',
    keys,
    { oneTimePreKey: true },
  ).setUp();
  const a1 = await t.aliceSends('a1');
  await t.deliverToBob(a1, 'PreKey message creates the session');
  await t.bobReplies('b1', 'reply; Alice steps');
  const m = [];
  for (let i = 1; i <= 10; i++) {
    m.push(await t.aliceSends(`m${i}`));
  }
  await t.deliverToBob(m[9], 'tenth message first; Bob steps and stores nine skipped keys');
  for (const i of [3, 7, 1, 2, 4, 5, 6, 8, 9]) {
    await t.deliverToBob(m[i - 1], 'decrypted with a stored skipped key');
  }
  return t;
}

async function duplicates(keys) {
  const t = await new Transcript(
    'duplicates.json',
    'Replays: a PreKey message delivered again after its one-time prekey was removed, and a whisper message delivered twice.',
    keys,
    { oneTimePreKey: true },
  ).setUp();
  const a1 = await t.aliceSends('a1');
  await t.deliverToBob(a1, 'PreKey message creates the session and removes one-time prekey 5');
  if (t.bob.preKeys.has(BOB_ONE_TIME_PREKEY_ID)) {
    throw new Error('libsignal did not remove the one-time prekey');
  }
  await t.deliverToBob(a1, 'same PreKey message again: the base key matches the session, so it is a replayed counter', { anticipated: 'duplicate' });
  await t.bobReplies('b1', 'reply; Alice steps');
  const a2 = await t.aliceSends('a2');
  const a3 = await t.aliceSends('a3');
  await t.deliverToBob(a2, 'whisper message');
  await t.deliverToBob(a2, 'same whisper message again', { anticipated: 'duplicate' });
  await t.deliverToBob(a3, 'next message still decrypts after the replay');
  await t.deliverToBob(a1, 'the first PreKey message once more, after Bob has stepped', { anticipated: 'duplicate' });
  await t.deliverToBob(a3, 'a3 again', { anticipated: 'duplicate' });
  return t;
}

async function tampering(keys) {
  const t = await new Transcript(
    'tampering.json',
    'Corrupted copies of genuine messages, each delivered before the genuine message; every genuine message still decrypts afterwards.',
    keys,
    { oneTimePreKey: true },
  ).setUp();

  // PreKey message: layout 0x44 || protobuf {1 pre_key_id, 2 base_key,
  // 3 identity_key, 4 message, 5 registration_id, 6 signed_pre_key_id,
  // 7 kyber_pre_key_id, 8 kyber_ciphertext}.
  const p1 = await t.aliceSends('p1');
  const [innerStart, innerEnd] = innerMessageRange(p1.bytes);
  const kyberCiphertext = findField(readFields(p1.bytes, 1), 8);
  const baseKey = findField(readFields(p1.bytes, 1), 2);
  const prekeyCases = [
    ['bit flipped in the MAC of the embedded SignalMessage', flipBit(p1.bytes, innerEnd - 1), 'invalid_message'],
    ['bit flipped in the body ciphertext of the embedded SignalMessage', flipBit(p1.bytes, innerEnd - MAC_LENGTH - 40), 'invalid_message'],
    ['bit flipped in the Kyber ciphertext', flipBit(p1.bytes, kyberCiphertext.start + 100), 'invalid_message'],
    ['bit flipped in the base key', flipBit(p1.bytes, baseKey.start + 10), 'invalid_message'],
    ['unknown one-time prekey id 4', withPreKeyVarint(p1.bytes, 1, 4), 'invalid_key'],
    ['unknown signed prekey id 6', withPreKeyVarint(p1.bytes, 6, 6), 'invalid_key'],
    ['unknown Kyber prekey id 8', withPreKeyVarint(p1.bytes, 7, 8), 'invalid_key'],
    ['version byte 0x34 (session version 3, X3DH)', withByte(p1.bytes, 0, 0x34), 'invalid_message'],
    ['truncated to 100 bytes', p1.bytes.slice(0, 100), 'invalid_message'],
  ];
  if (innerStart <= 0) {
    throw new Error('p1: embedded message not found');
  }
  for (const [what, bytes, anticipated] of prekeyCases) {
    await t.deliverToBob(p1, what, { bytes, anticipated });
  }
  await t.deliverToBob(p1, 'genuine PreKey message after the corrupted copies');
  await t.bobReplies('b1', 'reply; Alice steps');

  // Whisper messages: 0x44 || protobuf {1 ratchet_key, 2 counter,
  // 3 previous_counter, 4 ciphertext, 5 pq_ratchet} || 8-byte MAC.
  const w1 = await t.aliceSends('w1');
  const w2 = await t.aliceSends('w2');
  const w3 = await t.aliceSends('w3');
  const fields = signalMessageFields(w1.bytes);
  const ratchetKey = findField(fields, 1);
  const counter = findField(fields, 2);
  const body = findField(fields, 4);
  if (counter === undefined || counter.value !== 0) {
    throw new Error('w1: expected an explicit counter 0');
  }
  const whisperCases = [
    ['bit flipped in the MAC', flipBit(w1.bytes, w1.bytes.length - 1), 'invalid_message'],
    ['first MAC byte flipped', flipBit(w1.bytes, w1.bytes.length - MAC_LENGTH, 7), 'invalid_message'],
    ['bit flipped in the body ciphertext', flipBit(w1.bytes, body.start + 3), 'invalid_message'],
    ['bit flipped in the last body ciphertext byte (padding block)', flipBit(w1.bytes, body.end - 1), 'invalid_message'],
    ['counter 0 changed to 1 (a key not yet used)', flipBit(w1.bytes, counter.start), 'invalid_message'],
    ['bit flipped in the ratchet key u-coordinate', flipBit(w1.bytes, ratchetKey.start + 10), 'invalid_message'],
    ['ratchet key type byte 0x05 changed to 0x04', flipBit(w1.bytes, ratchetKey.start, 0), 'invalid_key'],
    ['version byte 0x34 (session version 3)', withByte(w1.bytes, 0, 0x34), 'invalid_message'],
    ['version byte 0x43 (low nibble changed)', withByte(w1.bytes, 0, 0x43), 'invalid_message'],
    ['version byte 0x24 (too old)', withByte(w1.bytes, 0, 0x24), 'invalid_message'],
    ['version byte 0x54 (unknown)', withByte(w1.bytes, 0, 0x54), 'invalid_message'],
    ['empty message', new Uint8Array(0), 'invalid_message'],
    ['only the version byte', w1.bytes.slice(0, 1), 'invalid_message'],
    ['last byte cut (7-byte MAC)', w1.bytes.slice(0, -1), 'invalid_message'],
    ['MAC removed', w1.bytes.slice(0, -MAC_LENGTH), 'invalid_message'],
    ['truncated to half', w1.bytes.slice(0, w1.bytes.length >> 1), 'invalid_message'],
    ['one extra byte appended', new Uint8Array([...w1.bytes, 0x00]), 'invalid_message'],
  ];
  for (const [what, bytes, anticipated] of whisperCases) {
    await t.deliverToBob(w1, what, { bytes, anticipated });
  }
  await t.deliverToBob(w1, 'genuine message after the corrupted copies');

  const w2Counter = findField(signalMessageFields(w2.bytes), 2);
  if (w2Counter.value !== 1) {
    throw new Error('w2: expected counter 1');
  }
  await t.deliverToBob(w2, 'counter 1 changed to 0, a counter already used', { bytes: flipBit(w2.bytes, w2Counter.start), anticipated: 'duplicate' });
  await t.deliverToBob(w2, 'bit flipped in the MAC', { bytes: flipBit(w2.bytes, w2.bytes.length - 1), anticipated: 'invalid_message' });
  await t.deliverToBob(w2, 'genuine message');
  await t.deliverToBob(w3, 'genuine message');
  return t;
}

async function noOneTimePreKey(keys) {
  const t = await new Transcript(
    'no_one_time_prekey.json',
    'Session from a bundle without a one-time prekey (PQXDH with three DH outputs and the Kyber secret); two round trips.',
    keys,
    { oneTimePreKey: false },
  ).setUp();
  const a1 = await t.aliceSends('a1');
  const a2 = await t.aliceSends('a2');
  await t.deliverToBob(a1, 'PreKey message without a one-time prekey id creates the session');
  await t.deliverToBob(a2, 'second PreKey message');
  await t.bobReplies('b1', 'reply; Alice steps');
  const a3 = await t.aliceSends('a3');
  const a4 = await t.aliceSends('a4');
  await t.deliverToBob(a3, 'whisper message; Bob steps');
  await t.deliverToBob(a4, 'same chain');
  await t.bobReplies('b2', 'reply');
  const a5 = await t.aliceSends('a5');
  await t.deliverToBob(a5, 'Bob steps again');
  return t;
}

async function main() {
  const scriptDir = dirname(fileURLToPath(import.meta.url));
  const outDir = resolve(process.argv[2] ?? join(scriptDir, '..', '..', 'testdata', 'vectors'));
  mkdirSync(outDir, { recursive: true });

  const keys = makeBobKeys();
  const builders = [prekeyInOrder, prekeyOutOfOrder, dhSteps, skippedKeys, duplicates, tampering, noOneTimePreKey];
  for (const build of builders) {
    const transcript = await build(keys);
    const json = transcript.toJSON();
    writeFileSync(join(outDir, transcript.fileName), `${JSON.stringify(json, null, 2)}\n`);
    const failures = json.steps.filter((s) => s.expect !== undefined && s.expect !== 'ok').length;
    process.stderr.write(`wrote ${transcript.fileName}: ${json.steps.length} steps, ${failures} expected failures\n`);
  }
}

await main();
