// Package interop holds Parley's live interoperability tests against
// Signal's official libsignal-client 0.103, driven from Node.js through
// internal/nodepeer. It has no code of its own; run the tests with
//
//	(cd interop/node && npm ci) && go test ./interop
//
// Without Node.js or the npm packages the tests skip, except under CI
// (the CI environment variable set), where they fail.
package interop
