#!/usr/bin/env bash
# The test command from README.md: vet, the whole suite with the race
# detector (including the live interop tests against libsignal-client), and
# a short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")"

go vet ./...
go test -race -count=1 -timeout 20m ./...

# Each fuzz target runs briefly, seeded from its corpus and the vectors.
fuzztime="${FUZZTIME:-10s}"
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzz $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
