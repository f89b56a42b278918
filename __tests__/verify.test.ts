import { existsSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderAlertmanagerConfig } from "../constructs/alertmanager/config";
import { collectExprs, inlineRecordingRules, substituteVariables } from "../e2e/measure";
import { WebhookRecorder } from "../e2e/recorder";
import { renderReport, RunReport, verdict } from "../e2e/report";
import { ScenarioResult } from "../e2e/scenarios";
import { Supervisor } from "../e2e/supervisor";
import { buildRuleSet } from "../rules";
import { E2ePorts, E2eRuntime, loadE2eEnvironment, e2eEnvironmentInput } from "../spec/e2e";
import { ALERT_NAMES } from "../spec/alert-knobs";
import { PRESETS } from "../spec/presets";
import { BUILT_IN_NAMES, builtIn, writeTree } from "./helpers/environments";
import { prometheusFiles, ruleContext } from "../stacks/monitoring-files";
import { runTool } from "./helpers/tools";

const PORTS: E2ePorts = {
  prometheus: 19090, app: 18000, appOtel: 19464, nodeExporter: 19100, cadvisor: 18080, redisExporter: 19121,
  postgresExporter: 19187, blackboxExporter: 19115, pushgateway: 19091, alertmanager: 19093, grafana: 13000,
  loki: 13100, jaeger: 18888, promtail: 19080, redis: 16379, postgres: 15432,
};
const RECORDER = {
  chat: "http://127.0.0.1:9999/chat",
  pager: "http://127.0.0.1:9999/pager",
  escalation: "http://127.0.0.1:9999/escalation",
  heartbeat: "http://127.0.0.1:9999/heartbeat",
};

const RUNTIME: E2eRuntime = { ports: PORTS, recorder: RECORDER, secretsDir: "/tmp/civicpulse-e2e-secrets" };

describe("the e2e environment", () => {
  const spec = loadE2eEnvironment(RUNTIME);

  test("is an ordinary environment validated by the same schema, and not a preset (synth keeps three)", () => {
    expect(spec.name).toBe("e2e");
    expect(Object.keys(PRESETS)).not.toContain("e2e");
    expect(BUILT_IN_NAMES).not.toContain("e2e");
  });

  test("every target, receiver and exporter address is on loopback with the given port", () => {
    expect(spec.services.alertmanager.config.receivers.chat).toMatchObject({ type: "webhook", url: RECORDER.chat });
    expect(spec.services.redisExporter.redisAddr).toBe("redis://127.0.0.1:16379");
    expect(spec.services.postgresExporter.dataSourceUri).toMatch(/^127\.0\.0\.1:15432\//);
    const t = spec.targets;
    const all = [...t.prometheus, ...t.app, ...t.nodeExporter, ...t.redisExporter, ...t.postgresExporter, t.blackboxExporter, ...t.pushgateway, ...t.alertmanager];
    for (const target of all) expect(target).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(t.app).toEqual(["127.0.0.1:18000"]);
    expect(t.appBaseUrl).toBe("http://127.0.0.1:18000");
  });

  test("durations are scaled down from the defaults through the spec, never retyped in PromQL", () => {
    const prod = builtIn("prod");
    expect(spec.prometheus.evaluationInterval).toBe(1000);
    expect(spec.prometheus.scrapeInterval).toBeLessThan(prod.prometheus.scrapeInterval);
    for (const name of ALERT_NAMES) {
      expect(spec.alerts[name].for).toBeLessThanOrEqual(Math.max(prod.alerts[name].for / 60, 3000));
      const w = (spec.alerts[name] as { window?: number }).window;
      if (w !== undefined) expect(w).toBeLessThan((prod.alerts[name] as unknown as { window: number }).window);
    }
    const rules = buildRuleSet(ruleContext(spec));
    expect(rules.alerts.find((a) => a.alert === "CivicPulseHighErrorRate")!.expr).toContain("ratio_rate5s");
  });

  test("a bad value is refused with the field named (same messages as every environment)", () => {
    expect(() => loadE2eEnvironment({ ...RUNTIME, ports: { ...PORTS, app: 999999 } })).toThrow(/targets\.app\.0/);
    expect(() => loadE2eEnvironment({ ...RUNTIME, recorder: { ...RECORDER, chat: "https://hooks.example.com/x" } })).toThrow(
      /services\.alertmanager\.config\.receivers\.chat\.url/,
    );
    expect(e2eEnvironmentInput(RUNTIME).name).toBe("e2e");
  });

  test("promtool accepts its prometheus.yml and rule files; amtool accepts its Alertmanager config", () => {
    const files = prometheusFiles(spec);
    const dir = writeTree([...files].filter(([p]) => !p.startsWith("tests/")), "civicpulse-e2e-");
    const check = runTool("promtool", ["check", "config", "--syntax-only", path.join(dir, "prometheus.yml")]);
    expect(check.stderr + check.stdout).toContain("SUCCESS");
    expect(check.status).toBe(0);
    const am = spec.services.alertmanager.config;
    const amFile = path.join(dir, "alertmanager.yml");
    writeFileSync(amFile, renderAlertmanagerConfig(am));
    const amCheck = runTool("amtool", ["check-config", amFile]);
    expect(amCheck.status).toBe(0);
    // Receivers are the local recorder; nothing points anywhere else.
    expect(renderAlertmanagerConfig(am)).not.toMatch(/slack|pagerduty/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("the webhook recorder", () => {
  test("records receiver, alertname, per-alert status, labels and time", async () => {
    const r = new WebhookRecorder();
    await r.start();
    try {
      const payload = {
        receiver: "pager",
        status: "firing",
        alerts: [
          { status: "firing", labels: { alertname: "RedisDown", service: "redis" }, annotations: {} },
          { status: "resolved", labels: { alertname: "RedisDown", service: "redis", instance: "b" }, annotations: {} },
        ],
      };
      const res = await fetch(r.url("/pager"), { method: "POST", body: JSON.stringify(payload) });
      expect(res.status).toBe(200);
      expect(r.find({ alertname: "RedisDown", receiver: "pager", status: "firing" })).toHaveLength(1);
      expect(r.find({ alertname: "RedisDown", status: "resolved", labels: { instance: "b" } })).toHaveLength(1);
      expect(r.deliveries[0].path).toBe("/pager");
      expect(await r.waitFor({ alertname: "RedisDown", receiver: "pager" }, 1000)).toBeDefined();
      await expect(r.waitFor({ alertname: "RedisDown", receiver: "chat" }, 300)).rejects.toThrow(/at receiver chat/);
    } finally {
      await r.stop();
    }
  });
});

describe("the supervisor", () => {
  test("stops its processes by PID and removes its temp dir", async () => {
    const sup = new Supervisor();
    const p = sup.start("sleeper", "sleep", ["30"]);
    expect(p.running()).toBe(true);
    const dir = sup.dir;
    expect(existsSync(dir)).toBe(true);
    await sup.stopAll();
    expect(p.running()).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("report and exit code", () => {
  const passing: ScenarioResult = {
    name: "Error burst", alert: "CivicPulseHighErrorRate", receivers: ["chat", "pager"], ok: true, failures: [], notes: [],
    detectionSeconds: 9, floorSeconds: 8, resolutionSeconds: 5, resolutionChecked: true,
  };
  const failing: ScenarioResult = { ...passing, name: "Redis", alert: "RedisDown", ok: false, failures: ["no firing RedisDown at receiver pager"] };
  const base = { targets: [], host: [], errors: [] };

  test("the verdict fails when any scenario fails (verify exits 1), and passes otherwise", () => {
    expect(verdict({ ...base, scenarios: [passing] }).ok).toBe(true);
    const v = verdict({ ...base, scenarios: [passing, failing] });
    expect(v.ok).toBe(false);
    expect(v.reasons.join("\n")).toContain("RedisDown");
    expect(verdict({ ...base, scenarios: [passing], targets: [{ job: "redis-exporter", instance: "x", health: "down", expected: "up", reason: "", ok: false }] }).ok).toBe(false);
  });

  test("the Markdown report has the latency table against the floor", () => {
    const report: RunReport = {
      startedAt: new Date(0), totalSeconds: 90, startupSeconds: 6, startup: { prometheus: 0.2 }, scenarios: [passing, failing],
      targets: [], instanceDownJobs: [], host: [], dashboards: { available: false, gap: "none yet", rows: [] }, errors: [], versions: {},
    };
    const md = renderReport(report);
    expect(md).toContain("| Error burst | `CivicPulseHighErrorRate` | chat + pager | 9.0 | 8.0 | 1.13 | yes | 5.0 | pass |");
    expect(md).toContain("FAIL: no firing RedisDown");
    expect(md).toContain("**Gap**: none yet");
  });
});

describe("query helpers", () => {
  test("recording rules inline into the raw expression they replace", () => {
    const rules = buildRuleSet(ruleContext(builtIn("prod"))).recording;
    const raw = inlineRecordingRules("job:civicpulse_requests_errors:ratio_rate5m", rules);
    expect(raw).toContain('rate(civicpulse_requests_total{job="civicpulse-app",status=~"5.."}[5m])');
    expect(raw).not.toMatch(/job:civicpulse/);
  });

  test("Grafana variables and macros are substituted as 'All' over 5 minutes", () => {
    expect(substituteVariables('rate(x{job=~"${job}",instance=~"$instance"}[$__rate_interval]) < ${__range_s}')).toBe(
      'rate(x{job=~".*",instance=~".*"}[1m]) < 300',
    );
    expect(collectExprs({ panels: [{ title: "A", targets: [{ expr: "up" }] }] })).toEqual([{ panel: "A", expr: "up" }]);
  });
});
