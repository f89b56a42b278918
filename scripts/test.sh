#!/usr/bin/env bash
# The project's one test command (`npm test`): installs what the tests need if it is missing,
# compiles, runs the real deploy (`npm run verify:deploy`), every jest suite (unit, snapshot, and
# the ones that drive promtool, amtool, blackbox_exporter, Prometheus, Alertmanager, the
# Pushgateway, terraform and Sloth for real) with, beside jest, the live end-to-end verification on
# the real Django app (`npm run verify` without its benchmark section) followed by the Django
# package's pytest suite; then the HA proof (`npm run verify:ha`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CHECKPOINT_DISABLE=1
# Tests must leave nothing in the temp folder: they run with a temp folder of their own, which is
# checked (and removed) at the end. Jest's transform cache lives in .tools/, not there.
test_tmp="$(mktemp -d "${TMPDIR:-/tmp}/civicpulse-test.XXXXXX")"
# Traversable by the service users the live run starts (PostgreSQL runs as postgres).
chmod 755 "$test_tmp"
# Removed however the script ends (a step failing under set -e included); the hygiene check below
# looks inside it first on a normal run.
trap 'rm -rf "$test_tmp"' EXIT
# An interrupted run still runs the EXIT trap (which stops the live phases, below).
trap 'exit 130' INT
trap 'exit 143' TERM
export TMPDIR="$test_tmp"
export V8_COMPILE_CACHE_CACHE_DIR="$PWD/.tools/v8-compile-cache"
[ -d node_modules ] || npm ci --no-audit --no-fund
# Thanos for the HA proof (built from the Go module proxy, cached in .tools/go/bin). A cold build
# takes minutes of CPU, so it runs beside the installs and tests that mostly wait (the deploy, the
# live runs) and is waited for just before the HA proof; its log is kept in .tools/.
if [ "$#" -eq 0 ]; then
  mkdir -p .tools
  bash scripts/install-thanos.sh > .tools/install-thanos.log 2>&1 &
  thanos_build=$!
fi
bash scripts/install-tools.sh
# Sloth for the SLO comparison test (built from the Go module proxy, cached in .tools/go/bin).
bash scripts/install-sloth.sh
npx tsc -p tsconfig.json
# Jest transpiles without type checking (isolatedModules), so the tests are type-checked here.
npx tsc -p tsconfig.test.json --noEmit

results="$(mktemp --suffix=.json)"
report=".verify/e2e-report.md"
status=0
# The real deploy (npm run verify:deploy); it also installs the provider the schema test needs.
deploy_passed=0; deploy_failed=0; if [ "$#" -eq 0 ]; then bash scripts/verify-deploy.sh --quiet || status=1; read -r deploy_passed deploy_failed < .verify/deploy-counts || deploy_failed=1; echo "verify:deploy: ${deploy_passed} passed, ${deploy_failed} failed (report: .verify/deploy-report.md)"; fi
# The live chain (verify, then the Django suite) mostly waits on the e2e clock's alert waits (40 s
# of CPU in 90 s) while jest keeps both cores busy, so it runs beside jest instead of after it; its
# output goes to files read back below, so the logs do not interleave. The HA proof runs after jest.
live_dir="$(mktemp -d)"
# run_live NAME OUT ERR CMD...: runs CMD with its output in OUT and ERR ("-": with OUT), keeps its
# PID while it runs (so an interrupted test run stops it, see stop_live) and writes its exit code
# to NAME-rc. The subshells inherit set -e, hence `wait ... || rc=$?`.
run_live() {
  local name="$1" out="$2" err="$3"; shift 3
  if [ "$err" = "-" ]; then "$@" > "$out" 2>&1 & else "$@" > "$out" 2> "$err" & fi
  local pid=$!
  echo "$pid" > "$live_dir/$name-pid"
  local rc=0
  wait "$pid" || rc=$?
  rm -f "$live_dir/$name-pid"
  echo "$rc" > "$live_dir/$name-rc"
}
# The chain's subshell first (so it starts nothing more), then the harnesses: SIGTERM makes a
# harness stop the programs it started (e2e/supervisor.ts) before it exits.
stop_live() {
  local f
  [ -n "${live_chain:-}" ] && kill "$live_chain" 2> /dev/null || true
  for f in "$live_dir"/*-pid; do [ -e "$f" ] && kill "$(cat "$f")" 2> /dev/null || true; done
}
trap 'stop_live; rm -rf "$test_tmp"' EXIT
if [ "$#" -eq 0 ]; then
  mkdir -p .verify
  (
    run_live verify /dev/null .verify/verify-log.txt node dist/scripts/verify.js --quiet --skip-benchmark --report "$report"
    run_live pytest "$live_dir/pytest-out" - node dist/scripts/test-django.js
  ) &
  live_chain=$!
fi

npx jest --ci --cacheDirectory=.tools/jest-cache --json --outputFile="$results" "$@" || status=$?
read -r jest_passed jest_failed < <(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests)' "$results" 2>/dev/null || echo "0 1")
rm -f "$results"

# A phase that wrote no exit code did not finish: it counts as failed.
rc_of() { [ -s "$live_dir/$1-rc" ] && cat "$live_dir/$1-rc" || echo 1; }

# The Django package's pytest suite (real PostgreSQL and Redis); like the live run, part of the full command.
pytest_passed=0
pytest_failed=0
# Jest given a file filter runs only part of the suite; the live run belongs to the full command.
verify_passed=0
verify_failed=0
# The HA proof (npm run verify:ha): a Prometheus pair, three Alertmanagers and a Thanos Receive
# hashring through four faults, on 127.0.0.1.
ha_passed=0
ha_failed=0
if [ "$#" -eq 0 ]; then
  wait "$live_chain" || true
  live_chain="" # done: nothing for stop_live to stop (its PID may be reused)
  [ "$(rc_of pytest)" -eq 0 ] || status=1
  cat "$live_dir/pytest-out" 2>/dev/null || true
  pytest_line=$(grep -E '^pytest: [0-9]+ passed, [0-9]+ failed$' "$live_dir/pytest-out" 2>/dev/null | tail -n 1 || true)
  read -r pytest_passed pytest_failed < <(echo "$pytest_line" | sed -E 's/^pytest: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
  [ -n "$pytest_passed" ] || { pytest_passed=0; pytest_failed=1; }

  [ "$(rc_of verify)" -eq 0 ] || { status=1; tail -n 30 .verify/verify-log.txt >&2; }
  counts=$(grep -oE '[0-9]+ of [0-9]+ scenarios passed' "$report" 2>/dev/null | head -n 1 || true)
  if [ -n "$counts" ]; then
    verify_passed=${counts%% of *}
    total=${counts#* of }; total=${total%% *}
    verify_failed=$((total - verify_passed))
  else
    verify_failed=1
  fi
  echo "verify: ${verify_passed} scenarios passed, ${verify_failed} failed (report: ${report})"

  # After jest, not beside it: its exactly-once check failed once in six runs beside jest (a peer's
  # second copy of a "resolved", 15 s after the first), so it keeps the machine to itself. Thanos
  # must be built first (instant on a warm machine).
  thanos_ok=0
  wait "$thanos_build" && thanos_ok=1
  if [ "$thanos_ok" -eq 1 ]; then
    run_live ha "$live_dir/ha-rows" .verify/ha-log.txt node dist/scripts/verify-ha.js
    [ "$(rc_of ha)" -eq 0 ] || status=1
    # One table row per fault, its last cell "yes" or "NO".
    ha_passed=$(grep -cE '^\| .* \| yes \|$' "$live_dir/ha-rows" || true)
    ha_failed=$(grep -cE '^\| .* \| NO \|$' "$live_dir/ha-rows" || true)
    [ "$ha_passed" -gt 0 ] || ha_failed=$((ha_failed + 1))
    grep -q 'Verdict: \*\*passed\*\*' "$live_dir/ha-rows" || { [ "$ha_failed" -gt 0 ] || ha_failed=1; tail -n 30 .verify/ha-log.txt >&2; }
  else
    echo "install-thanos failed (log: .tools/install-thanos.log):" >&2
    tail -n 20 .tools/install-thanos.log >&2
    ha_failed=1
    status=1
  fi
  echo "verify:ha: ${ha_passed} faults survived, ${ha_failed} failed (report: .verify/ha-report.md)"
fi
rm -rf "$live_dir"

hygiene_failed=0
leftovers="$(ls -A "$test_tmp")"
if [ -n "$leftovers" ]; then
  echo "test hygiene: the tests left $(echo "$leftovers" | wc -l) entries in the temp folder:" >&2
  echo "$leftovers" | head -n 20 | sed 's/^/  /' >&2
  hygiene_failed=1
  status=1
fi
rm -rf "$test_tmp"
echo "temp folder: $([ "$hygiene_failed" -eq 0 ] && echo "clean" || echo "NOT clean")"

echo "jest: ${jest_passed} passed, ${jest_failed} failed"
# One plain closing line for CI logs.
echo "$((jest_passed + verify_passed + pytest_passed + deploy_passed + ha_passed)) passed, $((jest_failed + verify_failed + pytest_failed + hygiene_failed + deploy_failed + ha_failed)) failed"
exit "$status"
