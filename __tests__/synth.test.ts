import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, Testing } from "cdktf";
import { container, image, network, volume } from "@cdktf/provider-docker";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { prometheusFiles } from "../stacks/monitoring-files";
import { builtIn, builtInEnvironments } from "./helpers/environments";

type Json = Record<string, any>;

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
      ports: [{ internal: 9090, external: 9090, ip: "127.0.0.1" }],
      healthcheck: expect.objectContaining({ test: ["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9090/-/ready"] }),
    });
  });

  test("the TSDB lives on the named volume", () => {
    const c = Object.values(json.resource.docker_container as Json)[0] as Json;
    expect(c.volumes).toEqual([{ container_path: "/prometheus", volume_name: expect.stringMatching(/^\$\{docker_volume\.prometheus_data_[0-9A-F]+\.name\}$/) }]);
  });

  test("uploads carry each rendered file byte-exact, with no Terraform interpolation in them", () => {
    const c = Object.values(json.resource.docker_container as Json)[0] as Json;
    const uploads = c.upload as Array<{ file: string; content_base64: string; content?: string }>;
    const files = prometheusFiles(builtIn(env));
    expect(uploads.map((u) => u.file).sort()).toEqual([...files.keys()].map((p) => `/etc/prometheus/${p}`).sort());
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
});

describe("plan visibility", () => {
  const labelsOf = (spec: ReturnType<typeof builtIn>) => {
    const stack = new MonitoringStack(Testing.app(), spec);
    const c = Object.values(JSON.parse(Testing.synth(stack)).resource.docker_container as Json)[0] as Json;
    return Object.fromEntries((c.labels as Array<{ label: string; value: string }>).map((l) => [l.label, l.value]));
  };

  test("a threshold change changes the config-hash label, so the container is replaced visibly", () => {
    const base = builtIn("prod");
    const changed = { ...base, alerts: { ...base.alerts, HostHighCpuUsage: { ...base.alerts.HostHighCpuUsage, cpuPercent: 90 } } };
    expect(labelsOf(changed)["civicpulse.config-hash"]).not.toBe(labelsOf(base)["civicpulse.config-hash"]);
    expect(labelsOf(base)["civicpulse.config-hash"]).toBe(labelsOf(builtIn("prod"))["civicpulse.config-hash"]);
  });
});

describe("synth output on disk", () => {
  test("synthesizeAll writes cdk.tf.json and the rendered files of every stack", () => {
    const { synthesizeAll } = require("../stacks/app") as typeof import("../stacks/app");
    const { EMPTY_ROOT } = require("./helpers/environments") as typeof import("./helpers/environments");
    const outdir = path.join(require("node:os").tmpdir(), `civicpulse-synth-${process.pid}`);
    const stacks = synthesizeAll({ rootDir: EMPTY_ROOT, env: {}, outdir });
    expect(stacks).toEqual(["monitoring-dev", "monitoring-staging", "monitoring-prod"]);
    for (const s of stacks) {
      const dir = path.join(outdir, "stacks", s);
      expect(JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")).resource.docker_container).toBeDefined();
      expect(readFileSync(path.join(dir, "rendered", "prometheus", "prometheus.yml"), "utf8")).toContain("job_name: civicpulse-app");
      expect(readFileSync(path.join(dir, "rendered", "prometheus", "alerting_rules.yml"), "utf8")).toContain("alert: CivicPulseHighErrorRate");
    }
  });

  test("synth is deterministic", () => {
    const a = Testing.synth(new MonitoringStack(new App(), builtIn("prod")));
    const b = Testing.synth(new MonitoringStack(new App(), builtIn("prod")));
    expect(a).toBe(b);
  });
});
