import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CDKTF, harnessEnv, ROOT, runAsync, RunResult, StepError, tail, TOOLS } from "./tools";

/**
 * The stock cdktf-cli (0.21.0, a pinned dev dependency) and terraform, run the way a user runs
 * them: a cdktf.json whose app is the deployed environment's synth, in a project folder under
 * .tools/ (its local state lives there too).
 */
export const STACK = "monitoring-deploy";
export const WORK = path.join(TOOLS, "deploy-work");
export const OUT = path.join(WORK, "cdktf.out");
export const STACK_DIR = path.join(OUT, "stacks", STACK);
export const PATCH_FILE = path.join(WORK, "patch.json");

export function writeProject(): void {
  mkdirSync(WORK, { recursive: true });
  const app = `node ${JSON.stringify(path.join(ROOT, "dist", "e2e", "deploy", "app.js"))}`;
  const cdktfJson = { language: "typescript", app, output: "cdktf.out", projectId: "civicpulse-deploy-e2e", sendCrashReports: "false", terraformProviders: [], terraformModules: [], context: {} };
  writeFileSync(path.join(WORK, "cdktf.json"), `${JSON.stringify(cdktfJson, null, 2)}\n`);
  setPatch({});
}

/** The day-2 change the next synth applies (deep-merged into the environment). */
export function setPatch(patch: unknown): void {
  writeFileSync(PATCH_FILE, `${JSON.stringify(patch, null, 2)}\n`);
}

export interface DeployEnv {
  readonly secrets: Record<string, string>;
  readonly jaeger: boolean;
}

function env(d: DeployEnv): NodeJS.ProcessEnv {
  return harnessEnv({ ...d.secrets, CIVICPULSE_DEPLOY_JAEGER: d.jaeger ? "1" : "0", CIVICPULSE_DEPLOY_PATCH: PATCH_FILE });
}

/**
 * cdktf-cli after `terraform init` runs `terraform providers lock -platform=linux_amd64`, which
 * asks the registry for hashes and fails here; with a filesystem mirror, init's lock file (local
 * hashes) is the right one, so every command that initializes gets --skip-provider-lock.
 */
const INIT_COMMANDS = new Set(["deploy", "destroy", "diff"]);

export async function cdktf(step: string, args: readonly string[], d: DeployEnv, timeoutMs = 600_000): Promise<RunResult> {
  if (!existsSync(CDKTF)) throw new StepError(step, `no ${path.relative(ROOT, CDKTF)} (npm ci installs cdktf-cli 0.21.0)`);
  const full = INIT_COMMANDS.has(args[0]) ? [...args, "--skip-provider-lock"] : [...args];
  const r = await runAsync(CDKTF, full, { cwd: WORK, env: env(d), timeoutMs });
  if (r.code !== 0) throw new StepError(step, `cdktf ${args.join(" ")} exited ${r.code}:\n${tail(r.out)}`);
  return r;
}

export async function terraform(step: string, args: readonly string[], d: DeployEnv, okCodes: readonly number[] = [0]): Promise<RunResult> {
  const r = await runAsync("terraform", args, { cwd: STACK_DIR, env: env(d), timeoutMs: 300_000 });
  if (r.code === null || !okCodes.includes(r.code)) throw new StepError(step, `terraform ${args.join(" ")} exited ${r.code}:\n${tail(r.out)}`);
  return r;
}

/** "Resources: 1 added, 2 changed, 0 destroyed" (or "No changes") from apply/destroy output. */
export function applyCounts(out: string): { added: number; changed: number; destroyed: number } | undefined {
  const m = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(out);
  if (m) return { added: Number(m[1]), changed: Number(m[2]), destroyed: Number(m[3]) };
  const d = /Resources: (\d+) destroyed/.exec(out);
  if (d) return { added: 0, changed: 0, destroyed: Number(d[1]) };
  if (/No changes\./.test(out)) return { added: 0, changed: 0, destroyed: 0 };
  return undefined;
}
