#!/usr/bin/env bash
# The test command from README.md: gofmt, vet, the whole suite with the race
# detector (including the live interop tests against libsignal-client), and
# a short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './interop/node/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change these files:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -race -count=1 -timeout 20m ./...

# Each fuzz target runs briefly, seeded from its corpus and the vectors. A
# count of executions rather than a duration keeps the run free of the
# fuzzer's shutdown deadline, which a loaded machine can miss.
fuzztime="${FUZZTIME:-2000x}"
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzz $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
