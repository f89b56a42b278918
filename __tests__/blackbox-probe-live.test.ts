import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { BLACKBOX_MODULES, renderBlackboxConfig } from "../constructs/blackbox-exporter/config";
import { freePort, until } from "../e2e/supervisor";
import { tool } from "./helpers/tools";
import { blackboxExporterSpecSchema } from "../spec/blackbox-exporter";

/**
 * The rendered detailed-health module, run by the real blackbox_exporter against real HTTP bodies:
 * only the top-level `status` decides, whatever a nested check says and wherever the key sits.
 */

const BODIES: Record<string, { body: string; code: number }> = {
  "/healthy": { body: '{"status": "healthy", "checks": {"database": {"status": "healthy"}}}', code: 200 },
  "/ok-last": { body: '{"checks": {"cache": {"status": "unhealthy"}}, "status": "ok"}', code: 200 },
  "/degraded-nested-healthy": { body: '{"status": "degraded", "checks": {"database": {"status": "healthy"}, "cache": {"status": "unhealthy"}}}', code: 200 },
  "/degraded-last": { body: '{"checks": {"database": {"status": "healthy"}}, "status": "degraded"}', code: 200 },
  "/no-status": { body: '{"checks": {"database": {"status": "healthy"}}}', code: 200 },
  "/not-json": { body: 'status: "healthy"', code: 200 },
};

let dir: string;
let app: http.Server;
let appPort: number;
let exporter: ChildProcess;
let exporterPort: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "blackbox-probe-"));
  app = http.createServer((req, res) => {
    const b = BODIES[req.url ?? ""];
    res.writeHead(b?.code ?? 404, { "content-type": "application/json" }).end(b?.body ?? "{}");
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  appPort = (app.address() as AddressInfo).port;
  const config = path.join(dir, "blackbox.yml");
  writeFileSync(config, renderBlackboxConfig(blackboxExporterSpecSchema.parse({})));
  exporterPort = await freePort();
  exporter = spawn(tool("prometheus-blackbox-exporter"), [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: "ignore" });
  await until("blackbox_exporter", 15_000, async () => ((await fetch(`http://127.0.0.1:${exporterPort}/-/healthy`)).ok ? true : undefined));
});

afterAll(async () => {
  if (exporter?.pid && exporter.exitCode === null) {
    const gone = new Promise((r) => exporter.once("exit", r));
    process.kill(exporter.pid, "SIGTERM");
    await gone;
  }
  await new Promise((r) => app?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function probeSuccess(p: string): Promise<number> {
  const target = encodeURIComponent(`http://127.0.0.1:${appPort}${p}`);
  const text = await (await fetch(`http://127.0.0.1:${exporterPort}/probe?module=${BLACKBOX_MODULES.healthDetailed}&target=${target}`)).text();
  const m = /^probe_success (\d)$/m.exec(text);
  if (!m) throw new Error(`no probe_success in:\n${text}`);
  return Number(m[1]);
}

describe("real blackbox_exporter, detailed health module", () => {
  test.each([
    ["/healthy", 1],
    ["/ok-last", 1],
    ["/degraded-nested-healthy", 0],
    ["/degraded-last", 0],
    ["/no-status", 0],
    ["/not-json", 0],
  ])("%s -> probe_success %d", async (p, expected) => {
    expect(await probeSuccess(p)).toBe(expected);
  });
});
