import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { loadAllEnvironments, LoadOptions } from "./environment/load";
import { EnvironmentSpec } from "./environment/schema";
import { GrafanaStack } from "./grafana-stack";
import { MonitoringStack } from "./monitoring-stack";

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
 * config file as text). Work happens in a sibling temp folder that replaces `outdir` only when
 * everything succeeded, so a failure leaves the previous output untouched.
 */
export function synthesizeAll(options: LoadOptions & { outdir: string }): string[] {
  const specs = loadAllEnvironments(options);
  const finalDir = path.resolve(options.outdir);
  const workDir = `${finalDir}.tmp-${process.pid}`;
  rmSync(workDir, { recursive: true, force: true });
  try {
    const { app, stacks } = buildApp(specs, workDir);
    app.synth();
    for (const stack of stacks) {
      const stackDir = path.join(workDir, "stacks", stack.node.id);
      for (const [rel, content] of RenderedFiles.of(stack).entries()) {
        const file = path.join(stackDir, "rendered", rel);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(workDir, finalDir);
    return stacks.map((s) => s.node.id);
  } catch (e) {
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
}
