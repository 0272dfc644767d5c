// fingerprint.mjs computes safety numbers with @signalapp/libsignal-client
// for the Go interop tests of package fingerprint (see
// internal/nodepeer.RunScript). It reads one JSON request on stdin and writes
// one JSON response on stdout.
//
// Request:
//
//   {"cases": [{"version": 2, "iterations": 5200,
//               "local_id": HEX, "local_key": HEX,
//               "remote_id": HEX, "remote_key": HEX,
//               "compare": [HEX, ...]}]}
//
// Keys are 33-byte serialized public keys. Each entry of "compare" is a
// scanned fingerprint that libsignal checks against the case's own scannable
// fingerprint.
//
// Response:
//
//   {"libsignal_version": "0.103.0",
//    "results": [{"display": "60 digits", "scannable": HEX,
//                 "compare": [{"outcome": OUTCOME, "ours": n, "theirs": n,
//                              "message": "..."}]}]}
//
// OUTCOME is "match" or "mismatch" when compare returned true or false,
// "version_mismatch" (with "ours" and "theirs") or "invalid" when it threw a
// fingerprint error. When Fingerprint.new throws, the result is
// {"error": MESSAGE} instead.

import { readFileSync } from 'node:fs';

import * as SignalClient from '@signalapp/libsignal-client';

import { fromHex, toHex } from './stores.mjs';

const { Fingerprint, LibSignalErrorBase, PublicKey, ScannableFingerprint } = SignalClient;

const LIBSIGNAL_VERSION = '0.103.0';

// libsignal 0.103 reports both fingerprint errors with the generic error code,
// so the message is the only way to tell them apart.
const VERSION_MISMATCH = /^fingerprint version number mismatch them (\d+) us (\d+)$/;
const PARSING_ERROR = /^fingerprint parsing error/;

function compareOne(ours, scanned) {
  try {
    const same = ours.compare(ScannableFingerprint._fromBuffer(fromHex(scanned)));
    return { outcome: same ? 'match' : 'mismatch' };
  } catch (error) {
    if (!(error instanceof LibSignalErrorBase)) {
      throw error;
    }
    const versions = VERSION_MISMATCH.exec(error.message);
    if (versions !== null) {
      return {
        outcome: 'version_mismatch',
        theirs: Number(versions[1]),
        ours: Number(versions[2]),
        message: error.message,
      };
    }
    if (PARSING_ERROR.test(error.message)) {
      return { outcome: 'invalid', message: error.message };
    }
    throw error;
  }
}

function runCase(c) {
  let fingerprint;
  try {
    fingerprint = Fingerprint.new(
      c.iterations,
      c.version,
      fromHex(c.local_id),
      PublicKey.deserialize(fromHex(c.local_key)),
      fromHex(c.remote_id),
      PublicKey.deserialize(fromHex(c.remote_key)),
    );
  } catch (error) {
    if (!(error instanceof LibSignalErrorBase)) {
      throw error;
    }
    return { error: error.message };
  }

  const scannable = fingerprint.scannableFingerprint();
  return {
    display: fingerprint.displayableFingerprint().toString(),
    scannable: toHex(scannable.toBuffer()),
    compare: (c.compare ?? []).map((scanned) => compareOne(scannable, scanned)),
  };
}

const request = JSON.parse(readFileSync(0, 'utf8'));
const results = request.cases.map(runCase);
process.stdout.write(JSON.stringify({ libsignal_version: LIBSIGNAL_VERSION, results }));
