import * as path from "node:path";
import { buildSync } from "esbuild";
import { track } from "./temp";

const PROJECT = path.resolve(__dirname, "..", "..");
const built = new Map<string, string>();

/**
 * A TypeScript entry point as one JavaScript file to run as a real process, bundled once per test
 * process with esbuild (transpile only, as `npm run synth` bundles main.ts) instead of transpiling
 * its imports again in every child with ts-node. Type checking stays with tsc.
 *
 * The bundle sits two folders below dist/ (dist/jest/<dir>/), where code that finds the project
 * from `__dirname` (a dist/ build three levels down, or a walk up to package.json) finds it as
 * from its own folder. Removed with the test file's temp folders.
 */
export function bundled(entry: string, dir = "bundles"): string {
  const key = `${dir}\0${entry}`;
  let file = built.get(key);
  if (!file) {
    file = path.join(PROJECT, "dist", "jest", dir, `${path.basename(entry, ".ts")}-${process.pid}.js`);
    buildSync({ entryPoints: [entry], bundle: true, platform: "node", target: "node20", format: "cjs", outfile: file, logLevel: "error" });
    built.set(key, track(file));
  }
  return file;
}
