/**
 * The rule closure a rule test runs against (check/rule-closure.ts), without promtool: which rules
 * it keeps and why, and that what it writes is the rendered files' own rules and test, unchanged
 * but for the rules left out. promtool.test.ts runs the closures for real.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
import { ruleClosure, RuleClosureError, writeRuleClosure } from "../check/rule-closure";
import { prometheusFiles } from "../stacks/monitoring-files";
import { builtIn, writeTree } from "./helpers/environments";

type Rule = { record?: string; alert?: string; expr: string };
type RuleFile = { groups: Array<{ name: string; rules: Rule[] }> };

const prod = writeTree(prometheusFiles(builtIn("prod")), "civicpulse-closure-unit-");
const rulesIn = (dir: string, file: string) => (parse(readFileSync(path.join(dir, file), "utf8")) as RuleFile).groups.flatMap((g) => g.rules);
const namesIn = (dir: string) => ["recording_rules.yml", "alerting_rules.yml"].flatMap((f) => rulesIn(dir, f).map((r) => r.record ?? r.alert!));

function closureOf(testFile: string) {
  const c = writeRuleClosure(prod, testFile);
  try {
    return { ...c, names: namesIn(c.cwd) };
  } finally {
    c.remove();
  }
}

describe("what a rule test's closure keeps", () => {
  test("an SLO alert: itself, its burn rates, the probe averages they read, and the budget its annotation queries; nothing of other SLOs", () => {
    const c = closureOf("tests/CivicPulseHealthProbesSlowBurn.eval-24m.test.yml");
    expect(c.names).toContain("CivicPulseHealthProbesSlowBurn");
    // Read by the alert's expression, and transitively by the burn rates.
    expect(c.names).toEqual(expect.arrayContaining(["instance:civicpulse_slo_health_probes:burn_rate1d", "instance:probe_success:avg_over_time30m"]));
    // Named only in the annotation's query template.
    expect(c.names).toContain("instance:civicpulse_slo_health_probes:error_budget_remaining30d");
    expect(c.names.filter((n) => /availability|latency|requests/.test(n))).toEqual([]);
    expect(c.names.filter((n) => !n.startsWith("instance:") && n !== "CivicPulseHealthProbesSlowBurn")).toEqual([]);
    expect(c.kept).toBe(c.names.length);
    expect(c.total).toBe(namesIn(prod).length);
  });

  test("an alert that reads ALERTS keeps every alert (and what they read)", () => {
    const c = closureOf("tests/CriticalAlertUnresolved.test.yml");
    const alerts = rulesIn(prod, "alerting_rules.yml").map((r) => r.alert!);
    expect(alerts.length).toBeGreaterThan(10);
    expect(c.names).toEqual(expect.arrayContaining(alerts));
  });

  test("a selector without a metric name keeps every rule; a name in a label value is taken as a read (more, never fewer)", () => {
    const rules = (expr: string) =>
      new Map([
        ["r.yml", parseDocument(`groups:\n  - name: g\n    rules:\n      - record: a:x\n        expr: vector(1)\n      - record: b:y\n        expr: vector(2)\n      - alert: A\n        expr: ${JSON.stringify(expr)}\n`)],
      ]);
    const test = { tests: [{ alert_rule_test: [{ alertname: "A" }] }] };
    expect([...ruleClosure(rules("a:x > 0"), test)].sort()).toEqual(["r.yml#0#0", "r.yml#0#2"]);
    expect([...ruleClosure(rules('{job="a:x"} > 0'), test)].sort()).toEqual(["r.yml#0#0", "r.yml#0#1", "r.yml#0#2"]);
    expect([...ruleClosure(rules('up{job="b:y"} > 0'), test)].sort()).toEqual(["r.yml#0#1", "r.yml#0#2"]);
    // An expected-sample case reads what its expression names.
    expect([...ruleClosure(rules("1"), { tests: [{ promql_expr_test: [{ expr: "b:y" }] }] })]).toEqual(["r.yml#0#1"]);
  });
});

describe("what the closure writes", () => {
  test("every kept rule is the rendered rule, in the rendered order and groups; the test is unchanged but for group_eval_order", () => {
    const file = "tests/CivicPulseAvailabilityFastBurn.eval-4m.test.yml";
    const c = writeRuleClosure(prod, file);
    try {
      for (const f of ["recording_rules.yml", "alerting_rules.yml"]) {
        const whole = parse(readFileSync(path.join(prod, f), "utf8")) as RuleFile;
        const kept = parse(readFileSync(path.join(c.cwd, f), "utf8")) as RuleFile;
        const expected = whole.groups
          .map((g) => ({ ...g, rules: g.rules.filter((r) => kept.groups.some((k) => k.name === g.name && k.rules.some((x) => JSON.stringify(x) === JSON.stringify(r)))) }))
          .filter((g) => g.rules.length > 0);
        expect(kept).toEqual({ groups: expected });
      }
      const original = parse(readFileSync(path.join(prod, file), "utf8")) as { group_eval_order: string[] };
      const written = parse(readFileSync(path.join(c.cwd, c.testFile), "utf8")) as { group_eval_order: string[] };
      const keptGroups = ["recording_rules.yml", "alerting_rules.yml"].flatMap((f) => (parse(readFileSync(path.join(c.cwd, f), "utf8")) as RuleFile).groups.map((g) => g.name));
      expect(written).toEqual({ ...original, group_eval_order: original.group_eval_order.filter((g) => keptGroups.includes(g)) });
      expect(written.group_eval_order.length).toBeGreaterThan(1);
      expect(written.group_eval_order.length).toBeLessThan(original.group_eval_order.length);
    } finally {
      c.remove();
    }
  });

  test("the closure's folder is removed by remove()", () => {
    const c = writeRuleClosure(prod, "tests/RedisDown.test.yml");
    c.remove();
    expect(() => readFileSync(path.join(c.cwd, c.testFile))).toThrow(/ENOENT/);
  });

  test("a rule file that is not YAML is refused, naming the file (npm run check then runs promtool on the files as they are)", () => {
    const dir = writeTree(
      [
        ["tests/x.test.yml", "rule_files:\n  - ../r.yml\ntests: []\n"],
        ["r.yml", "groups: [\n"],
      ],
      "civicpulse-closure-broken-",
    );
    expect(() => writeRuleClosure(dir, "tests/x.test.yml")).toThrow(RuleClosureError);
    expect(() => writeRuleClosure(dir, "tests/x.test.yml")).toThrow(/rule closure: .*r\.yml is not valid YAML/);
  });

  test("a test whose rule_files lead outside the folder is refused, naming the file", () => {
    const dir = writeTree([["tests/x.test.yml", "rule_files:\n  - ../../elsewhere.yml\ntests: []\n"]], "civicpulse-closure-outside-");
    expect(() => writeRuleClosure(dir, "tests/x.test.yml")).toThrow(/rule closure: tests\/x\.test\.yml reads \.\.\/elsewhere\.yml, outside /);
  });
});
