#!/usr/bin/env node
// @ts-check
"use strict";
/**
 * The fast path behind `npm run synth` and cdktf.json's `app`: bundle main.ts with esbuild (transpile
 * only; type checking is `tsc` in `npm test` and the PR workflow), skip that step when no input of
 * the bundle changed, and run the bundle with a V8 code cache so its 4 MB are not compiled again.
 *
 * When neither the bundle, nor any input the app reads at run time (the override file, the
 * CIVICPULSE_* / CDKTF_* / SYNTH_* / TERRAFORM_* variables), nor the output folder itself changed
 * since the last successful synth, the output is already what a synth would write (synth is
 * deterministic): it says so and writes nothing. `--force` synthesizes anyway.
 *
 * Plain JavaScript on purpose: whatever runs before the bundle exists cannot itself need compiling.
 * Files (all in the git-ignored dist/):
 *   dist/main.bundle.js        main.ts and everything it imports, node_modules included
 *   dist/main.bundle.stamp     the bundle's inputs (every file esbuild read) with size and mtime
 *   dist/main.bundle.js.cache  V8's code cache for the bundle, written after a run that had none
 *   dist/synth-<hash>.stamp    per output folder: the inputs of its last synth, and its files
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");
const BUNDLE = path.join(DIST, "main.bundle.js");
const STAMP = `${BUNDLE.slice(0, -3)}.stamp`;
const CACHE = `${BUNDLE}.cache`;
// Part of the stamp: a change to how the bundle is built rebuilds it.
const BUILD_OPTIONS = {
  entryPoints: [path.join(ROOT, "main.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  outfile: BUNDLE,
  metafile: true,
  // A third smaller to read and to check against the code cache; names stay, for stack traces.
  minifyWhitespace: true,
  logLevel: "silent",
  absWorkingDir: ROOT,
  tsconfig: path.join(ROOT, "tsconfig.json"),
};

/** One line per input: "<size> <mtimeMs> <path>"; a missing file is its own line, so it rebuilds. */
function describeInputs(files) {
  return files
    .map((f) => {
      try {
        const s = fs.statSync(path.join(ROOT, f));
        return `${s.size} ${s.mtimeMs} ${f}`;
      } catch {
        return `missing ${f}`;
      }
    })
    .join("\n");
}

function header() {
  return `esbuild-options ${JSON.stringify({ ...BUILD_OPTIONS, logLevel: undefined })} node ${process.version}`;
}

/** The stamp's input list when the bundle is current, otherwise undefined. */
function upToDate() {
  let stamp;
  try {
    stamp = fs.readFileSync(STAMP, "utf8");
    if (!fs.statSync(BUNDLE).isFile()) return false;
  } catch {
    return false;
  }
  const [first, ...lines] = stamp.split("\n");
  if (first !== header()) return false;
  const files = lines.map((l) => l.slice(l.indexOf(" ", l.indexOf(" ") + 1) + 1));
  return describeInputs(files) === lines.join("\n");
}

function build() {
  // Loaded only when a build is needed: starting esbuild's service costs more than the stamp check.
  const esbuild = require("esbuild");
  let result;
  try {
    result = esbuild.buildSync(BUILD_OPTIONS);
  } catch (e) {
    const errors = /** @type {{ errors?: import("esbuild").Message[] }} */ (e).errors ?? [];
    const text = errors.length
      ? esbuild.formatMessagesSync(errors, { kind: "error", color: false }).join("")
      : String(/** @type {Error} */ (e).message ?? e);
    process.stderr.write(`synth failed, nothing written:\nbuilding main.ts failed:\n${text}`);
    return false;
  }
  const inputs = Object.keys(result.metafile?.inputs ?? {}).sort();
  rmQuiet(CACHE);
  fs.writeFileSync(STAMP, `${header()}\n${describeInputs(inputs)}`);
  return true;
}

function rmQuiet(file) {
  fs.rmSync(file, { force: true });
}

/** Runs the bundle as a CommonJS module, compiled from the code cache when V8 accepts it. */
function run() {
  const source = fs.readFileSync(BUNDLE, "utf8");
  let cachedData;
  try {
    cachedData = fs.readFileSync(CACHE);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const wrapper = script.runInThisContext();
  const mod = { exports: {}, filename: BUNDLE, id: BUNDLE };
  wrapper.call(mod.exports, mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, DIST);
  // After the run the cache also holds the functions the run compiled lazily: most of them.
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      fs.writeFileSync(CACHE, script.createCachedData());
    } catch {
      // A read-only dist/ only costs the next run its compile time.
    }
  }
}

/** What the app reads besides its code: the variables it looks at and the override file. */
function runtimeInputs(outdir) {
  const names = Object.keys(process.env)
    .filter((k) => /^(CIVICPULSE_|CDKTF_|SYNTH_|TERRAFORM_)/.test(k))
    .sort();
  const named = process.env.CIVICPULSE_OVERRIDES;
  const overrides = named ? path.resolve(ROOT, named) : path.join(ROOT, "monitoring.overrides.yaml");
  let overrideText = "absent";
  try {
    overrideText = crypto.createHash("sha256").update(fs.readFileSync(overrides)).digest("hex");
  } catch {
    // absent: the app then uses the presets (or reports the missing named file)
  }
  return [`outdir ${outdir}`, ...names.map((k) => `env ${k}=${process.env[k]}`), `overrides ${overrides} ${overrideText}`].join("\n");
}

/** Every file of the output folder with size and mtime: a hand edit or a deletion shows. */
function describeOutput(outdir) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        out.push(`${st.size} ${st.mtimeMs} ${path.relative(outdir, p)}`);
      }
    }
  };
  try {
    walk(outdir);
  } catch {
    return "missing";
  }
  return out.sort().join("\n");
}

function outputStampFile(outdir) {
  return path.join(DIST, `synth-${crypto.createHash("sha256").update(outdir).digest("hex").slice(0, 16)}.stamp`);
}

function inputsKey(outdir) {
  return crypto.createHash("sha256").update(fs.readFileSync(STAMP)).update("\0").update(runtimeInputs(outdir)).digest("hex");
}

function main() {
  fs.mkdirSync(DIST, { recursive: true });
  const argv = process.argv.slice(2);
  let rebuilt = false;
  if (argv.includes("--rebuild") || !upToDate()) {
    if (!build()) {
      process.exitCode = 1;
      return;
    }
    rebuilt = true;
  }
  if (argv.includes("--build-only")) return;
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? path.join(ROOT, "cdktf.out"));
  const stampFile = outputStampFile(outdir);
  const key = inputsKey(outdir);
  if (!rebuilt && !argv.includes("--force")) {
    let prior = "";
    try {
      prior = fs.readFileSync(stampFile, "utf8");
    } catch {
      // never synthesized into this folder
    }
    const [priorKey, message, ...listing] = prior.split("\n");
    if (priorKey === key && listing.join("\n") === describeOutput(outdir)) {
      if (message) process.stdout.write(`${message} (nothing changed since the last synth; --force to run it anyway)\n`);
      return;
    }
  }
  fs.rmSync(stampFile, { force: true });
  let said = "";
  const write = process.stdout.write.bind(process.stdout);
  // Keep the app's one-line summary for the next up-to-date run to repeat.
  process.stdout.write = (chunk, ...rest) => {
    said += String(chunk);
    return write(chunk, ...rest);
  };
  try {
    run();
  } finally {
    process.stdout.write = write;
  }
  if (!process.exitCode) {
    fs.writeFileSync(stampFile, `${key}\n${said.trim().split("\n").pop() ?? ""}\n${describeOutput(outdir)}`);
  }
}

main();
