// Package keystore defines where Parley keeps its keys and sessions, and
// provides a concurrency-safe in-memory implementation.
//
// # Transactions
//
// Every protocol operation runs inside one transaction: [Store.Update] hands
// a [Tx] to a function and commits all of its writes together when the
// function returns nil, or none of them when it returns an error. A decrypt
// that fails authentication therefore leaves every record unchanged, and the
// session update of a decrypt, the removal of the one-time prekey it used and
// the saved identity key commit together. Update calls are serialized, so two
// concurrent encrypts for the same address can never reuse a message key.
//
// # Trust
//
// The identity store decides whether a remote identity key is trusted. The
// in-memory store trusts the first key it sees for an address and rejects a
// different key until the application calls [Tx.SaveIdentity] with it.
package keystore
