#!/usr/bin/env node
/**
 * civicpulse-environments (`npm run --silent environments`): the environments synth writes, in deploy
 * order, read like synth reads them (the presets and the override file's declared environments).
 * The workflows take their plan matrix and deploy order from it, so a new environment in the
 * override file needs no workflow edit.
 *
 *   --json   one line, a JSON array (for a GitHub Actions matrix: fromJSON(...))
 */
import { EnvironmentError, environmentNames, readOverrides } from "../spec/load";
import { repoRoot } from "../e2e/tools";

export const USAGE = "Usage: npm run --silent environments [-- --json]\n\nThe environments synth writes, in deploy order: one per line, or --json for a JSON array.\n";

export function main(argv: readonly string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }, env: NodeJS.ProcessEnv = process.env): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--json");
  if (unknown.length) {
    io.stderr(`environments: unknown argument ${unknown.join(" ")}\n\n${USAGE}`);
    return 2;
  }
  try {
    const names = environmentNames(readOverrides({ rootDir: repoRoot(), env }));
    io.stdout(argv.includes("--json") ? `${JSON.stringify(names)}\n` : names.map((n) => `${n}\n`).join(""));
    return 0;
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    io.stderr(`environments: ${e.message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
