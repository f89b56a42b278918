import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { buildRuleSet } from "../rules";
import { comparisons, describeSeconds } from "../rules/slo/compare";
import { resolvedSlos } from "../rules/slo/rules";
import { errorRatio, recordedNamesFor } from "../rules/slo/slos";
import { slothSpec } from "../rules/slo/sloth";
import { formatDuration } from "../spec/duration";
import { toYaml } from "../serialize/yaml";
import { repoRoot } from "../e2e/tools";
import { ruleContext } from "../stacks/monitoring-files";
import { builtIn, writeTree } from "./helpers/environments";
import { tool } from "./helpers/tools";
import { runRuleTestOnClosure } from "../check/run";

/**
 * Our SLO rules beside Sloth's for the same SLOs (prod): Sloth 0.16 (built by
 * scripts/install-sloth.sh) generates its rules, promtool accepts them, and on the input series of
 * every case of our burn-rate alerts Sloth's alert fires at the moment the model says; the two
 * moments are then compared.
 */

const SLOTH = path.join(repoRoot(), ".tools", "go", "bin", "sloth");
function sloth(): string {
  if (!existsSync(SLOTH)) throw new Error(`required tool sloth is missing at ${SLOTH}; run \`bash scripts/install-sloth.sh\``);
  return SLOTH;
}


const ctx = ruleContext(builtIn("prod"));
const rules = buildRuleSet(ctx);
const r = resolvedSlos(ctx);
const names = recordedNamesFor(ctx);
const dir = writeTree([["sloth.slo.yml", slothSpec(r)]], "civicpulse-sloth-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function generate(): string {
  const out = path.join(dir, "sloth_rules.yml");
  const g = spawnSync(sloth(), ["generate", "--no-log", "-i", "sloth.slo.yml", "-o", "sloth_rules.yml"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  expect(g.stderr + g.stdout).not.toMatch(/error/i);
  expect(g.status).toBe(0);
  return readFileSync(out, "utf8");
}

type Rule = { record?: string; alert?: string; expr: string };

describe("Sloth 0.16 on the same SLOs", () => {
  const generated = generate();
  const groups = (parse(generated) as { groups: Array<{ name: string; rules: Rule[] }> }).groups;
  const slothRules = groups.flatMap((g) => g.rules);

  test("promtool accepts Sloth's rules, which have more rules than ours for the same SLOs", () => {
    const check = spawnSync(tool("promtool"), ["check", "rules", "sloth_rules.yml"], { cwd: dir, encoding: "utf8" });
    expect(check.status).toBe(0);
    const ours = rules.recording.filter((x) => x.group === "slo").length + rules.alerts.filter((a) => a.group === "slo").length;
    // Sloth: 8 SLI windows + 7 metadata recordings + 2 alerts per SLO; ours: 7 burn rates + 1 budget + 2 alerts (+ base rules).
    expect(slothRules.length).toBe(17 * r.slos.length);
    expect(ours).toBeLessThan(slothRules.length);
    // Sloth's page and ticket alerts share one name per SLO; ours are named after SLO and speed.
    expect(new Set(slothRules.filter((x) => x.alert).map((x) => x.alert)).size).toBe(r.slos.length);
    expect(new Set(rules.alerts.filter((a) => a.group === "slo").map((a) => a.alert)).size).toBe(2 * r.slos.length);
  });

  const all = comparisons(ctx, rules.alerts);

  test("on every case of our alerts, Sloth's alert fires when the model says (promtool on Sloth's rules)", async () => {
    // One file per SLO and step (promtool sets the evaluation interval per file), two at a time.
    const byFile = new Map<string, { step: number; list: typeof all }>();
    for (const c of all) {
      const key = `sloth-${c.slo.name}-${c.plan.stepSeconds}s.test.yml`;
      byFile.set(key, { step: c.plan.stepSeconds, list: [...(byFile.get(key)?.list ?? []), c] });
    }
    const queue = [...byFile];
    const results: Array<{ file: string; code: number | null; output: string }> = [];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [name, { step, list }] = next;
      writeFileSync(
        path.join(dir, name),
        toYaml({
          rule_files: ["sloth_rules.yml"],
          evaluation_interval: `${step}s`,
          // Recordings before alerts, in the file's order, as our own test files do.
          group_eval_order: groups.map((g) => g.name),
          tests: list.map((c) => ({
            name: c.slothCase.name,
            interval: `${step}s`,
            input_series: c.slothCase.inputSeries.map((s) => ({ series: s.series, values: s.values })),
            alert_rule_test: (c.slothCase.alerts ?? []).map((a) => ({
              eval_time: formatDuration(a.at),
              alertname: a.alertname,
              exp_alerts: a.expect.map((e) => ({ exp_labels: e.labels, exp_annotations: e.annotations })),
            })),
          })),
        }),
      );
        // On the rule closure, as npm run check runs ours: Sloth's alert and the rules it reads.
        const res = await runRuleTestOnClosure(dir, name, 400_000);
        results.push({ file: name, code: res.code, output: res.code === 0 ? "" : res.output });
      }
    };
    await Promise.all([worker(), worker()]);
    expect(results).toHaveLength(byFile.size);
    for (const res of results) expect(res).toEqual({ file: res.file, code: 0, output: "" });
  }, 900_000);

  test("both fire at the same moments, ours later by at most half the base of a derived window (plus a step)", () => {
    const rows = all.map((c) => ({ case: `${c.alert}: ${c.plan.name}`, ours: describeSeconds(c.ours), sloth: describeSeconds(c.sloth) }));
    for (const c of all) {
      expect({ case: `${c.alert}: ${c.plan.name}`, bothQuiet: c.ours === undefined, slothQuiet: c.sloth === undefined }).toEqual({
        case: `${c.alert}: ${c.plan.name}`,
        bothQuiet: c.ours === undefined,
        slothQuiet: c.ours === undefined,
      });
      if (c.ours !== undefined && c.sloth !== undefined) {
        // Sloth reads every window from raw counters; ours averages a base window's rate over the
        // windows not recorded already, which lags a step change by about half the base.
        const windows = c.speed === "fast" ? r.page : r.ticket;
        const lag = Math.max(0, ...windows.flatMap((w) => [w.long, w.short]).map((d) => errorRatio(c.slo, d, r, names)).filter((x) => !x.exact).map((x) => x.base / 2000));
        expect({ case: `${c.alert}: ${c.plan.name}`, within: Math.abs(c.ours - c.sloth) <= c.plan.stepSeconds + lag }).toEqual({
          case: `${c.alert}: ${c.plan.name}`,
          within: true,
        });
      }
    }
    expect(rows.length).toBeGreaterThan(0);
  });
});

