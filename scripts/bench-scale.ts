import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthesizeSpecs } from "../stacks/app";
import { deepMerge } from "../spec/load";
import { PRESETS } from "../spec/presets";
import { EnvironmentSpec, environmentSpecSchema } from "../spec/environment";
import { lineChart } from "./bench/svg";

/**
 * Synth cost as the work grows (`npm run bench:scale`): time and peak memory of one synth of
 * 1, 3, 10 and 30 environments, of one environment scraping 10, 100 and 1,000 app targets, and of
 * 10,000 targets (10 environments x 1,000: the schema caps a target list at 1,000).
 * Extra environments are the prod preset under another name (bench-01, ...), validated by the same
 * schema as the built-in ones; targets are host names that are never contacted.
 * Each point is a fresh `node` process (so peak RSS is that synth's), median of RUNS runs.
 *
 *   node dist/scripts/bench-scale.js [--runs 3] [--out DIR]     writes DIR/scale.{json,md,*.svg}
 */

const ENVIRONMENTS = [1, 3, 10, 30];
// The schema caps one target list at 1,000 entries, so 10,000 targets are 10 environments x 1,000.
const TARGETS = [10, 100, 1_000];
const SPREAD = { environments: 10, targets: 1_000 };

function specs(environments: number, targets: number | undefined): EnvironmentSpec[] {
  return Array.from({ length: environments }, (_, i) => {
    const name = `bench-${String(i + 1).padStart(2, "0")}`;
    const extra = targets === undefined ? {} : { targets: { app: Array.from({ length: targets }, (_, t) => `app-${t + 1}.bench.invalid:8000`) } };
    const r = environmentSpecSchema.safeParse(deepMerge(deepMerge(PRESETS.prod, { name }), extra));
    if (!r.success) throw new Error(`bench spec ${name} is invalid: ${r.error.message}`);
    return r.data;
  });
}

/** In the child: one synth, then its own figures on stdout. */
function child(environments: number, targets: number | undefined, outdir: string): void {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const stacks = synthesizeSpecs(specs(environments, targets), outdir);
  const used = process.cpuUsage(cpu);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = (used.user + used.system) / 1000;
  process.stdout.write(`${JSON.stringify({ stacks: stacks.length, synthMs: ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

interface Point {
  readonly environments: number;
  readonly targets: number | null;
  readonly stacks: number;
  /** Whole process: node start, module load, synth, write. */
  readonly wallMs: number;
  /** synthesizeSpecs alone, wall clock. */
  readonly synthMs: number;
  /** synthesizeSpecs alone, CPU time (user + system): what a shared machine's load distorts least. */
  readonly cpuMs: number;
  readonly maxRssMb: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function measure(environments: number, targets: number | undefined, runs: number): Point {
  const rows: Array<{ wallMs: number; synthMs: number; cpuMs: number; maxRssMb: number; stacks: number }> = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(path.join(tmpdir(), "civicpulse-bench-scale-"));
    try {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [__filename, "--child", String(environments), targets === undefined ? "-" : String(targets), path.join(out, "cdktf.out")], {
        encoding: "utf8",
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 0) throw new Error(`synth of ${environments} environments, ${targets ?? "default"} targets failed:\n${r.stderr}`);
      rows.push({ wallMs, ...JSON.parse(r.stdout.trim().split("\n").pop() as string) });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return {
    environments,
    targets: targets ?? null,
    stacks: rows[0].stacks,
    wallMs: median(rows.map((r) => r.wallMs)),
    synthMs: median(rows.map((r) => r.synthMs)),
    cpuMs: median(rows.map((r) => r.cpuMs)),
    maxRssMb: median(rows.map((r) => r.maxRssMb)),
  };
}

/** Least-squares line through the points and its R²: how straight the growth is. */
function fit(points: ReadonlyArray<readonly [number, number]>): { perUnit: number; intercept: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const perUnit = sxy / sxx;
  const intercept = my - perUnit * mx;
  const ssRes = points.reduce((s, p) => s + (p[1] - (intercept + perUnit * p[0])) ** 2, 0);
  const ssTot = points.reduce((s, p) => s + (p[1] - my) ** 2, 0);
  return { perUnit, intercept, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}

function main(argv: string[]): void {
  if (argv[0] === "--child") return child(Number(argv[1]), argv[2] === "-" ? undefined : Number(argv[2]), argv[3]);
  let runs = 3;
  let out = path.join(__dirname, "..", "..", ".bench");
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs") runs = Number(argv[++i]);
    else if (argv[i] === "--out") out = argv[++i];
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])} (use --runs N, --out DIR)`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: a positive integer");
  const byEnv = ENVIRONMENTS.map((n) => (process.stderr.write(`bench-scale: ${n} environments\n`), measure(n, undefined, runs)));
  const byTargets = TARGETS.map((t) => (process.stderr.write(`bench-scale: 1 environment, ${t} targets\n`), measure(1, t, runs)));
  process.stderr.write(`bench-scale: ${SPREAD.environments} environments, ${SPREAD.targets} targets each\n`);
  const spread = measure(SPREAD.environments, SPREAD.targets, runs);
  const envFit = fit(byEnv.map((p) => [p.environments, p.cpuMs]));
  const envMem = fit(byEnv.map((p) => [p.environments, p.maxRssMb]));
  const tFit = fit(byTargets.map((p) => [p.targets as number, p.cpuMs]));
  const tMem = fit(byTargets.map((p) => [p.targets as number, p.maxRssMb]));
  const md = [
    "| environments | app targets | stacks | synth CPU ms | CPU ms per environment | synth wall ms | process wall ms | peak RSS MB |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...byEnv.map(
      (p) =>
        `| ${p.environments} | default (1) | ${p.stacks} | ${p.cpuMs.toFixed(0)} | ${(p.cpuMs / p.environments).toFixed(0)} | ${p.synthMs.toFixed(0)} | ${p.wallMs.toFixed(0)} | ${p.maxRssMb.toFixed(0)} |`,
    ),
    ...[...byTargets, spread].map(
      (p) =>
        `| ${p.environments} | ${p.targets} each | ${p.stacks} | ${p.cpuMs.toFixed(0)} | ${p.environments > 1 ? (p.cpuMs / p.environments).toFixed(0) : ""} | ${p.synthMs.toFixed(0)} | ${p.wallMs.toFixed(0)} | ${p.maxRssMb.toFixed(0)} |`,
    ),
    "",
    `Linear fits (least squares): synth CPU time ${envFit.perUnit.toFixed(0)} ms per environment + ${envFit.intercept.toFixed(0)} ms (R² ${envFit.r2.toFixed(4)}), ` +
      `peak memory ${envMem.perUnit.toFixed(1)} MB per environment + ${envMem.intercept.toFixed(0)} MB (R² ${envMem.r2.toFixed(4)}); ` +
      `synth CPU time ${(tFit.perUnit * 1000).toFixed(1)} ms per 1,000 targets + ${tFit.intercept.toFixed(0)} ms (R² ${tFit.r2.toFixed(4)}), ` +
      `peak memory ${(tMem.perUnit * 1000).toFixed(1)} MB per 1,000 targets + ${tMem.intercept.toFixed(0)} MB (R² ${tMem.r2.toFixed(4)}).`,
    "",
  ].join("\n");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "scale.json"), `${JSON.stringify({ runs, byEnvironments: byEnv, byTargets, spread, fits: { envFit, envMem, tFit, tMem } }, null, 2)}\n`);
  writeFileSync(path.join(out, "scale.md"), md);
  writeFileSync(
    path.join(out, "scale-environments.svg"),
    lineChart({
      title: "Synth as environments grow (2 stacks each)",
      xLabel: "environments",
      yLabel: "ms / MB",
      series: [
        { name: "synth CPU time, ms", points: byEnv.map((p) => [p.environments, p.cpuMs]) },
        { name: "peak RSS, MB", points: byEnv.map((p) => [p.environments, p.maxRssMb]) },
      ],
    }),
  );
  writeFileSync(
    path.join(out, "scale-targets.svg"),
    lineChart({
      title: "Synth of one environment as app targets grow",
      xLabel: "app scrape targets",
      yLabel: "ms / MB",
      series: [
        { name: "synth CPU time, ms", points: byTargets.map((p) => [p.targets as number, p.cpuMs]) },
        { name: "peak RSS, MB", points: byTargets.map((p) => [p.targets as number, p.maxRssMb]) },
      ],
    }),
  );
  process.stdout.write(md);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bench-scale: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
