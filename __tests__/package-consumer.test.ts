import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers/temp";

/**
 * Another project's cdktf app built on this package, the way its README section shows: it installs
 * the package (here: a symlink to this repository, as `npm install ../civicpulse-monitoring` makes),
 * type-checks against the compiled declarations (dist/index.d.ts, through `exports`) with its own
 * strict tsconfig, and synthesizes. Needs `tsc -p tsconfig.json` first (npm test and test:unit do).
 */
const ROOT = path.resolve(__dirname, "..");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

const CONSUMER = `
import { App, TerraformStack } from "cdktf";
import { provider } from "@cdktf/provider-docker";
import {
  containerSettings,
  environmentSpecSchema,
  EnvironmentSpec,
  MonitoringStack,
  NodeExporter,
  PRESETS,
  synthesizeSpecs,
} from "civicpulse-monitoring";

// A team's own environment: the staging preset with a stricter latency alert (1 s, a bucket bound).
const spec: EnvironmentSpec = environmentSpecSchema.parse({
  ...PRESETS.staging,
  name: "qa",
  alerts: { CivicPulseHighLatency: { p95Seconds: 1 } },
});

// One construct in a stack of the team's own.
const app = new App({ outdir: process.argv[2] });
const own = new TerraformStack(app, "edge-exporters");
new provider.DockerProvider(own, "docker", {});
const exporter = new NodeExporter(own, "node-exporter", { environment: "qa", networkName: "edge", spec: spec.services.nodeExporter });
if (!(exporter.node.id === "node-exporter")) throw new Error("construct id");
void containerSettings;
new MonitoringStack(app, spec);
app.synth();

// The whole environment through the package's own synth (rendered files included).
const stacks: string[] = synthesizeSpecs([spec], process.argv[3]);
console.log(JSON.stringify(stacks));
`;

function consumerProject(): string {
  const dir = tempDir("civicpulse-consumer-");
  const modules = path.join(dir, "node_modules");
  mkdirSync(path.join(modules, "@cdktf"), { recursive: true });
  symlinkSync(ROOT, path.join(modules, "civicpulse-monitoring"), "dir");
  for (const dep of ["cdktf", "constructs", "@cdktf/provider-docker", "@types/node"]) {
    mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    symlinkSync(path.join(ROOT, "node_modules", dep), path.join(modules, dep), "dir");
  }
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "team-monitoring", private: true, dependencies: { "civicpulse-monitoring": "file:../civicpulse-monitoring" } }));
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "node16", moduleResolution: "node16", outDir: "out", types: ["node"], skipLibCheck: false } }),
  );
  return dir;
}

const tsc = (dir: string, extra: string[] = []) => spawnSync(process.execPath, [TSC, "-p", dir, ...extra], { encoding: "utf8" });

describe("the package, used by another cdktf app", () => {
  it("compiles against the declarations and synthesizes", () => {
    const dir = consumerProject();
    writeFileSync(path.join(dir, "app.ts"), CONSUMER);
    const compiled = tsc(dir);
    expect(compiled.stdout + compiled.stderr).toBe("");
    expect(compiled.status).toBe(0);
    const outdir = path.join(dir, "cdktf.out");
    const out = execFileSync(process.execPath, [path.join(dir, "out", "app.js"), path.join(dir, "own.out"), outdir], { encoding: "utf8", cwd: dir });
    expect(JSON.parse(out.trim().split("\n").pop() as string)).toEqual(["monitoring-qa", "grafana-qa"]);
    const own = JSON.parse(readFileSync(path.join(dir, "own.out", "stacks", "edge-exporters", "cdk.tf.json"), "utf8"));
    expect(Object.keys(own.resource.docker_container)).toHaveLength(1);
    // The team's threshold reached the rendered rules.
    const rules = readFileSync(path.join(outdir, "stacks", "monitoring-qa", "rendered", "prometheus", "alerting_rules.yml"), "utf8");
    expect(rules).toContain("expr: job:civicpulse_request_duration_seconds:p95_rate5m > 1");
  });

  it("keeps internals internal: a deep import is refused by the exports map", () => {
    const dir = consumerProject();
    writeFileSync(path.join(dir, "app.ts"), 'import { buildApp } from "civicpulse-monitoring/dist/stacks/app";\nvoid buildApp;\n');
    // Resolution is refused whatever the library check does; skipping it (and the emit) saves
    // checking @types/node again, which the first case already did.
    const compiled = tsc(dir, ["--skipLibCheck", "--noEmit"]);
    expect(compiled.status).not.toBe(0);
    expect(compiled.stdout).toMatch(/civicpulse-monitoring\/dist\/stacks\/app/);
  });

  it("the package.json entry points at what tsc emits", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(readFileSync(path.join(ROOT, pkg.types), "utf8")).toMatch(/export \{ MonitoringStack/);
  });
});
