/**
 * The bindings (@cdktf/provider-docker 12.0.3) were generated from kreuzwerker/docker 3.6.2; the
 * provider that can be built here is 4.6.0+ (the Go module proxy refuses 3.6.2). This test asks the
 * built provider for its schema (`terraform providers schema -json`) and checks that every
 * attribute and block our synthesized cdk.tf.json writes exists in it, for dev, staging, prod and
 * the deployed e2e environment: a binding/provider mismatch fails here instead of at apply time.
 * Needs `bash scripts/install-deploy-tools.sh` (npm test runs it); without it the test fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthesizeDeployed } from "../e2e/deploy/app";
import { synthesizeAll } from "../stacks/app";
import { DEPLOYED_DOCKER_PROVIDER_VERSION } from "../spec/deployed";

const ROOT = path.resolve(__dirname, "..");
const CLI_CONFIG = path.join(ROOT, ".tools", "terraform", "cli.tfrc");
const PROVIDER = "registry.terraform.io/kreuzwerker/docker";
/** Terraform meta-arguments: not provider attributes. */
const META = new Set(["depends_on", "lifecycle", "provider", "count", "for_each", "provisioner", "connection", "//"]);

interface Block {
  attributes?: Record<string, unknown>;
  block_types?: Record<string, { block: Block }>;
}

interface Schema {
  provider: { block: Block };
  resource_schemas: Record<string, { block: Block }>;
}

/** Paths of keys in `body` that the schema block does not have (nested blocks walked). */
export function unknownAttributes(body: unknown, block: Block, where: string): string[] {
  if (Array.isArray(body)) return body.flatMap((b, i) => unknownAttributes(b, block, `${where}[${i}]`));
  if (typeof body !== "object" || body === null) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (META.has(k)) continue;
    if (block.attributes && k in block.attributes) continue;
    const nested = block.block_types?.[k];
    if (nested) out.push(...unknownAttributes(v, nested.block, `${where}.${k}`));
    else out.push(`${where}.${k}`);
  }
  return out;
}

export function unknownInStack(tf: { provider?: Record<string, unknown[]>; resource?: Record<string, Record<string, unknown>> }, schema: Schema): string[] {
  const out: string[] = [];
  for (const cfg of tf.provider?.docker ?? []) out.push(...unknownAttributes(cfg, schema.provider.block, "provider.docker"));
  for (const [type, resources] of Object.entries(tf.resource ?? {})) {
    const s = schema.resource_schemas[type];
    if (!s) {
      out.push(`${type}: no such resource type`);
      continue;
    }
    for (const [name, body] of Object.entries(resources)) out.push(...unknownAttributes(body, s.block, `${type}.${name}`));
  }
  return out;
}

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

let schema: Schema;
beforeAll(() => {
  if (!existsSync(CLI_CONFIG)) throw new Error(`${CLI_CONFIG} is missing: run bash scripts/install-deploy-tools.sh (it builds the provider)`);
  const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-provider-schema-"));
  made.push(dir);
  writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({ terraform: { required_providers: { docker: { source: "kreuzwerker/docker", version: DEPLOYED_DOCKER_PROVIDER_VERSION } } } }),
  );
  const env = { ...process.env, TF_CLI_CONFIG_FILE: CLI_CONFIG, CHECKPOINT_DISABLE: "1", TF_DATA_DIR: path.join(dir, ".terraform") };
  const init = spawnSync("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8", timeout: 120_000 });
  if (init.status !== 0) throw new Error(`terraform init with the built provider failed:\n${init.stdout}${init.stderr}${init.error ?? ""}`);
  const r = spawnSync("terraform", ["providers", "schema", "-json"], { cwd: dir, env, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`terraform providers schema failed:\n${r.stderr}`);
  schema = (JSON.parse(r.stdout) as { provider_schemas: Record<string, Schema> }).provider_schemas[PROVIDER];
}, 180_000);

test("the walker reports an attribute the provider does not have (so the check can fail)", () => {
  const tf = { resource: { docker_network: { n: { name: "x", no_such_attribute: 1, ipam_config: [{ subnet: "10.0.0.0/24", bogus: "y" }] } } } };
  expect(unknownInStack(tf, schema)).toEqual(["docker_network.n.no_such_attribute", "docker_network.n.ipam_config[0].bogus"]);
});

test(`every attribute the monitoring stacks write exists in kreuzwerker/docker ${DEPLOYED_DOCKER_PROVIDER_VERSION}`, () => {
  const out = mkdtempSync(path.join(tmpdir(), "civicpulse-provider-schema-out-"));
  made.push(out);
  synthesizeAll({ rootDir: path.join(out, "no-overrides"), env: {}, outdir: path.join(out, "presets") });
  synthesizeDeployed({}, path.join(out, "deployed"));
  const stacks = [
    ...["dev", "staging", "prod"].map((e) => path.join(out, "presets", "stacks", `monitoring-${e}`, "cdk.tf.json")),
    path.join(out, "deployed", "stacks", "monitoring-deploy", "cdk.tf.json"),
  ];
  const unknown = stacks.flatMap((f) => unknownInStack(JSON.parse(readFileSync(f, "utf8")), schema).map((u) => `${path.basename(path.dirname(f))}: ${u}`));
  expect(unknown).toEqual([]);
  // The walk covered what matters: containers with nested blocks.
  const dev = JSON.parse(readFileSync(stacks[0], "utf8"));
  expect(Object.keys(dev.resource.docker_container).length).toBeGreaterThan(5);
}, 120_000);
