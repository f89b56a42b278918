// Generates typed cdktf bindings for the grafana provider from a schema file, without network.
//
//   npm run gen:grafana -- [--schema <file>] [--out <dir>]
//
// --schema: `terraform providers schema -json` output or ../shared/providers/grafana/provider-schema.json
//           (default: $GRAFANA_PROVIDER_SCHEMA, else that shared path relative to the repo root).
// --out:    directory that receives providers/grafana/ (default: <repo>/.gen). The tests point it
//           at a temp dir to check that the committed .gen is fresh.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
// @cdktf/commons is not a direct dependency: @cdktf/provider-generator pins it exactly (0.21.0).
// It is needed because the one-call generateProviderBindingsFromSchema() cannot take a version
// constraint (see generate()). Both are loaded lazily in generate(), see loadGenerator().
import type { Provider, ProviderSchema } from "@cdktf/commons";
import { GRAFANA_PROVIDER } from "../constructs/grafana/provider-version";

const FQPN = "registry.terraform.io/grafana/grafana";

// Only what the Grafana stack provisions (folder, data sources, dashboards). Every generated
// resource costs type-check time for everyone; add one here and rerun when a stack needs it.
// Alerting stays in Prometheus/Alertmanager, so no grafana_contact_point / notification_policy.
const GRAFANA_RESOURCES = ["grafana_dashboard", "grafana_data_source", "grafana_folder"] as const;

class UsageError extends Error {}

// package.json marks the repo root; walking up works both from scripts/ (ts-node) and dist/scripts/ (tsc).
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${__dirname}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Validates and trims in one pass, so every "this is not what we expect" names the file.
function trimSchema(raw: unknown, schemaPath: string): ProviderSchema {
  const bad = (why: string) => new UsageError(`${schemaPath} is not a grafana provider schema: ${why}`);
  if (!isRecord(raw)) throw bad("top level is not a JSON object");
  if (typeof raw.format_version !== "string" || !raw.format_version.startsWith("1."))
    throw bad(`format_version is ${JSON.stringify(raw.format_version)}, expected "1.x" (terraform providers schema -json)`);
  if (!isRecord(raw.provider_schemas)) throw bad("no provider_schemas object");
  const provider = raw.provider_schemas[FQPN];
  if (!isRecord(provider))
    throw bad(`provider_schemas has no "${FQPN}" (found: ${Object.keys(raw.provider_schemas).join(", ") || "none"})`);
  if (!isRecord(provider.provider) || !isRecord(provider.resource_schemas))
    throw bad(`"${FQPN}" lacks a provider block or resource_schemas`);
  const available = provider.resource_schemas;
  const missing = GRAFANA_RESOURCES.filter((r) => !isRecord(available[r]));
  if (missing.length > 0) throw bad(`missing resource(s) ${missing.join(", ")}`);
  const blockless = GRAFANA_RESOURCES.filter((r) => !isRecord((available[r] as Record<string, unknown>).block));
  if (blockless.length > 0) throw bad(`resource(s) without a block: ${blockless.join(", ")}`);

  // Built fresh in sorted order: output does not depend on the source file's key order, and
  // provider_versions is deliberately absent (cdktf would prefer an exact version in it over our
  // "~>" constraint in required_providers). Data sources and functions are not generated.
  const resources = Object.fromEntries([...GRAFANA_RESOURCES].sort().map((r) => [r, available[r]]));
  const trimmed = { provider: provider.provider, resource_schemas: resources, data_source_schemas: {} };
  // The generator's type says format_version "0.1"|"0.2" but never reads it; leave it out.
  return { provider_schemas: { [FQPN]: trimmed as unknown as Provider } };
}

function readSchema(schemaPath: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(schemaPath, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read schema ${schemaPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${schemaPath} is not JSON: ${(e as Error).message}`);
  }
}

// Equivalent to @cdktf/provider-generator's generateProviderBindingsFromSchema(), except that it
// passes the provider constraint the way `cdktf get` does. The one-call helper derives the
// constraint from the schema key, which yields source "registry.terraform.io/grafana/grafana" and
// no version, i.e. an unpinned provider in every synthesized stack.
async function generate(schema: ProviderSchema, outDir: string): Promise<void> {
  const { CodeMaker, TerraformProviderGenerator, ConstructsMakerProviderTarget, Language, TerraformProviderConstraint } =
    loadGenerator();
  const code = new CodeMaker();
  const generator = new TerraformProviderGenerator(code, schema);
  const constraint = new TerraformProviderConstraint({ name: "grafana", ...GRAFANA_PROVIDER });
  generator.generate(new ConstructsMakerProviderTarget(constraint, Language.TYPESCRIPT));
  await code.save(outDir);
}

// Loading @cdktf/commons runs `terraform version -json` as a side effect (for its debug report).
// We never use terraform, so keep that spawn quiet and offline: no checkpoint call, and no red
// "[ERROR] ... Unable to open CLI configuration file" when TF_CLI_CONFIG_FILE names a missing file
// (as it does on these machines). Lazy so that bad input fails fast without spawning anything.
function loadGenerator() {
  process.env.CHECKPOINT_DISABLE ??= "1";
  const cliConfig = process.env.TF_CLI_CONFIG_FILE;
  if (cliConfig !== undefined && !fs.existsSync(cliConfig)) delete process.env.TF_CLI_CONFIG_FILE;
  const { CodeMaker, TerraformProviderGenerator }: typeof import("@cdktf/provider-generator") = require("@cdktf/provider-generator");
  const { ConstructsMakerProviderTarget, Language, TerraformProviderConstraint }: typeof import("@cdktf/commons") =
    require("@cdktf/commons");
  return { CodeMaker, TerraformProviderGenerator, ConstructsMakerProviderTarget, Language, TerraformProviderConstraint };
}

// generator 0.21.0 writes no timestamps or machine paths (two runs are byte-identical, which the
// freshness test keeps checking). Guard against a future version embedding the paths it was given:
// fail rather than commit files that differ per checkout.
function assertNoLocalPaths(dir: string, localPaths: string[]): void {
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = fs.readFileSync(file, "utf8");
    const found = localPaths.find((p) => text.includes(p));
    if (found !== undefined) throw new Error(`generated ${path.relative(dir, file)} contains the local path ${found}`);
  }
}

// Generate beside the target, then swap directories by rename, so a failure at any point leaves
// the previous bindings untouched. (rename(2) cannot replace a non-empty directory in one step;
// the window between the two renames is microseconds and is undone on error.)
async function generateInto(schema: ProviderSchema, outRoot: string): Promise<string> {
  const providersDir = path.join(outRoot, "providers");
  const target = path.join(providersDir, "grafana");
  fs.mkdirSync(providersDir, { recursive: true });
  // Dot-prefixed: tsc's `.gen/**/*.ts` glob skips dot directories should one ever be left behind.
  const staging = fs.mkdtempSync(path.join(providersDir, ".grafana-staging-"));
  const backup = `${staging}-previous`;
  try {
    await generate(schema, staging);
    const produced = path.join(staging, "providers", "grafana");
    if (!fs.existsSync(path.join(produced, "index.ts"))) throw new Error("generator produced no providers/grafana/index.ts");
    assertNoLocalPaths(produced, [staging, repoRoot()]);
    const hadPrevious = fs.existsSync(target);
    if (hadPrevious) fs.renameSync(target, backup);
    try {
      fs.renameSync(produced, target);
    } catch (e) {
      if (hadPrevious) fs.renameSync(backup, target);
      throw e;
    }
    return target;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(backup, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const root = repoRoot();
  let values: { schema?: string; out?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { schema: { type: "string" }, out: { type: "string" } }, strict: true }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: generate-grafana-bindings [--schema <file>] [--out <dir>]`);
  }
  const schemaPath = path.resolve(
    values.schema ?? process.env.GRAFANA_PROVIDER_SCHEMA ?? path.join(root, "..", "shared", "providers", "grafana", "provider-schema.json"),
  );
  const outRoot = path.resolve(values.out ?? path.join(root, ".gen"));

  const schema = trimSchema(readSchema(schemaPath), schemaPath);
  let target: string;
  try {
    target = await generateInto(schema, outRoot);
  } catch (e) {
    // The generator's own errors (TypeErrors deep in its parser) do not say which input caused them.
    throw new Error(`generating from ${schemaPath} into ${outRoot} failed (previous bindings left in place)`, { cause: e });
  }
  console.log(`grafana bindings (${GRAFANA_RESOURCES.join(", ")}; ${GRAFANA_PROVIDER.source} ${GRAFANA_PROVIDER.version}) -> ${path.relative(process.cwd(), target) || "."}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    // Usage and input errors are the user's to fix: one line, no stack.
    const detail = (err: unknown): string =>
      err instanceof Error ? `${err.stack}${err.cause === undefined ? "" : `\ncaused by: ${detail(err.cause)}`}` : String(err);
    console.error(`generate-grafana-bindings: ${e instanceof UsageError ? e.message : detail(e)}`);
    process.exitCode = 1;
  });
}
