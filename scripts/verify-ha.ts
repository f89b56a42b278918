/**
 * `npm run verify:ha`: the live proof of the HA topology (e2e/ha-stack.ts, e2e/ha-run.ts). Starts
 * a Prometheus pair, a three-peer Alertmanager cluster and a Thanos Receive hashring with Thanos
 * Query on 127.0.0.1 with the generated config, injects four faults, and writes
 * .verify/ha-report.md and .verify/ha-report.json. Exit code 0 when every fault was survived, 1 when
 * any was not, 2 when the harness itself could not run.
 *
 *   npm run verify:ha [-- --report <file.md>]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { renderHaReport, runHaVerification } from "../e2e/ha-run";
import { repoRoot } from "../e2e/tools";

export const DEFAULT_HA_REPORT = path.join(".verify", "ha-report.md");

async function main(): Promise<number> {
  let values: { report?: string };
  try {
    ({ values } = parseArgs({ options: { report: { type: "string" } }, strict: true }));
  } catch (e) {
    console.error(`verify:ha: ${(e as Error).message}\nusage: npm run verify:ha [-- --report <file.md>]`);
    return 2;
  }
  const reportFile = path.resolve(repoRoot(), values.report ?? DEFAULT_HA_REPORT);
  const t = Date.now();
  const log = (l: string) => console.error(`[verify:ha ${((Date.now() - t) / 1000).toFixed(1).padStart(5)}s] ${l}`);
  const result = await runHaVerification(log);
  const markdown = renderHaReport(result, new Date().toISOString().slice(0, 10));
  mkdirSync(path.dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, markdown + "\n");
  writeFileSync(reportFile.replace(/\.md$/, "") + ".json", JSON.stringify(result, null, 2) + "\n");
  console.log(markdown);
  console.error(`report written to ${path.relative(process.cwd(), reportFile)}`);
  if (!result.ok) {
    console.error(`verify:ha FAILED:\n${result.reasons.map((r) => `  - ${r}`).join("\n")}`);
    return 1;
  }
  console.error("verify:ha passed");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`verify:ha could not run: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(2);
  },
);
