import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Passes of the slow promtool rule tests, remembered by what decides them: the bytes of the test
 * file and of the rule files it loads, its arguments, and the promtool binary (path, size, mtime).
 * A job whose key passed before is not run again; a failure is never remembered, so it is rerun
 * every time. The verdict is still promtool's own, on identical bytes; `--no-cache` reruns all.
 *
 * One JSON file of keys, newest last, capped: a few hundred bytes per environment and change.
 */
const MAX_KEYS = 5000;
const FORMAT = 1;

export interface PassCache {
  has(key: string): boolean;
  add(key: string): void;
  save(): void;
}

export function cacheKey(binary: string, args: readonly string[], cwd: string, inputs: readonly string[]): string {
  const bin = realpathSync(binary);
  const st = statSync(bin);
  const h = createHash("sha256").update(`format ${FORMAT}\0${bin}\0${st.size}\0${st.mtimeMs}\0${args.join("\0")}\0`);
  for (const file of inputs) h.update(`${path.relative(cwd, file)}\0`).update(readFileSync(file)).update("\0");
  return h.digest("hex");
}

export function openPassCache(file: string): PassCache {
  let keys: string[] = [];
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { format?: number; keys?: unknown };
    if (parsed.format === FORMAT && Array.isArray(parsed.keys)) keys = parsed.keys.filter((k): k is string => typeof k === "string");
  } catch {
    // No cache yet, or an unreadable one: every job runs.
  }
  const known = new Set(keys);
  const added: string[] = [];
  return {
    has: (key) => known.has(key),
    add: (key) => {
      if (!known.has(key)) added.push(key);
      known.add(key);
    },
    save: () => {
      if (added.length === 0) return;
      const fresh = new Set(added);
      const all = [...keys.filter((k) => !fresh.has(k)), ...added].slice(-MAX_KEYS);
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, keys: all })}\n`);
      renameSync(tmp, file);
    },
  };
}

/** A cache that remembers nothing (`--no-cache`). */
export const NO_CACHE: PassCache = { has: () => false, add: () => undefined, save: () => undefined };
