// One file per alert: the registry and the README's table are generated from the alert files, and
// nothing counts alerts by hand.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { ALERTS, ALERT_PANELS } from "../rules/alert-catalog";
import { renderAlertTable, withAlertSection } from "../rules/alerts-doc";
import { counter } from "../rules/alerts/define";
import { newAlert } from "../rules/alerts/module";
import { buildRuleSet } from "../rules";
import { ALERT_NAMES, alertKnobs } from "../spec/alert-knobs";
import { ref } from "../rules/panels";
import { ruleContext } from "../stacks/monitoring-files";
import { builtIn } from "./helpers/environments";

const ROOT = path.resolve(__dirname, "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderAlertRegistry, REGISTRY } = require("../scripts/alert-registry.js") as { renderAlertRegistry: (root: string) => string; REGISTRY: string };

describe("the alert catalog", () => {
  test("rules/alerts/registry.ts lists every alert file (regenerate: npm run docs, or npm run synth)", () => {
    expect(readFileSync(path.join(ROOT, REGISTRY), "utf8")).toBe(renderAlertRegistry(ROOT));
  });

  test("the README's alert table is generated from the alert files (npm run docs)", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(withAlertSection(readme)).toBe(readme);
    expect(renderAlertTable().split("\n")).toHaveLength(ALERTS.length + 2);
  });

  test("the report's alerts keep the spec's order, and prod builds every enabled alert of the catalog once", () => {
    expect(ALERTS.slice(0, ALERT_NAMES.length).map((m) => m.name)).toEqual(ALERT_NAMES);
    const rules = buildRuleSet(ruleContext(builtIn("prod")));
    const built = rules.alerts.filter((a) => a.group !== "meta" && a.group !== "slo");
    expect(built.map((a) => a.alert)).toEqual(ALERTS.map((m) => m.name));
    for (const a of built) {
      expect(a.source).toBe(`rules/alerts/${a.alert}.ts`);
      expect(a.annotations.dashboard_url).toContain(`viewPanel=${ALERT_PANELS[a.alert].panelId}`);
    }
  });

  test("a name under alerts. that is no alert file stops the rules with the name", () => {
    const spec = builtIn("prod");
    const ctx = ruleContext({ ...spec, alerts: { ...spec.alerts, CivicPulseHighLatncy: { p95Seconds: 1 } } });
    expect(() => buildRuleSet(ctx)).toThrow(/^alerts\.CivicPulseHighLatncy: no such alert \(an alert is a file rules\/alerts\/<AlertName>\.ts; known: /);
  });
});

describe("an alert that brings its own knobs", () => {
  const example = newAlert("ExampleCacheMisses", alertKnobs("warning", "5m", { maxMissesPerSecond: z.number().positive().default(10) }), {
    category: "application",
    panel: ref("application", "cacheHitRatio"),
    firesWhen: (k) => `misses > ${k.maxMissesPerSecond}/s`,
    build: (ctx, k, define) =>
      define({
        service: "civicpulse",
        expr: `sum by (job) (rate(civicpulse_cache_operations_total{result="miss"}[1m])) > ${k.maxMissesPerSecond}`,
        summary: "misses",
        description: "misses",
        runbook: { meaning: "m", firstChecks: ["c"] },
        fixture: {
          step: ctx.evaluationInterval,
          lag: 60_000 as never,
          series: (phases) => [{ series: 'civicpulse_cache_operations_total{job="civicpulse-app",result="miss"}', values: counter(phases, { above: 1000, below: 1, normal: 0 }) }],
          expected: { labels: { job: "civicpulse-app" }, annotations: {} },
        },
      }),
  });
  const ctx = (knobs: unknown) => {
    const c = ruleContext(builtIn("prod"));
    return { ...c, knobs: { ...c.knobs, ExampleCacheMisses: knobs } } as typeof c;
  };

  test("defaults apply, an override is read, and the generated cases come with it", () => {
    expect(example.firesWhen()).toBe("misses > 10/s");
    expect(example.defaults()).toMatchObject({ enabled: true, severity: "warning", for: 300_000 });
    const rule = example.build(ctx({ maxMissesPerSecond: 3, for: "1m" }));
    expect(rule.expr).toMatch(/> 3$/);
    expect(rule.for).toBe(60_000);
    expect(rule.labels).toMatchObject({ severity: "warning", category: "application", service: "civicpulse" });
    expect(rule.tests.map((t) => t.name)).toEqual([
      "ExampleCacheMisses: fires after 1m above the threshold, then resolves",
      "ExampleCacheMisses: quiet when its input series are missing",
      "ExampleCacheMisses: quiet just below the threshold",
    ]);
  });

  test("a wrong or unknown knob names the field and the value", () => {
    expect(() => example.build(ctx({ maxMissesPerSecond: -1 }))).toThrow("alerts.ExampleCacheMisses.maxMissesPerSecond: Too small: expected number to be >0");
    expect(() => example.build(ctx({ maxMisses: 1 }))).toThrow("alerts.ExampleCacheMisses.maxMisses: unknown field");
    expect(() => example.build(ctx({ for: "soon" }))).toThrow(/^alerts\.ExampleCacheMisses\.for: not a duration: "soon"/);
  });
});
