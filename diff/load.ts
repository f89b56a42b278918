import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { normalizeLocalStatePath } from "./backend";
import { isObject } from "./values";
import { StackOutput, SynthOutput } from "./types";

/** A folder that is not a complete synthesized output (exit code 1 in the CLI). */
export class OutputFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputFolderError";
  }
}

function readTree(dir: string, prefix = ""): Array<[string, string]> {
  if (!existsSync(dir)) return [];
  const out: Array<[string, string]> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...readTree(full, rel));
    else if (entry.isFile()) out.push([rel, readFileSync(full, "utf8")]);
  }
  return out;
}

/**
 * Reads a synthesized output folder (cdktf.out): manifest.json names the stacks, each stack has
 * its cdk.tf.json and, beside it, the rendered/ files. Throws OutputFolderError when the folder is
 * not one (no manifest, a stack without its cdk.tf.json, invalid JSON).
 */
export function loadSynthOutput(dir: string): SynthOutput {
  const root = path.resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new OutputFolderError(`${dir}: no such folder`);
  const manifestFile = path.join(root, "manifest.json");
  if (!existsSync(manifestFile)) {
    throw new OutputFolderError(`${dir}: not a synthesized output folder (manifest.json is missing; run npm run synth, or the synth failed)`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch (e) {
    throw new OutputFolderError(`${manifestFile}: not valid JSON: ${(e as Error).message}`);
  }
  const entries = isObject(manifest) && isObject(manifest.stacks) ? manifest.stacks : undefined;
  if (!entries) throw new OutputFolderError(`${manifestFile}: no "stacks" object`);
  const stacks = new Map<string, StackOutput>();
  for (const [name, meta] of Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))) {
    const rel = isObject(meta) && typeof meta.synthesizedStackPath === "string" ? meta.synthesizedStackPath : `stacks/${name}/cdk.tf.json`;
    const tfFile = path.join(root, rel);
    if (!existsSync(tfFile)) throw new OutputFolderError(`${dir}: stack ${name} has no ${rel}`);
    let tf: unknown;
    try {
      tf = JSON.parse(readFileSync(tfFile, "utf8"));
    } catch (e) {
      throw new OutputFolderError(`${tfFile}: not valid JSON: ${(e as Error).message}`);
    }
    if (!isObject(tf)) throw new OutputFolderError(`${tfFile}: not a JSON object`);
    stacks.set(name, { name, tf: normalizeLocalStatePath(tf, name), rendered: new Map(readTree(path.join(path.dirname(tfFile), "rendered"))) });
  }
  return { stacks };
}
