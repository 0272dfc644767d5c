// groups.mjs runs libsignal's sender key (group messaging) operations for
// Parley's Go tests. It is one-shot: it reads one JSON request on stdin,
// runs its operations in order against one in-memory sender key store, and
// writes one JSON response on stdout.
//
// Request:  {"ops": [op, ...]}
// Response: {"results": [result, ...]}, one result per op.
//
// Ops (addresses are {"name": ..., "device": ...}, bytes are lowercase hex,
// distribution IDs are UUID strings):
//
//   {"op": "create", "sender", "distribution_id"}  -> {"ok", "skdm"}
//   {"op": "process", "sender", "skdm"}            -> {"ok"}
//   {"op": "encrypt", "sender", "distribution_id", "plaintext"}
//                                                  -> {"ok", "ciphertext"}
//   {"op": "decrypt", "sender", "ciphertext"}      -> {"ok", "plaintext"}
//
// A failed op gives {"ok": false, "error": CATEGORY, "message": ...} and the
// script goes on with the next op. CATEGORY is one of the values returned by
// senderKeyErrorCategory.
//
// The module also exports MemorySenderKeyStore and senderKeyErrorCategory for
// gen-senderkey-vectors.mjs.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import * as SignalClient from '@signalapp/libsignal-client';

import { fromHex, toHex } from './stores.mjs';

const {
  ErrorCode,
  LibSignalErrorBase,
  ProtocolAddress,
  SenderKeyDistributionMessage,
  SenderKeyRecord,
  SenderKeyStore,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistributionMessage,
} = SignalClient;

// Sender key store kept in memory, keyed by "name.device/distribution-id".
export class MemorySenderKeyStore extends SenderKeyStore {
  #records = new Map();

  static key(sender, distributionId) {
    return `${sender.name()}.${sender.deviceId()}/${distributionId}`;
  }

  async saveSenderKey(sender, distributionId, record) {
    this.#records.set(MemorySenderKeyStore.key(sender, distributionId), record.serialize());
  }

  async getSenderKey(sender, distributionId) {
    const bytes = this.#records.get(MemorySenderKeyStore.key(sender, distributionId));
    return bytes === undefined ? null : SenderKeyRecord.deserialize(bytes);
  }

  // Stores a serialized libsignal SenderKeyRecord directly.
  putSerialized(sender, distributionId, bytes) {
    this.#records.set(MemorySenderKeyStore.key(sender, distributionId), bytes);
  }
}

// Category of a libsignal group error, matched to the Go sentinel errors:
// duplicate, no_sender_key, invalid_signature, too_far_ahead,
// invalid_message or other. The texts are libsignal 0.103's error messages.
export function senderKeyErrorCategory(error) {
  if (error instanceof LibSignalErrorBase && error.code === ErrorCode.DuplicatedMessage) {
    return 'duplicate';
  }
  const message = String(error?.message ?? error);
  if (/missing sender key state/i.test(message)) {
    return 'no_sender_key';
  }
  if (/invalid signature detected/i.test(message)) {
    return 'invalid_signature';
  }
  if (/too far into the future/i.test(message)) {
    return 'too_far_ahead';
  }
  if (/invalid .*message|decryption failed|protobuf|too short|ciphertext version|message version/i.test(message)) {
    return 'invalid_message';
  }
  return 'other';
}

function address(value) {
  if (typeof value?.name !== 'string' || !Number.isInteger(value?.device)) {
    throw new TypeError('address must be {"name": string, "device": integer}');
  }
  return ProtocolAddress.new(value.name, value.device);
}

async function runOp(store, op) {
  switch (op.op) {
    case 'create': {
      const skdm = await SenderKeyDistributionMessage.create(address(op.sender), op.distribution_id, store);
      return { ok: true, skdm: toHex(skdm.serialize()) };
    }
    case 'process': {
      const skdm = SenderKeyDistributionMessage.deserialize(fromHex(op.skdm));
      await processSenderKeyDistributionMessage(address(op.sender), skdm, store);
      return { ok: true };
    }
    case 'encrypt': {
      const message = await groupEncrypt(address(op.sender), op.distribution_id, store, fromHex(op.plaintext));
      return { ok: true, ciphertext: toHex(message.serialize()) };
    }
    case 'decrypt': {
      const plaintext = await groupDecrypt(address(op.sender), store, fromHex(op.ciphertext));
      return { ok: true, plaintext: toHex(plaintext) };
    }
    default:
      throw new TypeError(`unknown op ${JSON.stringify(op.op)}`);
  }
}

// Runs every op of request against one fresh store.
export async function runOps(request) {
  const store = new MemorySenderKeyStore();
  const results = [];
  for (const op of request.ops ?? []) {
    try {
      results.push(await runOp(store, op));
    } catch (error) {
      if (error instanceof TypeError) {
        throw error;
      }
      results.push({
        ok: false,
        error: senderKeyErrorCategory(error),
        message: String(error?.message ?? error),
      });
    }
  }
  return { results };
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const request = JSON.parse(await readStdin());
  const response = await runOps(request);
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
