#!/usr/bin/env node
// @ts-check
"use strict";
/**
 * The fast path behind `npm run synth` and cdktf.json's `app`: bundle main.ts with esbuild (transpile
 * only; type checking is `tsc` in `npm test` and the PR workflow) as two bundles, the project's code
 * and the packages it imports, rebuild a bundle only when one of its inputs changed, and run them
 * with V8 code caches so their 3 MB are not compiled again.
 *
 * When neither the bundle, nor any input the app reads at run time (the override file, the
 * CIVICPULSE_* / CDKTF_* / SYNTH_* / TERRAFORM_* variables), nor the output folder itself changed
 * since the last successful synth, the output is already what a synth would write (synth is
 * deterministic): it says so and writes nothing. `--force` synthesizes anyway.
 *
 * Plain JavaScript on purpose: whatever runs before the bundle exists cannot itself need compiling.
 * Files (all in the git-ignored dist/):
 *   dist/main.bundle.js        main.ts and the project's modules it imports
 *   dist/main.vendor.js        the packages those import (node_modules), one lazy getter each
 *   dist/main.packages.json    which packages (bare specifiers) the app bundle imports
 *   dist/*.stamp               each bundle's inputs (every file esbuild read) with size and mtime
 *   dist/*.js.cache            V8's code cache of each bundle, written after a run that had none
 *   dist/synth-<hash>.stamp    per output folder: the inputs of its last synth, and its files
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");
const APP = path.join(DIST, "main.bundle.js");
const VENDOR = path.join(DIST, "main.vendor.js");
const stampOf = (bundle) => `${bundle.slice(0, -3)}.stamp`;
const cacheOf = (bundle) => `${bundle}.cache`;
// Part of the stamps: a change to how the bundles are built rebuilds them.
const COMMON = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  metafile: true,
  // A third smaller to read and to check against the code cache; names stay, for stack traces.
  minifyWhitespace: true,
  logLevel: "silent",
  absWorkingDir: ROOT,
  tsconfig: path.join(ROOT, "tsconfig.json"),
};
// The project's own code; packages stay imports, served by the vendor bundle, so an edit rebuilds
// and recompiles 0.2 MB instead of 3 MB, and the vendor bundle's code cache stays valid.
const APP_OPTIONS = { ...COMMON, entryPoints: [path.join(ROOT, "main.ts")], outfile: APP, packages: "external" };

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

const header = (options, extra = "") => `esbuild-options ${JSON.stringify({ ...options, logLevel: undefined })} node ${process.version}${extra}`;

/** Whether `bundle` exists and its stamp's header and inputs are as they are now. */
function upToDate(bundle, expectedHeader) {
  let stamp;
  try {
    stamp = fs.readFileSync(stampOf(bundle), "utf8");
    if (!fs.statSync(bundle).isFile()) return false;
  } catch {
    return false;
  }
  const [first, ...lines] = stamp.split("\n");
  if (first !== expectedHeader) return false;
  const files = lines.map((l) => (l.startsWith("missing ") ? l.slice("missing ".length) : l.slice(l.indexOf(" ", l.indexOf(" ") + 1) + 1)));
  return describeInputs(files) === lines.join("\n");
}

/** Builds one bundle and writes its stamp; returns the metafile, or undefined after printing why. */
function build(options, stampHeader) {
  // Loaded only when a build is needed: starting esbuild's service costs more than the stamp check.
  const esbuild = require("esbuild");
  let result;
  try {
    result = esbuild.buildSync(options);
  } catch (e) {
    const errors = /** @type {{ errors?: import("esbuild").Message[] }} */ (e).errors ?? [];
    const text = errors.length
      ? esbuild.formatMessagesSync(errors, { kind: "error", color: false }).join("")
      : String(/** @type {Error} */ (e).message ?? e);
    process.stderr.write(`synth failed, nothing written:\nbuilding main.ts failed:\n${text}`);
    return undefined;
  }
  // The vendor bundle's entry is generated text (stdin), not a file to stamp.
  const inputs = Object.keys(result.metafile?.inputs ?? {})
    .filter((f) => f !== options.stdin?.sourcefile)
    .sort();
  fs.rmSync(cacheOf(options.outfile), { force: true });
  fs.writeFileSync(stampOf(options.outfile), `${stampHeader}\n${describeInputs(inputs)}`);
  return result.metafile;
}

/** The packages the app imports (bare specifiers, subpaths included), from its bundle's metafile. */
function packagesOf(metafile) {
  const imports = Object.values(metafile.outputs).flatMap((o) => o.imports);
  return [...new Set(imports.filter((i) => i.external && !Module.isBuiltin(i.path)).map((i) => i.path))].sort();
}

const PACKAGES_FILE = path.join(DIST, "main.packages.json");

/** The vendor bundle: one lazy getter per package the app imports, so load order stays the app's. */
function vendorOptions(packages) {
  const contents = packages
    .map((p) => `Object.defineProperty(exports, ${JSON.stringify(p)}, { enumerable: true, get: () => require(${JSON.stringify(p)}) });`)
    .join("\n");
  return { ...COMMON, stdin: { contents, resolveDir: ROOT, sourcefile: "vendor-entry.js", loader: "js" }, outfile: VENDOR };
}

/** Both stamps' text, or undefined before the first build. */
function stamps() {
  try {
    return fs.readFileSync(stampOf(APP), "utf8") + fs.readFileSync(stampOf(VENDOR), "utf8");
  } catch {
    return undefined;
  }
}

/** Brings both bundles up to date; false when a build failed (already reported). */
function ensureBundles(force) {
  // An alert is one file: list the alert files before bundling (a changed registry rebuilds the bundle).
  require("./alert-registry").writeAlertRegistry(ROOT);
  let packages;
  if (force || !fs.existsSync(PACKAGES_FILE) || !upToDate(APP, header(APP_OPTIONS))) {
    const meta = build(APP_OPTIONS, header(APP_OPTIONS));
    if (!meta) return false;
    packages = packagesOf(meta);
    fs.writeFileSync(PACKAGES_FILE, `${JSON.stringify(packages)}\n`);
  } else {
    packages = JSON.parse(fs.readFileSync(PACKAGES_FILE, "utf8"));
  }
  const options = vendorOptions(packages);
  const vendorHeader = header({ ...options, stdin: undefined }, ` packages ${packages.join(",")}`);
  if (force || !upToDate(VENDOR, vendorHeader)) return build(options, vendorHeader) !== undefined;
  return true;
}

/** Compiles and runs one bundle as a CommonJS module, from its code cache when V8 accepts it. */
function load(bundle, requireFn) {
  const source = fs.readFileSync(bundle, "utf8");
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheOf(bundle));
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const mod = { exports: {}, filename: bundle, id: bundle };
  const saveCache = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      fs.writeFileSync(cacheOf(bundle), script.createCachedData());
    } catch {
      // A read-only dist/ only costs the next run its compile time.
    }
  };
  script.runInThisContext().call(mod.exports, mod.exports, requireFn, mod, bundle, DIST);
  return { exports: mod.exports, saveCache };
}

/** Runs the app bundle, its packages served from the vendor bundle. */
function run() {
  const nodeRequire = Module.createRequire(APP);
  const vendor = load(VENDOR, Module.createRequire(VENDOR));
  const packages = /** @type {Record<string, unknown>} */ (vendor.exports);
  const requireFn = Object.assign((/** @type {string} */ id) => (Object.prototype.hasOwnProperty.call(packages, id) ? packages[id] : nodeRequire(id)), nodeRequire);
  const app = load(APP, requireFn);
  // After the run the caches also hold the functions the run compiled lazily: most of them.
  vendor.saveCache();
  app.saveCache();
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
  return crypto
    .createHash("sha256")
    .update(fs.readFileSync(stampOf(APP)))
    .update("\0")
    .update(fs.readFileSync(stampOf(VENDOR)))
    .update("\0")
    .update(runtimeInputs(outdir))
    .digest("hex");
}

const USAGE = `Usage: npm run synth [-- flags]        (node scripts/synth.js; cdktf.json's app)

Synthesizes every environment into cdktf.out (cdktf-cli: into CDKTF_OUTDIR): each stack's
cdk.tf.json and its rendered config files. Reads the presets, then monitoring.overrides.yaml (or
the file CIVICPULSE_OVERRIDES names), then the CIVICPULSE_* variables. Writes nothing when nothing
changed since the last synth into the same folder.

  --force       synthesize even when nothing changed
  --rebuild     rebuild the bundles in dist/ first (implies a synth)
  --build-only  build the bundles, do not synthesize
  -h, --help    this text

Next: npm run check runs promtool, amtool and blackbox_exporter on the same configuration.
`;
const FLAGS = ["--force", "--rebuild", "--build-only"];

function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return;
  }
  const unknown = argv.filter((a) => !FLAGS.includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`synth: unknown argument ${unknown.map((a) => JSON.stringify(a)).join(", ")}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  fs.mkdirSync(DIST, { recursive: true });
  const before = stamps();
  if (!ensureBundles(argv.includes("--rebuild"))) {
    process.exitCode = 1;
    return;
  }
  const rebuilt = before === undefined || before !== stamps();
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
      if (message) process.stdout.write(`${JSON.parse(message)}\n`);
      process.stderr.write(`synth: nothing changed since the last synth into ${path.relative(process.cwd(), outdir) || "."}; nothing written (--force runs it anyway)\n`);
      return;
    }
  }
  fs.rmSync(stampFile, { force: true });
  let said = "";
  const write = process.stdout.write.bind(process.stdout);
  // Keep the app's summary for the next up-to-date run to repeat (one JSON string: one line).
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
    fs.writeFileSync(stampFile, `${key}\n${said.trim() ? JSON.stringify(said.trim()) : ""}\n${describeOutput(outdir)}`);
  }
}

main();
