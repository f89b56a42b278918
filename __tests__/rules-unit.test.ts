import { catalog, select } from "../spec/catalog";
import { formatDuration, parseDuration } from "../spec/duration";
import { assertValidPromql, promqlSyntaxErrors } from "../rules/promql";
import { buildRuleSet } from "../rules";
import { ruleContext } from "../stacks/monitoring-files";
import { builtIn, builtInEnvironments } from "./helpers/environments";

describe("durations", () => {
  test.each([
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["90s", 90_000],
    ["250ms", 250],
    ["1d", 86_400_000],
  ])("%s parses to %d ms", (text, millis) => expect(parseDuration(text)).toBe(millis));

  test("formats the way Prometheus writes them", () => {
    expect(formatDuration(parseDuration("90s")!)).toBe("1m30s");
    expect(formatDuration(parseDuration("0s")!)).toBe("0s");
    expect(formatDuration(parseDuration("1w")!)).toBe("1w");
  });

  test.each(["-5m", "5 minutes", "", "m5", "1.5h"])("rejects %j", (text) => expect(parseDuration(text)).toBeUndefined());
});

describe("PromQL syntax check at synth time", () => {
  test("accepts every rule expression of every environment", () => {
    for (const spec of builtInEnvironments()) {
      const rules = buildRuleSet(ruleContext(spec));
      for (const r of [...rules.recording.map((x) => x.expr), ...rules.alerts.map((x) => x.expr)]) expect(promqlSyntaxErrors(r)).toEqual([]);
    }
  });

  test("names the rule and the position of an unparsable expression", () => {
    expect(() => assertValidPromql("CivicPulseHighErrorRate", "sum(rate(civicpulse_requests_total[5m])")).toThrow(
      /rule CivicPulseHighErrorRate: PromQL syntax error at line 1, column 40 \(offset 39\)/,
    );
    expect(() => assertValidPromql("X", "up{job=\"a\"} >")).toThrow(/column 14/);
    expect(() => assertValidPromql("Y", "rate(up[5m]) by")).toThrow(/rule Y/);
  });
});

describe("metric catalog", () => {
  test("selectors only accept declared labels", () => {
    expect(select(catalog.requestsTotal, { job: "a", status: { re: "5.." } })).toBe('civicpulse_requests_total{job="a",status=~"5.."}');
    expect(() => select(catalog.requestsTotal, { route: "x" } as never)).toThrow('metric civicpulse_requests_total has no label "route"');
    expect(select(catalog.requestDuration, { le: "0.5" }, "bucket")).toBe('civicpulse_request_duration_seconds_bucket{le="0.5"}');
  });

  test("every metric an alert or recording rule names is in the catalog or is a recording rule", () => {
    const { catalogSeriesNames } = require("../spec/catalog") as typeof import("../spec/catalog");
    const known = catalogSeriesNames();
    const rules = buildRuleSet(ruleContext(builtIn("prod")));
    for (const r of rules.recording) known.add(r.record);
    const FUNCTIONS = new Set(["sum", "by", "rate", "histogram_quantile", "avg", "avg_over_time", "stddev_over_time", "abs", "and", "or", "on", "count", "max", "topk", "time", "label_replace", "offset", "bool", "vector", "ignoring"]);
    known.add("ALERTS"); // written by Prometheus itself for every pending or firing alert
    for (const expr of [...rules.recording.map((r) => r.expr), ...rules.alerts.map((a) => a.expr)]) {
      const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, "").replace(/\[[^\]]*\]/g, "");
      const names = withoutStrings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
      for (const n of names) {
        if (FUNCTIONS.has(n) || /^\d/.test(n) || /^[0-9.]+[smhdw]$/.test(n)) continue;
        if (["job", "le", "instance", "pipeline", "run_id", "environment", "operation", "violation", "status", "device", "mountpoint", "w", "name", "branch", "service", "escalated_alertname", "alertname", "alertstate", "severity"].includes(n)) continue;
        expect({ expr, name: n, known: known.has(n) }).toEqual({ expr, name: n, known: true });
      }
    }
  });

  test("the 15 alerts the report names exist with their severities", () => {
    const rules = buildRuleSet(ruleContext(builtIn("prod")));
    // The SLO burn-rate alerts (rules/slo) are checked in slo.test.ts; alerts added beside the
    // report's (one file each) are in the catalog too, so this names the report's, not all of them.
    const reportAlerts = rules.alerts.filter((a) => a.group !== "slo");
    expect(Object.fromEntries(reportAlerts.map((a) => [a.alert, `${a.labels.category}/${a.labels.severity}`]))).toMatchObject({
      Watchdog: "meta/none",
      InstanceDown: "meta/warning",
      CriticalAlertUnresolved: "meta/emergency",
      CivicPulseHighErrorRate: "application/critical",
      CivicPulseHighLatency: "application/warning",
      CivicPulseLowRequestRate: "application/warning",
      CivicPulseHealthCheckFailing: "application/critical",
      HostHighCpuUsage: "infrastructure/warning",
      HostLowMemory: "infrastructure/warning",
      HostDiskSpaceLow: "infrastructure/critical",
      DatabaseConnectionFailures: "infrastructure/critical",
      RedisDown: "infrastructure/critical",
      AuthenticationFailureSpike: "security/critical",
      AuditEventAnomaly: "security/warning",
      SecurityMiddlewareViolations: "security/warning",
      CIBuildFailureRateHigh: "cicd/warning",
      CITestCoverageLow: "cicd/warning",
      DeploymentFailed: "cicd/critical",
    });
    const { ALERTS } = require("../rules/alert-catalog") as typeof import("../rules/alert-catalog");
    expect(reportAlerts).toHaveLength(ALERTS.length + 3);
    for (const a of rules.alerts) {
      expect(a.annotations.runbook_url).toBe(`https://github.com/civicpulse/civicpulse-monitoring/blob/main/docs/runbooks/${a.alert}.md`);
      expect(a.tests.length).toBeGreaterThanOrEqual(a.alert === "Watchdog" ? 1 : 2);
    }
  });

  test("disabling an alert removes it, and dev disables the low-traffic alert", () => {
    const dev = buildRuleSet(ruleContext(builtIn("dev")));
    expect(dev.alerts.map((a) => a.alert)).not.toContain("CivicPulseLowRequestRate");
    const { ALERTS } = require("../rules/alert-catalog") as typeof import("../rules/alert-catalog");
    expect(dev.alerts.filter((a) => a.group !== "meta" && a.group !== "slo")).toHaveLength(ALERTS.length - 1);
  });
});

describe("runbooks", () => {
  test("docs/runbooks is the generated output for prod (run `npm run docs` after changing a rule)", () => {
    const { readFileSync } = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const { renderRunbook, renderRunbookIndex } = require("../rules/runbooks") as typeof import("../rules/runbooks");
    const rules = buildRuleSet(ruleContext(builtIn("prod")));
    const dir = path.join(__dirname, "..", "docs", "runbooks");
    expect(readFileSync(path.join(dir, "README.md"), "utf8")).toBe(renderRunbookIndex(rules.alerts));
    for (const a of rules.alerts) {
      const page = readFileSync(path.join(dir, `${a.alert}.md`), "utf8");
      expect(page).toBe(renderRunbook(a, "prod"));
      expect(page).toContain(a.expr);
    }
  });

  test("the file a runbook says to edit exists, for every alert of every environment", () => {
    const { existsSync } = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const { renderRunbook } = require("../rules/runbooks") as typeof import("../rules/runbooks");
    for (const env of builtInEnvironments()) {
      for (const a of buildRuleSet(ruleContext(env)).alerts) {
        const m = /Edit `([^`]+)`, not this page\./.exec(renderRunbook(a, env.name));
        expect({ alert: a.alert, file: m?.[1], exists: m ? existsSync(path.join(__dirname, "..", m[1])) : false }).toEqual({ alert: a.alert, file: m?.[1], exists: true });
      }
    }
  });
});

describe("README", () => {
  test("the metric catalog table in README.md is current (run `npm run docs`)", () => {
    const { readFileSync } = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const { withCatalogSection } = require("../rules/catalog-doc") as typeof import("../rules/catalog-doc");
    const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    expect(withCatalogSection(readme)).toBe(readme);
    expect(readme).toContain("| `civicpulse_requests_total` | counter | `method`, `path`, `status` |");
  });
});
