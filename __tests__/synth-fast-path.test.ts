/**
 * The fast synth path: `scripts/synth.js` (npm run synth, cdktf.json's app) writes the same bytes
 * as the app built by tsc, does nothing when nothing changed, and synthesizes again when an input
 * the app reads changes; the output folder is updated file by file, rewriting only changed files.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthesizeAll } from "../stacks/app";
import { listFiles, writeTree } from "../stacks/write-tree";
import { EMPTY_ROOT } from "./helpers/environments";

const PROJECT = path.resolve(__dirname, "..");
const made: string[] = [];
const tmp = (prefix: string) => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const mtime = (f: string) => statSync(f).mtimeMs;
const OLD = new Date("2020-01-01T00:00:00Z");

describe("writeTree", () => {
  test("writes new and changed files, leaves identical ones alone, deletes files and folders no longer produced", () => {
    const dir = tmp("civicpulse-write-tree-");
    writeTree(dir, new Map([["a/same.txt", Buffer.from("same")], ["a/changed.txt", Buffer.from("old")], ["gone/x/stale.txt", Buffer.from("x")]]));
    for (const f of ["a/same.txt", "a/changed.txt"]) utimesSync(path.join(dir, f), OLD, OLD);
    const r = writeTree(dir, new Map([["a/same.txt", Buffer.from("same")], ["a/changed.txt", Buffer.from("new")], ["b/new.txt", Buffer.from("n")]]));
    expect(r).toEqual({ written: 2, deleted: 1 });
    expect(listFiles(dir)).toEqual(["a/changed.txt", "a/same.txt", "b/new.txt"]);
    expect(mtime(path.join(dir, "a/same.txt"))).toBe(OLD.getTime());
    expect(mtime(path.join(dir, "a/changed.txt"))).not.toBe(OLD.getTime());
    expect(readFileSync(path.join(dir, "a/changed.txt"), "utf8")).toBe("new");
    expect(() => statSync(path.join(dir, "gone"))).toThrow();
  });

  test("a file of the same size but other bytes is rewritten", () => {
    const dir = tmp("civicpulse-write-tree-");
    writeTree(dir, new Map([["f", Buffer.from("abc")]]));
    expect(writeTree(dir, new Map([["f", Buffer.from("abd")]]))).toEqual({ written: 1, deleted: 0 });
    expect(readFileSync(path.join(dir, "f"), "utf8")).toBe("abd");
  });
});

describe("synthesizeAll into an existing output folder", () => {
  test("a second synth rewrites nothing and removes a stray file", () => {
    const out = path.join(tmp("civicpulse-resynth-"), "cdktf.out");
    synthesizeAll({ rootDir: EMPTY_ROOT, env: {}, outdir: out });
    const files = listFiles(out);
    for (const f of files) utimesSync(path.join(out, f), OLD, OLD);
    mkdirSync(path.join(out, "stacks", "old-stack"), { recursive: true });
    writeFileSync(path.join(out, "stacks", "old-stack", "cdk.tf.json"), "{}");
    synthesizeAll({ rootDir: EMPTY_ROOT, env: {}, outdir: out });
    expect(listFiles(out)).toEqual(files);
    expect(files.filter((f) => mtime(path.join(out, f)) !== OLD.getTime())).toEqual([]);
  });
});

describe("scripts/synth.js", () => {
  const outRoot = tmp("civicpulse-fast-synth-");
  const out = path.join(outRoot, "cdktf.out");
  const stampOf = (dir: string) => path.join(PROJECT, "dist", `synth-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.stamp`);
  afterAll(() => rmSync(stampOf(out), { force: true }));
  // Output to a temp folder through CDKTF_OUTDIR, as cdktf-cli does; returns stderr.
  const synth = (env: Record<string, string> = {}, args: string[] = []) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CIVICPULSE_|CDKTF_)/.test(k)));
    const r = spawnSync(process.execPath, [path.join(PROJECT, "scripts", "synth.js"), ...args], {
      cwd: outRoot,
      env: { ...clean, CIVICPULSE_OVERRIDES: path.join(outRoot, "none.yaml"), ...env, CDKTF_OUTDIR: out },
      encoding: "utf8",
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`scripts/synth.js failed (${r.status}):\n${r.stderr}`);
    return r.stderr;
  };
  const SKIPPED = /^synth: nothing changed since the last synth into .*; nothing written/m;

  const prom = path.join(out, "stacks", "monitoring-prod", "rendered", "prometheus", "alerting_rules.yml");

  test("writes the same bytes as the app compiled by tsc, skips a run with nothing changed, and runs again for a changed input", () => {
    writeFileSync(path.join(outRoot, "none.yaml"), "");
    synth();
    const reference = path.join(tmp("civicpulse-reference-"), "cdktf.out");
    synthesizeAll({ rootDir: outRoot, env: { CIVICPULSE_OVERRIDES: path.join(outRoot, "none.yaml") }, outdir: reference });
    const files = listFiles(out);
    expect(files).toEqual(listFiles(reference));
    // The local backend's state path names the working folder; everything else is byte-identical.
    const strip = (b: Buffer) => b.toString("utf8").replace(/"path": ".*\.tfstate"/g, "");
    expect(files.filter((f) => strip(readFileSync(path.join(out, f))) !== strip(readFileSync(path.join(reference, f))))).toEqual([]);

    // Nothing changed: no synth at all.
    expect(synth()).toMatch(SKIPPED);

    // An input the app reads at run time: synthesized again, with the new value.
    writeFileSync(path.join(outRoot, "none.yaml"), "prod:\n  team: payments\n");
    expect(synth()).not.toMatch(SKIPPED);
    expect(readFileSync(prom, "utf8")).toContain("team: payments");
    expect(synth({ CIVICPULSE_TEAM: "search" })).not.toMatch(SKIPPED);
    expect(readFileSync(path.join(out, "stacks", "monitoring-dev", "rendered", "prometheus", "alerting_rules.yml"), "utf8")).toContain("team: search");

    // A hand edit of the output is noticed and undone.
    expect(synth({ CIVICPULSE_TEAM: "search" })).toMatch(SKIPPED);
    writeFileSync(prom, "edited by hand\n");
    expect(synth({ CIVICPULSE_TEAM: "search" })).not.toMatch(SKIPPED);
    expect(readFileSync(prom, "utf8")).not.toContain("edited by hand");
    expect(readFileSync(prom, "utf8")).toContain("team: search");
  }, 180_000);
});
