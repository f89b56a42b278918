#!/usr/bin/env node
/**
 * civicpulse monitoring diff: what a change does for the on-call engineer, per environment.
 *
 *   npx civicpulse-diff --base <git ref | output folder> [--head <output folder>] [--format markdown|json] [--out file]
 *   (or npm run --silent diff -- …: without --silent, npm prints its banner into stdout)
 *
 * The base is a synthesized output folder (cdktf.out) or a git ref, which is checked out into a
 * temporary `git worktree`, given this checkout's node_modules (a symlink: no install), and
 * synthesized with its own cdktf.json app command. The head is an output folder or, by default,
 * the current tree synthesized in-process. The comparison itself is the pure library in diff/.
 *
 * Exit codes: 0 no change, 2 changes, 1 error (bad flags, a side that does not synthesize, a
 * folder that is not an output folder). Contract: docs/pr-preview.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { composeComment, diffOutputs, DiffReport, loadSynthOutput, OutputFolderError, planSummary, prLabel, renderMarkdown } from "../diff";
import { DEFAULT_MAX_CHARS } from "../diff/markdown";
import { StackPlan } from "../diff/comment";
import { GITHUB_COMMENT_LIMIT } from "../diff/types";
import { repoRoot } from "../e2e/tools";
import { EnvironmentError, environmentNames, readOverrides } from "../spec/load";

export const EXIT = { noChanges: 0, error: 1, changes: 2 } as const;

export const USAGE = `Usage: civicpulse-diff --base <git ref | output folder> [flags]
       (npm run --silent diff -- --base … in this project)

Compares two synthesized outputs (alerts, recording rules, scrape jobs, Alertmanager routing,
dashboards, containers and every other resource) per environment.

  --base <ref|dir>     git ref (branch, tag, sha; synthesized in a temporary worktree) or a
                       synthesized output folder (with manifest.json)
  --head <dir>         synthesized output folder (default: synthesize the current tree)
  --format markdown|json   output format (default markdown: the PR comment)
  --out <file>         write the output there instead of stdout
  --max-chars <n>      size limit of the Markdown (default ${DEFAULT_MAX_CHARS}; GitHub's limit is ${GITHUB_COMMENT_LIMIT})
  --plans <dir>        append the cdktf plans found there (<stack>.txt, exit code in <stack>.exit)
  --report <file>      re-render a JSON report written earlier instead of diffing (with --plans)
  --label-out <file>   write the PR label (monitoring:no-changes|changes|replaces) to a file
  -h, --help           this text

Progress goes to stderr; stdout carries only the report.
Exit codes: 0 no change, 2 changes, 1 error.
`;

export class DiffCliError extends Error {}

export interface DiffArgs {
  readonly base?: string;
  readonly head?: string;
  readonly format: "markdown" | "json";
  readonly out?: string;
  readonly maxChars: number;
  readonly plans?: string;
  readonly report?: string;
  readonly labelOut?: string;
  readonly help: boolean;
}

export function parseDiffArgs(argv: readonly string[]): DiffArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        base: { type: "string" },
        head: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        "max-chars": { type: "string" },
        plans: { type: "string" },
        report: { type: "string" },
        "label-out": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new DiffCliError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const help = values.help === true;
  const format = (values.format as string | undefined) ?? "markdown";
  if (format !== "markdown" && format !== "json") throw new DiffCliError(`--format must be markdown or json (got ${JSON.stringify(format)})`);
  const maxCharsText = values["max-chars"] as string | undefined;
  const maxChars = maxCharsText === undefined ? DEFAULT_MAX_CHARS : Number(maxCharsText);
  if (!Number.isInteger(maxChars) || maxChars < 2000 || maxChars > GITHUB_COMMENT_LIMIT) {
    throw new DiffCliError(`--max-chars must be an integer from 2000 to ${GITHUB_COMMENT_LIMIT} (got ${JSON.stringify(maxCharsText)})`);
  }
  const base = values.base as string | undefined;
  const report = values.report as string | undefined;
  if (!help && !base && !report) throw new DiffCliError(`--base is required\n\n${USAGE}`);
  if (base && report) throw new DiffCliError("--base and --report exclude each other");
  if (report && values.head) throw new DiffCliError("--head has no meaning with --report");
  return {
    base,
    head: values.head as string | undefined,
    format,
    out: values.out as string | undefined,
    maxChars,
    plans: values.plans as string | undefined,
    report,
    labelOut: values["label-out"] as string | undefined,
    help,
  };
}

/** The folder with this package's package.json (works from cli/ under ts-node and from dist/cli/). */
export function packageRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new DiffCliError(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
  return { ok: r.status === 0 && !r.error, out };
}

const tail = (s: string, lines = 30) => s.trimEnd().split("\n").slice(-lines).join("\n");

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/**
 * Synthesizes a git ref in a temporary worktree and calls `use` with its output folder. The
 * worktree and the temporary folder are removed afterwards, also on error.
 */
export function withSynthesizedRef<T>(ref: string, use: (outdir: string, sha: string) => T, options: { cwd?: string; env?: NodeJS.ProcessEnv; progress?: Progress } = {}): T {
  const cwd = options.cwd ?? process.cwd();
  const pkg = packageRoot(cwd);
  const top = run("git", ["rev-parse", "--show-toplevel"], cwd);
  if (!top.ok) throw new DiffCliError(`--base ${ref}: not a folder, and ${cwd} is not in a git repository`);
  const repo = top.out.trim();
  const resolved = run("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], repo);
  if (!resolved.ok) throw new DiffCliError(`--base ${ref}: neither an output folder nor a git ref known to ${repo} (in CI, fetch with fetch-depth: 0)`);
  const sha = resolved.out.trim();
  const tmp = mkdtempSync(path.join(tmpdir(), "civicpulse-diff-base-"));
  const worktree = path.join(tmp, "worktree");
  const cleanup = () => {
    run("git", ["worktree", "remove", "--force", worktree], repo);
    rmSync(tmp, { recursive: true, force: true });
    run("git", ["worktree", "prune"], repo);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const added = run("git", ["worktree", "add", "--detach", "--quiet", worktree, sha], repo);
    if (!added.ok) throw new DiffCliError(`--base ${ref}: git worktree add failed:\n${tail(added.out)}`);
    const basePkg = path.join(worktree, path.relative(repo, pkg));
    if (!existsSync(path.join(basePkg, "package.json"))) throw new DiffCliError(`--base ${ref} (${sha.slice(0, 12)}) has no ${path.relative(repo, pkg) || "."}/package.json`);
    if (!existsSync(path.join(basePkg, "node_modules"))) symlinkSync(path.join(pkg, "node_modules"), path.join(basePkg, "node_modules"), "dir");
    const outdir = path.join(tmp, "out");
    const env = { ...(options.env ?? process.env), CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
    // The ref's own app command (cdktf.json), exactly what `cdktf synth` would run.
    let app = "npm run --silent synth";
    const cdktfJson = path.join(basePkg, "cdktf.json");
    if (existsSync(cdktfJson)) {
      const parsed = JSON.parse(readFileSync(cdktfJson, "utf8")) as { app?: unknown };
      if (typeof parsed.app === "string" && parsed.app.trim()) app = parsed.app;
    }
    const synth = step(options.progress, `synthesizing the base ${ref} (${sha.slice(0, 12)}) in a temporary git worktree`, () => run("sh", ["-c", app], basePkg, env));
    const produced = isDir(outdir) ? outdir : path.join(basePkg, "cdktf.out");
    if (!synth.ok || !existsSync(path.join(produced, "manifest.json"))) {
      throw new DiffCliError(`the base ${ref} (${sha.slice(0, 12)}) does not synthesize (\`${app}\` ${synth.ok ? "wrote no manifest.json" : "failed"}):\n${tail(synth.out)}`);
    }
    return use(produced, sha);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    cleanup();
  }
}

/** Synthesizes the current tree (this compiled code) into a temporary folder. */
export function withSynthesizedHead<T>(use: (outdir: string) => T, env: NodeJS.ProcessEnv = process.env, progress?: Progress): T {
  const tmp = mkdtempSync(path.join(tmpdir(), "civicpulse-diff-head-"));
  try {
    const outdir = path.join(tmp, "out");
    try {
      // Loaded lazily: --head and --report runs never need the stacks.
      const { synthesizeAll } = require("../stacks/app") as typeof import("../stacks/app");
      step(progress, "synthesizing the working tree", () => synthesizeAll({ rootDir: packageRoot(), env, outdir }));
    } catch (e) {
      throw new DiffCliError(`the head (current tree) does not synthesize:\n${(e as Error).message}`);
    }
    return use(outdir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `<stack>.txt` files of a folder, with `<stack>.exit` holding the exit code when present. */
export function readPlans(dir: string): StackPlan[] {
  if (!isDir(dir)) throw new DiffCliError(`--plans ${dir}: no such folder`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => {
      const stack = f.slice(0, -4);
      const exitFile = path.join(dir, `${stack}.exit`);
      const code = existsSync(exitFile) ? Number(readFileSync(exitFile, "utf8").trim()) : undefined;
      return { stack, text: readFileSync(path.join(dir, f), "utf8"), ...(code !== undefined && Number.isFinite(code) ? { exitCode: code } : {}) };
    });
}

function load(dir: string, side: "base" | "head") {
  try {
    return loadSynthOutput(dir);
  } catch (e) {
    if (e instanceof OutputFolderError) throw new DiffCliError(`--${side}: ${e.message}`);
    throw e;
  }
}

/** Where progress goes (stderr in the CLI, so stdout carries only the report). */
export type Progress = (line: string) => void;

/** Runs a slow step, reporting its start and how long it took. */
function step<T>(progress: Progress | undefined, what: string, f: () => T): T {
  const started = Date.now();
  progress?.(`civicpulse-diff: ${what}…\n`);
  const result = f();
  progress?.(`civicpulse-diff: ${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

/**
 * The deploy order the report lists environments in: the presets and the override file's declared
 * environments, as synth and the workflows read them. An unreadable override file is synth's error
 * to report; the report then falls back to the presets' order.
 */
function deployOrder(env: NodeJS.ProcessEnv): string[] | undefined {
  try {
    return environmentNames(readOverrides({ rootDir: repoRoot(), env }));
  } catch (e) {
    if (e instanceof EnvironmentError) return undefined;
    throw e;
  }
}

/** Builds the report for the given arguments (synthesizing what must be). */
export function buildReport(args: DiffArgs, options: { cwd?: string; env?: NodeJS.ProcessEnv; progress?: Progress } = {}): DiffReport {
  if (args.report) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(args.report, "utf8"));
    } catch (e) {
      throw new DiffCliError(`--report ${args.report}: ${(e as Error).message}`);
    }
    const r = parsed as Partial<DiffReport>;
    if (!r || r.schemaVersion !== 1 || !Array.isArray(r.environments)) throw new DiffCliError(`--report ${args.report}: not a diff report (schemaVersion 1)`);
    return r as DiffReport;
  }
  const base = args.base as string;
  const cwd = options.cwd ?? process.cwd();
  const progress = options.progress;
  const withHead = <T>(f: (head: ReturnType<typeof loadSynthOutput>, label: string) => T): T =>
    args.head
      ? f(load(args.head, "head"), args.head)
      : withSynthesizedHead((dir) => {
          const head = load(dir, "head");
          return step(progress, "comparing", () => f(head, "working tree"));
        }, options.env, progress);
  const order = deployOrder(options.env ?? process.env);
  const basePath = path.resolve(cwd, base);
  if (isDir(basePath)) {
    const baseOut = load(basePath, "base");
    return withHead((head, headLabel) => diffOutputs(baseOut, head, { base, head: headLabel }, order));
  }
  return withSynthesizedRef(
    base,
    (dir, sha) => {
      const baseOut = load(dir, "base");
      return withHead((head, headLabel) => diffOutputs(baseOut, head, { base: `${base} (${sha.slice(0, 12)})`, head: headLabel }, order));
    },
    { ...options, progress },
  );
}

/** Renders the output text for a report (and the plans, when given). */
export function renderOutput(report: DiffReport, args: DiffArgs, plans: readonly StackPlan[] = []): string {
  if (args.format === "json") {
    const extra = plans.length ? { plans: plans.map((p) => ({ stack: p.stack, ...planSummary(p) })), label: prLabel(report, plans) } : { label: prLabel(report, plans) };
    return `${JSON.stringify({ ...report, ...extra }, null, 2)}\n`;
  }
  const hint = `npm run diff -- --base ${report.base.split(" ")[0]} --format json`;
  return composeComment((max) => renderMarkdown(report, { maxChars: max, fullReportHint: hint }), plans, args.maxChars);
}

export function main(argv: readonly string[], io: { stdout: (s: string) => void; stderr: (s: string) => void } = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
}): number {
  try {
    const args = parseDiffArgs(argv);
    if (args.help) {
      io.stdout(USAGE);
      return EXIT.noChanges;
    }
    const report = buildReport(args, { progress: io.stderr });
    const plans = args.plans ? readPlans(args.plans) : [];
    const text = renderOutput(report, args, plans);
    if (args.out) {
      writeFileSync(args.out, text);
      io.stderr(`${report.changed ? `${report.summary.total} change(s)` : "no changes"}${report.summary.destructive.length ? `, ${report.summary.destructive.length} destroyed or replaced` : ""}; ${args.format} written to ${args.out}\n`);
    } else io.stdout(text);
    if (args.labelOut) writeFileSync(args.labelOut, `${prLabel(report, plans)}\n`);
    return report.changed ? EXIT.changes : EXIT.noChanges;
  } catch (e) {
    io.stderr(`monitoring diff failed: ${e instanceof DiffCliError ? e.message : ((e as Error).stack ?? String(e))}\n`);
    return EXIT.error;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
