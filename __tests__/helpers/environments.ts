import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadAllEnvironments, loadEnvironment } from "../../spec/load";
import { EnvironmentSpec } from "../../spec/environment";
import { tempDir } from "./temp";

/** A folder with no override file, so tests see the built-in presets only. */
export const EMPTY_ROOT = tempDir("civicpulse-root-");

export const builtInEnvironments = (): EnvironmentSpec[] => loadAllEnvironments({ rootDir: EMPTY_ROOT, env: {} });
export const builtIn = (name: string): EnvironmentSpec => loadEnvironment(name, { rootDir: EMPTY_ROOT, env: {} });

/** Writes files (relative path -> content) into a new temp folder and returns it. */
export function writeTree(files: Iterable<[string, string]>, prefix = "civicpulse-"): string {
  const dir = tempDir(prefix);
  for (const [rel, content] of files) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}
