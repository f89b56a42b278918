/**
 * The pure parts of the real-deploy harness and of the fixes it led to: cpus as the provider
 * writes it back (a mismatch replaced containers on every apply), the plan-vs-diff comparison,
 * apply-output parsing, the typed provider version, and the deployed environment itself.
 */
import { Testing } from "cdktf";
import { providerCpus, securityOptions } from "../constructs/common/service-container";
import { applyCounts } from "../e2e/deploy/cdktf";
import { comparePlanToDiff } from "../e2e/deploy/plan-vs-diff";
import { deployedSecretVariables, DEPLOYED_DOCKER_PROVIDER_VERSION, loadDeployedEnvironment } from "../spec/deployed";
import { environmentSpecSchema } from "../spec/environment";
import { MonitoringStack } from "../stacks/monitoring-stack";

test("cpus: whole numbers get one decimal, fractions none (kreuzwerker/docker's nanoInt64ToDecimalString)", () => {
  expect([1, 2, 0.25, 0.5, 1.5].map(providerCpus)).toEqual(["1.0", "2.0", "0.25", "0.5", "1.5"]);
});

test("security_opt: the host PID namespace gets label=disable, as dockerd adds it", () => {
  expect(securityOptions(true, "host")).toEqual(["label=disable", "no-new-privileges:true"]);
  expect(securityOptions(true, undefined)).toEqual(["no-new-privileges:true"]);
  expect(securityOptions(false, undefined)).toBeUndefined();
});

test("apply output: counts, No changes, destroy", () => {
  expect(applyCounts("Apply complete! Resources: 2 added, 1 changed, 3 destroyed.")).toEqual({ added: 2, changed: 1, destroyed: 3 });
  expect(applyCounts("No changes. Your infrastructure matches the configuration.")).toEqual({ added: 0, changed: 0, destroyed: 0 });
  expect(applyCounts("Destroy complete! Resources: 20 destroyed.")).toEqual({ added: 0, changed: 0, destroyed: 20 });
  expect(applyCounts("something else")).toBeUndefined();
});

describe("plan against diff", () => {
  const plan = {
    resource_changes: [
      { address: "docker_container.a", change: { actions: ["delete", "create"], replace_paths: [["upload"], ["labels"]] } },
      { address: "docker_container.b", change: { actions: ["update"] } },
      { address: "docker_volume.c", change: { actions: ["no-op"] } },
    ],
  };
  const diff = (changes: Array<{ kind: string; action: string; id: string; forcedBy?: string[] }>) => ({ environments: [{ changes }] });

  test("agree when actions and the forcing attributes match", () => {
    const rows = comparePlanToDiff(plan, diff([
      { kind: "container", action: "replaced", id: "docker_container.a", forcedBy: ["upload /etc/prometheus/x.yml", "labels.civicpulse.config-hash"] },
      { kind: "container", action: "changed", id: "docker_container.b" },
      { kind: "alert", action: "changed", id: "HostHighCpuUsage" },
    ]));
    expect(rows.map((r) => [r.address, r.agree])).toEqual([["docker_container.a", true], ["docker_container.b", true]]);
  });

  test("disagree on a wrong action, a missing prediction or other forcing attributes", () => {
    const rows = comparePlanToDiff(plan, diff([
      { kind: "container", action: "replaced", id: "docker_container.a", forcedBy: ["command"] },
      { kind: "resource", action: "removed", id: "docker_volume.z" },
    ]));
    expect(rows.map((r) => [r.address, r.planned, r.predicted, r.agree])).toEqual([
      ["docker_container.a", "replaced", "replaced", false],
      ["docker_container.b", "changed", undefined, false],
      ["docker_volume.z", undefined, "removed", false],
    ]);
  });
});

describe("the deployed environment", () => {
  test("validates, and requires the provider build it deploys with", () => {
    const spec = loadDeployedEnvironment({ jaeger: false });
    expect(spec.providers.dockerVersion).toBe(DEPLOYED_DOCKER_PROVIDER_VERSION);
    expect(spec.services.grafana.enabled).toBe(false);
    expect(spec.services.prometheus.reloadConfigInPlace).toBe(true);
    const tf = JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), spec)));
    expect(tf.terraform.required_providers.docker).toEqual({ source: "kreuzwerker/docker", version: DEPLOYED_DOCKER_PROVIDER_VERSION });
    // The receivers' URLs come from sensitive variables only.
    for (const v of Object.keys(deployedSecretVariables("http://192.0.2.1:1"))) expect(tf.variable[v.replace(/^TF_VAR_/, "")]?.sensitive).toBe(true);
    expect(JSON.stringify(tf)).not.toContain("192.0.2.1");
  });

  test("the bindings' constraint stays by default; a bad constraint names the field", () => {
    const tf = JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), environmentSpecSchema.parse({ name: "dev" }))));
    expect(tf.terraform.required_providers.docker.version).toBe("3.6.2");
    const r = environmentSpecSchema.safeParse({ name: "dev", providers: { dockerVersion: "latest" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(["providers", "dockerVersion"]);
  });

  test("in-place reload refuses basic auth (the loader has no credentials), naming the field", () => {
    const r = environmentSpecSchema.safeParse({ name: "dev", services: { prometheus: { reloadConfigInPlace: true, webConfig: { basicAuth: { enabled: true } } } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toContain("services.prometheus.reloadConfigInPlace");
  });

  test("in place: Prometheus has no uploads and waits for the loader; a rule change touches only the loader", () => {
    const synth = (patch: unknown) => JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), loadDeployedEnvironment({ jaeger: false }, patch))));
    const a = synth({});
    const b = synth({ alerts: { HostHighCpuUsage: { cpuPercent: 95 } } });
    const prom = (tf: any) => Object.entries<any>(tf.resource.docker_container).find(([k]) => k.startsWith("prometheus_container"))![1];
    const loader = (tf: any) => Object.entries<any>(tf.resource.docker_container).find(([k]) => k.startsWith("prometheus_config-loader"))![1];
    expect(prom(a).upload).toEqual([]);
    expect(prom(a).depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^docker_container\.prometheus_config-loader_/)]));
    expect(prom(b)).toEqual(prom(a));
    expect(loader(b).upload).not.toEqual(loader(a).upload);
  });
});

describe("bad input stops with the step that failed", () => {
  test("no engine on the socket: exit 1, the report names the engine step, counted as a failure", () => {
    const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
    const { mkdtempSync, readFileSync, rmSync } = require("node:fs") as typeof import("node:fs");
    const { tmpdir } = require("node:os") as typeof import("node:os");
    const path = require("node:path") as typeof import("node:path");
    const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-deploy-noengine-"));
    try {
      const root = path.resolve(__dirname, "..");
      const { bundled } = require("./helpers/bundle") as typeof import("./helpers/bundle");
      const r = spawnSync(process.execPath, [bundled(path.join(root, "e2e", "deploy", "main.ts"), "deploy"), "--quiet"], {
        cwd: root,
        env: { ...process.env, DEPLOY_DOCKER_SOCKET: path.join(dir, "no-engine.sock"), DEPLOY_REPORT_DIR: dir },
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(r.status).toBe(1);
      expect(readFileSync(path.join(dir, "deploy-counts"), "utf8")).toBe("0 1\n");
      const report = JSON.parse(readFileSync(path.join(dir, "deploy-report.json"), "utf8"));
      expect(report.checks).toEqual([expect.objectContaining({ name: "step failed: engine", ok: false })]);
      expect(report.error).toMatch(/^engine: no Docker Engine answers on the private socket/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
