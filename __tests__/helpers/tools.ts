import { execFileSync, spawnSync, SpawnSyncReturns } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** The project's tool folder, filled by `npm run tools` (scripts/install-tools.sh). */
export const TOOLS_BIN = path.resolve(__dirname, "..", "..", ".tools", "bin");

/**
 * Path of a tool installed by scripts/install-tools.sh. A missing tool fails the calling test
 * loudly: the tests never skip because a tool is absent.
 */
export function tool(name: string): string {
  const p = path.join(TOOLS_BIN, name);
  if (!existsSync(p)) {
    throw new Error(`required tool ${name} is missing at ${p}; run \`npm run tools\` (npm test does this itself)`);
  }
  return p;
}

/** Runs a tool and returns its result; never throws on a non-zero exit (tests assert on it). */
export function runTool(name: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(tool(name), args, { cwd: options.cwd, encoding: "utf8", timeout: options.timeoutMs ?? 30_000 });
}

export function toolVersion(name: string): string {
  return execFileSync(tool(name), ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0];
}
