#!/usr/bin/env node
/**
 * civicpulse-check (`npm run check`): your own configuration, judged by the real tools.
 * See check/run.ts for what it does, check/plan.ts for what runs.
 */
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { NO_CACHE, openPassCache } from "../check/cache";
import { CheckReport, runChecks } from "../check/run";
import { anyFailed, formatSummary } from "../check/summary";
import { MissingToolError, repoRoot } from "../e2e/tools";
import { DEFAULT_OVERRIDE_FILE, OVERRIDE_FILE_VARIABLE } from "../spec/load";

export const EXIT = { passed: 0, failed: 1, cannotRun: 2 } as const;

/** Under the git-ignored .tools/, beside the tools whose verdicts it remembers. */
export const DEFAULT_CACHE_FILE = ".tools/check-cache/rule-tests.json";

export const USAGE = `Usage: npm run check -- [flags]        (or: npx civicpulse-check [flags])

Synthesizes your configuration as npm run synth does (the presets, then ${DEFAULT_OVERRIDE_FILE}
or the file ${OVERRIDE_FILE_VARIABLE} names, then the CIVICPULSE_* variables) into a temporary
folder, and runs on every environment: promtool check config, promtool check rules, promtool test
rules (every generated rule test, against the rules it reads: its rule closure), amtool
check-config, amtool config routes test (every receiver, with the labels that must reach it),
blackbox_exporter --config.check, and the cross-field warnings.
The temporary folder is removed afterwards; cdktf.out is not touched.

  --overrides <file>     read this override file (the same as ${OVERRIDE_FILE_VARIABLE}=<file>)
  --environment <name>   check only this environment (repeatable; default: all)
  --jobs <n>             tool processes at once (default: 2, or fewer cores)
  --strict               cross-field warnings fail the check too
  --no-cache             rerun rule tests that passed before on identical files
  --cache-file <file>    where those passes are remembered (default: ${DEFAULT_CACHE_FILE})
  --full-rule-files      rule tests load the whole rule files, as rendered (slower; the same
                         verdicts where rules name what they read: README "Rule closures")
  -h, --help             this text

Exit codes: 0 every check passed, 1 a check failed (or the configuration does not synthesize),
2 the check could not run (a bad flag, a missing tool: npm run tools installs them).
`;

export class CheckCliError extends Error {}


export interface CheckArgs {
  readonly overrides?: string;
  readonly environments?: string[];
  readonly jobs: number;
  readonly strict: boolean;
  readonly cache: boolean;
  readonly cacheFile?: string;
  readonly fullRuleFiles: boolean;
  readonly help: boolean;
}

export function parseCheckArgs(argv: readonly string[], cores = availableParallelism()): CheckArgs {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        overrides: { type: "string" },
        environment: { type: "string", multiple: true },
        jobs: { type: "string" },
        strict: { type: "boolean" },
        "no-cache": { type: "boolean" },
        "cache-file": { type: "string" },
        "full-rule-files": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new CheckCliError(`${(e as Error).message}\n\n${USAGE}`);
  }
  let jobs = Math.max(1, Math.min(2, cores));
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new CheckCliError(`--jobs: a whole number from 1 to 64 (got ${JSON.stringify(values.jobs)})`);
  }
  return {
    overrides: values.overrides as string | undefined,
    environments: values.environment as string[] | undefined,
    jobs,
    strict: values.strict === true,
    cache: values["no-cache"] !== true,
    cacheFile: values["cache-file"] as string | undefined,
    fullRuleFiles: values["full-rule-files"] === true,
    help: values.help === true,
  };
}

export interface CheckIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const processIo: CheckIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

export async function main(argv: readonly string[], io: CheckIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = process.hrtime.bigint();
  let args: CheckArgs;
  try {
    args = parseCheckArgs(argv);
  } catch (e) {
    io.stderr(`civicpulse check: ${(e as Error).message}\n`);
    return EXIT.cannotRun;
  }
  if (args.help) {
    io.stdout(USAGE);
    return EXIT.passed;
  }
  const rootDir = repoRoot();
  // A flag's path is the user's, relative to where they are; the variable keeps synth's meaning.
  const runEnv = args.overrides ? { ...env, [OVERRIDE_FILE_VARIABLE]: path.resolve(process.cwd(), args.overrides) } : env;
  let report: CheckReport;
  try {
    report = await runChecks({
      rootDir,
      env: runEnv,
      environments: args.environments,
      jobs: args.jobs,
      strict: args.strict,
      cache: args.cache ? openPassCache(args.cacheFile ? path.resolve(process.cwd(), args.cacheFile) : path.join(rootDir, DEFAULT_CACHE_FILE)) : NO_CACHE,
      progress: (m) => io.stderr(`check: ${m}…\n`),
      fullRuleFiles: args.fullRuleFiles,
    });
  } catch (e) {
    if (e instanceof MissingToolError) {
      io.stderr(`civicpulse check: ${e.message}\n`);
      return EXIT.cannotRun;
    }
    throw e;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  io.stdout(formatSummary(report, process.cwd(), seconds));
  if (anyFailed(report)) return EXIT.failed;
  io.stdout(`next: npm run synth writes cdktf.out; npm run diff -- --base main shows what changes; npx cdktf deploy <stack> applies it\n`);
  return EXIT.passed;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`civicpulse check crashed: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
