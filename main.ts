import * as path from "node:path";
import { z } from "zod";
import { EnvironmentError } from "./stacks/environment/load";
import { synthesizeAll } from "./stacks/app";

// One synth validates each environment once: compiling zod's fast paths (a new Function per
// object schema) cost twice what they saved (90 ms of CPU). Validation is the same either way.
z.config({ jitless: true });
// Entry point for `npm run synth` and for cdktf.json's app command. cdktf-cli passes its output
// folder in CDKTF_OUTDIR; run directly, the output goes to ./cdktf.out.
const rootDir = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? ".." : ".");
try {
  const warn = (message: string) => process.stderr.write(`warning: ${message}\n`);
  const stacks = synthesizeAll({ rootDir, env: process.env, warn, outdir: process.env.CDKTF_OUTDIR ?? path.join(rootDir, "cdktf.out") });
  if (!process.env.CDKTF_OUTDIR) process.stdout.write(`synthesized ${stacks.length} stacks: ${stacks.join(", ")}\n`);
} catch (e) {
  const message = e instanceof EnvironmentError ? e.message : (e as Error).stack ?? String(e);
  process.stderr.write(`synth failed, nothing written:\n${message}\n`);
  process.exitCode = 1;
}
