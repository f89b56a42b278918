#!/usr/bin/env bash
# `npm run verify`: the live proofs, one after the other: the single-stack proof on the real Django
# app (scripts/verify.ts; its flags are passed through: --report, --skip-benchmark, --quiet), then
# the HA proof (scripts/verify-ha.ts, report in .verify/ha-report.md). The HA proof runs after a
# failed single-stack proof too (exit 1), not after a usage error or a harness that could not run
# (exit 2); the exit code is the first failure's. `npm test` runs the two itself, to count them apart.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-thanos.sh || exit 2
npx tsc -p tsconfig.json || exit 2
node dist/scripts/verify.js "$@"
single=$?
[ "$single" -eq 2 ] && exit 2
node dist/scripts/verify-ha.js
ha=$?
[ "$single" -ne 0 ] && exit "$single"
exit "$ha"
