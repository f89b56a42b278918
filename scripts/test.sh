#!/usr/bin/env bash
# The project's one test command (`npm test`): installs what the tests need if it is missing,
# compiles, then runs every jest suite, including the ones that drive promtool, amtool,
# blackbox_exporter, Prometheus, Alertmanager and the Pushgateway for real.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-tools.sh
npx tsc -p tsconfig.json
results="$(mktemp --suffix=.json)"
status=0
npx jest --ci --json --outputFile="$results" "$@" || status=$?
# One plain closing line for CI logs: "N passed, N failed".
node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$results" || true
rm -f "$results"
exit "$status"
