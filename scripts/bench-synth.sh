#!/usr/bin/env bash
# Synth benchmark (docs/benchmarks.md): times, side by side in one hyperfine run,
#   (a) the app itself:  `node dist/main.js` (after `npx tsc -p tsconfig.json`), and
#   (b) the same app through stock `cdktf synth` with the ts-node entry point
#       (cdktf.json "app": "npx ts-node main.ts"), run with cdktf-cli 0.21.0.
# Fails (exit 1) when (a)'s median is over 1 s or the ratio median(b) / median(a) is below 3.
# Everything it makes stays in the git-ignored .bench/ folder; the repo's cdktf.json and
# cdktf.out/ are not touched. Rerunnable: cdktf-cli is installed only when missing.
#
# Usage: bash scripts/bench-synth.sh   (RUNS=N to change the run count, default 10)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
BENCH="$ROOT/.bench"
CDKTF_VERSION="0.21.0"
CLI_DIR="$BENCH/cdktf-cli"
CDKTF="$CLI_DIR/node_modules/.bin/cdktf"
TSNODE_APP="$BENCH/tsnode-app"
APP_OUT="$BENCH/app.out"
RUNS="${RUNS:-10}"
MAX_APP_MEDIAN_S=1
MIN_RATIO=3
STACKS=(monitoring-dev monitoring-staging monitoring-prod)

# Same environment for both commands: no Terraform checkpoint calls, no (missing) CLI config
# file, and no CDKTF_OUTDIR from the caller (cdktf-cli sets its own for (b)).
export CHECKPOINT_DISABLE=1
unset TF_CLI_CONFIG_FILE CDKTF_OUTDIR

command -v hyperfine >/dev/null || { echo "bench-synth: hyperfine not found (apt-get install hyperfine)" >&2; exit 2; }
[ -d node_modules ] || { echo "bench-synth: node_modules missing, run npm ci first" >&2; exit 2; }
mkdir -p "$BENCH"

# 1. cdktf-cli, exact version, into .bench/ only (not a project dependency; ~420 MB).
installed_version() {
  node -p "require(process.argv[1]).version" "$CLI_DIR/node_modules/cdktf-cli/package.json" 2>/dev/null || true
}
if [ -x "$CDKTF" ] && [ "$(installed_version)" = "$CDKTF_VERSION" ]; then
  echo "== cdktf-cli $CDKTF_VERSION already in .bench/cdktf-cli"
else
  echo "== installing cdktf-cli@$CDKTF_VERSION into .bench/cdktf-cli (first run only)"
  rm -rf "$CLI_DIR"
  npm install --prefix "$CLI_DIR" --no-save --no-audit --no-fund "cdktf-cli@$CDKTF_VERSION"
  [ "$(installed_version)" = "$CDKTF_VERSION" ] || { echo "bench-synth: cdktf-cli install failed" >&2; exit 2; }
fi

# 2. (a) compiled once, as `npm run synth` does. Its output goes to .bench/app.out (through
#    CDKTF_OUTDIR, which main.ts honours) so the repo's cdktf.out/ is left alone.
echo "== npx tsc -p tsconfig.json"
npx tsc -p tsconfig.json

# 3. (b) a throwaway copy of the project whose cdktf.json runs ts-node. Symlinks to the real
#    sources: Node resolves them to their real paths, so ts-node compiles the repo's own .ts files
#    and everything loads from the repo's node_modules (one copy of cdktf/constructs).
echo "== laying out .bench/tsnode-app"
rm -rf "$TSNODE_APP"
mkdir -p "$TSNODE_APP"
for f in main.ts stacks rules constructs dashboards cli .gen node_modules tsconfig.json package.json; do
  [ -e "$ROOT/$f" ] || { echo "bench-synth: $f missing from the project" >&2; exit 2; }
  ln -s "$ROOT/$f" "$TSNODE_APP/$f"
done
cat >"$TSNODE_APP/cdktf.json" <<'EOF'
{
  "language": "typescript",
  "app": "npx ts-node main.ts",
  "output": "cdktf.out",
  "projectId": "civicpulse-monitoring-bench",
  "sendCrashReports": "false",
  "terraformProviders": [],
  "terraformModules": [],
  "context": {}
}
EOF

# 4. Both must really synthesize all three stacks before anything is timed.
check_stacks() { # $1 = label, $2 = output folder
  local missing=0
  for s in "${STACKS[@]}"; do
    [ -s "$2/stacks/$s/cdk.tf.json" ] || { echo "bench-synth: $1 did not write $2/stacks/$s/cdk.tf.json" >&2; missing=1; }
  done
  [ "$missing" = 0 ] || exit 1
}
echo "== checking that both commands synthesize ${STACKS[*]}"
rm -rf "$APP_OUT" "$TSNODE_APP/cdktf.out"
CDKTF_OUTDIR="$APP_OUT" node dist/main.js
check_stacks "node dist/main.js" "$APP_OUT"
if ! (cd "$TSNODE_APP" && "$CDKTF" synth >"$BENCH/tsnode-check.log" 2>&1); then
  tail -n 40 "$BENCH/tsnode-check.log" >&2
  echo "bench-synth: cdktf synth (ts-node) failed, log in .bench/tsnode-check.log" >&2
  exit 1
fi
check_stacks "cdktf synth (ts-node)" "$TSNODE_APP/cdktf.out"
echo "   ok: 3 stacks from each"

# 5. One hyperfine run, both commands side by side.
echo "== hyperfine --warmup 1 --runs $RUNS"
hyperfine --warmup 1 --runs "$RUNS" \
  --export-json "$BENCH/synth.json" --export-markdown "$BENCH/synth.md" \
  --command-name "app: node dist/main.js" "CDKTF_OUTDIR='$APP_OUT' node dist/main.js" \
  --command-name "cdktf synth (ts-node)" "cd '$TSNODE_APP' && '$CDKTF' synth"

# Outputs still complete after the timed runs.
check_stacks "node dist/main.js" "$APP_OUT"
check_stacks "cdktf synth (ts-node)" "$TSNODE_APP/cdktf.out"

# 6. Medians (of hyperfine's `times`), ratio, verdict.
echo
echo "== result (.bench/synth.json, .bench/synth.md)"
cat "$BENCH/synth.md"
echo
node - "$BENCH/synth.json" "$MAX_APP_MEDIAN_S" "$MIN_RATIO" <<'EOF'
const [file, maxApp, minRatio] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const { results } = require(file);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const [app, tsnode] = results.map((r) => ({ name: r.command, n: r.times.length, median: median(r.times), min: Math.min(...r.times), max: Math.max(...r.times) }));
for (const r of [app, tsnode]) {
  console.log(`${r.name.padEnd(24)} median ${r.median.toFixed(3)} s  (min ${r.min.toFixed(3)} s, max ${r.max.toFixed(3)} s, ${r.n} runs)`);
}
const ratio = tsnode.median / app.median;
console.log(`ratio (cdktf synth with ts-node / app) ${ratio.toFixed(2)}x`);
const why = [];
if (app.median > maxApp) why.push(`app median ${app.median.toFixed(3)} s is over the ${maxApp} s target`);
if (ratio < minRatio) why.push(`ratio ${ratio.toFixed(2)}x is below the ${minRatio}x target`);
if (why.length) {
  for (const w of why) console.error(`FAIL: ${w}`);
  process.exit(1);
}
console.log(`PASS: app median <= ${maxApp} s and ratio >= ${minRatio}x`);
EOF
