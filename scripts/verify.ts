/**
 * `npm run verify`: the live end-to-end verification (e2e/). Starts real Prometheus, Alertmanager,
 * exporters, Redis and PostgreSQL on 127.0.0.1 with the generated config of the `e2e` environment,
 * injects faults, and writes a Markdown report. Exit code 0 when every scenario passed, 1 when any
 * failed, 2 when the harness itself could not run.
 *
 *   npm run verify [-- --report <file>] [-- --skip-benchmark]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runVerification } from "../e2e/run";
import { repoRoot } from "../e2e/tools";

export const DEFAULT_REPORT = path.join(".verify", "e2e-report.md");

async function main(): Promise<number> {
  let values: { report?: string; "skip-benchmark"?: boolean; quiet?: boolean };
  try {
    ({ values } = parseArgs({
      options: { report: { type: "string" }, "skip-benchmark": { type: "boolean" }, quiet: { type: "boolean" } },
      strict: true,
    }));
  } catch (e) {
    // A usage error is the caller's, not the harness's: say which flag, no stack trace.
    console.error(`verify: ${(e as Error).message}\nusage: npm run verify [-- --report <file>] [--skip-benchmark] [--quiet]`);
    return 2;
  }
  const reportFile = path.resolve(repoRoot(), values.report ?? DEFAULT_REPORT);
  const t = Date.now();
  const log = values.quiet ? () => undefined : (l: string) => console.error(`[verify ${((Date.now() - t) / 1000).toFixed(1).padStart(5)}s] ${l}`);
  const { markdown, verdict } = await runVerification({ skipBenchmark: values["skip-benchmark"], log });
  mkdirSync(path.dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, markdown + "\n");
  console.log(markdown);
  console.error(`report written to ${path.relative(process.cwd(), reportFile)}`);
  if (!verdict.ok) {
    console.error(`verify FAILED:\n${verdict.reasons.map((r) => `  - ${r}`).join("\n")}`);
    return 1;
  }
  console.error("verify passed");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`verify could not run: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(2);
  },
);
