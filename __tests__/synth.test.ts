import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { container, image, network, volume } from "@cdktf/provider-docker";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { ServiceContainer, ServiceContainerProps, wgetHealthcheck } from "../constructs/common/service-container";
import { IMAGES } from "../spec/services";
import { prometheusFiles } from "../stacks/monitoring-files";
import { builtIn, builtInEnvironments } from "./helpers/environments";

type Json = Record<string, any>;

/** The docker_container of a service (by its civicpulse.service label). */
function containerOf(json: Json, service: string): Json {
  const found = Object.values(json.resource.docker_container as Record<string, Json>).filter((c) =>
    (c.labels as Array<{ label: string; value: string }>).some((l) => l.label === "civicpulse.service" && l.value === service),
  );
  if (found.length !== 1) throw new Error(`expected one ${service} container, found ${found.length}`);
  return found[0];
}

const wget = (url: string) => ["CMD", "wget", "-q", "-O", "/dev/null", url];

/** What each container must have by default: image, limits, published ports [internal, host], healthcheck, state. */
const EXPECTED: Record<string, { image: string; memory: number; cpus: string; ports: Array<[number, number]>; healthcheck: string[]; volumes: string[]; volumePaths: string[] }> = {
  prometheus: { image: IMAGES.prometheus, memory: 2048, cpus: "1.0", ports: [[9090, 9090]], healthcheck: wget("http://127.0.0.1:9090/-/ready"), volumes: ["data"], volumePaths: ["/prometheus"] },
  alertmanager: { image: IMAGES.alertmanager, memory: 256, cpus: "0.5", ports: [[9093, 9093]], healthcheck: wget("http://127.0.0.1:9093/-/ready"), volumes: ["data"], volumePaths: ["/alertmanager"] },
  grafana: { image: IMAGES.grafana, memory: 512, cpus: "1.0", ports: [[3000, 3000]], healthcheck: wget("http://127.0.0.1:3000/api/health"), volumes: ["data"], volumePaths: ["/var/lib/grafana"] },
  jaeger: { image: IMAGES.jaeger, memory: 1024, cpus: "1.0", ports: [[16686, 16686], [4317, 4317], [4318, 4318]], healthcheck: wget("http://127.0.0.1:13133/status"), volumes: [], volumePaths: [] },
  loki: { image: IMAGES.loki, memory: 1024, cpus: "1.0", ports: [[3100, 3100]], healthcheck: ["CMD", "/usr/bin/loki", "-health", "-health.url=http://127.0.0.1:3100/ready"], volumes: ["data"], volumePaths: ["/loki"] },
  promtail: { image: IMAGES.promtail, memory: 256, cpus: "0.5", ports: [], healthcheck: ["CMD", "bash", "-c", expect.stringContaining("/dev/tcp/127.0.0.1/9080")] as unknown as string[], volumes: ["positions"], volumePaths: ["/var/lib/promtail"] },
  "node-exporter": { image: IMAGES.nodeExporter, memory: 128, cpus: "0.25", ports: [], healthcheck: wget("http://127.0.0.1:9100/"), volumes: [], volumePaths: [] },
  cadvisor: { image: IMAGES.cadvisor, memory: 256, cpus: "0.5", ports: [], healthcheck: wget("http://127.0.0.1:8080/healthz"), volumes: [], volumePaths: [] },
  "redis-exporter": { image: IMAGES.redisExporter, memory: 64, cpus: "0.25", ports: [], healthcheck: wget("http://127.0.0.1:9121/health"), volumes: [], volumePaths: [] },
  // Read-only root filesystem: the folder its password file is uploaded to is a volume (docker cp cannot write to a read-only root).
  "postgres-exporter": { image: IMAGES.postgresExporter, memory: 128, cpus: "0.25", ports: [], healthcheck: wget("http://127.0.0.1:9187/"), volumes: [], volumePaths: ["/run/secrets"] },
  "blackbox-exporter": { image: IMAGES.blackboxExporter, memory: 64, cpus: "0.25", ports: [], healthcheck: wget("http://127.0.0.1:9115/-/healthy"), volumes: [], volumePaths: [] },
  pushgateway: { image: IMAGES.pushgateway, memory: 128, cpus: "0.25", ports: [[9091, 9091]], healthcheck: wget("http://127.0.0.1:9091/-/ready"), volumes: ["data"], volumePaths: ["/pushgateway"] },
  toxiproxy: { image: IMAGES.toxiproxy, memory: 64, cpus: "0.25", ports: [[8474, 8474]], healthcheck: ["CMD", "/toxiproxy-cli", "list"], volumes: [], volumePaths: [] },
};

/** Replaces each upload's base64 body with its sha256, so the stack snapshot stays readable. */
function withUploadDigests(json: Json): Json {
  return JSON.parse(JSON.stringify(json), (key, value) =>
    key === "content_base64" ? `sha256:${createHash("sha256").update(String(value)).digest("hex")}` : value,
  );
}

function synthStack(name: string): { json: Json; raw: string; stack: MonitoringStack } {
  const app = Testing.app();
  const stack = new MonitoringStack(app, builtIn(name));
  const raw = Testing.synth(stack);
  return { json: JSON.parse(raw), raw, stack };
}

describe.each(builtInEnvironments().map((s) => s.name))("monitoring-%s stack", (env) => {
  const { json, raw, stack } = synthStack(env);

  test("cdk.tf.json matches its snapshot (upload bodies shown by digest; the files are snapshotted below)", () => {
    expect(withUploadDigests(json)).toMatchSnapshot();
  });

  test("every rendered file matches its snapshot", () => {
    for (const [p, content] of RenderedFiles.of(stack).entries()) expect(content).toMatchSnapshot(p);
  });

  test("Prometheus container: pinned image, loopback port, volume, healthcheck, limits", () => {
    expect(raw).toHaveResourceWithProperties(image.Image, { name: "prom/prometheus:v3.5.0" });
    expect(raw).toHaveResourceWithProperties(volume.Volume, { name: `civicpulse-${env}-prometheus-data` });
    expect(raw).toHaveResourceWithProperties(network.Network, { name: `civicpulse-${env}-monitoring` });
    expect(raw).toHaveResourceWithProperties(container.Container, {
      name: `civicpulse-${env}-prometheus`,
      restart: "unless-stopped",
      memory: 2048,
      ports: [{ internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" }],
      healthcheck: expect.objectContaining({ test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/ready"] }),
    });
  });

  test("the TSDB lives on the named volume", () => {
    const c = containerOf(json, "prometheus");
    expect(c.volumes).toEqual([{ container_path: "/prometheus", volume_name: expect.stringMatching(/^\$\{docker_volume\.prometheus_data_[0-9A-F]+\.name\}$/) }]);
  });

  test.each(Object.entries(EXPECTED))("%s container: pinned image, ports on 127.0.0.1, healthcheck, volumes, limits, logs", (service, e) => {
    if (env === "prod" && service === "toxiproxy") {
      expect(raw).not.toHaveResourceWithProperties(container.Container, { name: "civicpulse-prod-toxiproxy" });
      return;
    }
    expect(raw).toHaveResourceWithProperties(image.Image, { name: e.image, keep_locally: true });
    expect(raw).toHaveResourceWithProperties(container.Container, {
      name: `civicpulse-${env}-${service}`,
      restart: "unless-stopped",
      memory: e.memory,
      cpus: e.cpus,
      log_driver: "json-file",
      log_opts: { "max-size": "10m", "max-file": "3" },
      ports: e.ports.map(([internal, external]) => ({ internal, external, ip: "127.0.0.1", protocol: "tcp" })),
      healthcheck: expect.objectContaining({ test: e.healthcheck, interval: "15s", timeout: "5s", retries: 5 }),
      networks_advanced: [{ name: "${docker_network.network.name}", aliases: [service] }],
    });
    for (const v of e.volumes) expect(raw).toHaveResourceWithProperties(volume.Volume, { name: `civicpulse-${env}-${service}-${v}` });
    const c = containerOf(json, service);
    expect((c.volumes as Json[]).map((v) => v.container_path)).toEqual(e.volumePaths);
    for (const m of (c.mounts ?? []) as Json[]) expect(m.read_only).toBe(true);
    const labels = Object.fromEntries((c.labels as Array<{ label: string; value: string }>).map((l) => [l.label, l.value]));
    expect(labels).toEqual({ "civicpulse.environment": env, "civicpulse.service": service, "civicpulse.config-hash": expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  test("node-exporter and cAdvisor get the host mounts they need, read-only", () => {
    expect(containerOf(json, "node-exporter").mounts).toEqual([{ type: "bind", source: "/", target: "/host", read_only: true, bind_options: { propagation: "rslave" } }]);
    expect(containerOf(json, "node-exporter").pid_mode).toBe("host");
    expect((containerOf(json, "cadvisor").mounts as Json[]).map((m) => [m.source, m.target, m.read_only])).toEqual([
      ["/", "/rootfs", true],
      ["/var/run", "/var/run", true],
      ["/sys", "/sys", true],
      ["/var/lib/docker", "/var/lib/docker", true],
      ["/dev/disk", "/dev/disk", true],
    ]);
    expect((containerOf(json, "promtail").mounts as Json[]).map((m) => [m.source, m.target, m.read_only])).toEqual([["/var/run/docker.sock", "/var/run/docker.sock", true]]);
  });

  test("Prometheus keeps its retention flags and the lifecycle API", () => {
    const cmd = containerOf(json, "prometheus").command as string[];
    expect(cmd).toContain("--web.enable-lifecycle");
    expect(cmd.some((f) => f.startsWith("--storage.tsdb.retention.time="))).toBe(true);
  });

  test("uploads carry each rendered file byte-exact, with no Terraform interpolation in them", () => {
    const c = containerOf(json, "prometheus");
    const uploads = c.upload as Array<{ file: string; content_base64: string; content?: string }>;
    const all = prometheusFiles(builtIn(env));
    // Everything but the promtool tests is shipped; the tests are only written to rendered/.
    const files = new Map([...all].filter(([p]) => !p.startsWith("tests/")));
    expect(files.size).toBe(3);
    expect(uploads.map((u) => u.file).sort()).toEqual([...files.keys()].map((p) => `/etc/prometheus/${p}`).sort());
    const rendered = new Map(RenderedFiles.of(stack).entries());
    for (const [p, content] of all) if (p.startsWith("tests/")) expect(rendered.get(`prometheus/${p}`)).toBe(content);
    for (const u of uploads) {
      expect(u.content).toBeUndefined();
      expect(Buffer.from(u.content_base64, "base64").toString("utf8")).toBe(files.get(u.file.replace("/etc/prometheus/", "")));
    }
    // The files do contain Terraform's special sequences; they survive because they are base64.
    const decoded = uploads.map((u) => Buffer.from(u.content_base64, "base64").toString("utf8")).join("\n");
    expect(decoded).toContain("${1}:id${3}");
    expect(decoded).toContain("{{ $labels.job }}");
    expect(decoded).toContain('"');
  });

  test.each(Object.keys(EXPECTED))("%s: every config upload decodes to exactly the rendered file", (service) => {
    const svc = stack.services[service];
    if (!svc) {
      // Only Toxiproxy is left out, and only where the spec turns it off (prod).
      expect({ service, enabled: false }).toEqual({ service: "toxiproxy", enabled: builtIn(env).services.toxiproxy.enabled });
      return;
    }
    const c = containerOf(json, service);
    const uploads = (c.upload ?? []) as Array<{ file: string; content_base64?: string; content?: string }>;
    const decoded = new Map(uploads.filter((u) => u.content_base64 !== undefined).map((u) => [u.file, Buffer.from(u.content_base64!, "base64").toString("utf8")]));
    expect(decoded).toEqual(svc.runtime.files);
    // The same bytes are written to rendered/<service>/ for review.
    const rendered = new Map(RenderedFiles.of(stack).entries());
    for (const [file, content] of svc.runtime.files) {
      const rel = service === "prometheus" ? file.replace("/etc/prometheus/", "") : file.split("/").pop();
      expect(rendered.get(`${service}/${rel}`)).toBe(content);
    }
  });
});

describe("plan visibility", () => {
  const labelsOf = (spec: ReturnType<typeof builtIn>, service = "prometheus") => {
    const stack = new MonitoringStack(Testing.app(), spec);
    const c = containerOf(JSON.parse(Testing.synth(stack)), service);
    return Object.fromEntries((c.labels as Array<{ label: string; value: string }>).map((l) => [l.label, l.value]));
  };

  test("a threshold change changes the config-hash label, so the container is replaced visibly", () => {
    const base = builtIn("prod");
    const changed = { ...base, alerts: { ...base.alerts, HostHighCpuUsage: { ...base.alerts.HostHighCpuUsage, cpuPercent: 90 } } };
    expect(labelsOf(changed)["civicpulse.config-hash"]).not.toBe(labelsOf(base)["civicpulse.config-hash"]);
    expect(labelsOf(base)["civicpulse.config-hash"]).toBe(labelsOf(builtIn("prod"))["civicpulse.config-hash"]);
  });

  test("an Alertmanager routing change changes its config-hash, and only its own", () => {
    const base = builtIn("prod");
    const cfg = base.services.alertmanager.config;
    const changed = { ...base, services: { ...base.services, alertmanager: { ...base.services.alertmanager, config: { ...cfg, groupBy: [...cfg.groupBy, "team"] } } } };
    expect(labelsOf(changed, "alertmanager")["civicpulse.config-hash"]).not.toBe(labelsOf(base, "alertmanager")["civicpulse.config-hash"]);
    expect(labelsOf(changed, "grafana")["civicpulse.config-hash"]).toBe(labelsOf(base, "grafana")["civicpulse.config-hash"]);
  });

  const probe = (overrides: Partial<ServiceContainerProps>) => {
    const stack = new TerraformStack(Testing.app(), "probe");
    new ServiceContainer(stack, "svc", {
      environment: "test",
      service: "probe",
      image: "prom/pushgateway:v1.11.2",
      command: ["--web.listen-address=:9091"],
      files: [{ containerPath: "/etc/probe/a.txt", content: "a" }],
      networkName: "net",
      healthcheck: wgetHealthcheck("http://127.0.0.1:9091/-/ready"),
      memoryMb: 64,
      cpus: 0.25,
      ...overrides,
    });
    const c = containerOf(JSON.parse(Testing.synth(stack)), "probe");
    return (c.labels as Array<{ label: string; value: string }>).find((l) => l.label === "civicpulse.config-hash")!.value;
  };

  test("a healthcheck change alone changes the config-hash (the provider would not apply it in place)", () => {
    const base = probe({});
    expect(probe({})).toBe(base);
    expect(probe({ healthcheck: wgetHealthcheck("http://127.0.0.1:9091/-/healthy") })).not.toBe(base);
    expect(probe({ healthcheck: { ...wgetHealthcheck("http://127.0.0.1:9091/-/ready"), interval: "30s" } })).not.toBe(base);
    expect(probe({ command: ["--web.listen-address=:9092"] })).not.toBe(base);
    expect(probe({ env: { A: "1" } })).not.toBe(base);
    expect(probe({ files: [{ containerPath: "/etc/probe/a.txt", content: "b" }] })).not.toBe(base);
  });
});

describe("byte-exact uploads through ServiceContainer (the path every container's files take)", () => {
  const TRICKY = [
    'interpolation: "${var.not_a_variable}" and ${1}:id${3}',
    "directive: %{ if true }yes%{ endif }",
    "go template: {{ $labels.instance }} {{ .CommonLabels.alertname | toUpper }}",
    "quotes: \"double\" 'single' `back` and a backslash \\ and $$ and %%",
    "unicode: \u00e9\u4e2d \u2713",
    "",
  ].join("\n");

  test.each(Object.keys(EXPECTED))("a file with ${, %%{, quotes and {{ $labels.instance }} reaches the %s container unchanged", (service) => {
    const stack = new TerraformStack(Testing.app(), "bytes");
    new ServiceContainer(stack, service, {
      environment: "test",
      service,
      image: EXPECTED[service].image,
      files: [{ containerPath: `/etc/${service}/tricky.yml`, content: TRICKY }],
      networkName: "net",
      healthcheck: { test: ["CMD", "true"] },
      memoryMb: 64,
      cpus: 0.25,
    });
    const raw = Testing.synth(stack);
    const upload = (containerOf(JSON.parse(raw), service).upload as Array<{ file: string; content_base64: string; content?: string }>)[0];
    expect(upload.content).toBeUndefined();
    expect(Buffer.from(upload.content_base64, "base64").toString("utf8")).toBe(TRICKY);
    // None of Terraform's special sequences from the file reach cdk.tf.json as text.
    expect(raw).not.toContain("%{ if");
    expect(raw).not.toContain("not_a_variable");
    expect(raw).not.toContain("$labels.instance");
    expect(RenderedFiles.of(stack).entries()).toEqual([[`${service}/tricky.yml`, TRICKY]]);
  });
});

describe("synth output on disk", () => {
  test("synthesizeAll writes cdk.tf.json and the rendered files of every stack", () => {
    const { synthesizeAll } = require("../stacks/app") as typeof import("../stacks/app");
    const { EMPTY_ROOT } = require("./helpers/environments") as typeof import("./helpers/environments");
    const { tempDir } = require("./helpers/temp") as typeof import("./helpers/temp");
    const outdir = path.join(tempDir("civicpulse-synth-"), "cdktf.out");
    const stacks = synthesizeAll({ rootDir: EMPTY_ROOT, env: {}, outdir });
    const monitoring = ["monitoring-dev", "monitoring-staging", "monitoring-prod"];
    expect(stacks).toEqual(expect.arrayContaining(monitoring));
    for (const s of monitoring) {
      const dir = path.join(outdir, "stacks", s);
      expect(JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")).resource.docker_container).toBeDefined();
      expect(readFileSync(path.join(dir, "rendered", "prometheus", "prometheus.yml"), "utf8")).toContain("job_name: civicpulse-app");
      expect(readFileSync(path.join(dir, "rendered", "prometheus", "alerting_rules.yml"), "utf8")).toContain("alert: CivicPulseHighErrorRate");
      expect(readFileSync(path.join(dir, "rendered", "alertmanager", "alertmanager.yml"), "utf8")).toContain("receiver: heartbeat");
      expect(readFileSync(path.join(dir, "rendered", "loki", "config.yaml"), "utf8")).toContain("schema: v13");
    }
  });

  test("synth is deterministic", () => {
    const a = Testing.synth(new MonitoringStack(new App(), builtIn("prod")));
    const b = Testing.synth(new MonitoringStack(new App(), builtIn("prod")));
    expect(a).toBe(b);
  });
});
