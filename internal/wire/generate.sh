#!/bin/sh
# Regenerate the *.pb.go files from every .proto file in this folder.
#
# protoc-gen-go is built from the separate tools module (../../tools), which
# pins its version, so the library's go.mod carries no code generators.
# protoc itself comes from the system (Debian: apt-get install
# protobuf-compiler). The committed files were made with libprotoc 3.21.12.
#
# Run it through `go generate ./internal/wire` from the module root.
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$dir/../../tools" && pwd)

if ! command -v protoc >/dev/null 2>&1; then
	echo "generate.sh: protoc not found; install it (Debian: apt-get install protobuf-compiler)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -C "$tools" -o "$tmp/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go

cd "$dir"
protoc \
	--plugin=protoc-gen-go="$tmp/protoc-gen-go" \
	--proto_path=. \
	--go_out=. \
	--go_opt=paths=source_relative \
	./*.proto
