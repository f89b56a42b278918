#!/usr/bin/env bash
# The project's one test command (`npm test`): installs what the tests need if it is missing,
# compiles, runs every jest suite (unit, snapshot, and the ones that drive promtool, amtool,
# blackbox_exporter, Prometheus, Alertmanager and the Pushgateway for real), then the live
# end-to-end verification (`npm run verify` without its benchmark section).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-tools.sh
npx tsc -p tsconfig.json

results="$(mktemp --suffix=.json)"
report=".verify/e2e-report.md"
status=0
npx jest --ci --json --outputFile="$results" "$@" || status=$?
read -r jest_passed jest_failed < <(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests)' "$results" 2>/dev/null || echo "0 1")
rm -f "$results"

# Jest given a file filter runs only part of the suite; the live run belongs to the full command.
verify_passed=0
verify_failed=0
if [ "$#" -eq 0 ]; then
  mkdir -p .verify
  if node dist/scripts/verify.js --quiet --skip-benchmark --report "$report" > /dev/null; then :; else status=1; fi
  counts=$(grep -oE '[0-9]+ of [0-9]+ scenarios passed' "$report" 2>/dev/null | head -n 1 || true)
  if [ -n "$counts" ]; then
    verify_passed=${counts%% of *}
    total=${counts#* of }; total=${total%% *}
    verify_failed=$((total - verify_passed))
  else
    verify_failed=1
  fi
  echo "verify: ${verify_passed} scenarios passed, ${verify_failed} failed (report: ${report})"
fi

echo "jest: ${jest_passed} passed, ${jest_failed} failed"
# One plain closing line for CI logs.
echo "$((jest_passed + verify_passed)) passed, $((jest_failed + verify_failed)) failed"
exit "$status"
