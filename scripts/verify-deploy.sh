#!/usr/bin/env bash
# `npm run verify:deploy`: installs what a real deploy needs (scripts/install-deploy-tools.sh),
# starts the private Docker Engine, builds the local images that are missing, runs the deploy
# harness (e2e/deploy: cdktf deploy, health, scenarios, day-2, destroy) and stops the engine by
# its PID. A missing engine, a failed provider build or a proxy refusal stops here with the step
# that failed and counts as a failure (`.verify/deploy-counts`), never as a skip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1
# cdktf-cli and terraform write temp files; keep them in a folder of our own, removed at the end.
export TMPDIR="$PWD/.tools/deploy-tmp"
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
mkdir -p .verify
echo "0 1" > .verify/deploy-counts

t0=$SECONDS
bash scripts/install-deploy-tools.sh
echo "verify-deploy: tools ready in $((SECONDS - t0)) s" >&2
[ -f dist/e2e/deploy/main.js ] || npx tsc -p tsconfig.json

started_engine=0
stop_engine() { [ "$started_engine" = 1 ] && bash scripts/deploy-engine.sh stop || true; rm -rf "$TMPDIR"; }
trap stop_engine EXIT
eval "export $(bash scripts/deploy-engine.sh start)"
started_engine=1

t1=$SECONDS
bash scripts/build-deploy-images.sh
echo "verify-deploy: images ready in $((SECONDS - t1)) s" >&2
node dist/e2e/deploy/main.js "$@"
