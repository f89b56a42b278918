import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** The repository root (works from the sources and from dist/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "rules"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
    dir = up;
  }
}

export const TOOLS_BIN = path.join(repoRoot(), ".tools", "bin");
export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

/** Thrown by tool() for a tool that is not installed (the check CLI reports it without a stack trace). */
export class MissingToolError extends Error {
  constructor(
    readonly tool: string,
    readonly expectedAt: string,
  ) {
    super(`required tool ${tool} is missing at ${expectedAt}; run \`npm run tools\` (it installs ${tool} into .tools/)`);
    this.name = "MissingToolError";
  }
}

/** A tool installed by `npm run tools`; missing tools fail loudly. */
export function tool(name: string): string {
  const p = path.join(TOOLS_BIN, name);
  if (!existsSync(p)) throw new MissingToolError(name, p);
  return p;
}

export interface ToolResult {
  readonly code: number | null;
  /** stdout and stderr interleaved, as a terminal would show them. */
  readonly output: string;
  readonly timedOut: boolean;
}

/**
 * Runs a tool without blocking, so several can run at once; output is stdout and stderr
 * interleaved. Killed after `timeoutMs`; never rejects on a non-zero exit. Shared by the tests and
 * `npm run check`.
 */
export function runToolAsync(name: string, args: readonly string[], cwd: string | undefined, timeoutMs: number): Promise<ToolResult> {
  const file = tool(name);
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd });
    let output = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    };
    // A spawn failure (a missing working folder) is an error event, possibly without "close".
    child.on("error", (e) => {
      output += `${e.message}\n`;
      finish(null);
    });
    child.on("close", finish);
  });
}

export function systemBinary(p: string): string {
  if (!existsSync(p)) throw new Error(`required program ${p} is missing (install it: npm run tools installs redis-server and PostgreSQL 15)`);
  return p;
}
