// Every hostile input of __tests__/fixtures/hostile-inputs.ts through the real synth path: each
// is rejected with a message that names the field (never a stack trace, never a leftover temp
// folder), or accepted and then valid for promtool and amtool. Inputs that name a device, a FIFO or
// a directory run in a child process with a timeout, so a hang is seen as one instead of stalling
// jest. docs/hardening.md holds the table of outcomes; UPDATE_HARDENING_DOC=1 rewrites it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { HOSTILE_INPUTS, HostileInput } from "./fixtures/hostile-inputs";
import { looksLikeStackTrace, synthAndCheck } from "./helpers/synth-check";

type Outcome = "rejected" | "accepted, valid" | "accepted, INVALID" | "crashed" | "hung" | "wrong message";
interface Result {
  readonly input: HostileInput;
  readonly outcome: Outcome;
  readonly detail: string;
}

const ROOT = path.resolve(__dirname, "..");
const DOC = path.join(ROOT, "docs", "hardening.md");
const START = "<!-- hostile-inputs:start -->";
const END = "<!-- hostile-inputs:end -->";

function judgeRejection(input: HostileInput, message: string, stack: boolean): Result {
  if (stack || looksLikeStackTrace(message)) return { input, outcome: "crashed", detail: message };
  if (!input.rejected) return { input, outcome: "accepted, INVALID", detail: `expected to be accepted, was rejected: ${message}` };
  if (!input.rejected.test(message)) return { input, outcome: "wrong message", detail: message };
  const line = message.split("\n").find((l) => input.rejected!.test(l)) ?? message.split("\n")[0];
  return { input, outcome: "rejected", detail: line.trim().replace(/^- /, "") };
}

function runInProcess(input: HostileInput): Result {
  const rootDir = mkdtempSync(path.join(tmpdir(), "civicpulse-hostile-"));
  try {
    if (input.yaml !== undefined) writeFileSync(path.join(rootDir, "monitoring.overrides.yaml"), input.yaml);
    const outcome = synthAndCheck({ rootDir, env: { ...input.env } });
    if (outcome.kind === "crashed") return { input, outcome: "crashed", detail: outcome.message };
    if (outcome.kind === "rejected") return judgeRejection(input, outcome.message.split(rootDir).join("<dir>"), false);
    if (outcome.problems.length > 0) return { input, outcome: "accepted, INVALID", detail: outcome.problems.join("\n") };
    if (!input.accepted) return { input, outcome: "wrong message", detail: "accepted, but a rejection was expected" };
    return { input, outcome: "accepted, valid", detail: "promtool check config and check rules, amtool check-config: all pass" };
  } finally {
    rmSync(rootDir, { recursive: true, force: true });
  }
}

/** The inputs that name something other than a small regular file, in one child process. */
function runSpecials(inputs: readonly HostileInput[]): Result[] {
  const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-hostile-files-"));
  try {
    const fifo = path.join(dir, "fifo");
    spawnSync("mkfifo", [fifo]);
    mkdirSync(path.join(dir, "folder"));
    writeFileSync(path.join(dir, "big.yaml"), `# ${"x".repeat(2 * 1024 * 1024 - 3)}\n`);
    const target: Record<NonNullable<HostileInput["special"]>, string> = {
      "dev-zero": "/dev/zero",
      fifo,
      directory: path.join(dir, "folder"),
      "big-file": path.join(dir, "big.yaml"),
      missing: path.join(dir, "absent.yaml"),
    };
    const files = inputs.map((i) => target[i.special!]);
    const script = [
      'require("ts-node").register({ transpileOnly: true, project: "tsconfig.json" });',
      'const { loadAllEnvironments, EnvironmentError } = require("./spec/load");',
      "for (const file of JSON.parse(process.argv[1])) {",
      "  let r;",
      "  try { loadAllEnvironments({ rootDir: process.cwd(), env: { CIVICPULSE_OVERRIDES: file } }); r = { accepted: true }; }",
      "  catch (e) { r = { message: e.message, stack: !(e instanceof EnvironmentError) }; }",
      "  process.stdout.write(JSON.stringify(r) + '\\n');",
      "}",
    ].join("\n");
    const child = spawnSync(process.execPath, ["-e", script, JSON.stringify(files)], { cwd: ROOT, encoding: "utf8", timeout: 90_000 });
    const lines = child.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { accepted?: true; message?: string; stack?: boolean });
    return inputs.map((input, i) => {
      const r = lines[i];
      if (!r) return { input, outcome: "hung", detail: `no answer within 90 s (${child.error ?? child.stderr})` };
      if (r.accepted) return { input, outcome: "accepted, INVALID", detail: "accepted a file that is not a small regular file" };
      return judgeRejection(input, r.message!.split(dir).join("<dir>"), r.stack!);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ").replace(/`/g, "'");

function table(results: readonly Result[]): string {
  const rows = results.map((r, i) => `| ${i + 1} | ${cell(r.input.name)} | ${r.input.accepted ? "accepted" : "rejected"} | ${r.outcome} | ${cell(r.detail)} |`);
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return [
    "| # | input | expected | outcome | message / check |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    `${results.length} inputs: ${count("rejected")} rejected with a message naming the field, ${count("accepted, valid")} accepted and valid for promtool and amtool; ` +
      `crashed ${count("crashed")}, hung ${count("hung")}, accepted but invalid ${count("accepted, INVALID")}, wrong message ${count("wrong message")}.`,
  ].join("\n");
}

describe("hostile inputs", () => {
  const results = [...HOSTILE_INPUTS.filter((i) => !i.special).map(runInProcess), ...runSpecials(HOSTILE_INPUTS.filter((i) => i.special))];

  it("has about eighty of them, each with one expected outcome", () => {
    expect(HOSTILE_INPUTS.length).toBeGreaterThanOrEqual(80);
    for (const i of HOSTILE_INPUTS) expect({ name: i.name, one: (i.accepted ? 1 : 0) + (i.rejected ? 1 : 0) }).toEqual({ name: i.name, one: 1 });
    expect(new Set(HOSTILE_INPUTS.map((i) => i.name)).size).toBe(HOSTILE_INPUTS.length);
  });

  it.each(results.map((r) => [r.input.name, r] as const))("%s", (_name, r) => {
    expect({ outcome: r.outcome, detail: r.detail }).toEqual({ outcome: r.input.accepted ? "accepted, valid" : "rejected", detail: expect.any(String) });
  });

  it("none crashes, hangs or is accepted invalid, and docs/hardening.md shows this very table", () => {
    expect(results.filter((r) => ["crashed", "hung", "accepted, INVALID"].includes(r.outcome))).toEqual([]);
    const doc = readFileSync(DOC, "utf8");
    const generated = `${START}\n${table(results)}\n${END}`;
    const current = doc.slice(doc.indexOf(START), doc.indexOf(END) + END.length);
    if (process.env.UPDATE_HARDENING_DOC === "1" && current !== generated) writeFileSync(DOC, doc.replace(current, generated));
    else expect(current).toBe(generated);
  });
});
