import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tempDir } from "./helpers/temp";
import * as path from "node:path";
import { loadEnvironment, EnvironmentError } from "../spec/load";
import { formatDuration } from "../spec/duration";
import { EMPTY_ROOT } from "./helpers/environments";

const ROOT = path.resolve(__dirname, "..");

function withOverride(yaml: string): { rootDir: string; env: NodeJS.ProcessEnv } {
  const rootDir = tempDir("civicpulse-ovr-");
  writeFileSync(path.join(rootDir, "monitoring.overrides.yaml"), yaml);
  return { rootDir, env: {} };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvironmentError);
    return (e as Error).message;
  }
  throw new Error("expected an EnvironmentError");
}

describe("environment specs", () => {
  test("presets carry the report's defaults", () => {
    const prod = loadEnvironment("prod", { rootDir: EMPTY_ROOT, env: {} });
    expect(prod.alerts.CivicPulseHighErrorRate.errorRatePercent).toBe(5);
    expect(formatDuration(prod.alerts.CivicPulseHighErrorRate.for)).toBe("5m");
    expect(prod.alerts.CivicPulseHighLatency.p95Seconds).toBe(2);
    expect(formatDuration(prod.alerts.CivicPulseHighLatency.for)).toBe("10m");
    expect(prod.alerts.HostHighCpuUsage.cpuPercent).toBe(80);
    expect(prod.alerts.HostLowMemory.availablePercent).toBe(20);
    expect(prod.alerts.HostDiskSpaceLow.freePercent).toBe(10);
    expect(prod.alerts.AuthenticationFailureSpike.failuresPerMinute).toBe(10);
    expect(prod.alerts.CIBuildFailureRateHigh.failurePercent).toBe(20);
    expect(formatDuration(prod.alerts.CIBuildFailureRateHigh.window)).toBe("1h");
    expect(prod.alerts.CITestCoverageLow.coveragePercent).toBe(80);
    expect(prod.alerts.CivicPulseHighErrorRate.severity).toBe("critical");
  });

  test("an override file changes one field of one alert and leaves the rest", () => {
    const opts = withOverride("prod:\n  alerts:\n    CivicPulseHighLatency:\n      p95Seconds: 1.5\n      for: 15m\n");
    const prod = loadEnvironment("prod", opts);
    expect(prod.alerts.CivicPulseHighLatency.p95Seconds).toBe(1.5);
    expect(formatDuration(prod.alerts.CivicPulseHighLatency.for)).toBe("15m");
    expect(formatDuration(prod.alerts.CivicPulseHighLatency.window)).toBe("5m");
    expect(loadEnvironment("staging", opts).alerts.CivicPulseHighLatency.p95Seconds).toBe(2);
  });

  test("CIVICPULSE_OVERRIDES names another override file", () => {
    const dir = tempDir("civicpulse-ovr-");
    writeFileSync(path.join(dir, "mine.yaml"), "dev:\n  team: payments\n");
    expect(loadEnvironment("dev", { rootDir: EMPTY_ROOT, env: { CIVICPULSE_OVERRIDES: path.join(dir, "mine.yaml") } }).team).toBe("payments");
    expect(errorOf(() => loadEnvironment("dev", { rootDir: EMPTY_ROOT, env: { CIVICPULSE_OVERRIDES: "/nonexistent/x.yaml" } }))).toContain(
      "CIVICPULSE_OVERRIDES=/nonexistent/x.yaml: no such file",
    );
  });

  test("environment variables set endpoints, per environment winning over global", () => {
    const env = { CIVICPULSE_APP_TARGETS: "a:8000, b:8000", CIVICPULSE_PROD_APP_TARGETS: "p:8000", CIVICPULSE_APP_BASE_URL: "https://app.example.org" };
    expect(loadEnvironment("prod", { rootDir: EMPTY_ROOT, env }).targets.app).toEqual(["p:8000"]);
    expect(loadEnvironment("dev", { rootDir: EMPTY_ROOT, env }).targets.app).toEqual(["a:8000", "b:8000"]);
    expect(loadEnvironment("dev", { rootDir: EMPTY_ROOT, env }).targets.appBaseUrl).toBe("https://app.example.org");
  });

  test.each([
    ["an unknown field", "prod:\n  alerts:\n    HostLowMemory:\n      thresold: 10\n", "alerts.HostLowMemory.thresold: unknown field"],
    ["a wrong type", "prod:\n  alerts:\n    HostHighCpuUsage:\n      cpuPercent: eighty\n", 'alerts.HostHighCpuUsage.cpuPercent: Invalid input: expected number, received string (got "eighty")'],
    ["an error rate of 150 %", "prod:\n  alerts:\n    CivicPulseHighErrorRate:\n      errorRatePercent: 150\n", "alerts.CivicPulseHighErrorRate.errorRatePercent: Too big: expected number to be <=100 (got 150)"],
    ["a negative duration", "prod:\n  alerts:\n    RedisDown:\n      for: -1\n", "alerts.RedisDown.for: duration must be >= 0 seconds, got -1 (got -1)"],
    ["a negative duration string", "prod:\n  alerts:\n    RedisDown:\n      for: \"-5m\"\n", 'alerts.RedisDown.for: not a duration: "-5m"'],
    ["a runbook base that is not a URL", "prod:\n  runbookBaseUrl: docs/runbooks\n", 'runbookBaseUrl: an http(s) URL (got "docs/runbooks")'],
    ["an unknown severity", "prod:\n  alerts:\n    RedisDown:\n      severity: page\n", 'alerts.RedisDown.severity: Invalid option: expected one of "warning"|"critical"|"emergency" (got "page")'],
    ["a bad target", "prod:\n  targets:\n    nodeExporter: [\"node exporter\"]\n", 'targets.nodeExporter.0: a host:port such as "node-exporter:9100" (got "node exporter")'],
    ["an unknown environment", "qa:\n  team: x\n", 'unknown environment "qa"'],
    ["a scrape timeout above the interval", "prod:\n  prometheus:\n    scrapeTimeout: 30s\n", "prometheus.scrapeTimeout: scrapeTimeout must not be longer than scrapeInterval"],
  ])("rejects %s, naming the field and the value", (_what, yaml, message) => {
    expect(errorOf(() => loadEnvironment("prod", withOverride(yaml)))).toContain(message);
  });

  test.each([
    ["above every bucket", 30, "alerts.CivicPulseHighLatency.p95Seconds: 30 is not a bucket bound of civicpulse_request_duration_seconds"],
    ["between two buckets (1 and 2)", 1.5, "alerts.CivicPulseHighLatency.p95Seconds: 1.5 is not a bucket bound of civicpulse_request_duration_seconds"],
    ["the highest bucket", 10, "alerts.CivicPulseHighLatency.p95Seconds: 10 is not below the highest latency bucket"],
  ])("a latency threshold %s is rejected at synth", (_what, p95, message) => {
    // The rules are built by the stack; this goes through the compiled app below as well.
    const { buildRuleSet } = require("../rules") as typeof import("../rules");
    const { ruleContext } = require("../stacks/monitoring-files") as typeof import("../stacks/monitoring-files");
    const spec = loadEnvironment("prod", withOverride(`prod:\n  alerts:\n    CivicPulseHighLatency:\n      p95Seconds: ${p95}\n`));
    expect(() => buildRuleSet(ruleContext(spec))).toThrow(message);
  });

  test("a latency threshold on a bucket bound is accepted", () => {
    const { buildRuleSet } = require("../rules") as typeof import("../rules");
    const { ruleContext } = require("../stacks/monitoring-files") as typeof import("../stacks/monitoring-files");
    const spec = loadEnvironment("prod", withOverride("prod:\n  alerts:\n    CivicPulseHighLatency:\n      p95Seconds: 2.5\n"));
    expect(() => buildRuleSet(ruleContext(spec))).not.toThrow();
  });
});

describe("synth with bad input (compiled app)", () => {
  const main = path.join(ROOT, "dist", "main.js");

  test("exits non-zero, names the field and value, and writes nothing", () => {
    expect(existsSync(main)).toBe(true);
    const work = tempDir("civicpulse-synth-");
    const outdir = path.join(work, "out");
    mkdirSync(outdir);
    writeFileSync(path.join(outdir, "previous.txt"), "from an earlier synth");
    writeFileSync(path.join(work, "bad.yaml"), "staging:\n  alerts:\n    CivicPulseHighErrorRate:\n      errorRatePercent: 150\n");
    const r = spawnSync(process.execPath, [main], {
      env: { ...process.env, CDKTF_OUTDIR: outdir, CIVICPULSE_OVERRIDES: path.join(work, "bad.yaml") },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("environment staging is invalid");
    expect(r.stderr).toContain("alerts.CivicPulseHighErrorRate.errorRatePercent");
    expect(r.stderr).toContain("(got 150)");
    expect(readFileSync(path.join(outdir, "previous.txt"), "utf8")).toBe("from an earlier synth");
    expect(existsSync(path.join(outdir, "manifest.json"))).toBe(false);
    expect(require("node:fs").readdirSync(work).sort()).toEqual(["bad.yaml", "out"]);
  });
});

describe("Terraform backend", () => {
  const { Testing } = require("cdktf") as typeof import("cdktf");
  const { MonitoringStack } = require("../stacks/monitoring-stack") as typeof import("../stacks/monitoring-stack");

  const terraformBlock = (yaml: string) => {
    const spec = loadEnvironment("prod", withOverride(yaml));
    return JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), spec))).terraform as Record<string, any>;
  };

  test("local by default: no backend block, cdktf's local state file", () => {
    expect(terraformBlock("").backend).toBeUndefined();
  });

  test("s3: one key per stack under the prefix, credentials left to the environment", () => {
    const b = terraformBlock("prod:\n  terraformBackend:\n    type: s3\n    bucket: civicpulse-state\n    region: eu-west-1\n    dynamodbTable: tf-locks\n").backend.s3;
    expect(b).toEqual({ bucket: "civicpulse-state", key: "civicpulse-monitoring/monitoring-prod.tfstate", region: "eu-west-1", encrypt: true, dynamodb_table: "tf-locks" });
  });

  test("http: a state address and lock per stack", () => {
    const b = terraformBlock("prod:\n  terraformBackend:\n    type: http\n    address: https://gitlab.example.org/api/v4/projects/7/terraform/state\n").backend.http;
    expect(b.address).toBe("https://gitlab.example.org/api/v4/projects/7/terraform/state/monitoring-prod");
    expect(b.lock_address).toBe("https://gitlab.example.org/api/v4/projects/7/terraform/state/monitoring-prod/lock");
  });

  test("an unknown backend type or a missing bucket is refused, naming the field", () => {
    expect(errorOf(() => loadEnvironment("prod", withOverride("prod:\n  terraformBackend:\n    type: consul\n")))).toContain("terraformBackend.type");
    expect(errorOf(() => loadEnvironment("prod", withOverride("prod:\n  terraformBackend:\n    type: s3\n    region: eu-west-1\n")))).toContain("terraformBackend.bucket");
  });
});
