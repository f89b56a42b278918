/**
 * The PR preview on a clean tree: `npm run diff -- --base HEAD` in a checkout with no change must
 * report no change and exit 0. It used to report one change per stack (cdktf's default local
 * backend path is the absolute folder synth ran in, and the base runs in a temporary worktree).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { normalizeLocalStatePath, PROJECT_FOLDER } from "../diff/backend";

const PROJECT = path.resolve(__dirname, "..");

describe("the default local state path", () => {
  const tf = (p: string) => ({ terraform: { backend: { local: { path: p } } }, resource: {} });

  test("is compared relative to the project, wherever the checkout is", () => {
    expect(normalizeLocalStatePath(tf("/tmp/x/worktree/terraform.monitoring-dev.tfstate"), "monitoring-dev")).toEqual(
      tf(`${PROJECT_FOLDER}/terraform.monitoring-dev.tfstate`),
    );
    expect(normalizeLocalStatePath(tf("/srv/repo/terraform.monitoring-dev.tfstate"), "monitoring-dev")).toEqual(
      normalizeLocalStatePath(tf("/tmp/x/worktree/terraform.monitoring-dev.tfstate"), "monitoring-dev"),
    );
  });

  test("a path set on purpose (another name, or relative) is compared as written", () => {
    expect(normalizeLocalStatePath(tf("/srv/state/other.tfstate"), "monitoring-dev")).toEqual(tf("/srv/state/other.tfstate"));
    expect(normalizeLocalStatePath(tf("/srv/terraform.monitoring-prod.tfstate"), "monitoring-dev")).toEqual(tf("/srv/terraform.monitoring-prod.tfstate"));
    expect(normalizeLocalStatePath(tf("state/terraform.monitoring-dev.tfstate"), "monitoring-dev")).toEqual(tf("state/terraform.monitoring-dev.tfstate"));
  });
});

describe("npm run diff -- --base HEAD on a clean tree", () => {
  test("reports no change and exits 0", () => {
    // A clean checkout of HEAD (this working tree may have uncommitted edits), with this
    // checkout's node_modules; the CLI runs from inside it, as a user would.
    const tmp = mkdtempSync(path.join(tmpdir(), "civicpulse-diff-clean-"));
    const clean = path.join(tmp, "checkout");
    const git = (...args: string[]) => spawnSync("git", args, { cwd: PROJECT, encoding: "utf8" });
    try {
      const added = git("worktree", "add", "--detach", "--quiet", clean, "HEAD");
      expect(added.stderr).toBe("");
      symlinkSync(path.join(PROJECT, "node_modules"), path.join(clean, "node_modules"), "dir");
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(clean, "cli", "diff.ts"), "--base", "HEAD", "--format", "json"], {
        cwd: clean,
        env: { ...process.env, TS_NODE_PROJECT: path.join(clean, "tsconfig.json"), CHECKPOINT_DISABLE: "1" },
        encoding: "utf8",
        timeout: 420_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(r.stderr).not.toContain("monitoring diff failed");
      const report = JSON.parse(r.stdout) as { changed: boolean; summary: { total: number }; label: string };
      expect({ code: r.status, changed: report.changed, total: report.summary.total, label: report.label }).toEqual({
        code: 0,
        changed: false,
        total: 0,
        label: "monitoring:no-changes",
      });
    } finally {
      git("worktree", "remove", "--force", clean);
      rmSync(tmp, { recursive: true, force: true });
      git("worktree", "prune");
    }
  }, 480_000);
});
