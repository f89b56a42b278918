import { ChildProcess, spawn } from "node:child_process";
import { tempDir } from "./helpers/temp";
import { prometheusFlags } from "../constructs/prometheus";
import { prometheusFiles, ruleContext } from "../stacks/monitoring-files";
import { builtIn, writeTree } from "./helpers/environments";
import { tool } from "./helpers/tools";
import { freePort } from "../e2e/supervisor";


async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ${url} was ready`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

describe("Prometheus 3.5 accepts the container's flags and the generated config", () => {
  let child: ChildProcess | undefined;
  let logs = "";
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGTERM");
  });

  test("starts with exactly the construct's flags (paths mapped to a temp folder) and loads every rule", async () => {
    const spec = builtIn("prod");
    const configDir = writeTree(prometheusFiles(spec), "civicpulse-prom-");
    const dataDir = tempDir("civicpulse-tsdb-");
    const port = await freePort();
    // The only change to the construct's flags: the listen address, which in the container is
    // 0.0.0.0:9090 behind a loopback-published port, here loopback on a free port.
    const flags = prometheusFlags(spec.prometheus, configDir, dataDir).map((f) =>
      f.startsWith("--web.listen-address=") ? `--web.listen-address=127.0.0.1:${port}` : f,
    );
    expect(flags).toContain("--web.enable-lifecycle");
    child = spawn(tool("prometheus"), flags, { stdio: ["ignore", "pipe", "pipe"] });
    child.stderr!.on("data", (d) => (logs += d));
    await waitReady(`http://127.0.0.1:${port}/-/ready`, child, 20_000);
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; type: string }> }> };
    };
    const rules = body.data.groups.flatMap((g) => g.rules);
    // The catalog's alerts plus Watchdog, InstanceDown and the escalation, and a fast- and a slow-burn alert per SLO.
    const { SLO_NAMES } = require("../spec/slo") as typeof import("../spec/slo");
    const sloAlerts = SLO_NAMES.filter((n) => spec.slos[n].enabled).length * 2;
    // Every alert file of the catalog, not the spec's keys: an alert file may bring its own knobs.
    const { ALERTS } = require("../rules/alert-catalog") as typeof import("../rules/alert-catalog");
    const enabledCatalogAlerts = ALERTS.filter((m) => m.knobs(ruleContext(spec)).enabled).map((m) => m.name);
    const alerting = rules.filter((r) => r.type === "alerting").map((r) => r.name);
    expect(alerting.filter((n) => !/(Fast|Slow)Burn$/.test(n)).sort()).toEqual(
      [...enabledCatalogAlerts, "Watchdog", "InstanceDown", "CriticalAlertUnresolved"].sort(),
    );
    expect(alerting.filter((n) => /(Fast|Slow)Burn$/.test(n))).toHaveLength(sloAlerts);
    expect(rules.filter((r) => r.type === "recording").length).toBeGreaterThan(40);
    // Reload through the lifecycle endpoint the construct enables.
    const reload = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: "POST" });
    expect(reload.status).toBe(200);
    expect(logs).not.toMatch(/level=ERROR/);
  }, 40_000);
});
