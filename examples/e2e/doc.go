// Package e2e holds the end-to-end test of the example programs: it builds
// examples/relay and examples/chat and runs them as separate processes on
// 127.0.0.1. It has no code of its own.
package e2e
