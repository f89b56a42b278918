import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { alertmanagerSecretFiles, renderAlertmanagerConfig, routeTestCases } from "../constructs/alertmanager/config";
import { alertmanagerLaunch } from "./helpers/alertmanager";
import { runTool } from "./helpers/tools";
import { freePort } from "../e2e/supervisor";
import { AlertmanagerSpecInput, alertmanagerSpecSchema, ALERTMANAGER_RECEIVERS } from "../spec/alertmanager";

const parse = (input: AlertmanagerSpecInput = {}) => alertmanagerSpecSchema.parse(input);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "alertmanager-config-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

function routesTest(configFile: string, labels: Record<string, string>, receivers: string[]) {
  return runTool("amtool", [
    "config",
    "routes",
    "test",
    `--config.file=${configFile}`,
    `--verify.receivers=${receivers.join(",")}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
}

describe("rendered alertmanager.yml", () => {
  const spec = parse();
  const rendered = renderAlertmanagerConfig(spec);

  test("amtool check-config accepts it (secret files are read at notification time, so they need not exist here)", () => {
    const file = writeConfig("default.yml", rendered);
    const res = runTool("amtool", ["check-config", file]);
    expect(res.stderr + res.stdout).toContain("SUCCESS");
    expect(res.status).toBe(0);
    const missingDir = path.join(dir, "no-such-secrets-dir");
    expect(existsSync(missingDir)).toBe(false);
    const withoutFiles = runTool("amtool", ["check-config", writeConfig("missing-secrets.yml", renderAlertmanagerConfig(parse({ secretsDir: missingDir })))]);
    expect(withoutFiles.status).toBe(0);
  });

  test("amtool check-config rejects a broken file (the check can fail)", () => {
    const file = writeConfig("broken.yml", rendered.replace("receiver: pager", "receiver: no-such-receiver"));
    const res = runTool("amtool", ["check-config", file]);
    expect(res.status).not.toBe(0);
    expect(res.stdout + res.stderr).toContain("no-such-receiver");
  });

  test("every route test case resolves to exactly the expected receivers (amtool config routes test)", () => {
    const file = writeConfig("routes.yml", rendered);
    const cases = routeTestCases(spec);
    // Each severity for each category, the Watchdog, unknown and missing severity.
    expect(cases.length).toBeGreaterThanOrEqual(1 + 5 * 3 + 2);
    const results = cases.map((c) => {
      const res = routesTest(file, c.labels, c.expectReceivers);
      return { name: c.name, expected: c.expectReceivers.join(","), got: res.stdout.trim(), status: res.status };
    });
    for (const r of results) {
      expect({ name: r.name, got: r.got, status: r.status }).toEqual({ name: r.name, got: r.expected, status: 0 });
    }
  });

  test("a deliberately wrong expectation makes amtool exit non-zero", () => {
    const file = writeConfig("routes-wrong.yml", rendered);
    const critical = { alertname: "X", severity: "critical", service: "civicpulse-web" };
    expect(routesTest(file, critical, ["chat", "pager"]).status).toBe(0);
    const wrong = routesTest(file, critical, ["chat"]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/did not match/i);
  });

  test("matches the snapshot", () => {
    expect(rendered).toMatchSnapshot();
  });

  test("rendering is deterministic", () => {
    expect(renderAlertmanagerConfig(parse())).toBe(rendered);
  });

  test("all five receivers exist and emergency pages both the pager and the escalation contact", () => {
    for (const name of Object.values(ALERTMANAGER_RECEIVERS)) {
      expect(rendered).toMatch(new RegExp(`- name: "?${name}"?\\n`));
    }
    const emergency = rendered.split("- name: emergency")[1].split("- name: heartbeat")[0];
    expect(emergency).toContain("/etc/alertmanager/secrets/pagerduty_routing_key");
    expect(emergency).toContain("/etc/alertmanager/secrets/pagerduty_escalation_routing_key");
  });
});

describe("secrets", () => {
  const SECRETS = {
    slack: "https://hooks.slack.com/services/T0SECRET/B0SECRET/abcdefSECRETslack",
    pager: "pd-routing-key-SECRET-0123456789abcdef",
    escalation: "pd-escalation-key-SECRET-fedcba9876543210",
    heartbeat: "https://deadman.example.com/ping/SECRET-0f0f0f0f",
  };

  test("known secret values never appear in the rendered file; it references files only", () => {
    const secretsDir = path.join(dir, "secrets");
    mkdirSync(secretsDir, { recursive: true });
    const spec = parse({
      secretsDir,
      receivers: {
        chat: { kind: "slack", channel: "#ops", secretFile: "slack" },
        pager: { kind: "pagerduty", secretFile: "pager" },
        escalation: { kind: "pagerduty", secretFile: "escalation" },
        heartbeat: { kind: "webhook", urlFile: "heartbeat" },
      },
    });
    for (const [file, value] of Object.entries(SECRETS)) writeFileSync(path.join(secretsDir, file), value);
    const rendered = renderAlertmanagerConfig(spec);
    for (const value of Object.values(SECRETS)) {
      expect(rendered).not.toContain(value);
      expect(rendered).not.toContain(value.slice(-12));
    }
    expect(rendered).not.toMatch(/\b(api_url|routing_key|service_key|url):/);
    expect(alertmanagerSecretFiles(spec).map((f) => path.basename(f.path))).toEqual(["slack", "pager", "escalation", "heartbeat"]);
    // With the files present the config is still valid.
    const res = runTool("amtool", ["check-config", writeConfig("with-secrets.yml", rendered)]);
    expect(res.status).toBe(0);
  });

  test("a real endpoint URL given inline is refused, naming the field", () => {
    const result = alertmanagerSpecSchema.safeParse({ receivers: { chat: { kind: "webhook", url: SECRETS.slack } } });
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0];
    expect(issue.path).toEqual(["receivers", "chat", "url"]);
    expect(issue.message).toMatch(/urlFile/);
    expect(z.prettifyError(result.error!)).not.toContain("SECRET");
  });

  test("inline webhook URLs are accepted for loopback and local container hosts only", () => {
    const ok = ["http://127.0.0.1:9999/chat", "http://localhost:8080/x", "http://[::1]:80/", "http://webhook-recorder:8080/alerts"];
    const bad = ["https://example.com/hook", "http://10.0.0.5/hook", "http://user:pw@127.0.0.1/hook", "http://127.0.0.1/hook?token=abc", "ftp://127.0.0.1/x"];
    for (const url of ok) expect(alertmanagerSpecSchema.safeParse({ receivers: { pager: { kind: "webhook", url } } }).success).toBe(true);
    for (const url of bad) expect(alertmanagerSpecSchema.safeParse({ receivers: { pager: { kind: "webhook", url } } }).success).toBe(false);
  });
});

describe("spec validation", () => {
  test("a bad duration names the field path", () => {
    const result = alertmanagerSpecSchema.safeParse({ routing: { critical: { groupWait: "5 minutes" } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["routing", "critical", "groupWait"]);
    expect(result.error!.issues[0].message).toContain('"5 minutes"');
  });

  test("emergency must have the shortest repeat interval", () => {
    const result = alertmanagerSpecSchema.safeParse({ routing: { emergency: { repeatInterval: "6h" } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["routing", "emergency", "repeatInterval"]);
  });

  test("an unknown host resource alert is refused", () => {
    const result = alertmanagerSpecSchema.safeParse({ inhibition: { hostResourceAlerts: ["HostHighCpu"] } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["inhibition", "hostResourceAlerts", 0]);
  });

  test("unknown keys are refused", () => {
    const result = alertmanagerSpecSchema.safeParse({ receivers: { chat: { kind: "slack", channel: "#x", secretFile: "s", token: "x" } } });
    expect(result.success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The real binary: accepts the file and flags, routes, inhibits, notifies.
// ---------------------------------------------------------------------------------------------


async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

interface Notification {
  path: string;
  body: { receiver: string; status: string; alerts: Array<{ labels: Record<string, string> }> };
}

describe("prometheus-alertmanager binary", () => {
  let child: ChildProcess | undefined;
  let recorder: http.Server;
  let recorded: Notification[] = [];
  let base = "";
  let hook = "";
  let output = "";

  beforeAll(async () => {
    recorder = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        recorded.push({ path: req.url ?? "", body: JSON.parse(body) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => recorder.listen(0, "127.0.0.1", r));
    hook = `http://127.0.0.1:${(recorder.address() as net.AddressInfo).port}`;

    const secretsDir = path.join(dir, "live-secrets");
    mkdirSync(secretsDir, { recursive: true });
    // Trailing newline on purpose: what a secret file written from a variable often looks like.
    writeFileSync(path.join(secretsDir, "heartbeat_url"), `${hook}/heartbeat\n`);
    const spec = parse({
      secretsDir,
      receivers: {
        chat: { kind: "webhook", url: `${hook}/chat` },
        pager: { kind: "webhook", url: `${hook}/pager` },
        escalation: { kind: "webhook", url: `${hook}/escalation` },
        heartbeat: { kind: "webhook", urlFile: "heartbeat_url" },
      },
    });
    const configFile = writeConfig("live.yml", renderAlertmanagerConfig(spec));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const launch = alertmanagerLaunch([
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ]);
    child = spawn(launch.cmd, launch.args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (c) => (output += c));
    child.stderr!.on("data", (c) => (output += c));
    await until("/-/ready", 15_000, async () => {
      if (child!.exitCode !== null) throw new Error(`alertmanager exited ${child!.exitCode}: ${output}`);
      const res = await fetch(`${base}/-/ready`);
      return res.ok ? true : undefined;
    }).catch((e) => {
      throw new Error(`${e}\n${output}`);
    });
  });

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      process.kill(child.pid, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
    }
    recorder.closeAllConnections();
    await new Promise((r) => recorder.close(r));
  });

  const post = (alerts: Array<Record<string, string>>) =>
    fetch(`${base}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts.map((labels) => ({ labels, annotations: { summary: `${labels.alertname} test` } }))),
    });

  test("is ready with the rendered file and flags", async () => {
    const res = await fetch(`${base}/api/v2/status`);
    expect(res.ok).toBe(true);
    const status = (await res.json()) as { config: { original: string } };
    expect(status.config.original).toContain("receiver: heartbeat");
  });

  test("inhibits per service and per instance, never across", async () => {
    const alerts: Array<Record<string, string>> = [
      { alertname: "WebDown", severity: "emergency", service: "civicpulse-web" },
      { alertname: "CivicPulseHighErrorRate", severity: "critical", service: "civicpulse-web" },
      { alertname: "CivicPulseHighLatency", severity: "warning", service: "civicpulse-web" },
      { alertname: "RedisDown", severity: "critical", service: "redis" },
      { alertname: "InstanceDown", severity: "critical", service: "host", instance: "node-a:9100" },
      { alertname: "HostHighCpuUsage", severity: "warning", service: "host", instance: "node-a:9100" },
      { alertname: "HostLowMemory", severity: "warning", service: "host-b", instance: "node-b:9100" },
    ];
    expect((await post(alerts)).ok).toBe(true);
    const expected = {
      WebDown: "active",
      CivicPulseHighErrorRate: "suppressed",
      CivicPulseHighLatency: "suppressed",
      RedisDown: "active",
      InstanceDown: "active",
      HostHighCpuUsage: "suppressed",
      HostLowMemory: "active",
    };
    const states = await until("inhibition states", 10_000, async () => {
      const res = await fetch(`${base}/api/v2/alerts`);
      const got = (await res.json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
      const map = Object.fromEntries(got.filter((a) => a.labels.alertname in expected).map((a) => [a.labels.alertname, a.status.state]));
      return JSON.stringify(map, Object.keys(expected).sort()) === JSON.stringify(expected, Object.keys(expected).sort()) ? map : undefined;
    }).catch(async (e) => {
      const res = await fetch(`${base}/api/v2/alerts`);
      throw new Error(`${e}\n${await res.text()}`);
    });
    expect(states).toEqual(expected);
  });

  test("delivers the Watchdog to the heartbeat (URL read from its file) and an emergency to pager and escalation", async () => {
    expect((await post([{ alertname: "Watchdog", severity: "none", category: "meta", service: "prometheus" }])).ok).toBe(true);
    const seen = await until("heartbeat, pager and escalation notifications", 15_000, async () => {
      const paths = new Set(recorded.map((n) => n.path));
      return ["/heartbeat", "/pager", "/escalation"].every((p) => paths.has(p)) ? paths : undefined;
    });
    expect(seen.has("/heartbeat")).toBe(true);
    const heartbeat = recorded.find((n) => n.path === "/heartbeat")!;
    expect(heartbeat.body.receiver).toBe("heartbeat");
    expect(heartbeat.body.alerts.map((a) => a.labels.alertname)).toEqual(["Watchdog"]);
    const pager = recorded.filter((n) => n.path === "/pager").flatMap((n) => n.body.alerts.map((a) => a.labels.alertname));
    expect(pager).toContain("WebDown");
    // Inhibited alerts are never delivered.
    const delivered = recorded.flatMap((n) => n.body.alerts.map((a) => a.labels.alertname));
    expect(delivered).not.toContain("CivicPulseHighErrorRate");
    expect(delivered).not.toContain("HostHighCpuUsage");
    // The heartbeat URL came from its file, not from the rendered config.
    expect(readFileSync(path.join(dir, "live.yml"), "utf8")).not.toContain(`${hook}/heartbeat`);
  });
});
