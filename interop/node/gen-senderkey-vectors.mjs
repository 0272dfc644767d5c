// gen-senderkey-vectors.mjs writes Parley's sender key (group messaging)
// conformance vectors to testdata/senderkey/*.json at the repository root.
//
// Every chain key, chain ID and signing key comes from a fixed label, and
// libsignal encrypts with records built from them, so every field of every
// message is the same on each run except the XEdDSA signatures, which
// libsignal randomizes. A libsignal receiver processes each vector's steps
// in order, and its outcome for each step is recorded as "expect". The
// script fails if an outcome differs from the one it anticipates.
//
// Usage (from this folder): npm ci && node gen-senderkey-vectors.mjs [output folder]

import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as SignalClient from '@signalapp/libsignal-client';

import { MemorySenderKeyStore, senderKeyErrorCategory } from './groups.mjs';
import { toHex } from './stores.mjs';

const {
  PrivateKey,
  ProtocolAddress,
  SenderKeyDistributionMessage,
  SenderKeyMessage,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistributionMessage,
} = SignalClient;

const LIBSIGNAL_VERSION = '0.103.0';
const GENERATOR = `interop/node/gen-senderkey-vectors.mjs with @signalapp/libsignal-client ${LIBSIGNAL_VERSION}`;

// Every key and ID is derived from this label. Changing it changes every vector.
const SEED = 'parley sender key vectors: fixed chains v1';

const SENDER = { name: '9d0652a3-dcc3-4d11-975f-74d61598733f', device: 2 };
const DISTRIBUTION_ID = 'd1e2a7c4-0b8f-4c7a-9b1e-1234567890ab';
const OTHER_DISTRIBUTION_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const MESSAGE_VERSION = 3;

// --- Deterministic key material ---------------------------------------------

// SHA-256 of SEED || 0x00 || label.
function deriveBytes(label) {
  return new Uint8Array(createHash('sha256').update(SEED).update(Buffer.from([0])).update(label).digest());
}

// A sending chain derived from a label: a 31-bit chain ID, the chain
// key at iteration 0 and a signing key pair.
function deriveChain(label) {
  const idBytes = deriveBytes(`${label} chain id`);
  const chainId = ((idBytes[0] << 24) | (idBytes[1] << 16) | (idBytes[2] << 8) | idBytes[3]) >>> 1;
  const signingPrivate = PrivateKey.deserialize(deriveBytes(`${label} signing key`));
  return {
    label,
    chainId,
    chainKey0: deriveBytes(`${label} chain key`),
    signingPrivate,
    signingPublic: signingPrivate.getPublicKey(),
    chainKeys: [deriveBytes(`${label} chain key`)],
  };
}

// Chain key at iteration, HMAC-SHA256(ck, 0x02) applied iteration times.
function chainKeyAt(chain, iteration) {
  while (chain.chainKeys.length <= iteration) {
    const last = chain.chainKeys[chain.chainKeys.length - 1];
    chain.chainKeys.push(new Uint8Array(createHmac('sha256', last).update(Buffer.from([0x02])).digest()));
  }
  return chain.chainKeys[iteration];
}

// --- libsignal storage records ------------------------------------------------

function varint(n) {
  const out = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function varintField(number, value) {
  return [...varint(number * 8), ...varint(value)];
}

function bytesField(number, bytes) {
  return [...varint(number * 8 + 2), ...varint(bytes.length), ...bytes];
}

// Serialized libsignal SenderKeyRecordStructure with one sending state at
// iteration: storage.proto's SenderKeyStateStructure {1 chain_id,
// 2 sender_chain_key {1 iteration, 2 seed}, 3 sender_signing_key {1 public,
// 2 private}, 5 message_version}.
function sendingRecord(chain, iteration) {
  const chainKey = [...varintField(1, iteration), ...bytesField(2, chainKeyAt(chain, iteration))];
  const signingKey = [
    ...bytesField(1, chain.signingPublic.serialize()),
    ...bytesField(2, chain.signingPrivate.serialize()),
  ];
  const state = [
    ...varintField(1, chain.chainId),
    ...bytesField(2, chainKey),
    ...bytesField(3, signingKey),
    ...varintField(5, MESSAGE_VERSION),
  ];
  return new Uint8Array(bytesField(1, state));
}

// --- Vector building ------------------------------------------------------------

const senderAddress = ProtocolAddress.new(SENDER.name, SENDER.device);

function chainJSON(chain) {
  return {
    label: chain.label,
    chain_id: chain.chainId,
    chain_key: toHex(chain.chainKey0),
    signing_private: toHex(chain.signingPrivate.serialize()),
    signing_public: toHex(chain.signingPublic.serialize()),
  };
}

// A vector under construction. Steps run against one libsignal receiver store
// as they are added.
class Vector {
  constructor(name, description) {
    this.name = name;
    this.description = description;
    this.chains = [];
    this.steps = [];
    this.receiver = new MemorySenderKeyStore();
  }

  chainIndex(chain) {
    let i = this.chains.indexOf(chain);
    if (i < 0) {
      this.chains.push(chain);
      i = this.chains.length - 1;
    }
    return i;
  }

  // Adds the distribution message of chain at iteration, built by libsignal's
  // SenderKeyDistributionMessage.create from a sending record.
  async skdm(chain, iteration, note) {
    const store = new MemorySenderKeyStore();
    store.putSerialized(senderAddress, DISTRIBUTION_ID, sendingRecord(chain, iteration));
    const skdm = await SenderKeyDistributionMessage.create(senderAddress, DISTRIBUTION_ID, store);
    return this.skdmBytes(chain, skdm.serialize(), note);
  }

  async skdmBytes(chain, bytes, note) {
    await processSenderKeyDistributionMessage(senderAddress, SenderKeyDistributionMessage.deserialize(bytes), this.receiver);
    this.steps.push({ kind: 'skdm', chain: this.chainIndex(chain), bytes: toHex(bytes), note });
    return bytes;
  }

  // Returns the message that libsignal's groupEncrypt makes for plaintext at
  // iteration of chain.
  static async encryptAt(chain, iteration, plaintext) {
    const store = new MemorySenderKeyStore();
    store.putSerialized(senderAddress, DISTRIBUTION_ID, sendingRecord(chain, iteration));
    const message = await groupEncrypt(senderAddress, DISTRIBUTION_ID, store, plaintext);
    return message.serialize();
  }

  // Adds a genuine message: libsignal's encryption of plaintext at iteration.
  // The step records chain, iteration and the plaintext sent, so Go can
  // re-encrypt it and compare every byte but the signature.
  async message(chain, iteration, plaintext, anticipated, note) {
    const bytes = await Vector.encryptAt(chain, iteration, plaintext);
    await this.deliver(bytes, anticipated, note, { chain: this.chainIndex(chain), iteration, genuine: true, sent: plaintext });
    return bytes;
  }

  // Delivers bytes to the libsignal receiver and records its outcome.
  async deliver(bytes, anticipated, note, extra = {}) {
    let expect = 'ok';
    let plaintext = null;
    let libsignalError = null;
    try {
      plaintext = toHex(await groupDecrypt(senderAddress, this.receiver, bytes));
    } catch (error) {
      expect = senderKeyErrorCategory(error);
      libsignalError = String(error?.message ?? error);
    }
    if (expect !== anticipated) {
      throw new Error(`${this.name}: step ${this.steps.length} (${note}): libsignal returned ${expect} (${libsignalError}), expected ${anticipated}`);
    }
    const step = { kind: 'message', bytes: toHex(bytes), expect, plaintext, note };
    if (extra.genuine) {
      step.chain = extra.chain;
      step.iteration = extra.iteration;
      step.genuine = true;
      step.sent = toHex(extra.sent);
    }
    if (libsignalError !== null) {
      step.note = `${note}; libsignal: ${libsignalError}`;
    }
    this.steps.push(step);
  }

  toJSON() {
    return {
      description: this.description,
      generator: GENERATOR,
      sender: SENDER,
      distribution_id: DISTRIBUTION_ID,
      chains: this.chains.map(chainJSON),
      steps: this.steps,
    };
  }
}

function text(s) {
  return new Uint8Array(Buffer.from(s, 'utf8'));
}

// Deterministic filler bytes of length n.
function filler(n, label) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 32) {
    out.set(deriveBytes(`${label} ${i}`).subarray(0, Math.min(32, n - i)), i);
  }
  return out;
}

// --- The vectors -------------------------------------------------------------------

async function inOrder() {
  const v = new Vector('in_order', 'Six messages in order, with plaintexts of 0, 1, 15, 16, 17 and 1024 bytes.');
  const chain = deriveChain('in order');
  await v.skdm(chain, 0, 'distribution message at iteration 0');
  const lengths = [0, 1, 15, 16, 17, 1024];
  for (let i = 0; i < lengths.length; i++) {
    await v.message(chain, i, filler(lengths[i], `in order ${i}`), 'ok', `iteration ${i}, ${lengths[i]} bytes`);
  }
  return v;
}

async function outOfOrder() {
  const v = new Vector('out_of_order', 'Ten messages delivered out of order, with replays of decrypted messages.');
  const chain = deriveChain('out of order');
  await v.skdm(chain, 0, 'distribution message at iteration 0');
  const messages = [];
  const plaintexts = [];
  for (let i = 0; i < 10; i++) {
    plaintexts.push(text(`group message ${i}`));
    messages.push(await Vector.encryptAt(chain, i, plaintexts[i]));
  }
  const order = [
    [9, 'ok'], [2, 'ok'], [5, 'ok'], [0, 'ok'], [2, 'duplicate'], [1, 'ok'], [3, 'ok'],
    [4, 'ok'], [6, 'ok'], [7, 'ok'], [8, 'ok'], [9, 'duplicate'], [0, 'duplicate'],
  ];
  for (const [i, anticipated] of order) {
    await v.deliver(messages[i], anticipated, `iteration ${i}`, { chain: v.chainIndex(chain), iteration: i, genuine: true, sent: plaintexts[i] });
  }
  return v;
}

async function forwardJump() {
  const v = new Vector('forward_jump', 'Jumps past the 25,000 forward limit and the 2,000-key skipped window.');
  const chain = deriveChain('forward jump');
  await v.skdm(chain, 0, 'distribution message at iteration 0');
  await v.message(chain, 25001, text('iteration 25001'), 'too_far_ahead', 'jump of 25,001 from iteration 0');
  await v.message(chain, 25000, text('iteration 25000'), 'ok', 'jump of exactly 25,000');
  await v.message(chain, 25001, text('iteration 25001'), 'ok', 'next iteration after the jump');
  await v.message(chain, 22999, text('iteration 22999'), 'duplicate', 'skipped key outside the 2,000-key window');
  await v.message(chain, 23000, text('iteration 23000'), 'ok', 'oldest skipped key inside the window');
  await v.message(chain, 1, text('iteration 1'), 'duplicate', 'early skipped key dropped from the window');
  await v.message(chain, 24999, text('iteration 24999'), 'ok', 'newest skipped key');
  return v;
}

async function tampering() {
  const v = new Vector('tampering', 'Altered and forged messages before the genuine ones; none may change the receiver state.');
  const chain = deriveChain('tampering');
  const forger = deriveChain('tampering forger');
  await v.skdm(chain, 0, 'distribution message at iteration 0');

  const genuinePlaintext = text('genuine message 0');
  const genuine = await Vector.encryptAt(chain, 0, genuinePlaintext);
  const flip = (bytes, index, mask = 0x01) => {
    const out = Uint8Array.from(bytes);
    out[index] ^= mask;
    return out;
  };
  const sigStart = genuine.length - 64;
  await v.deliver(flip(genuine, sigStart), 'invalid_signature', 'first signature byte flipped');
  await v.deliver(flip(genuine, genuine.length - 1, 0x80), 'invalid_signature', 'signature sign bit flipped');
  await v.deliver(flip(genuine, sigStart - 1), 'invalid_signature', 'last ciphertext byte flipped');
  await v.deliver(flip(genuine, 0, 0x10), 'invalid_message', 'version byte 0x23');
  await v.deliver(flip(genuine, 0, 0x70), 'invalid_message', 'version byte 0x43');
  await v.deliver(genuine.subarray(0, 64), 'invalid_message', 'truncated to 64 bytes');
  await v.deliver(genuine.subarray(0, genuine.length - 1), 'invalid_message', 'last byte removed');

  // Same chain ID, other signing key.
  const forged = { ...forger, chainId: chain.chainId, chainKeys: chain.chainKeys };
  await v.deliver(await Vector.encryptAt(forged, 0, text('forged message')), 'invalid_signature', 'signed by another key with the same chain ID');

  // Valid signatures over messages the receiver has no chain for.
  const otherChain = SenderKeyMessage._new(MESSAGE_VERSION, DISTRIBUTION_ID, chain.chainId ^ 1, 0,
    SenderKeyMessage.deserialize(genuine).ciphertext(), chain.signingPrivate);
  await v.deliver(otherChain.serialize(), 'no_sender_key', 'unknown chain ID');
  const otherDistribution = SenderKeyMessage._new(MESSAGE_VERSION, OTHER_DISTRIBUTION_ID, chain.chainId, 0,
    SenderKeyMessage.deserialize(genuine).ciphertext(), chain.signingPrivate);
  await v.deliver(otherDistribution.serialize(), 'no_sender_key', 'unknown distribution ID');

  // Validly signed, but the ciphertext does not decrypt.
  const shortCiphertext = SenderKeyMessage._new(MESSAGE_VERSION, DISTRIBUTION_ID, chain.chainId, 0,
    new Uint8Array(15), chain.signingPrivate);
  await v.deliver(shortCiphertext.serialize(), 'invalid_message', 'signed ciphertext of 15 bytes');
  const badPadding = SenderKeyMessage._new(MESSAGE_VERSION, DISTRIBUTION_ID, chain.chainId, 0,
    new Uint8Array(16), chain.signingPrivate);
  await v.deliver(badPadding.serialize(), 'invalid_message', 'signed ciphertext with invalid padding');

  await v.deliver(genuine, 'ok', 'genuine message 0', { chain: v.chainIndex(chain), iteration: 0, genuine: true, sent: genuinePlaintext });
  await v.deliver(genuine, 'duplicate', 'genuine message 0 again');
  await v.message(chain, 1, text('genuine message 1'), 'ok', 'genuine message 1');
  return v;
}

async function states() {
  const v = new Vector('states', 'Six chains from one sender: the oldest is dropped, a repeated distribution message keeps its chain, and a new signing key for a chain ID replaces the chain.');
  const chains = [];
  for (let i = 1; i <= 6; i++) {
    chains.push(deriveChain(`states ${i}`));
  }
  for (const [i, chain] of chains.entries()) {
    await v.skdm(chain, 0, `chain ${i + 1}`);
  }
  await v.message(chains[0], 0, text('chain 1'), 'no_sender_key', 'chain 1 was dropped as the sixth chain arrived');
  for (let i = 1; i < 6; i++) {
    await v.message(chains[i], 0, text(`chain ${i + 1}`), 'ok', `chain ${i + 1}, iteration 0`);
  }
  const replay = await Vector.encryptAt(chains[2], 0, text('chain 3'));
  await v.skdm(chains[2], 0, 'chain 3 again at iteration 0');
  await v.deliver(replay, 'duplicate', 'chain 3 iteration 0 after its distribution message was repeated');
  await v.message(chains[2], 1, text('chain 3 iteration 1'), 'ok', 'chain 3, iteration 1');

  const rekeyed = deriveChain('states 4 new key');
  rekeyed.chainId = chains[3].chainId;
  await v.skdm(rekeyed, 0, 'chain ID of chain 4 with a new signing key');
  await v.message(chains[3], 1, text('old chain 4'), 'invalid_signature', 'chain 4 under its old signing key');
  await v.message(rekeyed, 0, text('new chain 4'), 'ok', 'chain 4 under its new signing key');
  return v;
}

async function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const outDir = resolve(process.argv[2] ?? join(here, '..', '..', 'testdata', 'senderkey'));
  mkdirSync(outDir, { recursive: true });
  for (const build of [inOrder, outOfOrder, forwardJump, tampering, states]) {
    const vector = await build();
    const file = join(outDir, `${vector.name}.json`);
    writeFileSync(file, `${JSON.stringify(vector.toJSON(), null, 2)}\n`);
    console.log(`wrote ${file} (${vector.steps.length} steps)`);
  }
}

await main();
