import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";

/**
 * The programs the deploy harness drives, each run with the harness's environment: the private
 * engine (DOCKER_HOST), the provider mirror (TF_CLI_CONFIG_FILE) and CHECKPOINT_DISABLE.
 */

export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../../.." : "../..");
export const TOOLS = path.join(ROOT, ".tools");
export const CLI_CONFIG = path.join(TOOLS, "terraform", "cli.tfrc");
/** The private engine's socket (scripts/deploy-engine.sh); DEPLOY_DOCKER_SOCKET names another (tests of a missing engine). */
export const DOCKER_SOCKET = process.env.DEPLOY_DOCKER_SOCKET ?? path.join(TOOLS, "docker", "docker.sock");
export const CDKTF = path.join(ROOT, "node_modules", ".bin", "cdktf");

/** A failed step: the harness stops and reports which one. */
export class StepError extends Error {
  constructor(readonly step: string, message: string) {
    super(`${step}: ${message}`);
    this.name = "StepError";
  }
}

export function harnessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DOCKER_HOST: `unix://${DOCKER_SOCKET}`,
    TF_CLI_CONFIG_FILE: CLI_CONFIG,
    CHECKPOINT_DISABLE: "1",
    CI: "1",
    FORCE_COLOR: "0",
    NO_COLOR: "1",
    TF_IN_AUTOMATION: "1",
    ...extra,
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly out: string;
  readonly seconds: number;
}

/** Runs a program to completion (bounded), output captured. */
export function runAsync(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { cwd: options.cwd ?? ROOT, env: options.env ?? harnessEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => {
      out += `\n[killed after ${(options.timeoutMs ?? 600_000) / 1000} s]`;
      child.kill("SIGTERM");
    }, options.timeoutMs ?? 600_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, seconds: (Date.now() - started) / 1000 });
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: null, out: `${out}${String(e)}`, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The docker CLI against the private engine; throws StepError on failure unless allowed. */
export function docker(args: readonly string[], step = `docker ${args[0]}`, allowFailure = false): string {
  const r = spawnSync("docker", [...args], { env: harnessEnv(), encoding: "utf8", timeout: 120_000 });
  if ((r.status !== 0 || r.error) && !allowFailure) {
    throw new StepError(step, `docker ${args.join(" ")} failed: ${(r.stderr || String(r.error ?? "")).trim()}`);
  }
  return (r.stdout ?? "").trim();
}

export const tail = (s: string, lines = 25) => s.trimEnd().split("\n").slice(-lines).join("\n");
