import { spawn } from "node:child_process";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { Testing } from "cdktf";
import { ServiceRuntime } from "../constructs/common/service-container";
import { promtailHealthcheck } from "../constructs/promtail";
import { servicesSpecSchema } from "../spec/services";
import { appTelemetryEnv, MonitoringStack } from "../stacks/monitoring-stack";
import { builtIn, builtInEnvironments } from "./helpers/environments";

const stacks = builtInEnvironments().map((spec) => ({ spec, stack: new MonitoringStack(Testing.app(), spec) }));

// ---------------------------------------------------------------------------------------------
// Static check: every file path a container is told about exists in it
// ---------------------------------------------------------------------------------------------

const isToken = (v: string) => v.includes("${TfToken[") || v.startsWith("${var.");

/** Keys of the rendered YAML configs whose values are files or folders the process opens. */
const PATH_KEY = /^\s*(?:-\s+)?([A-Za-z_]*(?:_file|_directory|filename|path_prefix|keys|values)):\s+"?(\/[^\s"]*)"?\s*$/gm;

/** Absolute paths named by the command (flag values and bare arguments), env values and config files. */
export function namedPaths(rt: ServiceRuntime): Array<{ where: string; path: string }> {
  const out: Array<{ where: string; path: string }> = [];
  for (const arg of rt.command) {
    const eq = arg.indexOf("=");
    const value = arg.startsWith("-") && eq > 0 ? arg.slice(eq + 1) : arg;
    if (value.startsWith("/")) out.push({ where: `command ${arg}`, path: value });
  }
  for (const [k, v] of Object.entries(rt.env)) if (!isToken(v) && v.startsWith("/")) out.push({ where: `env ${k}`, path: v });
  for (const [file, content] of rt.files) {
    if (!/\.ya?ml$/.test(file)) continue;
    for (const m of content.matchAll(PATH_KEY)) out.push({ where: `${file} ${m[1]}`, path: m[2] });
  }
  return out;
}

/** Where a named path comes from, or undefined when nothing provides it. */
export function provider(rt: ServiceRuntime, p: string): string | undefined {
  if (rt.files.has(p)) return "upload";
  if (rt.secretFiles.includes(p)) return "secret upload";
  const under = (dir: string) => p === dir || p.startsWith(`${dir.replace(/\/$/, "")}/`);
  const v = rt.volumes.find(under);
  if (v) return `volume ${v}`;
  const m = rt.hostMounts.find((h) => under(h.containerPath));
  if (m) return `read-only host mount ${m.hostPath}:${m.containerPath}`;
  return undefined;
}

describe.each(stacks.map((s) => [s.spec.name, s] as const))("%s: every path a container names is provided", (_env, { stack }) => {
  test.each(Object.keys(stack.services).sort())("%s", (service) => {
    const rt = stack.services[service].runtime;
    const missing = namedPaths(rt).filter((n) => provider(rt, n.path) === undefined);
    expect(missing).toEqual([]);
  });
});

test("the static check finds the paths it should (and would catch a missing one)", () => {
  const { stack } = stacks.find((s) => s.spec.name === "dev")!;
  const am = stack.services.alertmanager.runtime;
  const named = namedPaths(am).map((n) => n.path);
  expect(named).toEqual(expect.arrayContaining(["/etc/alertmanager/alertmanager.yml", "/alertmanager", "/etc/alertmanager/secrets/slack_api_url"]));
  expect(provider(am, "/etc/alertmanager/secrets/slack_api_url")).toBe("secret upload");
  expect(namedPaths(stack.services.promtail.runtime).map((n) => n.path)).toContain("/var/lib/promtail/positions.yaml");
  expect(namedPaths(stack.services.loki.runtime).map((n) => n.path)).toContain("/loki/chunks");
  expect(provider(stack.services["node-exporter"].runtime, "/host/proc")).toMatch(/host mount \/:\/host/);
  expect(provider(stack.services["postgres-exporter"].runtime, "/run/secrets/postgres_exporter_password")).toBe("secret upload");
  const broken: ServiceRuntime = { ...am, command: [...am.command, "--web.config.file=/etc/alertmanager/web.yml"] };
  expect(namedPaths(broken).filter((n) => provider(broken, n.path) === undefined)).toEqual([
    { where: "command --web.config.file=/etc/alertmanager/web.yml", path: "/etc/alertmanager/web.yml" },
  ]);
});

// ---------------------------------------------------------------------------------------------
// Healthchecks: a command that exists in each image
// ---------------------------------------------------------------------------------------------

/** What each image has to run its healthcheck with (see docs/services.md for the sources). */
const HEALTHCHECK_BINARY: Record<string, string> = {
  prometheus: "wget", // busybox
  alertmanager: "wget", // busybox
  "blackbox-exporter": "wget", // busybox
  "node-exporter": "wget", // busybox
  pushgateway: "wget", // busybox
  "postgres-exporter": "wget", // busybox
  "redis-exporter": "wget", // the -alpine variant; the default tag is FROM scratch
  cadvisor: "wget", // alpine
  grafana: "wget", // alpine (curl too)
  jaeger: "wget", // alpine base image
  loki: "/usr/bin/loki", // distroless since 3.6: the binary's own -health mode
  promtail: "bash", // ubuntu, no wget/curl
  toxiproxy: "/toxiproxy-cli", // FROM scratch: the image's CLI
};

test.each(Object.entries(HEALTHCHECK_BINARY))("%s: healthcheck runs %s, exec form", (service, binary) => {
  const { stack } = stacks.find((s) => s.spec.name === "dev")!;
  const hc = stack.services[service].runtime.healthcheck;
  expect(hc).toBeDefined();
  expect(hc!.test[0]).toBe("CMD");
  expect(hc!.test[1]).toBe(binary);
  if (binary === "wget") expect(hc!.test).toEqual(["CMD", "wget", "-q", "-O", "/dev/null", expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//)]);
});

test("every service of the dev stack has a healthcheck", () => {
  const { stack } = stacks.find((s) => s.spec.name === "dev")!;
  expect(Object.keys(stack.services).sort()).toEqual(Object.keys(HEALTHCHECK_BINARY).sort());
});

describe("Promtail's bash healthcheck, run by bash against an HTTP server", () => {
  let status = 200;
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => res.writeHead(req.url === "/ready" ? status : 404).end(status === 200 ? "Ready" : "Not ready"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  // Asynchronous: the HTTP server runs in this process and must keep answering while bash waits.
  const run = (p: number) =>
    new Promise<number | null>((resolve) => {
      const [, shell, flag, script] = promtailHealthcheck(p).test;
      const child = spawn(shell, [flag, script], { stdio: "ignore", timeout: 10_000 });
      child.on("exit", (code) => resolve(code));
    });

  test("exits 0 when /ready answers 200", async () => {
    status = 200;
    expect(await run(port)).toBe(0);
  });
  test("fails (exit 1) when /ready answers 503", async () => {
    status = 503;
    expect(await run(port)).toBe(1);
  });
  test("fails when nothing listens", async () => {
    expect(await run(1)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Spec: safe defaults, validation, telemetry outputs
// ---------------------------------------------------------------------------------------------

describe("services spec", () => {
  test("every image is pinned to a version tag, and :latest is refused", () => {
    const s = servicesSpecSchema.parse({});
    for (const [name, svc] of Object.entries(s)) {
      if (name === "app") continue;
      expect((svc as { image: string }).image).toMatch(/:[^:]+$/);
      expect((svc as { image: string }).image).not.toMatch(/:latest$/);
    }
    const bad = servicesSpecSchema.safeParse({ grafana: { image: "grafana/grafana-oss:latest" } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(["grafana", "image"]);
    expect(servicesSpecSchema.safeParse({ grafana: { image: "grafana/grafana-oss" } }).success).toBe(false);
  });

  test("a digest pins the image bytes", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const spec = { ...builtIn("dev") };
    spec.services = { ...spec.services, cadvisor: { ...spec.services.cadvisor, digest } };
    const stack = new MonitoringStack(Testing.app(), spec);
    expect(stack.services.cadvisor.runtime.image).toBe(`ghcr.io/google/cadvisor:v0.57.0@${digest}`);
    expect(servicesSpecSchema.safeParse({ cadvisor: { digest: "sha256:abc" } }).success).toBe(false);
  });

  test("ports publish on loopback by default; two services on one host port are refused", () => {
    const s = servicesSpecSchema.parse({});
    expect(s.grafana.publishAddress).toBe("127.0.0.1");
    const clash = servicesSpecSchema.safeParse({ grafana: { ports: { ui: 9090 } } });
    expect(clash.success).toBe(false);
    expect(clash.error!.issues[0].path).toEqual(["grafana", "ports", "ui"]);
    expect(clash.error!.issues[0].message).toContain("services.prometheus.ports.ui");
    // On another address, or with the other one unpublished, it is fine.
    expect(servicesSpecSchema.safeParse({ grafana: { ports: { ui: 9090 }, publishAddress: "127.0.0.2" } }).success).toBe(true);
    expect(servicesSpecSchema.safeParse({ grafana: { ports: { ui: 9090 } }, prometheus: { ports: { ui: null } } }).success).toBe(true);
  });

  test("Prometheus cannot be disabled; others can", () => {
    expect(servicesSpecSchema.safeParse({ prometheus: { enabled: false } }).success).toBe(false);
    const spec = builtIn("dev");
    spec.services = { ...spec.services, redisExporter: { ...spec.services.redisExporter, enabled: false } };
    expect(Object.keys(new MonitoringStack(Testing.app(), spec).services)).not.toContain("redis-exporter");
  });

  test("trace sampling per environment, and the app's telemetry variables", () => {
    expect(builtInEnvironments().map((s) => [s.name, s.services.app.traceSampleRatio])).toEqual([
      ["dev", 1],
      ["staging", 0.5],
      ["prod", 0.1],
    ]);
    expect(appTelemetryEnv(builtIn("prod"))).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_SERVICE_NAME: "civicpulse-web",
      OTEL_RESOURCE_ATTRIBUTES: "service.name=civicpulse-web,deployment.environment=prod,deployment.environment.name=prod",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    });
    const grpc = builtIn("dev");
    grpc.services = { ...grpc.services, app: { ...grpc.services.app, otlpProtocol: "grpc" } };
    expect(appTelemetryEnv(grpc).OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://jaeger:4317");
    expect(servicesSpecSchema.safeParse({ app: { traceSampleRatio: 1.5 } }).success).toBe(false);
  });

  test("stack outputs: each published UI's URL and the telemetry variables", () => {
    const json = JSON.parse(Testing.synth(stacks.find((s) => s.spec.name === "prod")!.stack));
    const outputs = Object.fromEntries(Object.entries(json.output as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
    expect(outputs).toMatchObject({
      prometheus_url: "http://127.0.0.1:9090",
      alertmanager_url: "http://127.0.0.1:9093",
      grafana_url: "http://127.0.0.1:3000",
      jaeger_url: "http://127.0.0.1:16686",
      pushgateway_url: "http://127.0.0.1:9091",
      app_telemetry_env: expect.objectContaining({ OTEL_TRACES_SAMPLER_ARG: "0.1" }),
    });
    // Toxiproxy is off in prod.
    expect(outputs.toxiproxy_api_url).toBeUndefined();
  });
});
