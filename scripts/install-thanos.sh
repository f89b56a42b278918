#!/usr/bin/env bash
# Builds Thanos (github.com/thanos-io/thanos, Apache-2.0), pinned by the wrapper module in
# scripts/go/thanos (go.mod + go.sum), from the Go module proxy into .tools/go/bin/thanos: the HA
# live proof (npm run verify:ha) and its benchmark run Thanos Receive and Thanos Query with it.
# v0.42.4, not v0.42.5: v0.42.5's go.mod requires Go >= 1.26.10 and this project builds with the
# machine's Go 1.26.8 (no GOTOOLCHAIN download). Idempotent: a binary built from the same go.sum is
# kept. Fails loudly on any error. A cold build takes 10-25 minutes on a 2-core machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$root/scripts/go/thanos"
bin_dir="$root/.tools/go/bin"
out="$bin_dir/thanos"
stamp="$bin_dir/.thanos.build.sha256"
version="0.42.4"

command -v go >/dev/null 2>&1 || { echo "install-thanos: go is not installed (needs Go >= 1.26 for this module's go line)" >&2; exit 1; }
# The stamp covers the lock files and this script (its build flags).
want="$(sha256sum "$module/go.sum" "$module/go.mod" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

mkdir -p "$bin_dir"
echo "install-thanos: building github.com/thanos-io/thanos/cmd/thanos v$version (pinned in scripts/go/thanos/go.mod) into .tools/go/bin" >&2
# -mod=readonly: go.sum is the lock file; a missing or changed hash is an error, never an update.
# GOTOOLCHAIN=local: the machine's Go builds it; a go.mod asking for a newer one is an error, not a download.
# -tags netgo,slicelabels: Thanos' own release build tags (.promu.yml). Without slicelabels the
# binary links Prometheus' default string labels, which Thanos' zero-copy label casts do not fit:
# Thanos Receive then panicked in labels.decodeString on its first forwarded write (seen here).
(cd "$module" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -tags netgo,slicelabels \
  -ldflags "-X github.com/prometheus/common/version.Version=$version" \
  -o "$out.tmp" github.com/thanos-io/thanos/cmd/thanos)
mv "$out.tmp" "$out"
"$out" --version >/dev/null 2>&1 || { echo "install-thanos: the built $out does not run" >&2; exit 1; }
echo "$want" > "$stamp"
echo "install-thanos: $("$out" --version 2>&1 | head -n 1)" >&2
