import { execFileSync, spawn, spawnSync, SpawnSyncReturns } from "node:child_process";
import { tool } from "../../e2e/tools";

// Where the tools live and how to find one is shared with the live harness (e2e/tools.ts).
export { TOOLS_BIN, tool } from "../../e2e/tools";

/** Runs a tool and returns its result; never throws on a non-zero exit (tests assert on it). */
export function runTool(name: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(tool(name), args, { cwd: options.cwd, encoding: "utf8", timeout: options.timeoutMs ?? 30_000 });
}

/**
 * Runs a tool without blocking the test file, so several can run at once; output is stdout and
 * stderr interleaved. Killed after `timeoutMs`; never rejects on a non-zero exit.
 */
export function runToolAsync(name: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(tool(name), args, { cwd });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export function toolVersion(name: string): string {
  return execFileSync(tool(name), ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0];
}
