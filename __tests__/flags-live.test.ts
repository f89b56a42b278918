import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { ServiceRuntime } from "../constructs/common/service-container";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { alertmanagerLaunch } from "./helpers/alertmanager";
import { builtIn } from "./helpers/environments";
import { tool } from "./helpers/tools";
import { freePort } from "../e2e/supervisor";

/**
 * Each exporter / Alertmanager construct's container command, started with the real binary of the
 * same upstream version (Debian unstable's build in .tools/bin): paths mapped to a temp folder
 * (uploads written there, volumes as empty folders, read-only host mounts to their host path),
 * listen addresses replaced by 127.0.0.1:<free port>, and nothing else changed except where a
 * line below says so. Then the container's own healthcheck URL must answer 200 and /metrics must
 * serve the service's signature metric. Prometheus has the same check in prometheus-live.test.ts.
 */


const isToken = (v: string) => v.includes("${TfToken[") || v.startsWith("${var.");

interface Localized {
  args: string[];
  env: Record<string, string>;
  root: string;
  /** The container's healthcheck URL with the listen port replaced. */
  healthUrl?: string;
}

/** Maps a container's command and env to this machine. */
function localize(rt: ServiceRuntime, port: number, secretValue: (p: string) => string): Localized {
  const root = mkdtempSync(path.join(tmpdir(), `civicpulse-flags-${rt.service}-`));
  const mapping = new Map<string, string>();
  for (const [p, content] of rt.files) {
    const local = path.join(root, p);
    mkdirSync(path.dirname(local), { recursive: true });
    writeFileSync(local, content);
    mapping.set(p, local);
  }
  for (const p of rt.secretFiles) {
    const local = path.join(root, p);
    mkdirSync(path.dirname(local), { recursive: true });
    writeFileSync(local, secretValue(p));
    mapping.set(p, local);
  }
  for (const v of rt.volumes) {
    mkdirSync(path.join(root, v), { recursive: true });
    mapping.set(v, path.join(root, v));
  }
  for (const m of rt.hostMounts) mapping.set(m.containerPath, m.hostPath);
  const byLength = [...mapping.entries()].sort(([a], [b]) => b.length - a.length);
  const mapPath = (value: string): string => {
    for (const [containerPath, local] of byLength) {
      if (value === containerPath) return local;
      if (value.startsWith(`${containerPath}/`)) return path.join(local, value.slice(containerPath.length));
    }
    return value;
  };
  const mapValue = (v: string): string => {
    const eq = v.indexOf("=");
    if (v.startsWith("-") && eq > 0) return `${v.slice(0, eq + 1)}${mapPath(v.slice(eq + 1))}`;
    return mapPath(v);
  };
  const args = rt.command.map((a) => (/^-{1,2}web\.listen-address=/.test(a) ? `${a.split("=")[0]}=127.0.0.1:${port}` : mapValue(a)));
  const env = Object.fromEntries(Object.entries(rt.env).map(([k, v]) => [k, isToken(v) ? "" : mapPath(v)]));
  const hc = rt.healthcheck?.test.find((t) => t.startsWith("http://127.0.0.1:"));
  const healthUrl = hc?.replace(/^http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${port}`);
  return { args, env, root, healthUrl };
}

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${url} answered:\n${output()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return r;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${output()}`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(child.pid, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
}

const stack = new MonitoringStack(Testing.app(), builtIn("dev"));
const runtime = (service: string): ServiceRuntime => {
  const svc = stack.services[service];
  if (!svc) throw new Error(`no ${service} in the dev stack`);
  return svc.runtime;
};

interface Case {
  service: string;
  binary: string;
  /** Flags the test adds, each with the reason (only what Debian's build needs on this machine). */
  extraArgs?: (rt: ServiceRuntime) => string[];
  metric: RegExp;
  launch?: (bin: string, args: string[]) => { cmd: string; args: string[] };
  /** Per-case adjustments of the environment (e.g. point the exporter at a real local server). */
  env?: (env: Record<string, string>) => Record<string, string>;
  args?: (args: string[]) => string[];
  /** Checked after the process stopped, with the temp root the container paths were mapped into. */
  afterStop?: (root: string) => void;
}

const children: ChildProcess[] = [];
const roots: string[] = [];
let redis: ChildProcess | undefined;
let redisPort = 0;

beforeAll(async () => {
  redisPort = await freePort();
  redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
});

afterAll(async () => {
  for (const c of children) await stop(c);
  await stop(redis);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const CASES: Case[] = [
  {
    service: "alertmanager",
    binary: "prometheus-alertmanager",
    metric: /^alertmanager_config_last_reload_successful 1$/m,
    // Debian's build cannot find its default template here; see helpers/alertmanager.ts.
    launch: (_bin, args) => alertmanagerLaunch(args),
  },
  {
    service: "node-exporter",
    binary: "prometheus-node-exporter",
    // Debian's build enables the systemd collector by default (upstream's, in the image, does
    // not), and it fails on this machine: the test adds --no-collector.systemd; the construct does not need it.
    extraArgs: (rt) => (rt.command.some((a) => a.includes("collector.systemd")) ? [] : ["--no-collector.systemd"]),
    metric: /^node_cpu_seconds_total\{/m,
  },
  {
    service: "blackbox-exporter",
    binary: "prometheus-blackbox-exporter",
    metric: /^blackbox_exporter_config_last_reload_successful 1$/m,
  },
  {
    service: "redis-exporter",
    binary: "prometheus-redis-exporter",
    // The container reaches redis://redis:6379 on its network; here a real redis-server on loopback.
    args: (args) => args.map((a) => (a.startsWith("-redis.addr=") ? `-redis.addr=redis://127.0.0.1:${redisPort}` : a)),
    metric: /^redis_up 1$/m,
  },
  {
    service: "postgres-exporter",
    binary: "prometheus-postgres-exporter",
    // No PostgreSQL is started: the exporter must still start with the flags and env and report pg_up 0.
    metric: /^pg_up 0$/m,
  },
  {
    service: "pushgateway",
    binary: "prometheus-pushgateway",
    metric: /^pushgateway_build_info\{/m,
    // The persistence file lands in the folder that is the named volume in the container.
    afterStop: (root) => expect(existsSync(path.join(root, "pushgateway", "metrics.store"))).toBe(true),
  },
];

describe.each(CASES)("$service: the real binary accepts the container's command", (c) => {
  test("starts, answers the container's healthcheck URL, serves /metrics", async () => {
    const rt = runtime(c.service);
    const port = await freePort();
    const loc = localize(rt, port, (p) => (p.endsWith("_url") ? "http://127.0.0.1:9/unused" : "not-a-real-secret"));
    roots.push(loc.root);
    const args = [...(c.args ? c.args(loc.args) : loc.args), ...(c.extraArgs ? c.extraArgs(rt) : [])];
    expect(args.some((a) => a.includes(`127.0.0.1:${port}`))).toBe(true);
    const bin = tool(c.binary);
    const launch = c.launch ? c.launch(bin, args) : { cmd: bin, args };
    let output = "";
    const child = spawn(launch.cmd, launch.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: loc.root, ...(c.env ? c.env(loc.env) : loc.env) },
      cwd: loc.root,
    });
    children.push(child);
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    expect(loc.healthUrl).toBeDefined();
    await waitFor(loc.healthUrl!, child, () => output, 15_000);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(c.metric);
    expect(output).not.toMatch(/flag provided but not defined|unknown long flag|unknown flag/);
    await stop(child);
    c.afterStop?.(loc.root);
  }, 30_000);
});

test("the check can fail: an unknown flag makes the binary exit before it answers", async () => {
  const rt = runtime("node-exporter");
  const port = await freePort();
  const loc = localize(rt, port, () => "");
  roots.push(loc.root);
  const child = spawn(tool("prometheus-node-exporter"), [...loc.args, "--no-collector.systemd", "--no-such-flag=1"], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stderr!.on("data", (d) => (output += d));
  await expect(waitFor(loc.healthUrl!, child, () => output, 10_000)).rejects.toThrow(/exited with/);
});
