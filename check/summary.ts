import * as path from "node:path";
import type { CheckReport, CheckResult, CheckStatus } from "./run";

/** The summary `npm run check` prints: one line per environment and check, then what failed. */

const MARK: Record<CheckStatus, string> = { pass: "✓", fail: "✗", warn: "⚠", skip: "–" };
/** A failing rule test can print a long diff: the first lines say what is wrong. */
const MAX_OUTPUT_LINES = 40;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const indent = (text: string, by: string) => text.split("\n").map((l) => (l ? by + l : l)).join("\n");

function clip(output: string): string {
  const lines = output.split("\n");
  if (lines.length <= MAX_OUTPUT_LINES) return output;
  return [...lines.slice(0, MAX_OUTPUT_LINES), `… ${lines.length - MAX_OUTPUT_LINES} more lines (run the command above to see them)`].join("\n");
}

function detail(r: CheckResult): string {
  const parts: string[] = [];
  if (r.what) parts.push(r.what);
  if (r.status === "skip") parts.push(`skipped: ${r.notes.join("; ")}`);
  if (r.name.startsWith("cross-field") && r.notes.length) parts.push(plural(r.notes.length, "warning"));
  if (r.failures.length) parts.push(`${r.failures.length} failed`);
  if (r.cached) parts.push(`${r.cached} passed before on identical files`);
  return parts.join(", ");
}

function body(r: CheckResult): string[] {
  const out: string[] = [];
  if (r.status !== "skip") for (const note of r.notes) out.push(indent(note, "    "));
  for (const f of r.failures) {
    out.push(`    ${f.subject}`, `      $ ${f.command}`);
    if (f.output) out.push(indent(clip(f.output), "      "));
  }
  return out;
}

/** `baseDir`: the override file is shown relative to it when inside it (the user's working folder). */
export function formatSummary(report: CheckReport, baseDir: string, seconds: number): string {
  const envWidth = Math.max(3, ...report.results.map((r) => r.environment.length));
  const nameWidth = Math.max(...report.results.map((r) => r.name.length));
  const relative = report.overridesFile ? path.relative(baseDir, report.overridesFile) : "";
  const shown = relative && !relative.startsWith("..") ? relative : report.overridesFile;
  const source = report.overridesFile ? `the presets and ${shown}` : "the built-in presets (no override file)";
  const lines = [`civicpulse check: ${report.environments.join(", ") || "no environment"} from ${source}`];
  for (const r of report.results) {
    const rest = detail(r);
    lines.push(`${MARK[r.status]} ${r.environment.padEnd(envWidth)}  ${rest ? r.name.padEnd(nameWidth) : r.name}${rest ? `  ${rest}` : ""}`);
    lines.push(...body(r));
  }
  const n = (s: CheckStatus) => report.results.filter((r) => r.status === s).length;
  const tally = [`${n("pass")} passed`, `${n("fail")} failed`];
  if (n("warn")) tally.push(`${n("warn")} with warnings`);
  if (n("skip")) tally.push(`${n("skip")} skipped`);
  lines.push(`${tally.join(", ")} (${seconds.toFixed(1)} s)`);
  return `${lines.join("\n")}\n`;
}

export const anyFailed = (report: CheckReport): boolean => report.results.some((r) => r.status === "fail");
