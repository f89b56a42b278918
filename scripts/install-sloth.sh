#!/usr/bin/env bash
# Builds Sloth (github.com/slok/sloth, Apache-2.0), pinned by the wrapper module in
# scripts/go/sloth (go.mod + go.sum), from the Go module proxy into .tools/go/bin/sloth: the SLO
# comparison test and benchmark generate Sloth's rules for our SLOs with it.
# Idempotent: a binary built from the same go.sum is kept. Fails loudly on any error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$root/scripts/go/sloth"
bin_dir="$root/.tools/go/bin"
out="$bin_dir/sloth"
stamp="$bin_dir/.sloth.go.sum.sha256"

command -v go >/dev/null 2>&1 || { echo "install-sloth: go is not installed (needs Go >= 1.24 for go.mod tool lines)" >&2; exit 1; }
want="$(sha256sum "$module/go.sum" "$module/go.mod" | sha256sum | cut -d' ' -f1)"
if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

mkdir -p "$bin_dir"
echo "install-sloth: building github.com/slok/sloth/cmd/sloth (pinned in scripts/go/sloth/go.mod) into .tools/go/bin" >&2
# -mod=readonly: go.sum is the lock file; a missing or changed hash is an error, never an update.
(cd "$module" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "$out.tmp" github.com/slok/sloth/cmd/sloth)
mv "$out.tmp" "$out"
"$out" version >/dev/null 2>&1 || { echo "install-sloth: the built $out does not run" >&2; exit 1; }
echo "$want" > "$stamp"
echo "install-sloth: sloth $("$out" version 2>&1 | head -n 1)" >&2
