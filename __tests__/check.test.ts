/**
 * `npm run check` on the real tools: what it plans for a synthesized environment, that each of its
 * checks passes on a good configuration and fails, with the tool's own message, when the file that
 * tool reads is broken, and that the pass cache never hides a changed file.
 *
 * The slow rule tests (days of samples) are left out of the plan here: promtool.test.ts runs every
 * one of them on every preset, and new-user.test.ts runs the whole check through the real bin.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { NO_CACHE, openPassCache } from "../check/cache";
import { executeChecks, PlannedIn, prepareChecks, runRuleTestOnClosure } from "../check/run";
import { MissingToolError, tool } from "../e2e/tools";
import { tempDir } from "./helpers/temp";

/** Small rule tests that exercise the same path as the slow ones. */
const QUICK_RULE_TESTS = ["tests/RedisDown.test.yml", "tests/CivicPulseHighErrorRate.eval-1m.test.yml", "tests/Watchdog.test.yml"];
const quick = (planned: readonly PlannedIn[]): PlannedIn[] =>
  planned.map((p) => (p.check.name === "promtool test rules" ? { ...p, check: { ...p.check, jobs: p.check.jobs.filter((j) => QUICK_RULE_TESTS.includes(j.subject)) } } : p));

function prepare(overrides?: string, environments: string[] = ["prod"]) {
  const root = tempDir("civicpulse-check-root-");
  if (overrides !== undefined) writeFileSync(path.join(root, "monitoring.overrides.yaml"), overrides);
  const work = tempDir("civicpulse-check-work-");
  return { root, ...prepareChecks({ rootDir: root, env: {}, environments, strict: false }, work) };
}

const rendered = (p: PlannedIn, ...rel: string[]) => path.join(p.outdir, "stacks", `monitoring-${p.check.environment}`, "rendered", ...rel);

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

describe("the prod preset", () => {
  const prepared = prepare();
  const planned = quick(prepared.planned);

  test("plans every check the brief names, with every route case and every rule test file", () => {
    expect(prepared.results).toEqual([expect.objectContaining({ environment: "prod", name: "cross-field warnings", status: "pass" })]);
    expect(prepared.planned.map((p) => p.check.name)).toEqual([
      "promtool check config",
      "promtool check rules",
      "promtool test rules",
      "amtool check-config",
      "amtool config routes test",
      "blackbox_exporter --config.check",
    ]);
    const ruleTests = prepared.planned.find((p) => p.check.name === "promtool test rules")!;
    expect(ruleTests.check.jobs.length).toBeGreaterThan(QUICK_RULE_TESTS.length);
    expect(ruleTests.check.what).toBe(`${ruleTests.check.jobs.length} files`);
    // Each rule test is cached on its own bytes and on the rule files it loads.
    for (const job of ruleTests.check.jobs) expect(job.cacheInputs!.map((f) => path.basename(f))).toEqual([path.basename(job.subject), "recording_rules.yml", "alerting_rules.yml"]);
  });

  test("passes every check (real promtool, amtool, blackbox_exporter)", async () => {
    const results = await executeChecks(planned, { jobs: 2, cache: NO_CACHE });
    expect(results.map((r) => ({ name: r.name, status: r.status, failures: r.failures }))).toEqual(planned.map((p) => ({ name: p.check.name, status: "pass", failures: [] })));
  }, 120_000);

  test("each check fails, with the tool's own message, when its file is broken", async () => {
    const { planned: broken } = prepare();
    const some = quick(broken);
    edit(rendered(some[0], "prometheus", "alerting_rules.yml"), "job:civicpulse_requests_errors:ratio_rate5m > 0.05", "job:civicpulse_requests_errors:ratio_rate5m > 0.5");
    edit(rendered(some[0], "alertmanager", "alertmanager.yml"), "receiver: pager", "receiver: no-such-receiver");
    edit(rendered(some[0], "blackbox-exporter", "config.yml"), "modules:", "retries: 3\nmodules:");
    edit(rendered(some[0], "prometheus", "prometheus.yml"), "scrape_configs:", "scrape_configs:\n  - job_name: broken\n    scrape_interval: soon");
    const results = await executeChecks(some, { jobs: 2, cache: NO_CACHE });
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(Object.fromEntries(results.map((r) => [r.name, r.status]))).toEqual({
      "promtool check config": "fail",
      "promtool check rules": "pass",
      "promtool test rules": "fail",
      "amtool check-config": "fail",
      "amtool config routes test": "fail",
      "blackbox_exporter --config.check": "fail",
    });
    expect(by["promtool check config"].failures[0].output).toMatch(/soon/);
    expect(by["promtool test rules"].failures.map((f) => f.subject)).toEqual(["tests/CivicPulseHighErrorRate.eval-1m.test.yml"]);
    expect(by["promtool test rules"].failures[0].output).toContain("CivicPulseHighErrorRate");
    expect(by["promtool test rules"].failures[0].command).toBe(
      "(cd cdktf.out/stacks/monitoring-prod/rendered/prometheus && promtool test rules tests/CivicPulseHighErrorRate.eval-1m.test.yml)",
    );
    expect(by["amtool check-config"].failures[0].output).toContain("no-such-receiver");
    expect(by["blackbox_exporter --config.check"].failures[0].output).toMatch(/field retries not found/);
  }, 120_000);

  test("a remembered pass is reused for identical files and never for a changed rule file", async () => {
    const { planned: fresh } = prepare();
    const one = quick(fresh)
      .filter((p) => p.check.name === "promtool test rules")
      .map((p) => ({ ...p, check: { ...p.check, jobs: p.check.jobs.filter((j) => j.subject === "tests/CivicPulseHighErrorRate.eval-1m.test.yml") } }));
    const cache = openPassCache(path.join(tempDir("civicpulse-check-cache-"), "passes.json"));
    const first = await executeChecks(one, { jobs: 1, cache });
    expect(first.map((r) => [r.status, r.cached])).toEqual([["pass", 0]]);
    const again = await executeChecks(one, { jobs: 1, cache });
    expect(again.map((r) => [r.status, r.cached])).toEqual([["pass", 1]]);
    // A pass on the rule closure is not taken for a pass on the whole rule files.
    const whole = await executeChecks(one, { jobs: 1, cache, fullRuleFiles: true });
    expect(whole.map((r) => [r.status, r.cached])).toEqual([["pass", 0]]);
    edit(rendered(one[0], "prometheus", "alerting_rules.yml"), "job:civicpulse_requests_errors:ratio_rate5m > 0.05", "job:civicpulse_requests_errors:ratio_rate5m > 0.5");
    const changed = await executeChecks(one, { jobs: 1, cache });
    expect(changed.map((r) => [r.status, r.cached])).toEqual([["fail", 0]]);
  }, 120_000);
});

test("a rule file the closure cannot read is left to promtool, whose own message names it", async () => {
  const dir = tempDir("civicpulse-check-broken-rules-");
  mkdirSync(path.join(dir, "tests"));
  writeFileSync(path.join(dir, "tests", "x.test.yml"), "rule_files:\n  - ../r.yml\ntests:\n  - input_series: []\n    promql_expr_test:\n      - expr: vector(1)\n        eval_time: 1m\n        exp_samples:\n          - value: 1\n");
  writeFileSync(path.join(dir, "r.yml"), "groups: [\n");
  const r = await runRuleTestOnClosure(dir, "tests/x.test.yml", 30_000);
  expect(r.code).not.toBe(0);
  expect(r.output).toMatch(/r\.yml/);
});

describe("configurations that do not get as far as the tools", () => {
  test("an invalid environment is one failed line with synth's message; the others are still checked", () => {
    const { results, planned } = prepare("prod:\n  alerts:\n    RedisDown:\n      for: soon\n", ["dev", "prod"]);
    const failed = results.filter((r) => r.status === "fail");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ environment: "prod", name: "configuration (schema, cross-field checks, synth)" });
    expect(failed[0].notes[0]).toMatch(/^environment prod is invalid:\n {2}- alerts\.RedisDown\.for: not a duration: "soon"/);
    expect(new Set(planned.map((p) => p.check.environment))).toEqual(new Set(["dev"]));
  });

  test("an override file synth refuses fails the whole check with its message", () => {
    const { results, planned } = prepare("nosuchenv:\n  team: x\n");
    expect(planned).toEqual([]);
    expect(results).toEqual([expect.objectContaining({ environment: "all", status: "fail", notes: [expect.stringContaining('unknown environment "nosuchenv"')] })]);
  });

  test("a disabled service's check is skipped, saying why", () => {
    const { planned } = prepare("prod:\n  services:\n    blackboxExporter:\n      enabled: false\n");
    expect(planned.find((p) => p.check.name === "blackbox_exporter --config.check")!.check).toMatchObject({ jobs: [], skipped: "services.blackboxExporter.enabled is false" });
  });

  test("a missing tool is an error that says npm run tools installs it", () => {
    expect(() => tool("no-such-tool")).toThrow(MissingToolError);
    expect(() => tool("no-such-tool")).toThrow(/required tool no-such-tool is missing at .*; run `npm run tools` \(it installs no-such-tool into \.tools\/\)/);
  });
});
