// groups_v2.mjs runs libsignal's group messages sealed with sealed sender v2
// for Parley's interoperability tests, one request per process.
//
// Input and output are those of sealed.mjs: standard input is one JSON
// object {"state": ..., "ops": [...]} for one libsignal actor, and standard
// output is {"state": ..., "results": [...]}. Every op of sealed.mjs works
// here too (init, bundle, process_bundle, server_cert, sender_cert,
// process_skdm, split_v2 and the others). This script adds:
//
//   skdm_create distribution_id           SenderKeyDistributionMessage.create
//                                         for the actor; returns skdm
//   group_seal_v2 addresses distribution_id plaintext sender_cert
//                 content_hint group_id [excluded]
//                                         groupEncrypt, wrapped in content of
//                                         type SenderKey and sealed with v2;
//                                         returns message (sent form)
//   group_open (message | sent) [trust_root time]
//                                         sealedSenderDecryptToUsmc, then
//                                         groupDecrypt from the certificate's
//                                         sender; returns plaintext, type,
//                                         content_hint, group_id, sender_uuid,
//                                         device_id, record_changed and split
//
// group_open takes either a received form (message) or a sent form (sent).
// It splits a sent form for the actor's own service ID and device first.
// The result's split names the function used: "single" for a sent form with
// one recipient, "recipient" for one with more (see splitForActor), and
// null for a received form. With trust_root and time it also validates the
// sender certificate. A failed group_open reports the categories of
// groups.mjs (duplicate, no_sender_key, invalid_signature, too_far_ahead,
// invalid_message, other) and record_changed, which reports whether the sender
// key record changed.

import { readFileSync } from 'node:fs';

import * as SignalClient from '@signalapp/libsignal-client';
// The package has no exports map, so its files can be imported directly;
// index.js does not re-export this class in 0.103.
import SealedSenderMultiRecipientMessage from '@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js';

import { senderKeyErrorCategory } from './groups.mjs';
import { Actor, newState, run as runSealed } from './sealed.mjs';
import { errorCategory, fromHex, toHex } from './stores.mjs';

const {
  CiphertextMessageType,
  IdentityKeyPair,
  ProtocolAddress,
  PublicKey,
  SenderCertificate,
  SenderKeyDistributionMessage,
  UnidentifiedSenderMessageContent,
  groupDecrypt,
  groupEncrypt,
  sealedSenderDecryptToUsmc,
  sealedSenderMultiRecipientEncrypt,
  sealedSenderMultiRecipientMessageForSingleRecipient,
} = SignalClient;

// An error in the request itself, reported with category "other".
class RequestError extends Error {}

// An error from group_open that carries whether the sender key record
// changed before it was thrown.
class OpenError extends Error {
  constructor(cause, recordChanged) {
    super(String(cause?.message ?? cause));
    this.cause = cause;
    this.recordChanged = recordChanged;
  }
}

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

function requireActor(state) {
  if (state === null) throw new RequestError('no actor: run init first');
  return new Actor(state);
}

// Splits sent for the actor's own service ID and device and returns the
// received form with the function that split it: "single" for
// sealedSenderMultiRecipientMessageForSingleRecipient, which in 0.103
// rejects a sent form with more than one recipient, or "recipient" for
// SealedSenderMultiRecipientMessage.messageForRecipient.
function splitForActor(actor, sent) {
  const parsed = new SealedSenderMultiRecipientMessage(Buffer.from(sent));
  const recipients = parsed.recipientsByServiceIdString();
  const recipient = recipients[actor.s.name];
  if (recipient === undefined) {
    throw new RequestError(`sent form has no recipient ${actor.s.name}`);
  }
  if (!recipient.deviceIds.includes(actor.s.device)) {
    throw new RequestError(`sent form does not list device ${actor.s.device} of ${actor.s.name}`);
  }
  if (Object.keys(recipients).length === 1) {
    return { message: sealedSenderMultiRecipientMessageForSingleRecipient(Buffer.from(sent)), split: 'single' };
  }
  return { message: parsed.messageForRecipient(recipient), split: 'recipient' };
}

async function groupOpen(actor, op) {
  const { message, split } = op.sent !== undefined
    ? splitForActor(actor, hex(op.sent, 'sent'))
    : { message: hex(op.message, 'message'), split: null };
  const before = JSON.stringify(actor.s.sender_keys);
  try {
    const usmc = await sealedSenderDecryptToUsmc(Buffer.from(message), actor.identities);
    const cert = usmc.senderCertificate();
    if (op.trust_root !== undefined) {
      const root = PublicKey.deserialize(hex(op.trust_root, 'trust_root'));
      if (!cert.validate(root, uint(op.time, 'time', Number.MAX_SAFE_INTEGER))) {
        throw new Error('sender certificate failed validation');
      }
    }
    if (usmc.msgType() !== CiphertextMessageType.SenderKey) {
      throw new Error(`inner message type ${usmc.msgType()} is not SenderKey`);
    }
    const sender = ProtocolAddress.new(cert.senderUuid(), cert.senderDeviceId());
    const plaintext = await groupDecrypt(sender, actor.senderKeys, usmc.contents());
    const group = usmc.groupId();
    return {
      plaintext: toHex(plaintext),
      type: usmc.msgType(),
      content_hint: usmc.contentHint(),
      group_id: group === null ? null : toHex(group),
      sender_uuid: cert.senderUuid(),
      device_id: cert.senderDeviceId(),
      record_changed: JSON.stringify(actor.s.sender_keys) !== before,
      split,
    };
  } catch (error) {
    throw new OpenError(error, JSON.stringify(actor.s.sender_keys) !== before);
  }
}

async function run(state, op) {
  switch (op.op) {
    case 'skdm_create': {
      const a = requireActor(state);
      const skdm = await SenderKeyDistributionMessage.create(a.address, String(op.distribution_id), a.senderKeys);
      return { skdm: toHex(skdm.serialize()) };
    }
    case 'group_seal_v2': {
      const a = requireActor(state);
      const addrs = op.addresses.map(address);
      const cert = SenderCertificate.deserialize(hex(op.sender_cert, 'sender_cert'));
      const hint = uint(op.content_hint ?? 0, 'content_hint', 0xffffffff);
      const groupId = op.group_id ? hex(op.group_id, 'group_id') : null;
      const inner = await groupEncrypt(a.address, String(op.distribution_id), a.senderKeys, hex(op.plaintext, 'plaintext'));
      const content = UnidentifiedSenderMessageContent.new(inner, cert, hint, groupId);
      const excludedRecipients = (op.excluded ?? []).map((s) => SignalClient.ServiceId.parseFromServiceIdString(s));
      const message = await sealedSenderMultiRecipientEncrypt({
        content, recipients: addrs, excludedRecipients, identityStore: a.identities, sessionStore: a.sessions,
      });
      return { message: toHex(message) };
    }
    case 'group_open':
      return groupOpen(requireActor(state), op);
    default:
      return runSealed(state === null ? null : new Actor(state), op);
  }
}

function failure(error) {
  if (error instanceof RequestError) {
    return { ok: false, error: 'other', message: error.message };
  }
  if (error instanceof OpenError) {
    return {
      ok: false,
      error: senderKeyErrorCategory(error.cause),
      message: error.message,
      record_changed: error.recordChanged,
    };
  }
  return { ok: false, error: errorCategory(error), message: String(error?.message ?? error) };
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
      results.push({ ok: true, ...(await run(state, op)) });
    } catch (error) {
      results.push(failure(error));
    }
  }
  process.stdout.write(JSON.stringify({ state, results }));
}

main().catch((error) => {
  process.stderr.write(`groups_v2.mjs: ${error?.stack ?? error}\n`);
  process.exit(1);
});
