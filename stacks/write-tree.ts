import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** Every file under `dir`, as paths relative to it with "/" separators, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk("");
  return out.sort();
}

function sameContent(file: string, content: Buffer): boolean {
  try {
    // Size first: most changed files also change length, and a stat is cheaper than a read.
    return statSync(file).size === content.length && readFileSync(file).equals(content);
  } catch {
    return false;
  }
}

/**
 * Makes `dir` hold exactly `files` (relative path → bytes): writes only the files whose bytes
 * differ, deletes the ones no longer produced, and leaves unchanged files (and their mtimes) alone,
 * so a synth that changes one rule rewrites one file and tools watching the folder see only that.
 * Returns how many files it wrote and deleted.
 */
export function writeTree(dir: string, files: ReadonlyMap<string, Buffer>): { written: number; deleted: number } {
  let written = 0;
  let deleted = 0;
  let existing: string[] = [];
  try {
    if (statSync(dir).isDirectory()) existing = listFiles(dir);
    else rmSync(dir, { force: true });
  } catch {
    // absent: everything is new
  }
  const madeDirs = new Set<string>();
  for (const [rel, content] of files) {
    const file = path.join(dir, rel);
    if (sameContent(file, content)) continue;
    const parent = path.dirname(file);
    if (!madeDirs.has(parent)) {
      mkdirSync(parent, { recursive: true });
      madeDirs.add(parent);
    }
    writeFileSync(file, content);
    written++;
  }
  const emptied = new Set<string>();
  for (const rel of existing) {
    if (files.has(rel)) continue;
    unlinkSync(path.join(dir, rel));
    deleted++;
    for (let d = path.posix.dirname(rel); d !== "."; d = path.posix.dirname(d)) emptied.add(d);
  }
  // Deepest first; a folder that still holds files stays.
  for (const d of [...emptied].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(path.join(dir, d));
    } catch {
      // not empty
    }
  }
  return { written, deleted };
}
