/**
 * `npm run check` without running a tool: its flags, its summary, and the pass cache's key (what
 * makes a remembered pass stale). The runs on the real tools are in check.test.ts and new-user.test.ts.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { cacheKey, openPassCache } from "../check/cache";
import { inParallel } from "../check/pool";
import type { CheckReport } from "../check/run";
import { shellWord } from "../check/run";
import { anyFailed, formatSummary } from "../check/summary";
import { CheckCliError, EXIT, main, parseCheckArgs, USAGE } from "../cli/check";
import { tempDir } from "./helpers/temp";

describe("flags", () => {
  test("defaults: every environment, two tool processes (fewer on one core), cache on, warnings do not fail", () => {
    expect(parseCheckArgs([], 2)).toEqual({ jobs: 2, strict: false, cache: true, fullRuleFiles: false, help: false, overrides: undefined, environments: undefined, cacheFile: undefined });
    expect(parseCheckArgs([], 1).jobs).toBe(1);
    expect(parseCheckArgs([], 16).jobs).toBe(2);
  });

  test("every flag", () => {
    const args = parseCheckArgs(["--overrides", "x.yaml", "--environment", "qa", "--environment", "prod", "--jobs", "3", "--strict", "--no-cache", "--cache-file", "c.json", "--full-rule-files"], 2);
    expect(args).toEqual({ overrides: "x.yaml", environments: ["qa", "prod"], jobs: 3, strict: true, cache: false, cacheFile: "c.json", fullRuleFiles: true, help: false });
  });

  test("a bad --jobs names the flag and the value; an unknown flag shows the usage", () => {
    expect(() => parseCheckArgs(["--jobs", "0"])).toThrow(new CheckCliError('--jobs: a whole number from 1 to 64 (got "0")'));
    expect(() => parseCheckArgs(["--jobs", "two"])).toThrow(/--jobs: .*"two"/);
    expect(() => parseCheckArgs(["--bogus"])).toThrow(/Unknown option '--bogus'[\s\S]*Usage: npm run check/);
    expect(() => parseCheckArgs(["--full-rule-files=yes"])).toThrow(/--full-rule-files[\s\S]*Usage: npm run check/);
  });

  test("--help prints the usage with the exit codes and runs nothing; a bad flag exits 2", async () => {
    let out = "";
    let err = "";
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s) };
    expect(await main(["--help"], io)).toBe(EXIT.passed);
    expect(out).toBe(USAGE);
    expect(USAGE).toMatch(/Exit codes: 0 every check passed, 1 a check failed[\s\S]*2 the check could not run/);
    expect(await main(["--jobs", "x"], io)).toBe(EXIT.cannotRun);
    expect(err).toContain("--jobs");
  });
});

describe("summary", () => {
  const report: CheckReport = {
    overridesFile: "/repo/monitoring.overrides.yaml",
    environments: ["dev", "qa"],
    results: [
      { environment: "dev", name: "promtool test rules", what: "25 files", status: "pass", notes: [], failures: [], cached: 20 },
      { environment: "dev", name: "cross-field warnings", what: "", status: "warn", notes: ["targets.appBaseUrl probes x"], failures: [], cached: 0 },
      { environment: "qa", name: "blackbox_exporter --config.check", what: "", status: "skip", notes: ["services.blackboxExporter.enabled is false"], failures: [], cached: 0 },
      {
        environment: "qa",
        name: "amtool config routes test",
        what: "21 cases",
        status: "fail",
        notes: [],
        failures: [{ subject: "qa critical: expected chat, pager", command: "(cd cdktf.out/stacks/monitoring-qa/rendered/alertmanager && amtool config routes test)", output: "chat\nWARNING: Expected receivers did not match resolved receivers." }],
        cached: 0,
      },
    ],
  };

  test("one line per environment and check, then the failing tool's own message and the command to rerun it", () => {
    const text = formatSummary(report, "/repo", 3.14159);
    expect(text.split("\n")).toEqual([
      "civicpulse check: dev, qa from the presets and monitoring.overrides.yaml",
      "✓ dev  promtool test rules               25 files, 20 passed before on identical files",
      "⚠ dev  cross-field warnings              1 warning",
      "    targets.appBaseUrl probes x",
      "– qa   blackbox_exporter --config.check  skipped: services.blackboxExporter.enabled is false",
      "✗ qa   amtool config routes test         21 cases, 1 failed",
      "    qa critical: expected chat, pager",
      "      $ (cd cdktf.out/stacks/monitoring-qa/rendered/alertmanager && amtool config routes test)",
      "      chat",
      "      WARNING: Expected receivers did not match resolved receivers.",
      "1 passed, 1 failed, 1 with warnings, 1 skipped (3.1 s)",
      "",
    ]);
    expect(anyFailed(report)).toBe(true);
    expect(anyFailed({ ...report, results: report.results.filter((r) => r.status !== "fail") })).toBe(false);
  });

  test("a long tool message is cut after 40 lines, saying how many were left out", () => {
    const output = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const long = { ...report, results: [{ ...report.results[3], failures: [{ ...report.results[3].failures[0], output }] }] };
    const text = formatSummary(long, "/repo", 1);
    expect(text).toContain("      line 39\n      … 60 more lines");
    expect(text).not.toContain("line 40\n");
  });

  test("arguments are quoted for a shell only when they need it", () => {
    expect(shellWord("severity=critical")).toBe("severity=critical");
    expect(shellWord("--verify.receivers=chat,pager")).toBe("--verify.receivers=chat,pager");
    expect(shellWord("summary=it's down")).toBe(`'summary=it'\\''s down'`);
  });
});

describe("pass cache", () => {
  const dir = tempDir("civicpulse-check-cache-");
  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  // Any executable file stands for the tool: the key reads its path, size and mtime.
  const binary = process.execPath;

  test("the key changes with the bytes of any input, the arguments and the folder-relative names", () => {
    const test1 = file("a.test.yml", "tests: []\n");
    const rules = file("rules.yml", "groups: []\n");
    const key = cacheKey(binary, ["test", "rules", "a.test.yml"], dir, [test1, rules]);
    expect(cacheKey(binary, ["test", "rules", "a.test.yml"], dir, [test1, rules])).toBe(key);
    expect(cacheKey(binary, ["test", "rules", "--run=x", "a.test.yml"], dir, [test1, rules])).not.toBe(key);
    file("rules.yml", "groups: [] \n");
    expect(cacheKey(binary, ["test", "rules", "a.test.yml"], dir, [test1, rules])).not.toBe(key);
  });

  test("remembers passes across opens, keeps the file valid JSON, and ignores a corrupt file", () => {
    const store = path.join(dir, "sub", "passes.json");
    const a = openPassCache(store);
    expect(a.has("k1")).toBe(false);
    a.add("k1");
    a.save();
    expect(openPassCache(store).has("k1")).toBe(true);
    writeFileSync(store, "{not json");
    expect(openPassCache(store).has("k1")).toBe(false);
  });
});

test("inParallel keeps input order and never runs more than the limit at once", async () => {
  let running = 0;
  let peak = 0;
  const out = await inParallel([30, 10, 20, 5, 1], 2, async (ms, i) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    return i;
  });
  expect(out).toEqual([0, 1, 2, 3, 4]);
  expect(peak).toBe(2);
});
