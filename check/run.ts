import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runToolAsync, tool, ToolResult } from "../e2e/tools";
import { synthesizeSpecs } from "../stacks/app";
import { crossFieldWarnings } from "../spec/checks";
import { EnvironmentError, environmentNames, loadEnvironment, Overrides, readOverrides } from "../spec/load";
import type { EnvironmentSpec } from "../spec/environment";
import { cacheKey, PassCache } from "./cache";
import { CHECK_TOOLS, planEnvironment, PlannedCheck, ToolJob } from "./plan";
import { inParallel } from "./pool";
import { ClosureFolder, RuleClosureError, writeRuleClosure } from "./rule-closure";

/**
 * `npm run check`: the user's own configuration (presets, the override file synth reads, the
 * CIVICPULSE_* variables) synthesized into a temporary folder exactly as `npm run synth` does, then
 * judged by the real programs, several at once. The folder is removed afterwards.
 */

export interface CheckOptions {
  readonly rootDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Only these environments (default: every environment synth writes). */
  readonly environments?: readonly string[];
  /** Tool processes at once. */
  readonly jobs: number;
  readonly cache: PassCache;
  /** Cross-field warnings fail the run too. */
  readonly strict: boolean;
  /** Per tool process. */
  readonly timeoutMs?: number;
  readonly progress?: (message: string) => void;
  /**
   * Rule tests load the whole rule files, as rendered (slower), instead of each test's rule closure
   * (check/rule-closure.ts).
   */
  readonly fullRuleFiles?: boolean;
}

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export interface CheckFailure {
  readonly subject: string;
  /** The command as a user would type it, in the folder npm run synth writes. */
  readonly command: string;
  readonly output: string;
}

export interface CheckResult {
  readonly environment: string;
  readonly name: string;
  readonly what: string;
  readonly status: CheckStatus;
  /** Warnings, the reason for a skip, or the message of a configuration that does not synthesize. */
  readonly notes: readonly string[];
  readonly failures: readonly CheckFailure[];
  /** Tool runs answered from the pass cache. */
  readonly cached: number;
}

export interface CheckReport {
  /** The override file read, when there is one. */
  readonly overridesFile?: string;
  readonly environments: readonly string[];
  readonly results: readonly CheckResult[];
}

const CONFIGURATION = "configuration (schema, cross-field checks, synth)";
const WARNINGS = "cross-field warnings";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Every tool the checks run, resolved before anything is synthesized: a missing one throws MissingToolError. */
export function requireCheckTools(): void {
  for (const name of CHECK_TOOLS) tool(name);
}

interface Synthesized {
  readonly spec: EnvironmentSpec;
  /** The environment's output folder (its cdktf.out). */
  readonly outdir: string;
  readonly rendered: string;
}

function synthesizeEnvironment(spec: EnvironmentSpec, work: string): Synthesized {
  const outdir = path.join(work, spec.name);
  const stacks = synthesizeSpecs([spec], outdir);
  const monitoring = stacks.find((s) => s.startsWith("monitoring-"));
  if (!monitoring) throw new Error(`synth produced no monitoring stack for ${spec.name} (stacks: ${stacks.join(", ")})`);
  return { spec, outdir, rendered: path.join(outdir, "stacks", monitoring, "rendered") };
}

interface Scheduled {
  readonly check: number;
  readonly job: ToolJob;
  readonly key?: string;
  readonly display: string;
}

/** What was synthesized and what is to run: the configuration's own results, and the planned tool checks. */
export interface Prepared {
  readonly overridesFile?: string;
  readonly environments: readonly string[];
  /** Configuration errors and cross-field warnings, per environment. */
  readonly results: CheckResult[];
  readonly planned: PlannedIn[];
}

/**
 * Loads and synthesizes each environment into its own folder under `work` (as npm run synth would
 * write cdktf.out), and plans its checks. An environment that does not load or synthesize is one
 * failed result with the message synth would print; the others are still checked.
 */
export function prepareChecks(options: Pick<CheckOptions, "rootDir" | "env" | "environments" | "strict" | "progress">, work: string): Prepared {
  const progress = options.progress ?? (() => undefined);
  const load = { rootDir: options.rootDir, env: options.env };
  let overrides: Overrides;
  try {
    overrides = readOverrides(load);
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    return { environments: [], results: [{ environment: "all", name: CONFIGURATION, what: "", status: "fail", notes: [e.message], failures: [], cached: 0 }], planned: [] };
  }
  const names = options.environments ?? environmentNames(overrides);
  const results: CheckResult[] = [];
  const planned: PlannedIn[] = [];
  for (const name of names) {
    progress(`synthesizing ${name}`);
    let synthesized: Synthesized;
    try {
      const spec = loadEnvironment(name, load, overrides);
      const warnings = crossFieldWarnings(spec);
      results.push({
        environment: name,
        name: WARNINGS,
        what: "",
        status: warnings.length === 0 ? "pass" : options.strict ? "fail" : "warn",
        notes: warnings,
        failures: [],
        cached: 0,
      });
      synthesized = synthesizeEnvironment(spec, work);
    } catch (e) {
      results.push({ environment: name, name: CONFIGURATION, what: "", status: "fail", notes: [message(e)], failures: [], cached: 0 });
      continue;
    }
    for (const check of planEnvironment(synthesized.spec, synthesized.rendered)) planned.push({ check, outdir: synthesized.outdir });
  }
  return { overridesFile: overrides.file, environments: names, results, planned };
}

export async function runChecks(options: CheckOptions): Promise<CheckReport> {
  requireCheckTools();
  const work = mkdtempSync(path.join(tmpdir(), "civicpulse-check-"));
  try {
    const prepared = prepareChecks(options, work);
    const results = [...prepared.results, ...(await executeChecks(prepared.planned, options))];
    const order = new Map(prepared.environments.map((n, i) => [n, i]));
    results.sort((a, b) => (order.get(a.environment) ?? 0) - (order.get(b.environment) ?? 0));
    return { overridesFile: prepared.overridesFile, environments: prepared.environments, results };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A check of one environment, with that environment's output folder (for the commands shown). */
export interface PlannedIn {
  readonly check: PlannedCheck;
  readonly outdir: string;
}

/**
 * Runs every job of every check in one queue, `jobs` at a time, longest first, and gives one result
 * per check with each failing job's own tool message.
 */
export async function executeChecks(
  planned: readonly PlannedIn[],
  options: Pick<CheckOptions, "jobs" | "cache" | "timeoutMs" | "progress" | "fullRuleFiles">,
): Promise<CheckResult[]> {
  const progress = options.progress ?? (() => undefined);
  const inClosure = (job: ToolJob) => job.ruleTest === true && !options.fullRuleFiles;
  const scheduled: Scheduled[] = planned.flatMap(({ check, outdir }, i) =>
    check.jobs.map((job) => ({
      check: i,
      job,
      // A pass on the closure is remembered apart from a pass on the whole files.
      key: job.cacheInputs && cacheKey(tool(job.tool), inClosure(job) ? [...job.args, "(rule closure)"] : job.args, job.cwd, job.cacheInputs),
      display: `(cd cdktf.out/${path.relative(outdir, job.cwd)} && ${job.tool} ${job.args.map(shellWord).join(" ")})`,
    })),
  );
  const fromCache = scheduled.filter((s) => s.key !== undefined && options.cache.has(s.key));
  const toRun = scheduled.filter((s) => !fromCache.includes(s)).sort((a, b) => b.job.weight - a.job.weight);
  progress(
    `running ${toRun.length} tool processes, ${options.jobs} at a time` +
      (fromCache.length ? ` (${fromCache.length} rule tests passed before on identical files: not rerun; --no-cache reruns them)` : ""),
  );
  const outcomes = await inParallel(toRun, options.jobs, async (s) => {
    const r = await (inClosure(s.job) ? runRuleTestInClosure(s.job, options.timeoutMs ?? 300_000) : runToolAsync(s.job.tool, s.job.args, s.job.cwd, options.timeoutMs ?? 300_000));
    const passed = r.code === 0 && !r.timedOut;
    if (passed && s.key) options.cache.add(s.key);
    return { s, passed, output: r.timedOut ? `${r.output}\n(killed after ${(options.timeoutMs ?? 300_000) / 1000} s)` : r.output };
  });
  options.cache.save();

  return planned.map(({ check }, i) => {
    const failures = outcomes
      .filter((o) => o.s.check === i && !o.passed)
      .map((o) => ({ subject: o.s.job.subject, command: o.s.display, output: o.output.trim() }))
      .sort((a, b) => a.subject.localeCompare(b.subject));
    const status: CheckStatus = check.skipped ? "skip" : failures.length ? "fail" : "pass";
    return {
      environment: check.environment,
      name: check.name,
      what: check.what,
      status,
      notes: check.skipped ? [check.skipped] : [],
      failures,
      cached: fromCache.filter((s) => s.check === i).length,
    };
  });
}

/**
 * `promtool test rules <testFile>` (relative to `dir`) against its rule closure, copied from the
 * files as they are when it starts (not when it was planned), in a temporary folder removed afterwards.
 */
export async function runRuleTestOnClosure(dir: string, testFile: string, timeoutMs: number, extraArgs: readonly string[] = []): Promise<ToolResult> {
  let closure: ClosureFolder;
  try {
    closure = writeRuleClosure(dir, testFile);
  } catch (e) {
    // A file that is not YAML, or a rule_files path out of the folder: promtool on the files as
    // they are says what is wrong in its own words. Anything else is a bug, and surfaces.
    if (!(e instanceof RuleClosureError)) throw e;
    return runToolAsync("promtool", ["test", "rules", ...extraArgs, testFile], dir, timeoutMs);
  }
  try {
    return await runToolAsync("promtool", ["test", "rules", ...extraArgs, closure.testFile], closure.cwd, timeoutMs);
  } finally {
    closure.remove();
  }
}

/** A planned rule test (`promtool test rules [flags] <file>`) on its closure. */
const runRuleTestInClosure = (job: ToolJob, timeoutMs: number) => runRuleTestOnClosure(job.cwd, job.args[job.args.length - 1], timeoutMs, job.args.slice(2, -1));

/** Quotes an argument for a POSIX shell when it needs it (route-test labels may hold spaces). */
export function shellWord(arg: string): string {
  return /^[A-Za-z0-9_./=,:@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
