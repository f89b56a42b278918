import { DiffReport, GITHUB_COMMENT_LIMIT } from "./types";

/** One stack's `cdktf diff` output, as the workflow saved it. */
export interface StackPlan {
  readonly stack: string;
  readonly text: string;
  /** The exit code of `cdktf diff` (non-zero: the plan failed). */
  readonly exitCode?: number;
}

export interface PlanSummary {
  readonly status: "changes" | "no-changes" | "failed" | "unknown";
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** `Plan: 1 to add, 0 to change, 1 to destroy.`, `No changes.`, or what went wrong. */
  readonly line: string;
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Reads Terraform's plan summary line out of a `cdktf diff` log. */
export function planSummary(plan: StackPlan): PlanSummary {
  const text = plan.text.replace(ANSI, "");
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(text);
  if (m) {
    const [add, change, destroy] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return { status: "changes", add, change, destroy, line: `Plan: ${add} to add, ${change} to change, ${destroy} to destroy.` };
  }
  if (plan.exitCode !== undefined && plan.exitCode !== 0) {
    const lastError = text.split("\n").filter((l) => /error/i.test(l)).pop()?.trim();
    return { status: "failed", add: 0, change: 0, destroy: 0, line: `cdktf diff failed (exit ${plan.exitCode})${lastError ? `: ${lastError.slice(0, 200)}` : ""}` };
  }
  if (/No changes\.|no differences|Your infrastructure matches the configuration/i.test(text)) {
    return { status: "no-changes", add: 0, change: 0, destroy: 0, line: "No changes." };
  }
  return { status: "unknown", add: 0, change: 0, destroy: 0, line: "no plan summary found in the output" };
}

export const LABELS = { none: "monitoring:no-changes", changes: "monitoring:changes", replaces: "monitoring:replaces" } as const;
export type PrLabel = (typeof LABELS)[keyof typeof LABELS];

/** The one label the PR gets: replaces beats changes beats no-changes; a plan that destroys counts as replaces. */
export function prLabel(report: DiffReport, plans: readonly StackPlan[] = []): PrLabel {
  const summaries = plans.map(planSummary);
  if (report.summary.destructive.length || summaries.some((s) => s.destroy > 0)) return LABELS.replaces;
  if (report.changed || summaries.some((s) => s.status === "changes" && s.add + s.change > 0)) return LABELS.changes;
  return LABELS.none;
}

const fence = (text: string) => {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
};

/**
 * The whole PR comment: the semantic diff first (rendered by the caller with `renderSemantic`
 * and a size budget), then one line per stack with its plan summary, then each full plan
 * collapsed. The total never exceeds `limit`; plans are shortened first, then the semantic diff.
 */
export function composeComment(
  renderSemantic: (maxChars: number) => string,
  plans: readonly StackPlan[],
  limit: number = GITHUB_COMMENT_LIMIT - 536,
): string {
  if (!plans.length) return renderSemantic(limit);
  const summaries = plans.map((p) => ({ p, s: planSummary(p) }));
  const table = [
    "### Terraform plans (`cdktf diff`)",
    "",
    "| stack | plan |",
    "|---|---|",
    ...summaries.map(({ p, s }) => `| \`${p.stack}\` | ${s.status === "failed" ? "❌ " : s.destroy > 0 ? "⚠️ " : ""}${s.line.replace(/\|/g, "\\|")} |`),
    "",
  ].join("\n");
  const texts = plans.map((p) => p.text.replace(ANSI, "").trimEnd());
  const planChars = texts.reduce((n, t) => n + t.length, 0);
  // The semantic diff gets what the plans leave, but never less than 40% of the comment.
  const overhead = table.length + plans.length * 200 + 200;
  const semanticBudget = Math.max(Math.floor(limit * 0.4), limit - overhead - planChars);
  const semantic = renderSemantic(semanticBudget);
  let remaining = limit - semantic.length - table.length - 2;
  const blocks: string[] = [];
  plans.forEach((p, i) => {
    const share = Math.floor(remaining / (plans.length - i)) - 200;
    let text = texts[i];
    if (text.length > share) {
      const keep = Math.max(0, share - 120);
      text = `${text.slice(0, keep)}\n… plan shortened: ${text.length - keep} more characters are in the workflow log and the monitoring-plans artifact.`;
    }
    const block = `<details><summary>Full plan: <code>${p.stack}</code> (${summaries[i].s.line.replace(/[<>]/g, "")})</summary>\n\n${fence(text)}\n\n</details>\n`;
    const safe = block.length <= remaining ? block : `<details><summary>Full plan: <code>${p.stack}</code></summary>\n\nnot shown (comment size limit); see the workflow log.\n\n</details>\n`;
    if (safe.length <= remaining) {
      blocks.push(safe);
      remaining -= safe.length;
    }
  });
  return `${semantic.trimEnd()}\n\n${table}\n${blocks.join("\n")}`;
}
