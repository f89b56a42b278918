#!/usr/bin/env bash
# Builds Jaeger v2 (module github.com/jaegertracing/jaeger v1.76.0 = release v2.13.0, pinned with
# every dependency by scripts/go/jaeger/go.mod + go.sum) from the Go module proxy into
# .tools/go/bin/jaeger: static (CGO_ENABLED=0), trimmed paths. Idempotent: skipped when the binary
# was built from the current go.sum. Without the UI assets the UI is a placeholder; the query API works.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/scripts/go/jaeger"
out="$root/.tools/go/bin/jaeger"
stamp="$out.go.sum.sha256"
want="$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -d' ' -f1)"

if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "install-jaeger: go is not installed (needed to build Jaeger v2)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
echo "install-jaeger: building jaeger (v1.76.0) into .tools/go/bin" >&2
(cd "$mod" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$out" github.com/jaegertracing/jaeger/cmd/jaeger)
echo "$want" > "$stamp"
