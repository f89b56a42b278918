import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ALERTS } from "../rules/alert-catalog";
import { prometheusFiles, ruleContext } from "../stacks/monitoring-files";
import { builtInEnvironments, writeTree } from "./helpers/environments";
import { inParallel } from "../check/pool";
import { runTool, runToolAsync } from "./helpers/tools";
import { runRuleTestOnClosure } from "../check/run";

/**
 * Every environment's prometheus.yml, rule files and rule tests, judged by promtool 3.x itself.
 * The test files run in parallel (one promtool per file) to use both cores, each against its rule
 * closure (check/rule-closure.ts: the rules it can observe, copied from the rendered files), as
 * `npm run check` runs them; the last describe shows the closure and the whole files agree.
 */

const promtoolAsync = (args: string[], cwd: string) => runToolAsync("promtool", args, cwd, 120_000);
const testOnClosure = (dir: string, file: string) => runRuleTestOnClosure(dir, file, 120_000);

const environments = builtInEnvironments().map((spec) => ({ spec, dir: writeTree(prometheusFiles(spec), `civicpulse-promtool-${spec.name}-`) }));
afterAll(() => environments.forEach((e) => rmSync(e.dir, { recursive: true, force: true })));

/**
 * Every environment's test files in one queue of two promtool processes (both cores), largest file
 * first: the longest cases (a day of audit baseline, a week of history) start at once instead of
 * finishing last, alone, at the end of their environment's batch.
 */
let allCases: Promise<Map<string, { code: number | null; output: string }>> | undefined;
function runAllCases() {
  allCases ??= (async () => {
    const jobs = environments.flatMap(({ spec, dir }) =>
      readdirSync(path.join(dir, "tests"))
        .filter((f) => f.endsWith(".test.yml"))
        .map((f) => ({ key: `${spec.name}/${f}`, dir, file: path.join("tests", f), size: statSync(path.join(dir, "tests", f)).size })),
    );
    jobs.sort((a, b) => b.size - a.size || a.key.localeCompare(b.key));
    const results = await inParallel(jobs, 2, (j) => testOnClosure(j.dir, j.file));
    return new Map(jobs.map((j, i) => [j.key, results[i]]));
  })();
  return allCases;
}

describe.each(environments.map((e) => [e.spec.name, e] as const))("promtool on the %s environment", (_name, { spec, dir }) => {
  test("tool is Prometheus 3.x", () => {
    const r = runTool("promtool", ["--version"]);
    expect(r.stdout + r.stderr).toMatch(/promtool, version 3\./);
  });

  test("promtool check config accepts prometheus.yml and the rule files it names", () => {
    const r = runTool("promtool", ["check", "config", "prometheus.yml"], { cwd: dir });
    expect(r.stderr + r.stdout).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  test("promtool check rules accepts both rule files", () => {
    const r = runTool("promtool", ["check", "rules", "recording_rules.yml", "alerting_rules.yml"], { cwd: dir });
    expect(r.status).toBe(0);
  });

  test("every alert's and recording rule's promtool cases pass", async () => {
    const files = readdirSync(path.join(dir, "tests")).filter((f) => f.endsWith(".test.yml"));
    const alertNames = ALERTS.filter((m) => m.knobs(ruleContext(spec)).enabled).map((m) => m.name);
    for (const a of alertNames) expect(files.some((f) => f.startsWith(`${a}.`))).toBe(true);
    const all = await runAllCases();
    const failures = files.map((f) => ({ file: f, ...all.get(`${spec.name}/${f}`)! })).filter((r) => r.code !== 0);
    expect(failures.map((f) => `${f.file}:\n${f.output}`)).toEqual([]);
    // The SLO burn-rate cases span days of samples, and the first environment's test waits for the
    // whole queue: minutes on a busy machine.
  }, 600_000);
});

/** The same test file on the whole rendered rule files and on its closure: [whole, closure]. */
const bothWays = (dir: string, file: string) => Promise.all([promtoolAsync(["test", "rules", file], dir), testOnClosure(dir, file)]);
const codes = (rs: ReadonlyArray<{ code: number | null }>) => rs.map((r) => r.code === 0);

function mutant(files: Map<string, string>, file: string, from: string, to: string): string {
  const dir = writeTree(files, "civicpulse-mutant-");
  const original = readFileSync(path.join(dir, file), "utf8");
  const mutated = original.replace(from, to);
  expect(mutated).not.toEqual(original);
  writeFileSync(path.join(dir, file), mutated);
  return dir;
}

describe("the rule tests can fail, on the whole rule files and on the closure alike", () => {
  const spec = builtInEnvironments().find((s) => s.name === "prod")!;
  const files = prometheusFiles(spec);
  const mutate = (file: string, from: string, to: string) => mutant(files, file, from, to);

  test("a threshold changed in the rule file (not in the test) makes promtool test rules fail", async () => {
    const dir = mutate("alerting_rules.yml", "job:civicpulse_requests_errors:ratio_rate5m > 0.05", "job:civicpulse_requests_errors:ratio_rate5m > 0.5");
    const rs = await bothWays(dir, "tests/CivicPulseHighErrorRate.eval-1m.test.yml");
    expect(codes(rs)).toEqual([false, false]);
    for (const r of rs) expect(r.output).toContain("CivicPulseHighErrorRate");
  });

  test("a recording rule with a wrong expression fails its expected-sample case", async () => {
    const dir = mutate("recording_rules.yml", '{job="civicpulse-app",result="hit"}', '{job="civicpulse-app",result="miss"}');
    const testFile = readdirSync(path.join(dir, "tests")).find((f) => f.startsWith("recording_rules"))!;
    const rs = await bothWays(dir, path.join("tests", testFile));
    expect(codes(rs)).toEqual([false, false]);
    for (const r of rs) expect(r.output).toContain("job:civicpulse_cache_hit:ratio_rate5m");
  }, 120_000);

  test("a recorded series read only by an annotation's query template is in the closure: breaking it fails the alert's case", async () => {
    // The fast-burn alert's expression never names the 30-day budget; its annotation queries it.
    const dir = mutate(
      "recording_rules.yml",
      "expr: 1 - (1 - avg_over_time(instance:probe_success:avg_over_time30m[30d])) / 0.001",
      "expr: 1 - (1 - avg_over_time(instance:probe_success:avg_over_time30m[30d])) / 0.002",
    );
    const rs = await bothWays(dir, "tests/CivicPulseHealthProbesFastBurn.eval-4m.test.yml");
    expect(codes(rs)).toEqual([false, false]);
    for (const r of rs) expect(r.output).toContain("error_budget_remaining");
  }, 300_000);

  test("an alert that reads ALERTS sees every other alert in the closure: one that fires when it should not fails its case", async () => {
    // RedisDown made to fire always: its ALERTS series reaches the escalation alert, which then fires for it.
    const dir = mutate("alerting_rules.yml", "expr: redis_up == 0", "expr: vector(1)");
    const rs = await bothWays(dir, "tests/CriticalAlertUnresolved.test.yml");
    expect(codes(rs)).toEqual([false, false]);
  }, 300_000);

  test("unchanged, the same files pass both ways", async () => {
    const dir = writeTree(files, "civicpulse-closure-");
    for (const f of ["tests/CivicPulseHighErrorRate.eval-1m.test.yml", "tests/CriticalAlertUnresolved.test.yml", "tests/RedisDown.test.yml"]) {
      const rs = await bothWays(dir, f);
      expect({ f, ok: codes(rs), out: rs.filter((r) => r.code !== 0).map((r) => r.output) }).toEqual({ f, ok: [true, true], out: [] });
    }
  }, 300_000);
});
