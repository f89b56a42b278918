// The three dashboards: deterministic JSON (snapshots), every query parses as PromQL after Grafana's
// macros are substituted and names only series that exist, stable uids and panel ids, and every
// alert's dashboard_url lands on the panel that shows what the alert reads.
import { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { buildDashboards, RenderedDashboard } from "../dashboards";
import { dashboardContext, render, timeseries } from "../dashboards/common";
import { alertLinkProblems, panelsOf, queriesOf, referencedMetrics, substituteGrafanaMacros, validateDashboards } from "../dashboards/validate";
import { datasourceDefinitions } from "../constructs/grafana/datasources";
import { catalogSeriesNames } from "../spec/catalog";
import { buildRuleSet } from "../rules";
import { ALERT_PANELS } from "../rules/alert-catalog";
import { DASHBOARD_UIDS, PANEL_IDS } from "../rules/panels";
import { promqlSyntaxErrors } from "../rules/promql";
import { loadEnvironment } from "../spec/load";
import { ruleContext } from "../stacks/monitoring-files";
import { builtIn, builtInEnvironments, writeTree } from "./helpers/environments";
import { stableJson } from "../serialize/json";

const ENVS = builtInEnvironments().map((s) => s.name);

function knownSeries(name: string): Set<string> {
  const rules = buildRuleSet(ruleContext(builtIn(name)));
  return new Set([...catalogSeriesNames(), ...rules.recording.map((r) => r.record)]);
}

describe("Grafana macro substitution", () => {
  it.each([
    ['rate(x{job=~"$job"}[$__rate_interval])', 'rate(x{job=~"grafana_var_job"}[5m])'],
    ['x{instance=~"${instance}"}', 'x{instance=~"grafana_var_instance"}'],
    ['x{job=~"${job:regex}",a="[[pipeline]]"}', 'x{job=~"grafana_var_job",a="grafana_var_pipeline"}'],
    ["max_over_time(x[$__range]) < $__range_s", "max_over_time(x[6h]) < 21600"],
    ["avg_over_time(x[$__interval]) * $__interval_ms", "avg_over_time(x[1m]) * 60000"],
  ])("%s", (input, expected) => {
    expect(substituteGrafanaMacros(input)).toBe(expected);
    expect(promqlSyntaxErrors(substituteGrafanaMacros(input))).toEqual([]);
  });

  it("finds the metric names of vector selectors, not functions or labels", () => {
    expect(referencedMetrics('sum by (job) (rate(a_total{job="x"}[5m])) / on (job) b:c:rate5m and time() > 0')).toEqual(["a_total", "b:c:rate5m"]);
  });
});

describe.each(ENVS)("dashboards of %s", (env) => {
  const spec = builtIn(env);
  const dashboards = buildDashboards(spec);
  const known = knownSeries(env);

  it("match their snapshots (the exact JSON Grafana receives)", () => {
    for (const d of dashboards) expect(d.json).toMatchSnapshot(d.uid);
  });

  it("are deterministic: sorted keys at every level, same bytes on every build", () => {
    expect(buildDashboards(builtIn(env)).map((d) => d.json)).toEqual(dashboards.map((d) => d.json));
    for (const d of dashboards) expect(stableJson(JSON.parse(d.json))).toBe(d.json);
    expect(dashboards[0].json).toMatch(/^\{\n {2}"annotations"/);
  });

  it("use the stable uids of rules/panels.ts", () => {
    expect(dashboards.map((d) => d.uid)).toEqual([DASHBOARD_UIDS.application, DASHBOARD_UIDS.infrastructure, DASHBOARD_UIDS.cicd]);
  });

  it("have uids unique across dashboards and datasources", () => {
    const ds = datasourceDefinitions(spec.grafana, { scrapeInterval: "15s" }).map((d) => d.uid);
    const uids = [...dashboards.map((d) => d.uid), ...ds];
    expect(new Set(uids).size).toBe(uids.length);
    expect(() => validateDashboards(dashboards, known, ds)).not.toThrow();
  });

  it("every query parses as PromQL after Grafana's macros are substituted", () => {
    const queries = dashboards.flatMap(queriesOf);
    expect(queries.length).toBeGreaterThan(40);
    const failures = queries
      .map((q) => ({ ...q, errors: promqlSyntaxErrors(substituteGrafanaMacros(q.expr)) }))
      .filter((q) => q.errors.length > 0);
    expect(failures).toEqual([]);
  });

  it("every series a query names is in the catalog or is a recording rule of this environment", () => {
    const unknown = dashboards
      .flatMap(queriesOf)
      .flatMap((q) => referencedMetrics(substituteGrafanaMacros(q.expr)).map((m) => ({ where: `${q.dashboard} ${q.where}`, m })))
      .filter(({ m }) => !known.has(m));
    expect(unknown).toEqual([]);
  });

  it("panels read recorded series: most queries name a recording rule", () => {
    const recorded = new Set(buildRuleSet(ruleContext(spec)).recording.map((r) => r.record));
    const app = queriesOf(dashboards[0]).filter((q) => referencedMetrics(substituteGrafanaMacros(q.expr)).some((m) => recorded.has(m)));
    expect(app.length).toBeGreaterThanOrEqual(15);
  });

  it("place the alert panels under the ids of rules/panels.ts; every other panel id is >= 100 and ids are unique", () => {
    for (const d of dashboards) {
      const key = d.key as keyof typeof PANEL_IDS;
      const panels = panelsOf(d.model);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const reserved = Object.values(PANEL_IDS[key]) as number[];
      for (const id of reserved) expect(panels.find((p) => p.id === id && p.type !== "row")).toBeDefined();
      for (const p of panels) if (!reserved.includes(p.id)) expect(p.id).toBeGreaterThanOrEqual(100);
    }
  });

  it("every alert's dashboard_url names an existing dashboard uid and panel id", () => {
    const alerts = buildRuleSet(ruleContext(spec)).alerts;
    const linked = alerts.filter((a) => a.annotations.dashboard_url !== undefined);
    expect(linked.length).toBeGreaterThanOrEqual(Object.keys(ALERT_PANELS).length - (env === "dev" ? 1 : 0));
    expect(alertLinkProblems(alerts, dashboards)).toEqual([]);
  });

  it("each alert's panel shows what the alert reads (a series in common, recorded series expanded to their inputs)", () => {
    const rules = buildRuleSet(ruleContext(spec));
    const exprOf = new Map(rules.recording.map((r) => [r.record, r.expr]));
    const expand = (expr: string): Set<string> => {
      const out = new Set<string>();
      const walk = (e: string) => {
        for (const m of referencedMetrics(substituteGrafanaMacros(e))) {
          if (out.has(m)) continue;
          out.add(m);
          const inner = exprOf.get(m);
          if (inner) walk(inner);
        }
      };
      walk(expr);
      return out;
    };
    const mismatches: string[] = [];
    for (const a of rules.alerts) {
      const ref = ALERT_PANELS[a.alert as keyof typeof ALERT_PANELS];
      if (!ref) continue;
      const d = dashboards.find((x) => x.uid === DASHBOARD_UIDS[ref.dashboard])!;
      const panelQueries = queriesOf(d).filter((q) => q.where.startsWith(`panel ${ref.panelId} `));
      const direct = new Set(panelQueries.flatMap((q) => referencedMetrics(substituteGrafanaMacros(q.expr))));
      const alertDirect = referencedMetrics(a.expr);
      // Where the alert reads a recorded series, the panel reads that very series.
      const recordedInAlert = alertDirect.filter((m) => exprOf.has(m));
      const sharesRecorded = recordedInAlert.length === 0 || recordedInAlert.some((m) => direct.has(m));
      const panelAll = new Set(panelQueries.flatMap((q) => [...expand(q.expr)]));
      const sharesInput = [...expand(a.expr)].some((m) => panelAll.has(m));
      if (!sharesRecorded || !sharesInput) mismatches.push(`${a.alert} -> ${d.uid}#${ref.panelId}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("panels fit the 24-column grid without overlapping", () => {
    for (const d of dashboards) {
      const boxes = panelsOf(d.model).map((p) => ({ id: p.id, ...p.gridPos! }));
      for (const b of boxes) expect(b.x + b.w).toBeLessThanOrEqual(24);
      for (const a of boxes)
        for (const b of boxes) {
          if (a.id >= b.id) continue;
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect({ a: a.id, b: b.id, dashboard: d.uid, overlap }).toEqual({ a: a.id, b: b.id, dashboard: d.uid, overlap: false });
        }
    }
  });

  it("every query and variable uses the Prometheus datasource of the spec", () => {
    const uid = spec.grafana.datasources.prometheus.uid;
    for (const d of dashboards) {
      const model = JSON.parse(d.json);
      for (const p of model.panels) {
        if (p.type === "row") continue;
        expect(p.datasource).toEqual({ type: "prometheus", uid });
        for (const t of p.targets) expect(t.datasource).toEqual({ type: "prometheus", uid });
      }
      for (const variable of model.templating.list) expect(variable.datasource).toEqual({ type: "prometheus", uid });
    }
  });
});

describe("dashboards follow the environment spec", () => {
  const dir = writeTree([
    [
      "monitoring.overrides.yaml",
      [
        "prod:",
        "  alerts:",
        "    CivicPulseHighErrorRate: { errorRatePercent: 2, window: 10m }",
        "    HostHighCpuUsage: { cpuPercent: 90, window: 15m }",
        "  grafana:",
        "    datasources: { prometheus: { uid: prom-main } }",
        "    dashboards: { refresh: 1m, timeRange: 24h, tags: [team-web] }",
        "",
      ].join("\n"),
    ],
  ]);
  const spec = loadEnvironment("prod", { rootDir: dir, env: {} });
  const [app, infra] = buildDashboards(spec);
  const panel = (d: RenderedDashboard, id: number) => JSON.parse(d.json).panels.find((p: { id: number }) => p.id === id);

  it("windows and thresholds come from the alert knobs, and the recorded series for them exist", () => {
    const errorPanel = panel(app, PANEL_IDS.application.errorRatio);
    expect(errorPanel.targets[0].expr).toBe('job:civicpulse_requests_errors:ratio_rate10m{job=~"${job}"}');
    expect(errorPanel.fieldConfig.defaults.thresholds.steps[1].value).toBe(0.02);
    const cpu = panel(infra, PANEL_IDS.infrastructure.hostCpu);
    expect(cpu.targets[0].expr).toBe('instance:node_cpu_utilisation:ratio_rate15m{instance=~"${instance}"}');
    expect(cpu.fieldConfig.defaults.thresholds.steps[1].value).toBe(0.9);
    const rules = buildRuleSet(ruleContext(spec));
    expect(() => validateDashboards(buildDashboards(spec), new Set([...catalogSeriesNames(), ...rules.recording.map((r) => r.record)]))).not.toThrow();
  });

  it("datasource uid, refresh, time range and tags come from the grafana section", () => {
    const model = JSON.parse(app.json);
    expect(model.refresh).toBe("1m");
    expect(model.time).toEqual({ from: "now-1d", to: "now" });
    expect(model.tags).toEqual(["civicpulse", "prod", "team-web"]);
    expect(panel(app, 1).datasource.uid).toBe("prom-main");
  });
});

describe("validateDashboards rejects", () => {
  const spec = builtIn("prod");
  const ctx = dashboardContext(spec);
  const one = (expr: string, uid = "t") =>
    render(
      "t",
      new DashboardBuilder("T").uid(uid).withPanel(timeseries(ctx, { id: 1, title: "p", description: "", queries: [{ expr }] })),
    );
  const known = knownSeries("prod");

  it("a query that does not parse, naming dashboard, panel and query", () => {
    expect(() => validateDashboards([one("sum(rate(up[$__rate_interval])")], known)).toThrow(/dashboard t, panel 1 \(p\): PromQL syntax error.*sum\(rate\(up/);
  });

  it("a series that is neither in the catalog nor recorded", () => {
    expect(() => validateDashboards([one('civicpulse_made_up_total{job=~"${job}"}')], known)).toThrow(/unknown series civicpulse_made_up_total/);
    expect(() => validateDashboards([one("job:civicpulse_requests:rate7m")], known)).toThrow(/unknown series job:civicpulse_requests:rate7m/);
  });

  it("a uid used twice (dashboard and datasource)", () => {
    expect(() => validateDashboards([one("up", "same")], known, ["same"])).toThrow(/uid "same" is used more than once/);
  });

  it("an alert link to a panel that does not exist", () => {
    const alerts = [{ alert: "X", annotations: { dashboard_url: `http://g/d/${DASHBOARD_UIDS.application}?viewPanel=99` } }];
    expect(alertLinkProblems(alerts, buildDashboards(spec))).toEqual([`alert X: dashboard_url names panel 99 of ${DASHBOARD_UIDS.application}, which does not exist`]);
  });
});
