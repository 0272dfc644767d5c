// gen-fingerprint-vectors.mjs writes Parley's safety number vectors to
// testdata/fingerprint/vectors.json at the repository root.
//
// Every key comes from a fixed seed, so the file is the same on every run.
// Each entry of "fingerprints" is one Fingerprint.new call by
// @signalapp/libsignal-client with its display string and scannable bytes,
// plus the scannable bytes of the other side. Each entry of "compare" is a
// byte string, some of them malformed, that libsignal's
// ScannableFingerprint.compare checked against one of those fingerprints,
// with the outcome libsignal reported. The outcomes are recorded, not
// predicted: the script checks only that the genuine scan matches.
//
// Usage (from this folder): npm ci && node gen-fingerprint-vectors.mjs [output file]

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as SignalClient from '@signalapp/libsignal-client';

import { toHex } from './stores.mjs';

const { Fingerprint, LibSignalErrorBase, PrivateKey, ScannableFingerprint } = SignalClient;

const LIBSIGNAL_VERSION = '0.103.0';
const GENERATOR = `interop/node/gen-fingerprint-vectors.mjs with @signalapp/libsignal-client ${LIBSIGNAL_VERSION}`;

// Every key and ACI is derived from this label. Changing it changes every vector.
const SEED = 'parley fingerprint vectors: fixed identities v1';

const ITERATIONS = 5200;

// Returns SHA-256 of SEED || 0x00 || label.
function deriveBytes(label) {
  return new Uint8Array(createHash('sha256').update(SEED).update(Buffer.from([0])).update(label).digest());
}

function publicKey(label) {
  return PrivateKey.deserialize(deriveBytes(label)).getPublicKey();
}

// 16 derived bytes with the version-4 UUID bits set, as an ACI's raw form.
function deriveAci(label) {
  const bytes = deriveBytes(label).slice(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return bytes;
}

const utf8 = (text) => new TextEncoder().encode(text);

// --- Protocol Buffers encoding, for hand-built scanned inputs ----------------

function varint(value) {
  let v = BigInt(value);
  const out = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const tag = (field, wireType) => varint((field << 3) | wireType);
const VARINT = 0;
const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;

function lenField(field, bytes) {
  return [...tag(field, LEN), ...varint(bytes.length), ...bytes];
}

function varintField(field, value) {
  return [...tag(field, VARINT), ...varint(value)];
}

// A LogicalFingerprint submessage with the given content.
function logical(content) {
  return lenField(1, [...content]);
}

function combined({ version, local, remote }) {
  const out = [];
  if (version !== undefined) out.push(...varintField(1, version));
  if (local !== undefined) out.push(...lenField(2, logical(local)));
  if (remote !== undefined) out.push(...lenField(3, logical(remote)));
  return out;
}

// --- Running libsignal ---------------------------------------------------------

function makeFingerprint(version, iterations, localId, localKey, remoteId, remoteKey) {
  return Fingerprint.new(iterations, version, localId, localKey, remoteId, remoteKey);
}

function compareOutcome(scannable, scanned) {
  try {
    const same = scannable.compare(ScannableFingerprint._fromBuffer(new Uint8Array(scanned)));
    return { outcome: same ? 'match' : 'mismatch' };
  } catch (error) {
    if (!(error instanceof LibSignalErrorBase)) {
      throw error;
    }
    const versions = /^fingerprint version number mismatch them (\d+) us (\d+)$/.exec(error.message);
    if (versions !== null) {
      return { outcome: 'version_mismatch', theirs: Number(versions[1]), ours: Number(versions[2]), message: error.message };
    }
    if (/^fingerprint parsing error/.test(error.message)) {
      return { outcome: 'invalid', message: error.message };
    }
    throw error;
  }
}

// --- Vectors -------------------------------------------------------------------

const alice = publicKey('alice identity key');
const bob = publicKey('bob identity key');
const carol = publicKey('carol identity key');

const aliceAci = deriveAci('alice aci');
const bobAci = deriveAci('bob aci');

const cases = [
  { name: 'v2_aci', version: 2, iterations: ITERATIONS, localId: aliceAci, localKey: alice, remoteId: bobAci, remoteKey: bob },
  { name: 'v1_e164', version: 1, iterations: ITERATIONS, localId: utf8('+14155550100'), localKey: alice, remoteId: utf8('+14155550111'), remoteKey: bob },
  { name: 'v2_other_remote_key', version: 2, iterations: ITERATIONS, localId: aliceAci, localKey: alice, remoteId: bobAci, remoteKey: carol },
  { name: 'v2_min_iterations', version: 2, iterations: 2, localId: aliceAci, localKey: alice, remoteId: bobAci, remoteKey: bob },
  { name: 'v1_1024_iterations', version: 1, iterations: 1024, localId: utf8('+14155550100'), localKey: alice, remoteId: utf8('+14155550111'), remoteKey: bob },
  { name: 'empty_identifiers', version: 2, iterations: ITERATIONS, localId: new Uint8Array(0), localKey: alice, remoteId: new Uint8Array(0), remoteKey: bob },
  { name: 'same_key_both_sides', version: 2, iterations: ITERATIONS, localId: aliceAci, localKey: alice, remoteId: bobAci, remoteKey: alice },
  { name: 'long_identifier', version: 2, iterations: ITERATIONS, localId: new Uint8Array(300).fill(0xab), localKey: alice, remoteId: bobAci, remoteKey: bob },
];

const fingerprints = [];
const byName = new Map();
for (const c of cases) {
  const ours = makeFingerprint(c.version, c.iterations, c.localId, c.localKey, c.remoteId, c.remoteKey);
  const theirs = makeFingerprint(c.version, c.iterations, c.remoteId, c.remoteKey, c.localId, c.localKey);
  const entry = {
    name: c.name,
    version: c.version,
    iterations: c.iterations,
    local_id: toHex(c.localId),
    local_key: toHex(c.localKey.serialize()),
    remote_id: toHex(c.remoteId),
    remote_key: toHex(c.remoteKey.serialize()),
    display: ours.displayableFingerprint().toString(),
    scannable: toHex(ours.scannableFingerprint().toBuffer()),
    remote_display: theirs.displayableFingerprint().toString(),
    remote_scannable: toHex(theirs.scannableFingerprint().toBuffer()),
  };
  fingerprints.push(entry);
  byName.set(c.name, { entry, ours, theirs });
}

const invalidIterations = [];
for (const iterations of [0, 1, 1000001]) {
  try {
    makeFingerprint(2, iterations, aliceAci, alice, bobAci, bob);
    invalidIterations.push({ iterations, error: null });
  } catch (error) {
    if (!(error instanceof LibSignalErrorBase)) throw error;
    invalidIterations.push({ iterations, error: error.message });
  }
}

// Scanned inputs, all checked against the v2_aci fingerprint. "genuine" is
// Bob's scannable fingerprint; the rest are built from Bob's two contents.
const target = byName.get('v2_aci');
const genuine = [...target.theirs.scannableFingerprint().toBuffer()];
const bobLocal = genuine.slice(6, 38); // after 08 02 12 22 0a 20
const bobRemote = genuine.slice(42, 74); // after 1a 22 0a 20
const v1Bob = [...byName.get('v1_e164').theirs.scannableFingerprint().toBuffer()];
const carolSide = [...byName.get('v2_other_remote_key').theirs.scannableFingerprint().toBuffer()];

const scanned = [
  ['genuine', genuine],
  ['own_scannable', [...target.ours.scannableFingerprint().toBuffer()]],
  ['other_key', carolSide],
  ['version_1', v1Bob],
  ['version_1_same_contents', combined({ version: 1, local: bobLocal, remote: bobRemote })],
  ['version_0', combined({ version: 0, local: bobLocal, remote: bobRemote })],
  ['version_absent', combined({ local: bobLocal, remote: bobRemote })],
  ['version_2_pow_32_plus_2', combined({ version: 2n ** 32n + 2n, local: bobLocal, remote: bobRemote })],
  ['version_max_uint32', combined({ version: 0xffffffff, local: bobLocal, remote: bobRemote })],
  ['version_non_minimal_varint', [0x08, 0x82, 0x00, ...genuine.slice(2)]],
  ['version_repeated_last_wins', [...varintField(1, 1), ...genuine]],
  ['version_as_bytes', [...lenField(1, [2]), ...genuine.slice(2)]],
  ['empty_input', []],
  ['local_absent', combined({ version: 2, remote: bobRemote })],
  ['remote_absent', combined({ version: 2, local: bobLocal })],
  ['local_without_content', [...varintField(1, 2), ...lenField(2, []), ...lenField(3, logical(bobRemote))]],
  ['local_content_empty', combined({ version: 2, local: [], remote: bobRemote })],
  ['local_content_31_bytes', combined({ version: 2, local: bobLocal.slice(0, 31), remote: bobRemote })],
  ['local_content_33_bytes', combined({ version: 2, local: [...bobLocal, 0], remote: bobRemote })],
  ['contents_swapped', combined({ version: 2, local: bobRemote, remote: bobLocal })],
  ['last_byte_flipped', [...genuine.slice(0, -1), genuine[genuine.length - 1] ^ 1]],
  ['fields_reversed', [...lenField(3, logical(bobRemote)), ...lenField(2, logical(bobLocal)), ...varintField(1, 2)]],
  ['local_repeated_merged', [...genuine, ...lenField(2, logical(new Array(32).fill(0)))]],
  ['unknown_field_appended', [...genuine, ...varintField(4, 7)]],
  ['unknown_group_appended', [...genuine, ...tag(5, START_GROUP), ...varintField(1, 1), ...tag(5, END_GROUP)]],
  // Field 2 of LogicalFingerprint is commented out in libsignal's .proto, so it is unknown.
  ['identifier_in_logical', [...varintField(1, 2), ...lenField(2, [...logical(bobLocal), ...lenField(2, [1, 2, 3])]), ...lenField(3, logical(bobRemote))]],
  ['local_as_varint', [...varintField(1, 2), ...varintField(2, 5), ...lenField(3, logical(bobRemote))]],
  ['content_as_varint', [...varintField(1, 2), ...lenField(2, varintField(1, 5)), ...lenField(3, logical(bobRemote))]],
  ['truncated_by_one', genuine.slice(0, -1)],
  ['trailing_0xff', [...genuine, 0xff]],
  ['wire_type_6', [...genuine, ...tag(4, 6)]],
  ['field_number_0', [...genuine, ...varintField(0, 1)]],
  ['stray_end_group', [...genuine, ...tag(5, END_GROUP)]],
  ['length_overflows_input', [...genuine.slice(0, 2), 0x12, 0x40, ...genuine.slice(4)]],
];

const compare = scanned.map(([name, bytes]) => ({
  name,
  fingerprint: 'v2_aci',
  scanned: toHex(bytes),
  ...compareOutcome(target.ours.scannableFingerprint(), bytes),
}));

if (compare[0].outcome !== 'match') {
  throw new Error(`genuine scan did not match: ${JSON.stringify(compare[0])}`);
}

const here = dirname(fileURLToPath(import.meta.url));
const output = resolve(process.argv[2] ?? join(here, '..', '..', 'testdata', 'fingerprint', 'vectors.json'));
mkdirSync(dirname(output), { recursive: true });
const document = {
  generator: GENERATOR,
  note: 'Keys are derived from a fixed seed, so this file is the same on every run. Byte strings are lowercase hex; keys are 33-byte serialized public keys.',
  fingerprints,
  invalid_iterations: invalidIterations,
  compare,
};
writeFileSync(output, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${fingerprints.length} fingerprints and ${compare.length} compare cases to ${output}`);
