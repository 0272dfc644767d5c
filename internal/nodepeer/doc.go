// Package nodepeer runs Signal's official library, libsignal, as a live peer
// for Parley's interoperability tests.
//
// [Start] launches interop/node/peer.mjs under Node.js. That script drives
// @signalapp/libsignal-client (the version pinned in interop/node/package.json)
// with in-memory stores for one local identity. Each [Peer] method sends one
// JSON request line to the script and waits for its response line, so a test
// can build sessions, encrypt and decrypt against libsignal, and compare the
// outcomes with Parley's.
//
// # Requirements
//
// The peer needs node on PATH and the npm packages installed:
//
//	cd interop/node && npm ci
//
// Without them, [Start] skips the test, or fails it when the CI environment
// variable is set, so a CI run cannot pass by skipping the interop tests.
//
// # Errors
//
// A request that libsignal rejects returns an [*Error] whose Category names
// the failure in the terms the conformance vectors use: [CategoryDuplicate],
// [CategoryInvalidMessage], [CategoryUntrustedIdentity],
// [CategoryInvalidKey], [CategoryNoSession] or [CategoryOther]. Failures of
// the process itself (it exited, or a response took longer than 30 seconds)
// are returned as other errors, and the Peer is unusable afterwards.
//
// This package is for tests only: it prints nothing secret, but the script it
// runs generates keys with no protection beyond the process's memory.
package nodepeer
