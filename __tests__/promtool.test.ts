import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ALERTS } from "../rules/alert-catalog";
import { prometheusFiles, ruleContext } from "../stacks/monitoring-files";
import { builtInEnvironments, writeTree } from "./helpers/environments";
import { inParallel } from "../check/pool";
import { runTool, runToolAsync } from "./helpers/tools";

/**
 * Every environment's prometheus.yml, rule files and rule tests, judged by promtool 3.x itself.
 * The test files run in parallel (one promtool per file) to use both cores.
 */

const promtoolAsync = (args: string[], cwd: string) => runToolAsync("promtool", args, cwd, 120_000);

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
    const results = await inParallel(jobs, 2, (j) => promtoolAsync(["test", "rules", j.file], j.dir));
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

describe("the rule tests can fail", () => {
  const spec = builtInEnvironments().find((s) => s.name === "prod")!;
  const files = prometheusFiles(spec);

  test("a threshold changed in the rule file (not in the test) makes promtool test rules fail", async () => {
    const dir = writeTree(files, "civicpulse-mutant-");
    const alerting = path.join(dir, "alerting_rules.yml");
    const original = readFileSync(alerting, "utf8");
    const mutated = original.replace("job:civicpulse_requests_errors:ratio_rate5m > 0.05", "job:civicpulse_requests_errors:ratio_rate5m > 0.5");
    expect(mutated).not.toEqual(original);
    writeFileSync(alerting, mutated);
    const r = await promtoolAsync(["test", "rules", "tests/CivicPulseHighErrorRate.eval-1m.test.yml"], dir);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("CivicPulseHighErrorRate");
  });

  test("a recording rule with a wrong expression fails its expected-sample case", async () => {
    const dir = writeTree(files, "civicpulse-mutant-");
    const recording = path.join(dir, "recording_rules.yml");
    const original = readFileSync(recording, "utf8");
    const mutated = original.replace('{job="civicpulse-app",result="hit"}', '{job="civicpulse-app",result="miss"}');
    expect(mutated).not.toEqual(original);
    writeFileSync(recording, mutated);
    const testFile = readdirSync(path.join(dir, "tests")).find((f) => f.startsWith("recording_rules"))!;
    const r = await promtoolAsync(["test", "rules", path.join("tests", testFile)], dir);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("job:civicpulse_cache_hit:ratio_rate5m");
  });
});
