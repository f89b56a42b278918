// No user string is ever evaluated by Terraform: every string field of the environment schema gets
// a Terraform interpolation and a directive; the field either rejects it or the synthesized
// cdk.tf.json carries it escaped, which a real `terraform apply` turns back into the literal text.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { terraformUnescape } from "../constructs/common/terraform-string";
import { deepMerge, EnvironmentError, loadEnvironment } from "../spec/load";
import { environmentSpecSchema, EnvironmentSpec } from "../spec/environment";
import { GrafanaStack } from "../stacks/grafana-stack";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { EMPTY_ROOT } from "./helpers/environments";
import { stringFields } from "./helpers/schema-walk";

type Json = Record<string, any>;

const CALL = '${file("/etc/hostname")}';
const PAYLOAD = `${CALL}%{if true}x%{endif}`;
/** Shapes a field may need around the payload: plain, in a URL, a path, a host:port, a redis address. */
const CARRIERS = [
  (p: string) => p,
  (p: string) => `https://h.example/${p}`,
  (p: string) => `https://h.example/?q=${p}`,
  (p: string) => `/${p}`,
  (p: string) => `redis://r/${p}`,
];

const fields = stringFields(environmentSpecSchema);

type Kind = "template" | "literal";
interface Carrier {
  readonly where: string;
  readonly value: string;
  /** A variable default and a backend block are literal values in Terraform; everything else a template. */
  readonly kind: Kind;
}

/** Every string in cdk.tf.json that carries the payload, with how Terraform reads it there. */
function carriers(json: Json, stackName: string): Carrier[] {
  const out: Carrier[] = [];
  const visit = (v: unknown, where: string, kind: Kind) => {
    if (typeof v === "string") {
      if (v.includes("file(")) out.push({ where, value: v, kind });
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${where}[${i}]`, kind));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) if (k !== "//") visit(x, `${where}.${k}`, kind);
  };
  for (const [section, body] of Object.entries(json)) {
    if (section === "//") continue;
    if (section === "variable") {
      for (const [name, variable] of Object.entries(body as Json)) visit(variable.default, `${stackName}.variable.${name}.default`, "literal");
    } else if (section === "terraform") {
      visit((body as Json).backend, `${stackName}.terraform.backend`, "literal");
    } else visit(body, `${stackName}.${section}`, "template");
  }
  return out;
}

function synthJson(spec: EnvironmentSpec): Array<[string, Json]> {
  const monitoring = new MonitoringStack(Testing.app(), spec);
  const grafana = new GrafanaStack(Testing.app(), spec);
  return [
    ["monitoring", JSON.parse(Testing.synth(monitoring)) as Json],
    ["grafana", JSON.parse(Testing.synth(grafana)) as Json],
  ];
}

const load = (input: unknown): EnvironmentSpec | undefined => {
  try {
    return loadEnvironment("prod", { rootDir: EMPTY_ROOT, env: {} }, { byEnvironment: { prod: input }, declared: {} });
  } catch (e) {
    if (e instanceof EnvironmentError) return undefined;
    throw e;
  }
};

/** The first carrier shape the field accepts, as an override of prod; undefined when it rejects all. */
function acceptedInput(field: (typeof fields)[number]): unknown {
  for (const carry of CARRIERS) {
    // The walker fills required siblings with stand-ins; the environment's own name must stay.
    const input = { ...(field.make(carry(PAYLOAD)) as object), ...(field.path === "name" ? {} : { name: "prod" }) };
    if (load(input)) return input;
  }
  return undefined;
}

/** Accepted overrides merged into as few specs as still validate, so synth runs a handful of times, not once per field. */
function groups(inputs: Array<{ field: string; input: unknown }>): Array<{ fields: string[]; spec: EnvironmentSpec }> {
  const out: Array<{ fields: string[]; input: unknown; spec: EnvironmentSpec }> = [];
  for (const { field, input } of inputs) {
    const joined = out.find((g) => {
      const merged = deepMerge(g.input, input);
      const spec = load(merged);
      if (spec) Object.assign(g, { input: merged, spec, fields: [...g.fields, field] });
      return spec !== undefined;
    });
    if (!joined) out.push({ fields: [field], input, spec: load(input)! });
  }
  return out;
}

describe("Terraform interpolation from user strings", () => {
  const accepted = fields
    .map((f, i) => ({ field: `${f.path}#${i}`, input: acceptedInput(f) }))
    .filter((f) => f.input !== undefined);
  const synthesized = groups(accepted).map((g) => ({ fields: g.fields, strings: synthJson(g.spec).flatMap(([name, json]) => carriers(json, name)) }));

  it("walks the whole schema and finds the fields the issue names among those that take the payload", () => {
    expect(fields.length).toBeGreaterThan(80);
    const names = accepted.map((o) => o.field.replace(/#\d+$/, ""));
    for (const f of [
      "services.app.otlpEndpoint",
      "grafanaUrl",
      "runbookBaseUrl",
      "grafana.datasources.prometheus.url",
      "grafana.datasources.prometheus.name",
      "grafana.folder.title",
      "grafana.target.url",
      "targets.appBaseUrl",
      "prometheus.externalLabels.x",
    ]) {
      expect({ f, accepted: names.includes(f) }).toEqual({ f, accepted: true });
    }
  });

  it("a real terraform apply shows every such string as the literal text, never the file's content", () => {
    const strings = synthesized.flatMap((g) => g.strings.map((s) => ({ ...s, field: g.fields.join(" ") })));
    expect(strings.length).toBeGreaterThan(10);
    if (process.env.ESCAPE_REPORT) process.stdout.write(`${fields.length} string fields, ${accepted.length} accept the payload, ${synthesized.length} specs, ${strings.length} strings in cdk.tf.json: ${[...new Set(strings.map((s) => s.where.replace(/_[0-9A-F]{8}/g, "")))].join(" ")}\n`);
    const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-tf-escape-"));
    try {
      const config: Json = { variable: {}, output: {} };
      strings.forEach((s, i) => {
        // A variable default is a literal value in Terraform (no template); an attribute or output is
        // a template: each is read here the way cdk.tf.json's own is. Backend settings are literal
        // too (proven by the backend test below) and go through a variable default.
        if (s.kind === "literal") {
          config.variable[`v${i}`] = { type: "string", default: s.value };
          config.output[`o${i}`] = { value: `\${var.v${i}}` };
        } else config.output[`o${i}`] = { value: s.value };
      });
      writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
      const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
      const run = (args: string[]) => spawnSync("terraform", args, { cwd: dir, encoding: "utf8", env, timeout: 120_000 });
      for (const args of [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]]) {
        const r = run(args);
        expect({ args, status: r.status, stderr: r.status === 0 ? "" : `${r.stderr}${r.error ?? ""}` }).toEqual({ args, status: 0, stderr: "" });
      }
      const values = JSON.parse(run(["output", "-json"]).stdout) as Json;
      const wrong = strings
        .map((s, i) => ({ field: s.field, where: s.where, value: values[`o${i}`]?.value as string, literal: s.kind === "literal" ? s.value : terraformUnescape(s.value) }))
        .filter((r) => r.value !== r.literal || !r.value.includes("${file(") || !r.value.includes("%{if true}"));
      expect(wrong).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a backend block is read literally by Terraform", () => {
  it("terraform init with a local backend path holding the payload creates that very path", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-tf-backend-"));
    try {
      const config = { terraform: { backend: { local: { path: `state/${CALL}.tfstate` } } }, output: { o: { value: "1" } } };
      writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
      const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
      for (const args of [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]]) {
        const r = spawnSync("terraform", args, { cwd: dir, encoding: "utf8", env, timeout: 120_000 });
        expect({ args, status: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({ args, status: 0, stderr: "" });
      }
      expect(existsSync(path.join(dir, "state", '${file("', "etc", 'hostname")}.tfstate'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
