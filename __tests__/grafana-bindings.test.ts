// The committed grafana bindings in .gen/: usable from a stack, fresh with respect to the
// generator script and its allowlist, and the script fails cleanly on bad input.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { Dashboard } from "../.gen/providers/grafana/dashboard";
import { DataSource } from "../.gen/providers/grafana/data-source";
import { Folder } from "../.gen/providers/grafana/folder";
import { GrafanaProvider } from "../.gen/providers/grafana/provider";
import { GRAFANA_PROVIDER } from "../constructs/grafana/provider-version";

// Registers the matchers; harmless if a shared setup file already did.
Testing.setupJest();

const ROOT = path.resolve(__dirname, "..");
const COMMITTED = path.join(ROOT, ".gen", "providers", "grafana");
// Same default as the script. Not found means the freshness check cannot run: fail, never skip.
const SCHEMA =
  process.env.GRAFANA_PROVIDER_SCHEMA ?? path.join(ROOT, "..", "shared", "providers", "grafana", "provider-schema.json");

// Through the npm script, so the package.json wiring is tested too.
function generate(args: string[]) {
  return spawnSync("npm", ["run", "--silent", "gen:grafana", "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
}

function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), fs.readFileSync(full, "utf8"));
    }
  }
  return files;
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "grafana-bindings-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("generated grafana bindings", () => {
  let synth: string;
  beforeAll(() => {
    const stack = new TerraformStack(Testing.app(), "grafana");
    new GrafanaProvider(stack, "grafana", { url: "http://127.0.0.1:3000" });
    const folder = new Folder(stack, "folder", { title: "CivicPulse", uid: "civicpulse" });
    new DataSource(stack, "prometheus", { name: "Prometheus", type: "prometheus", uid: "prometheus", url: "http://prometheus:9090", isDefault: true });
    new Dashboard(stack, "overview", { folder: folder.uid, configJson: JSON.stringify({ title: "Overview", uid: "overview" }) });
    synth = Testing.synth(stack);
  });

  it("synthesizes folder, data source and dashboard with their properties", () => {
    expect(synth).toHaveResourceWithProperties(Folder, { title: "CivicPulse", uid: "civicpulse" });
    expect(synth).toHaveResourceWithProperties(DataSource, {
      name: "Prometheus",
      type: "prometheus",
      url: "http://prometheus:9090",
      is_default: true,
    });
    expect(synth).toHaveResourceWithProperties(Dashboard, {
      folder: "${grafana_folder.folder.uid}",
      config_json: '{"title":"Overview","uid":"overview"}',
    });
    expect(synth).toHaveProviderWithProperties(GrafanaProvider, { url: "http://127.0.0.1:3000" });
  });

  it("pins the provider from the single constant", () => {
    expect(JSON.parse(synth).terraform.required_providers.grafana).toEqual({
      source: GRAFANA_PROVIDER.source,
      version: GRAFANA_PROVIDER.version,
    });
  });
});

describe("scripts/generate-grafana-bindings.ts", () => {
  it("reproduces the committed .gen exactly (regenerate with `npm run gen:grafana` if this fails)", () => {
    // Shows the path on failure; set GRAFANA_PROVIDER_SCHEMA if the shared copy lives elsewhere.
    expect({ schema: SCHEMA, exists: fs.existsSync(SCHEMA) }).toEqual({ schema: SCHEMA, exists: true });
    const schemaCopy = path.join(tmp, "schema.json");
    fs.copyFileSync(SCHEMA, schemaCopy);
    const out = path.join(tmp, "fresh");
    const run = generate(["--schema", schemaCopy, "--out", out]);
    // Compared together so that a failure shows the script's stderr.
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

    const fresh = readTree(path.join(out, "providers", "grafana"));
    const committed = readTree(COMMITTED);
    // Names only, so a stale file does not dump thousands of lines of generated code.
    const differing = [...new Set([...fresh.keys(), ...committed.keys()])]
      .filter((f) => fresh.get(f) !== committed.get(f))
      .sort();
    expect(differing).toEqual([]);
    expect(fresh.size).toBeGreaterThan(0);
  });

  it.each([
    ["a missing schema file", () => path.join(tmp, "does-not-exist.json")],
    [
      "a JSON file that is not a provider schema",
      () => {
        const p = path.join(tmp, "not-a-schema.json");
        fs.writeFileSync(p, JSON.stringify({ format_version: "1.0", provider_schemas: {} }));
        return p;
      },
    ],
  ])("exits non-zero naming the path, writing nothing, for %s", (_label, makePath) => {
    const schemaPath = makePath();
    const out = path.join(tmp, `out-${path.basename(schemaPath)}`);
    const run = generate(["--schema", schemaPath, "--out", out]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(schemaPath);
    expect(fs.existsSync(path.join(out, "providers", "grafana"))).toBe(false);
  });
});
