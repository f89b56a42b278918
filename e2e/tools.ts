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

/** A tool installed by `npm run tools`; missing tools fail loudly. */
export function tool(name: string): string {
  const p = path.join(TOOLS_BIN, name);
  if (!existsSync(p)) throw new Error(`required tool ${name} is missing at ${p}; run \`npm run tools\``);
  return p;
}

export function systemBinary(p: string): string {
  if (!existsSync(p)) throw new Error(`required program ${p} is missing (install it: npm run tools installs redis-server and PostgreSQL 15)`);
  return p;
}
