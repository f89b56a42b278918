import { execFileSync, spawnSync, SpawnSyncReturns } from "node:child_process";
import { tool } from "../../e2e/tools";

// Where the tools live and how to find one is shared with the live harness (e2e/tools.ts).
export { runToolAsync, TOOLS_BIN, tool } from "../../e2e/tools";

/** Runs a tool and returns its result; never throws on a non-zero exit (tests assert on it). */
export function runTool(name: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(tool(name), args, { cwd: options.cwd, encoding: "utf8", timeout: options.timeoutMs ?? 30_000 });
}

export function toolVersion(name: string): string {
  return execFileSync(tool(name), ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0];
}
