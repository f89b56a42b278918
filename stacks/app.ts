import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { loadAllEnvironments, LoadOptions } from "../spec/load";
import { EnvironmentSpec } from "../spec/environment";
import { GrafanaStack } from "./grafana-stack";
import { MonitoringStack } from "./monitoring-stack";
import { withoutTokenStackTraces } from "./stack-traces";
import { listFiles, writeTree } from "./write-tree";

/**
 * Builds every stack in memory: the monitoring stacks, then one grafana stack per environment that
 * depends on its monitoring stack. Throws on any bad input before anything touches the disk.
 */
export function buildApp(
  specs: readonly EnvironmentSpec[],
  outdir: string,
): { app: App; stacks: TerraformStack[]; monitoring: MonitoringStack[]; grafana: GrafanaStack[] } {
  const app = new App({ outdir, skipValidation: false });
  const monitoring = specs.map((spec) => new MonitoringStack(app, spec));
  const grafana = specs.map((spec, i) => new GrafanaStack(app, spec, { dependsOn: monitoring[i] }));
  return { app, stacks: [...monitoring, ...grafana], monitoring, grafana };
}

/**
 * Synthesizes every environment into `outdir` (cdk.tf.json per stack, plus rendered/ with each
 * config file as text). Everything is built and validated in memory, and cdktf writes into a sibling
 * temp folder, before `outdir` is touched: a bad input leaves the previous output as it was. Then
 * `outdir` is brought to the new content file by file, rewriting only files whose bytes changed.
 */
export function synthesizeAll(options: LoadOptions & { outdir: string }): string[] {
  return synthesizeSpecs(loadAllEnvironments(options), options.outdir);
}

/** synthesizeAll for environments already loaded and validated (the scaling benchmark builds its own). */
export function synthesizeSpecs(specs: readonly EnvironmentSpec[], outdir: string): string[] {
  const finalDir = path.resolve(outdir);
  const workDir = `${finalDir}.tmp-${process.pid}`;
  rmSync(workDir, { recursive: true, force: true });
  try {
    const files = new Map<string, Buffer>();
    const stacks = withoutTokenStackTraces(() => {
      const built = buildApp(specs, workDir);
      built.app.synth();
      return built.stacks;
    });
    for (const rel of listFiles(workDir)) files.set(rel, readFileSync(path.join(workDir, rel)));
    for (const stack of stacks) {
      for (const [rel, content] of RenderedFiles.of(stack).entries()) {
        files.set(`stacks/${stack.node.id}/rendered/${rel}`, Buffer.from(content));
      }
    }
    writeTree(finalDir, files);
    return stacks.map((s) => s.node.id);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
