import { condense, ENV_PLACEHOLDER, Entry } from "./condense";
import { Change, ChangeKind, COMMENT_MARKER, Counts, DiffReport, FieldChange, GITHUB_COMMENT_LIMIT, KIND_LABELS, KIND_ORDER } from "./types";

/** The default size budget: GitHub's limit with room for the workflow to add a line or two. */
export const DEFAULT_MAX_CHARS = GITHUB_COMMENT_LIMIT - 536;
const MAX_CELL = 600;
const MAX_WARNINGS = 15;

/** A value inside a table cell: code, pipes escaped, newlines as <br>, long values shortened. */
export function cell(v: string | undefined): string {
  if (v === undefined) return "—";
  if (v === "") return '`""`';
  let s = v.length > MAX_CELL ? `${v.slice(0, MAX_CELL)}… (${v.length - MAX_CELL} more characters)` : v;
  s = s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ⏎ ");
  const fence = s.includes("`") ? "``" : "`";
  return `${fence}${fence === "``" ? " " : ""}${s}${fence === "``" ? " " : ""}${fence}`;
}

const plural = (n: number, kind: ChangeKind) => `${n} ${n === 1 ? KIND_LABELS[kind].singular : KIND_LABELS[kind].plural}`;

/** `2 alerts changed, 1 alert removed` for one kind's counts. */
function kindPhrase(kind: ChangeKind, c: Counts): string[] {
  return (["added", "removed", "changed", "replaced", "moved"] as const).filter((a) => c[a] > 0).map((a) => `${plural(c[a], kind)} ${a}`);
}

export function countsPhrase(byKind: Partial<Record<ChangeKind, Counts>>): string {
  const parts = KIND_ORDER.flatMap((k) => (byKind[k] ? kindPhrase(k, byKind[k] as Counts) : []));
  return parts.join(", ");
}

function fieldName(f: FieldChange): string {
  const flag = f.forcesReplacement ? " ⚠️ forces replacement" : "";
  return `${f.field.replace(/\|/g, "\\|")}${flag}`;
}

/** One change: a title line and, when it has fields, a before/after table. */
export function renderChange(c: Change): string {
  const title = c.title && c.title !== c.id ? ` (${c.title.replace(/\|/g, "\\|")})` : "";
  const where = [c.stack, c.source].filter(Boolean).join(" · ");
  const forced = c.forcedBy?.length ? ` — forced by ${c.forcedBy.map((f) => `\`${f}\``).join(", ")}` : "";
  const icon = c.action === "removed" ? "🗑️ " : c.action === "replaced" ? "♻️ " : "";
  const head = `${icon}**${c.action}** \`${c.id}\`${title}${forced} <sub>${where}</sub>`;
  if (!c.fields.length) return `${head}\n`;
  const hasNotes = c.fields.some((f) => f.note);
  const rows = c.fields.map(
    (f) => `| ${fieldName(f)} | ${cell(f.before)} | ${cell(f.after)} |${hasNotes ? ` ${f.note ? f.note.replace(/\|/g, "\\|") : ""} |` : ""}`,
  );
  const header = hasNotes ? "| field | before | after | note |\n|---|---|---|---|" : "| field | before | after |\n|---|---|---|";
  return `${head}\n\n${header}\n${rows.join("\n")}\n`;
}

export interface MarkdownOptions {
  /** Hard limit on the output length (characters). Default: under GitHub's 65,536. */
  readonly maxChars?: number;
  /** Shown in the truncation note as the command to get everything. */
  readonly fullReportHint?: string;
  /** False: every change on its own, per environment (what the comment showed before ./condense). */
  readonly condensed?: boolean;
}

/**
 * The summary line (counts per kind). Condensed, what is inside a stack added or removed as a
 * whole counts as that stack (as the comment shows it), not as its hundreds of parts.
 */
export function summaryLine(report: DiffReport, condensed = true): string {
  if (!report.changed) return "**No monitoring changes** in any environment.";
  const perEnv = report.environments.filter((e) => e.changes.length).map((e) => `${e.name} ${e.changes.length}`).join(", ");
  let byKind = report.summary.byKind;
  if (condensed) {
    const counts: Partial<Record<ChangeKind, Counts>> = {};
    for (const e of report.environments) {
      const whole = new Set(e.changes.filter((c) => c.kind === "stack" && c.action !== "changed").map((c) => c.stack));
      for (const c of e.changes) if (c.kind === "stack" || !whole.has(c.stack)) (counts[c.kind] ??= { added: 0, removed: 0, changed: 0, replaced: 0, moved: 0 })[c.action]++;
    }
    byKind = counts;
  }
  return `**${report.summary.total} monitoring change${report.summary.total === 1 ? "" : "s"}** (${perEnv}): ${countsPhrase(byKind)}.`;
}

/** The warning line(s) when anything is destroyed or replaced. */
export function warningLines(report: DiffReport): string[] {
  const d = report.summary.destructive;
  if (!d.length) return [];
  const items = d.slice(0, MAX_WARNINGS).map((x) => {
    const name = x.title ? `${x.id} (${x.title})` : x.id;
    const why = x.forcedBy?.length ? ` by ${x.forcedBy.join(", ")}` : "";
    return `\`${name}\` in ${x.stack} ${x.action === "replaced" ? `replaced${why}` : "destroyed"}`;
  });
  const more = d.length > MAX_WARNINGS ? `; and ${d.length - MAX_WARNINGS} more` : "";
  return [`> ⚠️ **${d.length} destroyed or replaced:** ${items.join("; ")}${more}.`];
}

/**
 * The PR comment: marker, one-line summary, warning line, then one collapsed section per
 * environment with a table per change (condensed, see ./condense: changes the same in several
 * environments once, a whole new or removed stack as one line, a dashboard's moved panels as one
 * line). Never longer than `maxChars`: changes that do not fit are left out and an explicit note
 * says how many and where to get them.
 */
export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const head = [
    COMMENT_MARKER,
    "### Monitoring changes",
    "",
    summaryLine(report, options.condensed ?? true),
    ...warningLines(report),
    "",
    `<sub>base: \`${report.base}\` → head: \`${report.head}\`. Semantic diff of the synthesized stacks; the Terraform plans follow when the workflow could run them.</sub>`,
    "",
    "",
  ].join("\n");

  const total = report.environments.reduce((n, e) => n + e.changes.length, 0);
  const hint = options.fullReportHint ?? "npm run diff -- --base <base branch> --format json";
  const note = (omitted: number) =>
    `\n> ✂️ **Truncated:** ${omitted} of ${total} changes are not shown, to keep this comment under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character limit. ` +
    `Run \`${hint}\` locally, or download the workflow's \`monitoring-diff\` artifact, for the full report.\n`;
  const reserve = note(total).length + 200;

  const condensed = options.condensed ?? true;
  const sections = condense(report.environments, { merge: condensed, collapse: condensed });
  const sharedIn = new Map<string, number>();
  for (const s of sections) if (s.environments.length > 1) for (const e of s.environments) sharedIn.set(e, (sharedIn.get(e) ?? 0) + s.changes);

  let out = head;
  let shown = 0;
  let truncated = false;
  for (const section of sections) {
    const names = section.environments.join(", ");
    const shared = section.environments.length > 1;
    if (!section.changes) {
      const elsewhere = sharedIn.get(section.environments[0]);
      const line = elsewhere
        ? `<details><summary><b>${names}</b>: no other changes (${section.stacks.join(", ")})</summary></details>\n\n`
        : `<details><summary><b>${names}</b>: no changes (${section.stacks.join(", ")})</summary></details>\n\n`;
      if (out.length + line.length + reserve > maxChars) {
        truncated = true;
        break;
      }
      out += line;
      continue;
    }
    const counts = countsPhrase(countOf(section.entries));
    const n = `${section.changes} change${section.changes === 1 ? "" : "s"}`;
    const elsewhere = !shared && sharedIn.get(section.environments[0]) ? ` (besides the ${sharedIn.get(section.environments[0])} shared above)` : "";
    const open = shared
      ? `<details><summary><b>${names}</b>: the same ${n} in each (\`${ENV_PLACEHOLDER}\` is the environment): ${counts}</summary>\n\n`
      : `<details><summary><b>${names}</b>: ${n}${elsewhere}: ${counts}</summary>\n\n`;
    const close = "</details>\n\n";
    if (out.length + open.length + close.length + reserve > maxChars) {
      truncated = true;
      break;
    }
    let body = open;
    let lastKind: ChangeKind | undefined;
    for (const e of section.entries) {
      const heading = e.kind !== lastKind ? `#### ${KIND_LABELS[e.kind].heading}\n\n` : "";
      const block = `${heading}${"change" in e ? renderChange(e.change) : e.line}\n`;
      if (out.length + body.length + block.length + close.length + reserve > maxChars) {
        truncated = true;
        break;
      }
      body += block;
      lastKind = e.kind;
      shown += ("change" in e ? 1 : e.stands) * section.environments.length;
    }
    out += body + close;
    if (truncated) break;
  }
  if (truncated) out += note(total - shown);
  return out.replace(/\n{3,}/g, "\n\n");
}

/** Counts per kind of what the entries stand for (a collapsed line counts every change in it). */
function countOf(entries: readonly Entry[]): Partial<Record<ChangeKind, Counts>> {
  const out: Partial<Record<ChangeKind, Counts>> = {};
  for (const e of entries) {
    const c = (out[e.kind] ??= { added: 0, removed: 0, changed: 0, replaced: 0, moved: 0 });
    if ("change" in e) c[e.change.action]++;
    else c[e.action] += e.counted;
  }
  return out;
}
