import { ChildProcess, spawn, SpawnOptions } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

/**
 * Starts the processes of a live run and stops every one of them by its PID, whatever happens:
 * on normal completion, on an exception, and on SIGINT/SIGTERM of the harness. Waits are bounded.
 */

/**
 * A free loopback port for a server the harness starts later. Not bind-to-0: the kernel hands out
 * those ports from the ephemeral range, which every outgoing connection (a scrape, the app's
 * database connection) also draws its source port from, so between picking a port and the server
 * binding it, a client socket could take it ("address already in use", seen in a CI run). Ports are
 * picked below the ephemeral range instead, and never twice in one process.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = Math.min(ephemeralLow, 65_536) - 1;
  if (high - low < 1_000) throw new Error(`freePort: no room below the ephemeral port range (starts at ${ephemeralLow})`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free loopback port in ${low}-${high} after 200 attempts`);
}

const handedOut = new Set<number>();

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi)) return [lo, hi];
  } catch {
    // Not Linux: fall through to the IANA dynamic range.
  }
  return [49_152, 65_535];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

export const sleep = (msecs: number) => new Promise<void>((r) => setTimeout(r, msecs));

/** Polls `probe` until it returns a value, at most `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout+stderr, last 64 KiB. */
  output(): string;
  running(): boolean;
  readonly stopSignal: NodeJS.Signals;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** The signal that shuts the program down cleanly (PostgreSQL: SIGINT, a fast shutdown). */
  readonly stopSignal?: NodeJS.Signals;
}

const OUTPUT_LIMIT = 64 * 1024;

export class Supervisor {
  readonly dir: string;
  private readonly procs = new Map<string, ManagedProcess>();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.stopAllSync();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  private readonly onExit = () => this.stopAllSync();

  constructor(prefix = "civicpulse-e2e-") {
    this.dir = mkdtempSync(path.join(tmpdir(), prefix));
    chmodSync(this.dir, 0o755);
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
    process.once("exit", this.onExit);
  }

  /** A folder inside the run's temp dir (optionally owned by another user, e.g. postgres). */
  subdir(name: string, owner?: { uid: number; gid: number }): string {
    const p = path.join(this.dir, name);
    mkdirSync(p, { recursive: true });
    if (owner) chownSync(p, owner.uid, owner.gid);
    return p;
  }

  start(name: string, cmd: string, args: readonly string[], options: StartOptions = {}): ManagedProcess {
    if (this.procs.get(name)?.running()) throw new Error(`${name} is already running`);
    const spawnOptions: SpawnOptions = { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env, cwd: options.cwd };
    if (options.uid !== undefined) spawnOptions.uid = options.uid;
    if (options.gid !== undefined) spawnOptions.gid = options.gid;
    const child = spawn(cmd, [...args], spawnOptions);
    let out = "";
    const append = (c: Buffer) => {
      out += c.toString();
      if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    child.on("error", (e) => append(Buffer.from(`spawn error: ${e.message}\n`)));
    if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
    const proc: ManagedProcess = {
      name,
      child,
      pid: child.pid,
      output: () => out,
      running: () => child.exitCode === null && child.signalCode === null,
      stopSignal: options.stopSignal ?? "SIGTERM",
    };
    this.procs.set(name, proc);
    return proc;
  }

  get(name: string): ManagedProcess {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no process ${name}`);
    return p;
  }

  /** Waits until an HTTP URL answers 2xx, failing early when the process exits. */
  async waitHttp(name: string, url: string, timeoutMs = 20_000): Promise<void> {
    const proc = this.get(name);
    await until(`${name} at ${url}`, timeoutMs, async () => {
      if (!proc.running()) throw new Error(`${name} exited (${proc.child.exitCode ?? proc.child.signalCode}): ${proc.output().slice(-2000)}`);
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      return r.ok ? true : undefined;
    }).catch((e) => {
      throw new Error(`${String(e)}\n--- ${name} output ---\n${proc.output().slice(-3000)}`);
    });
  }

  /** Stops one process by its PID: `signal`, then SIGKILL after `graceMs`. */
  async stop(name: string, signal?: NodeJS.Signals, graceMs = 5_000): Promise<void> {
    const p = this.procs.get(name);
    if (!p || !p.running()) return;
    signal ??= p.stopSignal;
    const exited = new Promise<void>((r) => p.child.once("exit", () => r()));
    try {
      process.kill(p.pid, signal);
    } catch {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    if (p.running()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
      await Promise.race([exited, sleep(2_000)]);
    }
  }

  /** Stops everything (reverse start order) and removes the temp dir. */
  async stopAll(): Promise<void> {
    for (const name of [...this.procs.keys()].reverse()) await this.stop(name);
    this.cleanup();
  }

  /** On an interrupt or exit: each process's stop signal, up to 3 s of grace, then SIGKILL. */
  private stopAllSync(): void {
    // A process that exited but is not reaped yet (this loop blocks the event loop) is a zombie: gone.
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    const running = [...this.procs.values()].filter((p) => p.running());
    for (const p of running) {
      try {
        process.kill(p.pid, p.stopSignal);
      } catch {
        // gone
      }
    }
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 3_000;
    while (running.some((p) => alive(p.pid)) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 50);
    for (const p of running) {
      if (alive(p.pid)) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    this.cleanup();
  }

  private cleanup(): void {
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
    process.removeListener("exit", this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
