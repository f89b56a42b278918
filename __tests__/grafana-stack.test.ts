// The grafana-<env> stacks: provider from variables only, folder, datasources and dashboards in
// every environment, dashboard and datasource JSON reaching Terraform byte-exact (checked by a real
// `terraform apply` of the same strings), and the dependency on the monitoring stack in the manifest.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { Dashboard } from "../.gen/providers/grafana/dashboard";
import { DataSource } from "../.gen/providers/grafana/data-source";
import { Folder } from "../.gen/providers/grafana/folder";
import { GrafanaProvider } from "../.gen/providers/grafana/provider";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { datasourceDefinitions } from "../constructs/grafana/datasources";
import { GRAFANA_PROVIDER } from "../constructs/grafana/provider-version";
import { terraformLiteral, terraformUnescape } from "../constructs/grafana/terraform-string";
import { buildDashboards } from "../dashboards";
import { DASHBOARD_UIDS } from "../rules/panels";
import { synthesizeAll } from "../stacks/app";
import { EnvironmentError, loadEnvironment } from "../spec/load";
import { EnvironmentSpec } from "../spec/environment";
import { haDatasourceUrls } from "../constructs/grafana/ha-datasources";
import { GrafanaStack } from "../stacks/grafana-stack";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { GRAFANA_ADMIN_PASSWORD_VARIABLE, resolveGrafanaLogin } from "../constructs/grafana/login";
import { BUILT_IN_NAMES, builtIn, builtInEnvironments, EMPTY_ROOT, writeTree } from "./helpers/environments";

type Json = Record<string, any>;

function synth(spec: EnvironmentSpec): { raw: string; json: Json; stack: GrafanaStack } {
  const stack = new GrafanaStack(Testing.app(), spec);
  const raw = Testing.synth(stack);
  return { raw, json: JSON.parse(raw), stack };
}

/** config_json and json_data_encoded replaced by their sha256, so the stack snapshot stays readable. */
function withDigests(json: Json): Json {
  return JSON.parse(JSON.stringify(json), (key, value) =>
    key === "config_json" || key === "json_data_encoded" ? `sha256:${createHash("sha256").update(String(value)).digest("hex")}` : value,
  );
}

describe("terraformLiteral", () => {
  it.each([
    ["${job}", "$${job}"],
    ['{"url":"${__value.raw}","q":"%{x}"}', '{"url":"$${__value.raw}","q":"%%{x}"}'],
    ["$${already}", "$$${already}"],
    ["$job and $$ and 100%", "$job and $$ and 100%"],
  ])("%s", (text, escaped) => {
    expect(terraformLiteral(text)).toBe(escaped);
    expect(terraformUnescape(terraformLiteral(text))).toBe(text);
  });
});

describe.each(builtInEnvironments().map((s) => s.name))("grafana-%s stack", (env) => {
  const spec = builtIn(env);
  const { raw, json, stack } = synth(spec);
  const dashboards = buildDashboards(spec);
  // With a Prometheus pair and a store (prod), Grafana reads the deduplicated Thanos Query and gets a long-range datasource.
  const ha = spec.prometheus.replicas > 1 && spec.store.kind !== "none";
  const urls = ha ? { prometheus: "http://thanos-query:10902", longRange: "http://thanos-query:10902" } : { prometheus: "http://prometheus:9090" };
  const datasources = datasourceDefinitions(spec.grafana, { scrapeInterval: "15s", urls });

  it("cdk.tf.json matches its snapshot (JSON bodies by digest; the dashboards are snapshotted in dashboards.test.ts)", () => {
    expect(withDigests(json)).toMatchSnapshot();
  });

  it("provider: URL from a variable, the bundled container's admin user, the password from a sensitive variable without default", () => {
    expect(raw).toHaveProviderWithProperties(GrafanaProvider, {
      url: "${var.grafana_url}",
      auth: `${spec.services.grafana.adminUser}:\${var.grafana_admin_password}`,
    });
    expect(json.variable.grafana_url).toEqual(expect.objectContaining({ default: "http://127.0.0.1:3000", type: "string" }));
    expect(json.variable.grafana_admin_password).toEqual(expect.objectContaining({ sensitive: true, type: "string", nullable: false }));
    expect(json.variable.grafana_admin_password.default).toBeUndefined();
    expect(json.terraform.required_providers.grafana).toEqual({ source: GRAFANA_PROVIDER.source, version: GRAFANA_PROVIDER.version });
  });

  it("logs in with the same password variable the bundled Grafana container of monitoring-" + env + " reads", () => {
    const monitoring = JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), spec)));
    expect(monitoring.variable?.[GRAFANA_ADMIN_PASSWORD_VARIABLE]).toEqual(expect.objectContaining({ sensitive: true }));
  });

  it("folder", () => {
    expect(raw).toHaveResourceWithProperties(Folder, { title: "CivicPulse", uid: "civicpulse" });
  });

  it("datasources with stable uids: Prometheus (default), Loki -> Jaeger, Jaeger -> Loki, Alertmanager", () => {
    const enc = (key: string) => terraformLiteral(datasources.find((d) => d.key === key)!.jsonDataEncoded);
    expect(raw).toHaveResourceWithProperties(DataSource, {
      name: "Prometheus",
      type: "prometheus",
      uid: "civicpulse-prometheus",
      url: urls.prometheus,
      is_default: true,
      json_data_encoded: enc("prometheus"),
    });
    expect(raw).toHaveResourceWithProperties(DataSource, { type: "loki", uid: "civicpulse-loki", url: "http://loki:3100", is_default: false, json_data_encoded: enc("loki") });
    expect(raw).toHaveResourceWithProperties(DataSource, { type: "jaeger", uid: "civicpulse-jaeger", url: "http://jaeger:16686", json_data_encoded: enc("jaeger") });
    expect(raw).toHaveResourceWithProperties(DataSource, {
      type: "alertmanager",
      uid: "civicpulse-alertmanager",
      url: "http://alertmanager:9093",
      json_data_encoded: '{"handleGrafanaManagedAlerts":false,"implementation":"prometheus"}',
    });
    expect(Object.keys(json.resource.grafana_data_source)).toHaveLength(ha ? 5 : 4);
    if (ha) expect(raw).toHaveResourceWithProperties(DataSource, { type: "prometheus", url: urls.longRange, is_default: false });

    const loki = JSON.parse(datasources.find((d) => d.key === "loki")!.jsonDataEncoded);
    expect(loki.derivedFields[0]).toEqual(
      expect.objectContaining({ matcherType: "label", matcherRegex: "trace_id", datasourceUid: "civicpulse-jaeger", url: "${__value.raw}" }),
    );
    const inLine = new RegExp(loki.derivedFields[1].matcherRegex);
    expect(inLine.exec('msg="done" trace_id=4bf92f3577b34da6a3ce929d0e0e4736 status=200')?.[1]).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(inLine.exec('{"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}')?.[1]).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const jaeger = JSON.parse(datasources.find((d) => d.key === "jaeger")!.jsonDataEncoded);
    expect(jaeger.tracesToLogsV2).toEqual(expect.objectContaining({ datasourceUid: "civicpulse-loki", query: '{service=~".+"} | trace_id="${__trace.traceId}"' }));
    const prom = JSON.parse(datasources.find((d) => d.key === "prometheus")!.jsonDataEncoded);
    expect(prom.exemplarTraceIdDestinations).toEqual([{ datasourceUid: "civicpulse-jaeger", name: "trace_id" }]);
  });

  it("datasource jsonData is deterministic: sorted keys, the same bytes on every synth", () => {
    for (const d of datasources) expect(d.jsonDataEncoded).toBe(JSON.stringify(JSON.parse(d.jsonDataEncoded), Object.keys(flatKeys(d.jsonData)).sort()));
    expect(Testing.synth(new GrafanaStack(Testing.app(), builtIn(env)))).toBe(raw);
  });

  it("three dashboards in the folder, overwriting UI edits, each carrying its rendered JSON byte-exact", () => {
    const resources = Object.values(json.resource.grafana_dashboard as Json) as Json[];
    expect(resources).toHaveLength(3);
    for (const d of dashboards) {
      expect(raw).toHaveResourceWithProperties(Dashboard, {
        folder: "${grafana_folder.civicpulse.uid}",
        overwrite: true,
        config_json: terraformLiteral(d.json),
      });
      const r = resources.find((x) => JSON.parse(terraformUnescape(x.config_json)).uid === d.uid)!;
      // What Terraform evaluates the string to is exactly the rendered file.
      expect(terraformUnescape(r.config_json)).toBe(d.json);
      // The trap is real: the dashboards use ${var}, and no unescaped ${ is left for Terraform.
      expect(d.json).toContain("${job}".replace("job", d.uid === DASHBOARD_UIDS.cicd ? "pipeline" : "instance"));
      expect(r.config_json.replace(/\$\$\{/g, "")).not.toContain("${");
    }
  });

  it("registers every dashboard and datasource JSON as a rendered file", () => {
    const files = new Map(RenderedFiles.of(stack).entries());
    for (const d of dashboards) expect(files.get(`grafana/dashboards/${d.uid}.json`)).toBe(d.json);
    for (const d of datasources) expect(files.get(`grafana/datasources/${d.uid}.json`)).toBe(`${d.jsonDataEncoded}\n`);
  });
});

/** The datasource URLs the stack derives from the HA settings (a Prometheus pair with a store reads Thanos Query). */
function stackUrls(spec: EnvironmentSpec): { prometheus: string; longRange?: string } {
  const ds = spec.grafana.datasources;
  return haDatasourceUrls({ replicas: spec.prometheus.replicas, store: spec.store, prometheusUrl: ds.prometheus.url, longRangeUrl: ds.longRange.url });
}

/** Every key path, so JSON.stringify's allowlist keeps all keys while ordering them. */
function flatKeys(value: unknown, out: Record<string, true> = {}): Record<string, true> {
  if (Array.isArray(value)) value.forEach((x) => flatKeys(x, out));
  else if (value && typeof value === "object") for (const [k, x] of Object.entries(value)) ((out[k] = true), flatKeys(x, out));
  return out;
}

describe("Terraform itself reads the escaped strings back as the rendered JSON", () => {
  it("terraform apply of outputs holding the exact strings of cdk.tf.json returns every dashboard and datasource byte for byte", () => {
    const which = spawnSync("terraform", ["version"], { encoding: "utf8" });
    expect({ terraformOnPath: which.status === 0 }).toEqual({ terraformOnPath: true });

    const spec = builtIn("prod");
    const { json } = synth(spec);
    const expected: Record<string, string> = {};
    const outputs: Json = {};
    for (const [id, r] of Object.entries(json.resource.grafana_dashboard as Json)) {
      const uid = JSON.parse(terraformUnescape(r.config_json)).uid as string;
      outputs[id] = { value: r.config_json };
      expected[id] = buildDashboards(spec).find((d) => d.uid === uid)!.json;
    }
    for (const [id, r] of Object.entries(json.resource.grafana_data_source as Json)) {
      outputs[id] = { value: r.json_data_encoded };
      expected[id] = datasourceDefinitions(spec.grafana, { scrapeInterval: "15s", urls: stackUrls(spec) }).find((d) => d.uid === r.uid)!.jsonDataEncoded;
    }
    const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-tf-"));
    try {
      writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ output: outputs }, null, 2));
      const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
      const run = (args: string[]) => spawnSync("terraform", args, { cwd: dir, encoding: "utf8", env, timeout: 60_000 });
      for (const args of [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]]) {
        const r = run(args);
        expect({ args, status: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({ args, status: 0, stderr: "" });
      }
      const out = run(["output", "-json"]);
      const values = Object.fromEntries(Object.entries(JSON.parse(out.stdout) as Json).map(([k, o]) => [k, o.value as string]));
      expect(Object.keys(values).sort()).toEqual(Object.keys(expected).sort());
      for (const k of Object.keys(expected)) expect({ k, value: values[k] }).toEqual({ k, value: expected[k] });
      expect(Object.values(values).join("")).toContain("${__value.raw}");
      expect(Object.values(values).join("")).toContain('"${job}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("an external Grafana", () => {
  const dir = writeTree([
    [
      "monitoring.overrides.yaml",
      ["prod:", "  grafana:", "    target: { kind: external, url: 'https://grafana.example.com/' }", ""].join("\n"),
    ],
  ]);
  const spec = loadEnvironment("prod", { rootDir: dir, env: {} });
  const { raw, json } = synth(spec);

  it("takes its URL from grafana_url (default from the spec) and its auth from a sensitive variable without default", () => {
    expect(raw).toHaveProviderWithProperties(GrafanaProvider, { url: "${var.grafana_url}", auth: "${var.grafana_auth}" });
    expect(json.variable.grafana_url.default).toBe("https://grafana.example.com/");
    expect(json.variable.grafana_auth).toEqual(expect.objectContaining({ sensitive: true, nullable: false, type: "string" }));
    expect(json.variable.grafana_auth.default).toBeUndefined();
    expect(json.variable.grafana_admin_password).toBeUndefined();
    expect(json.output.dashboard_urls.value.application).toBe("https://grafana.example.com/d/civicpulse-application");
  });

  it("still provisions the same folder, datasources and dashboards", () => {
    expect(raw).toHaveResourceWithProperties(Folder, { uid: "civicpulse" });
    // prod's Prometheus pair and store add the long-range datasource.
    expect(Object.keys(json.resource.grafana_data_source).sort()).toEqual(["alertmanager", "jaeger", "loki", "longRange", "prometheus"]);
    expect(Object.keys(json.resource.grafana_dashboard)).toHaveLength(3);
  });

  it("rejects a uid Grafana would not accept and an unknown target kind, naming the fields", () => {
    const bad = writeTree([["monitoring.overrides.yaml", "prod:\n  grafana:\n    folder: { uid: 'has spaces' }\n    datasources: { loki: { url: 'loki:3100' } }\n"]]);
    expect(() => loadEnvironment("prod", { rootDir: bad, env: {} })).toThrow(/grafana\.folder\.uid[\s\S]*grafana\.datasources\.loki\.url/);
    const kind = writeTree([["monitoring.overrides.yaml", "prod:\n  grafana:\n    target: { kind: cloud }\n"]]);
    expect(() => loadEnvironment("prod", { rootDir: kind, env: {} })).toThrow(/grafana\.target/);
  });

  it("rejects a target without a URL, naming the field", () => {
    const bad = writeTree([["monitoring.overrides.yaml", "prod:\n  grafana:\n    target: { kind: external }\n"]]);
    expect(() => loadEnvironment("prod", { rootDir: bad, env: {} })).toThrow(/grafana\.target\.url/);
  });
});

describe("the bundled Grafana target", () => {
  const load = (yaml: string) => loadEnvironment("prod", { rootDir: writeTree([["monitoring.overrides.yaml", yaml]]), env: {} });

  it("follows the container's publish address, port and admin user", () => {
    const spec = load("prod:\n  services:\n    grafana: { publishAddress: 10.0.0.5, ports: { ui: 3300 }, adminUser: ops }\n");
    expect(resolveGrafanaLogin(spec)).toEqual({ kind: "bundled", url: "http://10.0.0.5:3300", adminUser: "ops", passwordVariable: "grafana_admin_password" });
    const { raw } = synth(spec);
    expect(raw).toHaveProviderWithProperties(GrafanaProvider, { auth: "ops:${var.grafana_admin_password}" });
  });

  it("takes an explicit URL (Terraform on another machine than the Docker host)", () => {
    const spec = load("prod:\n  grafana:\n    target: { kind: bundled, url: 'http://docker-host.internal:3000' }\n");
    expect(resolveGrafanaLogin(spec).url).toBe("http://docker-host.internal:3000");
  });

  it("refuses a bundled target when the container is disabled, naming both fields", () => {
    const spec = load("prod:\n  services:\n    grafana: { enabled: false }\n");
    expect(() => new GrafanaStack(Testing.app(), spec)).toThrow(/^grafana-prod: environment prod: grafana\.target\.kind is "bundled" but services\.grafana\.enabled is false/);
  });
});

describe("synthesizeAll with the grafana stacks", () => {
  const outdir = path.join(tmpdir(), `civicpulse-grafana-synth-${process.pid}`);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("writes grafana-<env> after the monitoring stacks, with the dependency in manifest.json and the JSON under rendered/", () => {
    const stacks = synthesizeAll({ rootDir: EMPTY_ROOT, env: {}, outdir });
    expect(stacks).toEqual([...BUILT_IN_NAMES.map((e) => `monitoring-${e}`), ...BUILT_IN_NAMES.map((e) => `grafana-${e}`)]);
    const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    for (const env of BUILT_IN_NAMES) {
      expect(manifest.stacks[`grafana-${env}`].dependencies).toEqual([`monitoring-${env}`]);
      expect(manifest.stacks[`monitoring-${env}`].dependencies).toEqual([]);
      const dir = path.join(outdir, "stacks", `grafana-${env}`);
      const tf = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
      for (const d of buildDashboards(builtIn(env))) {
        expect(readFileSync(path.join(dir, "rendered", "grafana", "dashboards", `${d.uid}.json`), "utf8")).toBe(d.json);
        expect(Object.values(tf.resource.grafana_dashboard as Json).map((r) => terraformUnescape(r.config_json))).toContain(d.json);
      }
    }
  });

  it("a grafana stack that fails validation stops synth and leaves the previous output untouched", () => {
    const before = readFileSync(path.join(outdir, "manifest.json"), "utf8");
    // Schema-valid, but the datasource uid collides with a dashboard uid.
    const root = writeTree([["monitoring.overrides.yaml", "staging:\n  grafana:\n    datasources: { prometheus: { uid: civicpulse-cicd } }\n"]]);
    let error: unknown;
    try {
      synthesizeAll({ rootDir: root, env: {}, outdir });
    } catch (e) {
      error = e;
    }
    // An EnvironmentError: main.ts prints just the message, which names the stack and the problem.
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/^grafana-staging: invalid dashboards:\n {2}- uid "civicpulse-cicd" is used more than once/);
    expect(readFileSync(path.join(outdir, "manifest.json"), "utf8")).toBe(before);
    expect(existsSync(`${outdir}.tmp-${process.pid}`)).toBe(false);
  });
});
