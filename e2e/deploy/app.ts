import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { RenderedFiles } from "../../constructs/common/rendered-files";
import { EnvironmentError } from "../../spec/load";
import { loadDeployedEnvironment } from "../../spec/deployed";
import { MonitoringStack } from "../../stacks/monitoring-stack";

/**
 * The cdktf app of the deployed e2e environment (the `app` command of the cdktf.json the harness
 * writes): only the monitoring stack, since the grafana provider cannot be built here.
 * Inputs, all set by the harness:
 *   CIVICPULSE_DEPLOY_JAEGER    "1" when the Jaeger image exists
 *   CIVICPULSE_DEPLOY_PATCH     optional JSON file deep-merged into the environment (day-2 changes)
 */
export function synthesizeDeployed(env: NodeJS.ProcessEnv, outdir: string): void {
  let patch: unknown = {};
  if (env.CIVICPULSE_DEPLOY_PATCH) {
    try {
      patch = JSON.parse(readFileSync(env.CIVICPULSE_DEPLOY_PATCH, "utf8"));
    } catch (e) {
      throw new EnvironmentError(`CIVICPULSE_DEPLOY_PATCH=${env.CIVICPULSE_DEPLOY_PATCH}: ${(e as Error).message}`);
    }
  }
  const spec = loadDeployedEnvironment({ jaeger: env.CIVICPULSE_DEPLOY_JAEGER === "1" }, patch);
  const app = new App({ outdir, skipValidation: false });
  const stack = new MonitoringStack(app, spec);
  app.synth();
  for (const [rel, content] of RenderedFiles.of(stack).entries()) {
    const file = path.join(outdir, "stacks", stack.node.id, "rendered", rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

if (require.main === module) {
  try {
    synthesizeDeployed(process.env, process.env.CDKTF_OUTDIR ?? path.resolve("cdktf.out"));
  } catch (e) {
    process.stderr.write(`synth failed, nothing deployed:\n${e instanceof EnvironmentError ? e.message : ((e as Error).stack ?? String(e))}\n`);
    process.exitCode = 1;
  }
}
