import "./spec/zod-jitless";
import * as path from "node:path";
import { DEFAULT_OVERRIDE_FILE, EnvironmentError, loadConfiguration, OVERRIDE_FILE_VARIABLE } from "./spec/load";
import { synthesizeSpecs } from "./stacks/app";

// Entry point for `npm run synth` and for cdktf.json's app command. cdktf-cli passes its output
// folder in CDKTF_OUTDIR; run directly, the output goes to ./cdktf.out.
const rootDir = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? ".." : ".");
try {
  const warn = (message: string) => process.stderr.write(`warning: ${message}\n`);
  const { overrides, specs } = loadConfiguration({ rootDir, env: process.env, warn });
  const stacks = synthesizeSpecs(specs, process.env.CDKTF_OUTDIR ?? path.join(rootDir, "cdktf.out"));
  if (!process.env.CDKTF_OUTDIR) {
    // What was read and what to do next; cdktf-cli (which sets CDKTF_OUTDIR) prints its own.
    const keys = Object.keys(overrides.byEnvironment);
    const read = overrides.file
      ? `read ${path.relative(process.cwd(), overrides.file) || overrides.file} (${keys.length ? `overrides for ${keys.join(", ")}` : "empty"})`
      : `no override file (${DEFAULT_OVERRIDE_FILE} is absent and ${OVERRIDE_FILE_VARIABLE} is unset): the built-in presets`;
    process.stdout.write(
      `synthesized ${stacks.length} stacks: ${stacks.join(", ")}\n` +
        `${read}\n` +
        "next: npm run check (promtool, amtool, blackbox on it), npm run diff -- --base main, npx cdktf deploy <stack>\n",
    );
  }
} catch (e) {
  const message = e instanceof EnvironmentError ? e.message : (e as Error).stack ?? String(e);
  process.stderr.write(`synth failed, nothing written:\n${message}\n`);
  process.exitCode = 1;
}
