// gen-sealed-vectors.mjs writes sealed sender vectors made by libsignal to
// ../../testdata/sealedsender/libsignal.json (or to the folder given as the
// first argument), for Go tests that run without Node.js.
//
// Alice sends to Bob with sealed sender v1 and, together with Carol and an
// excluded PNI, with v2. The file contains Bob's identity private key, the
// trust roots, the certificates, every message and the contents libsignal
// sealed. Keys and signatures are random, so each run writes new bytes.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as SignalClient from '@signalapp/libsignal-client';

import { Actor, newState, run } from './sealed.mjs';
import { fromHex, toHex } from './stores.mjs';

const { IdentityKeyPair } = SignalClient;

const scriptDir = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(scriptDir, '..', '..', 'testdata', 'sealedsender');

const ALICE = 'aaaaaaaa-7000-11eb-b32a-33b8a8a487a6';
const BOB = 'bbbbbbbb-7000-11eb-b32a-33b8a8a487a6';
const CAROL = 'cccccccc-7000-11eb-b32a-33b8a8a487a6';
const EXCLUDED = 'PNI:dddddddd-7000-11eb-b32a-33b8a8a487a6';
// 2023-11-14T22:13:20Z, the validation time of the vectors.
const NOW = 1_700_000_000_000;

function actor(name, device, registrationId) {
  return new Actor(newState({ op: 'init', name, device, registration_id: registrationId }));
}

async function main() {
  const alice = actor(ALICE, 1, 11);
  const bob = actor(BOB, 2, 22);
  const carol = actor(CAROL, 3, 33);

  const authority = await run(null, { op: 'server_cert', key_id: 0x5ea1 });
  const other = await run(null, { op: 'server_cert', key_id: 0x5ea2 });
  const aliceKey = toHex(alice.identity.publicKey.serialize());
  const certOp = {
    op: 'sender_cert', uuid: ALICE, e164: '+15550001234', device: 1, identity_key: aliceKey,
    server_cert: authority.server_cert, server_private: authority.server_private,
  };
  const { sender_cert: senderCert } = await run(null, { ...certOp, expiration: NOW + 3_600_000 });
  const { sender_cert: expiredCert } = await run(null, { ...certOp, expiration: NOW - 1 });

  for (const peer of [bob, carol]) {
    const { bundle } = await run(peer, { op: 'bundle' });
    await run(alice, { op: 'process_bundle', address: { name: peer.s.name, device: peer.s.device }, bundle });
  }
  const bobAddress = { name: BOB, device: 2 };
  const v1 = await run(alice, {
    op: 'seal_v1', address: bobAddress, plaintext: toHex(Buffer.from('v1 from libsignal')),
    sender_cert: senderCert, content_hint: 1, group_id: 'a1a2',
  });
  const v1Expired = await run(alice, {
    op: 'seal_v1', address: bobAddress, plaintext: toHex(Buffer.from('expired')), sender_cert: expiredCert,
  });
  const v1Usmc = await run(bob, { op: 'open_usmc', message: v1.message });

  const v2 = await run(alice, {
    op: 'seal_v2', addresses: [bobAddress, { name: CAROL, device: 3 }],
    plaintext: toHex(Buffer.from('v2 from libsignal')), sender_cert: senderCert, content_hint: 2,
    group_id: 'b1b2b3', inner: 'sender_key', distribution_id: 'd1d1d1d1-0000-4000-8000-000000000001',
    excluded: [EXCLUDED],
  });
  const split = await run(null, { op: 'split_v2', message: v2.message });
  const received = Object.fromEntries(split.recipients.map((r) => [r.service_id, r.received]));
  const v2Usmc = await run(bob, { op: 'open_usmc', message: received[BOB] });

  const vectors = {
    note: 'Made by interop/node/gen-sealed-vectors.mjs with @signalapp/libsignal-client 0.103.0. '
      + 'Byte strings are hex; times are milliseconds since the Unix epoch; types are UnidentifiedSenderMessage.Message.Type values.',
    time: NOW,
    trust_root: authority.trust_root_public,
    other_trust_root: other.trust_root_public,
    server_cert: authority.server_cert,
    server_key_id: 0x5ea1,
    sender: { uuid: ALICE, e164: '+15550001234', device: 1, identity_key: aliceKey },
    sender_cert: senderCert,
    sender_cert_expires: NOW + 3_600_000,
    expired_sender_cert: expiredCert,
    recipient: {
      uuid: BOB,
      device: 2,
      identity_private: toHex(IdentityKeyPair.deserialize(fromHex(bob.s.identity)).privateKey.serialize()),
      identity_key: toHex(bob.identity.publicKey.serialize()),
    },
    v1: {
      message: v1.message,
      type: 1,
      contents: v1Usmc.contents,
      content_hint: v1Usmc.content_hint,
      group_id: v1Usmc.group_id,
    },
    v1_expired: v1Expired.message,
    v2: {
      sent: v2.message,
      recipients: split.recipients.map((r) => ({
        service_id: r.service_id, devices: r.devices, registration_ids: r.registration_ids, received: r.received,
      })),
      excluded: split.excluded,
      type: 7,
      contents: v2Usmc.contents,
      content_hint: v2Usmc.content_hint,
      group_id: v2Usmc.group_id,
    },
  };
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'libsignal.json');
  writeFileSync(file, `${JSON.stringify(vectors, null, 2)}\n`);
  process.stderr.write(`wrote ${file}\n`);
}

main().catch((error) => {
  process.stderr.write(`gen-sealed-vectors.mjs: ${error?.stack ?? error}\n`);
  process.exit(1);
});
