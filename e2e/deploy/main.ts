import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderDeployReport } from "./report";
import { runDeployVerification } from "./run";
import { ROOT } from "./tools";

/**
 * Entry of `npm run verify:deploy` (after scripts/verify-deploy.sh has installed the tools,
 * started the private engine and built the images). Writes .verify/deploy-report.json and .md and
 * `.verify/deploy-counts` ("<passed> <failed>") for scripts/test.sh; exit 1 when a check failed.
 */
async function main(): Promise<number> {
  const quiet = process.argv.includes("--quiet");
  const log = (l: string) => {
    if (!quiet) process.stderr.write(`verify:deploy: ${l}\n`);
  };
  const jaeger = existsSync(path.join(ROOT, ".tools", "go", "bin", "jaeger"));
  const report = await runDeployVerification(log, jaeger);
  const dir = process.env.DEPLOY_REPORT_DIR ?? path.join(ROOT, ".verify");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "deploy-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, "deploy-report.md"), renderDeployReport(report));
  const passed = report.checks.filter((c) => c.ok).length;
  const failed = report.checks.length - passed;
  writeFileSync(path.join(dir, "deploy-counts"), `${passed} ${failed}\n`);
  for (const c of report.checks) if (!c.ok) process.stderr.write(`verify:deploy: FAIL ${c.name}: ${c.detail}\n`);
  process.stderr.write(`verify:deploy: ${passed} passed, ${failed} failed (report: .verify/deploy-report.md)\n`);
  return failed === 0 ? 0 : 1;
}

// Exit explicitly: after a failed step, pollers started for the run (bounded, at most minutes)
// must not keep the process waiting.
main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`verify:deploy failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
