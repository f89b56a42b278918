import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { prometheusFiles } from "../stacks/monitoring-files";
import { builtIn, writeTree } from "./helpers/environments";
import { runRuleTestOnClosure } from "../check/run";

/**
 * The SLO promtool cases can fail: a changed factor, budget or budget formula makes them fail, run
 * as `npm run check` runs them (on the test's rule closure; promtool.test.ts shows the whole files agree).
 */

const files = prometheusFiles(builtIn("prod"));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function mutate(file: "alerting_rules.yml" | "recording_rules.yml", from: string, to: string, testPrefix: string) {
  const dir = writeTree(files, "civicpulse-slo-mutant-");
  dirs.push(dir);
  const p = path.join(dir, file);
  const original = readFileSync(p, "utf8");
  const mutated = original.split(from).join(to);
  expect(mutated).not.toEqual(original);
  writeFileSync(p, mutated);
  const test = readdirSync(path.join(dir, "tests")).find((f) => f.startsWith(testPrefix))!;
  expect(test).toBeDefined();
  return runRuleTestOnClosure(dir, path.join("tests", test), 300_000);
}

describe("the SLO rule tests can fail", () => {
  test("a page factor changed in the alert (14.4 to 10) makes the fast-burn cases fail", async () => {
    const r = await mutate("alerting_rules.yml", "job:civicpulse_slo_availability:burn_rate1h > 14.4", "job:civicpulse_slo_availability:burn_rate1h > 10", "CivicPulseAvailabilityFastBurn");
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("CivicPulseAvailabilityFastBurn");
  }, 300_000);

  test("a wrong error budget in a burn-rate rule makes the slow-burn cases fail", async () => {
    const r = await mutate(
      "recording_rules.yml",
      "avg_over_time(job:civicpulse_requests:rate30m[3d])) / 0.001",
      "avg_over_time(job:civicpulse_requests:rate30m[3d])) / 0.0011",
      "CivicPulseAvailabilitySlowBurn",
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("CivicPulseAvailabilitySlowBurn");
  }, 300_000);

  test("a wrong remaining-budget formula fails the budget arithmetic case", async () => {
    const r = await mutate(
      "recording_rules.yml",
      "record: job:civicpulse_slo_latency:error_budget_remaining30d\n        expr: 1 - ",
      "record: job:civicpulse_slo_latency:error_budget_remaining30d\n        expr: 0.9 - ",
      "recording_rules.eval-1m",
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("error_budget_remaining30d");
  }, 300_000);
});
