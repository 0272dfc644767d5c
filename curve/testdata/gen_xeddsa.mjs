// gen_xeddsa.mjs writes xeddsa_libsignal.json, the XEdDSA cross-check
// vectors that TestLibsignalVectors replays.
//
// To rerun it, install the two packages it loads into any directory and run
// it from there, because it resolves packages from the working directory:
//
//	cd /tmp/npmtest
//	npm install @signalapp/libsignal-client@0.103.0 @noble/curves@2.4.0
//	node /path/to/curve/testdata/gen_xeddsa.mjs > /path/to/curve/testdata/xeddsa_libsignal.json
//
// Private keys, messages and the random input Z come from SHA-256 and
// SHA-512 of fixed labels, so they are the same on every run. The
// libsignal_signature fields change on every run, because libsignal signs
// with its own random Z.
//
// Each case records:
//   - private_key: the 32 bytes given to libsignal's PrivateKey.deserialize,
//     and private_key_clamped: what libsignal's serialize returns for it.
//   - public_key: libsignal's 33-byte serialized public key.
//   - libsignal_signature: made by libsignal's PrivateKey.sign.
//   - random and signature: the signature that XEdDSA with libsignal's
//     sign-bit convention produces with Z = random. This script computes it
//     with @noble/curves arithmetic and checks that libsignal verifies it.
//     curve.PrivateKey.Sign must produce exactly these bytes.
//   - spec_signature: a signature in the XEdDSA specification's form (key
//     negated so that A has sign bit 0, top bit of byte 63 clear), which
//     libsignal verifies.
//   - s_plus_order_signature: signature with L added to s, and
//     libsignal_accepts_s_plus_order: whether libsignal verifies it.
//     curve.PublicKey.Verify rejects it in every case.
//
// The script exits with an error if libsignal rejects its own signature,
// the reference signature or the specification-form signature.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(pathToFileURL(process.cwd() + '/'));
const { PrivateKey, PublicKey } = require('@signalapp/libsignal-client');
const { ed25519 } = require('@noble/curves/ed25519.js');

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const CASES = 20;
const MESSAGE_LENGTHS = [0, 1, 31, 32, 33, 64, 100, 1000];

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function sha512(...parts) {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

// expand returns n bytes of SHA-256 output in counter mode over label.
function expand(label, n) {
  const out = new Uint8Array(n);
  for (let i = 0; i * 32 < n; i++) {
    const block = sha256(`${label}/${i}`);
    out.set(block.subarray(0, Math.min(32, n - i * 32)), i * 32);
  }
  return out;
}

const hex = (b) => Buffer.from(b).toString('hex');

function leToBigInt(b) {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}

function bigIntToLE(x, n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function clamp(k) {
  const c = Uint8Array.from(k);
  c[0] &= 248;
  c[31] &= 127;
  c[31] |= 64;
  return c;
}

const HASH1_PREFIX = Uint8Array.from([0xfe, ...new Array(31).fill(0xff)]);

// xeddsaSign signs with the scalar bytes aBytes and the random Z. With
// keepSign it follows libsignal: a is the clamped key and the sign bit of A
// goes into the top bit of byte 63. Without it, it follows the XEdDSA
// specification: a is negated when A would have sign bit 1.
function xeddsaSign(clampedKey, message, Z, keepSign) {
  let a = leToBigInt(clampedKey) % L;
  let A = Point.BASE.multiply(a).toBytes();
  const signBit = A[31] & 0x80;
  let aBytes = clampedKey;
  if (!keepSign && signBit) {
    a = (L - a) % L;
    aBytes = bigIntToLE(a, 32);
    A = Point.BASE.multiply(a).toBytes();
    if (A[31] & 0x80) throw new Error('negated key still has sign bit 1');
  }
  const r = leToBigInt(sha512(HASH1_PREFIX, aBytes, message, Z)) % L;
  const R = Point.BASE.multiply(r).toBytes();
  const h = leToBigInt(sha512(R, A, message)) % L;
  const s = (r + h * a) % L;
  const sig = new Uint8Array(64);
  sig.set(R, 0);
  sig.set(bigIntToLE(s, 32), 32);
  if (keepSign) sig[63] |= signBit;
  return sig;
}

// addOrderToS returns sig with L added to s, keeping the sign bit.
function addOrderToS(sig) {
  const out = Uint8Array.from(sig);
  const signBit = out[63] & 0x80;
  const sBytes = out.slice(32);
  sBytes[31] &= 0x7f;
  out.set(bigIntToLE(leToBigInt(sBytes) + L, 32), 32);
  out[63] |= signBit;
  return out;
}

function must(ok, signatureKind, i) {
  if (!ok) {
    process.stderr.write(`case ${i}: libsignal rejected the ${signatureKind}\n`);
    process.exit(1);
  }
}

const cases = [];
for (let i = 0; i < CASES; i++) {
  const seed = sha256(`parley xeddsa vectors/private key/${i}`);
  const message = expand(`parley xeddsa vectors/message/${i}`, MESSAGE_LENGTHS[i % MESSAGE_LENGTHS.length]);
  const Z = sha512(`parley xeddsa vectors/random/${i}`);
  const specZ = sha512(`parley xeddsa vectors/spec random/${i}`);

  const priv = PrivateKey.deserialize(seed);
  const pub = priv.getPublicKey();
  const clamped = new Uint8Array(priv.serialize());
  if (hex(clamped) !== hex(clamp(seed))) throw new Error(`case ${i}: libsignal clamps differently`);

  const libsignalSig = new Uint8Array(priv.sign(message));
  must(pub.verify(message, libsignalSig), 'its own signature', i);

  const sig = xeddsaSign(clamped, message, Z, true);
  must(pub.verify(message, sig), 'reference signature', i);

  const specSig = xeddsaSign(clamped, message, specZ, false);
  must(pub.verify(message, specSig), 'specification-form signature', i);

  const sPlusL = addOrderToS(sig);
  const acceptsSPlusL = pub.verify(message, sPlusL);

  cases.push({
    private_key: hex(seed),
    private_key_clamped: hex(clamped),
    public_key: hex(pub.serialize()),
    message: hex(message),
    libsignal_signature: hex(libsignalSig),
    random: hex(Z),
    signature: hex(sig),
    sign_bit: (sig[63] >> 7) & 1,
    spec_signature: hex(specSig),
    s_plus_order_signature: hex(sPlusL),
    libsignal_accepts_s_plus_order: acceptsSPlusL,
  });
}

const out = {
  source: 'curve/testdata/gen_xeddsa.mjs with @signalapp/libsignal-client 0.103.0 and @noble/curves 2.4.0',
  cases,
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
