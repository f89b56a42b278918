/**
 * The diff CLI's contract: flags, exit codes (0 no change, 2 changes, 1 error), output files,
 * the git-ref base synthesized in a temporary worktree (and cleaned up), and clear errors for a
 * base that does not synthesize.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { buildReport, EXIT, main, parseDiffArgs } from "../cli/diff";
import { COMMENT_MARKER } from "../diff";
import { copyOutput, editTf, specFor, synth } from "./fixtures/diff/synth";
import { BUILT_IN_NAMES } from "./helpers/environments";

const PROJECT = path.resolve(__dirname, "..");
const CLI = path.join(PROJECT, "cli", "diff.ts");
const made: string[] = [];
const track = (dir: string) => (made.push(dir), dir);
const tmp = (prefix: string) => track(mkdtempSync(path.join(tmpdir(), prefix)));
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function runMain(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/**
 * The CLI as a real process, for real exit codes: bundled once with esbuild (as `npm run synth`
 * bundles main.ts) instead of transpiling its imports again in every process with ts-node. The
 * bundle sits under dist/ so the CLI still finds the project's package.json above it.
 */
let cliBundle: string | undefined;
function spawnCli(args: string[], env: NodeJS.ProcessEnv = process.env, cwd = PROJECT) {
  if (!cliBundle) {
    const outfile = path.join(PROJECT, "dist", "jest", `diff-cli-${process.pid}.js`);
    buildSync({ entryPoints: [CLI], bundle: true, platform: "node", target: "node20", format: "cjs", outfile, logLevel: "error" });
    cliBundle = track(outfile);
  }
  const r = spawnSync(process.execPath, [cliBundle, ...args], { cwd, env, encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const worktrees = () => spawnSync("git", ["worktree", "list", "--porcelain"], { cwd: PROJECT, encoding: "utf8" }).stdout;

let base: string;
let changed: string;
beforeAll(() => {
  base = track(synth([specFor("dev")]));
  changed = track(copyOutput(base));
  editTf(changed, "monitoring-dev", (tf) => {
    for (const c of Object.values<any>(tf.resource.docker_container)) if (c.name === "civicpulse-dev-prometheus") c.command = [...c.command, "--query.timeout=1m"];
  });
});

describe("flags", () => {
  test("--help prints the usage with the exit codes", () => {
    const r = runMain(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Exit codes: 0 no change, 2 changes, 1 error.");
  });

  test.each([
    [[], "--base is required"],
    [["--base", "x", "--format", "html"], '--format must be markdown or json (got "html")'],
    [["--base", "x", "--max-chars", "70000"], "--max-chars must be an integer from 2000 to 65536"],
    [["--base", "x", "--bogus"], "Unknown option '--bogus'"],
    [["--base", "x", "--report", "y"], "--base and --report exclude each other"],
  ])("%j is an error (exit 1): %s", (args, message) => {
    const r = runMain(args as string[]);
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toContain(message);
  });

  test("defaults", () => {
    expect(parseDiffArgs(["--base", "origin/main"])).toMatchObject({ base: "origin/main", format: "markdown", maxChars: 65000 });
  });
});

describe("output folders", () => {
  test("identical folders: exit 0", () => {
    const r = runMain(["--base", base, "--head", base]);
    expect(r.code).toBe(EXIT.noChanges);
    expect(r.stdout.startsWith(COMMENT_MARKER)).toBe(true);
    expect(r.stdout).toContain("No monitoring changes");
  });

  // Written by the next test and re-rendered by the one after, instead of diffing the folders twice.
  let savedJson: string | undefined;

  test("a change: exit 2, JSON and label written to files", () => {
    const dir = tmp("civicpulse-diff-out-");
    const out = path.join(dir, "diff.json");
    savedJson = out;
    const label = path.join(dir, "label.txt");
    const r = runMain(["--base", base, "--head", changed, "--format", "json", "--out", out, "--label-out", label]);
    expect(r.code).toBe(EXIT.changes);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^1 change\(s\), 1 destroyed or replaced; json written to /);
    const json = JSON.parse(readFileSync(out, "utf8"));
    expect(json).toMatchObject({ schemaVersion: 1, changed: true, label: "monitoring:replaces" });
    expect(json.environments[0].changes[0]).toMatchObject({ kind: "container", action: "replaced", forcedBy: ["command"] });
    expect(readFileSync(label, "utf8")).toBe("monitoring:replaces\n");
  });

  test("--report re-renders a saved report with the plans of each stack", () => {
    const dir = tmp("civicpulse-diff-plans-");
    const json = savedJson ?? path.join(dir, "diff.json");
    if (!savedJson) expect(runMain(["--base", base, "--head", changed, "--format", "json", "--out", json]).code).toBe(2);
    const plans = path.join(dir, "plans");
    mkdirSync(plans);
    writeFileSync(path.join(plans, "monitoring-dev.txt"), "# docker_container.prometheus must be replaced\nPlan: 1 to add, 0 to change, 1 to destroy.\n");
    writeFileSync(path.join(plans, "monitoring-dev.exit"), "0\n");
    writeFileSync(path.join(plans, "grafana-dev.txt"), "Error: connection refused\n");
    writeFileSync(path.join(plans, "grafana-dev.exit"), "1\n");
    const r = runMain(["--report", json, "--plans", plans]);
    expect(r.code).toBe(EXIT.changes);
    expect(r.stdout).toContain("| `grafana-dev` | ❌ cdktf diff failed (exit 1): Error: connection refused |");
    expect(r.stdout).toContain("| `monitoring-dev` | ⚠️ Plan: 1 to add, 0 to change, 1 to destroy. |");
    expect(r.stdout.indexOf("### Monitoring changes")).toBeLessThan(r.stdout.indexOf("### Terraform plans"));
  });

  test("a base folder without manifest.json: exit 1, named", () => {
    const empty = tmp("civicpulse-diff-empty-");
    const r = runMain(["--base", empty, "--head", base]);
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toContain(`--base: ${empty}: not a synthesized output folder (manifest.json is missing`);
  });

  test("a head folder with a stack but no cdk.tf.json: exit 1", () => {
    const broken = track(copyOutput(base));
    rmSync(path.join(broken, "stacks", "monitoring-dev", "cdk.tf.json"));
    const r = runMain(["--base", base, "--head", broken]);
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toContain("stack monitoring-dev has no stacks/monitoring-dev/cdk.tf.json");
  });

  test("a head (the current tree) that does not synthesize: a clear error", () => {
    const bad = path.join(tmp("civicpulse-diff-override-"), "bad.yaml");
    writeFileSync(bad, "staging:\n  alerts:\n    HostLowMemory:\n      availablePercent: 150\n");
    const progress: string[] = [];
    expect(() => buildReport({ base, format: "json", maxChars: 65000, help: false }, { cwd: PROJECT, env: { CIVICPULSE_OVERRIDES: bad }, progress: (l) => progress.push(l) })).toThrow(
      /^the head \(current tree\) does not synthesize:\nenvironment staging is invalid:\n  - alerts.HostLowMemory.availablePercent: /,
    );
    expect(progress).toEqual(["civicpulse-diff: synthesizing the working tree…\n"]);
  });

  test("exit codes of the real process: 0, 2, 1", () => {
    expect(spawnCli(["--base", base, "--head", base, "--format", "json"]).code).toBe(0);
    // Markdown on stdout is the comment alone (no progress, no banner): it starts with the marker.
    const md = spawnCli(["--base", base, "--head", changed]);
    expect(md.code).toBe(2);
    expect(md.stdout.startsWith(COMMENT_MARKER)).toBe(true);
    const missing = spawnCli(["--base", path.join(base, "nope"), "--head", base]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("neither an output folder nor a git ref");
  });
});

describe("a git ref as the base", () => {
  test("an unknown ref: exit 1", () => {
    const r = runMain(["--base", "no-such-branch-7f3e", "--head", base]);
    expect(r.code).toBe(EXIT.error);
    expect(r.stderr).toContain("--base no-such-branch-7f3e: neither an output folder nor a git ref known to");
  });

  test("a ref whose synth fails (a tiny git repo): exit 1 with its output, worktree removed", () => {
    const repo = tmp("civicpulse-diff-repo-");
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, encoding: "utf8" });
    git("init", "-q");
    writeFileSync(path.join(repo, "package.json"), '{"name":"broken","version":"1.0.0"}\n');
    writeFileSync(path.join(repo, "cdktf.json"), '{"app":"node main.js"}\n');
    writeFileSync(path.join(repo, "main.js"), 'process.stderr.write("synth failed, nothing written:\\nenvironment prod is invalid\\n"); process.exit(1);\n');
    git("add", ".");
    git("commit", "-q", "-m", "broken synth");
    let error: Error | undefined;
    try {
      buildReport({ base: "HEAD", head: base, format: "json", maxChars: 65000, help: false }, { cwd: repo });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/^the base HEAD \([0-9a-f]{12}\) does not synthesize \(`node main.js` failed\):\nsynth failed, nothing written:\nenvironment prod is invalid$/);
    const list = spawnSync("git", ["worktree", "list"], { cwd: repo, encoding: "utf8" }).stdout.trim().split("\n");
    expect(list).toHaveLength(1);
  });

  test("this project's HEAD, synthesized in a worktree; and with a bad override: exit 1", () => {
    const progress: string[] = [];
    // Its worktrees go to a temp folder of its own: other suites running at the same time
    // (diff-clean-tree) make and remove civicpulse-diff-base-* worktrees of their own.
    const own = tmp("civicpulse-diff-own-");
    const ownWorktree = path.join(own, "civicpulse-diff-base-");
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = own;
    let report: ReturnType<typeof buildReport>;
    try {
      report = buildReport({ base: "HEAD", head: base, format: "json", maxChars: 65000, help: false }, { cwd: PROJECT, progress: (l) => progress.push(l) });
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    expect(report.base).toMatch(/^HEAD \([0-9a-f]{12}\)$/);
    expect(progress.join("")).toMatch(/^civicpulse-diff: synthesizing the base HEAD \([0-9a-f]{12}\) in a temporary git worktree…\ncivicpulse-diff: synthesizing the base HEAD \([0-9a-f]{12}\) in a temporary git worktree: done in \d+\.\d s\n$/);
    expect(report.environments.map((e) => e.name)).toEqual(expect.arrayContaining([...BUILT_IN_NAMES]));
    expect(worktrees()).not.toContain(ownWorktree);

    const bad = path.join(tmp("civicpulse-diff-override-"), "bad.yaml");
    writeFileSync(bad, "prod:\n  prometheus:\n    retentionTime: -5m\n");
    const r = spawnCli(["--base", "HEAD", "--head", base], { ...process.env, CIVICPULSE_OVERRIDES: bad, TMPDIR: own });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/monitoring diff failed: the base HEAD \([0-9a-f]{12}\) does not synthesize/);
    expect(r.stderr).toContain("prometheus.retentionTime");
    expect(worktrees()).not.toContain(ownWorktree);
    expect(existsSync(bad)).toBe(true);
  }, 240_000);
});
