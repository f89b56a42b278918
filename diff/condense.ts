import { Change, ChangeAction, ChangeKind, EnvironmentDiff, KIND_ORDER } from "./types";

/**
 * What the PR comment shows, condensed for a reviewer (the JSON report keeps every change):
 *  - a change that is the same in several environments (up to the environment's name in ids,
 *    titles and values) is shown once, under "dev, staging, prod";
 *  - a stack that is added or removed as a whole is one line with what it holds, not one entry per
 *    alert, rule and resource in it;
 *  - panels of one dashboard that only moved (the cascade after a panel is inserted or resized)
 *    are one line per dashboard.
 */

/** One entry of a section: a change to render as it is, or a line that stands for several. */
export type Entry =
  | { readonly kind: ChangeKind; readonly change: Change }
  | {
      readonly kind: ChangeKind;
      readonly line: string;
      /** How many changes of the report the line stands for. */
      readonly stands: number;
      /** What the section's counts say for it: `counted` of `kind` `action` (1 stack added, 27 panels moved). */
      readonly action: ChangeAction;
      readonly counted: number;
    };

export interface Section {
  /** The environments it applies to: one, or several when the changes are the same in each. */
  readonly environments: readonly string[];
  readonly stacks: readonly string[];
  readonly entries: readonly Entry[];
  /** Changes the entries stand for, in each environment. */
  readonly changes: number;
}

/** The placeholder for the environment's name in a change shared by several environments. */
export const ENV_PLACEHOLDER = "{env}";

const envPattern = (env: string) => new RegExp(`(?<![A-Za-z0-9_])${env.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_])`, "g");

/** The change with its environment's name (as a whole word) replaced by the placeholder. */
export function withoutEnvironment(c: Change, env: string): Change {
  const re = envPattern(env);
  return JSON.parse(JSON.stringify(c), (_k, v) => (typeof v === "string" ? v.replace(re, ENV_PLACEHOLDER) : v)) as Change;
}

const signature = (c: Change) => JSON.stringify(c);

/** Sections: shared changes first (by the environments they share, most first), then each environment's own. */
export function condense(environments: readonly EnvironmentDiff[], options: { merge?: boolean; collapse?: boolean } = {}): Section[] {
  const merge = options.merge ?? true;
  const collapse = options.collapse ?? true;
  const normalized = environments.map((e) => e.changes.map((c) => ({ c, n: withoutEnvironment(c, e.name), s: "" })));
  for (const list of normalized) for (const x of list) x.s = signature(x.n);
  // Which environments each normalized change occurs in.
  const where = new Map<string, string[]>();
  if (merge) {
    environments.forEach((e, i) => {
      for (const s of new Set(normalized[i].map((x) => x.s))) where.set(s, [...(where.get(s) ?? []), e.name]);
    });
  }
  const shared = new Map<string, { envs: string[]; changes: Change[] }>();
  const own: Change[][] = environments.map(() => []);
  environments.forEach((_e, i) => {
    for (const x of normalized[i]) {
      const envs = where.get(x.s) ?? [];
      if (envs.length < 2) {
        own[i].push(x.c);
        continue;
      }
      // Recorded once, from the first environment that has it.
      if (envs[0] !== environments[i].name) continue;
      const key = envs.join(",");
      const group = shared.get(key) ?? { envs, changes: [] };
      group.changes.push(x.n);
      shared.set(key, group);
    }
  });
  const sections: Section[] = [...shared.values()]
    .sort((a, b) => b.envs.length - a.envs.length || environments.findIndex((e) => e.name === a.envs[0]) - environments.findIndex((e) => e.name === b.envs[0]))
    .map((g) => ({
      environments: g.envs,
      stacks: [...new Set(g.changes.map((c) => c.stack))],
      entries: entries(g.changes, collapse),
      changes: g.changes.length,
    }));
  environments.forEach((e, i) => {
    sections.push({ environments: [e.name], stacks: e.stacks, entries: entries(own[i], collapse), changes: own[i].length });
  });
  return sections;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What a whole stack holds, from the changes inside it: `15 alerts, 40 recording rules, …`. */
function contents(changes: readonly Change[]): string {
  const byKind = new Map<ChangeKind, number>();
  for (const c of changes) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
  const names: Partial<Record<ChangeKind, [string, string]>> = {
    alert: ["alert", "alerts"],
    recording_rule: ["recording rule", "recording rules"],
    scrape_job: ["scrape job", "scrape jobs"],
    prometheus_global: ["Prometheus setting", "Prometheus settings"],
    alertmanager_route: ["route", "routes"],
    alertmanager_receiver: ["receiver", "receivers"],
    alertmanager_inhibition: ["inhibition", "inhibitions"],
    alertmanager_global: ["Alertmanager setting", "Alertmanager settings"],
    dashboard: ["dashboard", "dashboards"],
    panel: ["panel", "panels"],
    container: ["container", "containers"],
    resource: ["other resource", "other resources"],
    terraform: ["Terraform block", "Terraform blocks"],
    rendered_file: ["other rendered file", "other rendered files"],
  };
  return KIND_ORDER.filter((k) => byKind.has(k) && names[k])
    .map((k) => plural(byKind.get(k)!, names[k]![0], names[k]![1]))
    .join(", ");
}

const dashboardOf = (c: Change) => c.id.slice(0, c.id.lastIndexOf(" "));
const panelOf = (c: Change) => c.id.slice(c.id.lastIndexOf(" ") + 1);
const grid = (s: string | undefined) => {
  const m = /x=(-?\d+) y=(-?\d+) w=(\S+) h=(\S+)/.exec(s ?? "");
  return m ? { x: Number(m[1]), y: Number(m[2]), w: m[3], h: m[4] } : undefined;
};

/** `down 8 rows`, when every panel moved by the same offset without resizing; else undefined. */
function commonShift(moves: readonly Change[]): string | undefined {
  const shifts = new Set<string>();
  for (const c of moves) {
    const f = c.fields.find((x) => x.field === "gridPos");
    const a = grid(f?.before);
    const b = grid(f?.after);
    if (!a || !b || a.w !== b.w || a.h !== b.h) return undefined;
    shifts.add(`${b.x - a.x},${b.y - a.y}`);
  }
  if (shifts.size !== 1) return undefined;
  const [dx, dy] = [...shifts][0].split(",").map(Number);
  const parts = [
    dy !== 0 && `${dy > 0 ? "down" : "up"} ${plural(Math.abs(dy), "row", "rows")}`,
    dx !== 0 && `${dx > 0 ? "right" : "left"} ${plural(Math.abs(dx), "column", "columns")}`,
  ].filter(Boolean);
  return parts.join(" and ");
}

function listed(items: readonly string[], max = 12): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

function entries(changes: readonly Change[], collapse: boolean): Entry[] {
  if (!collapse) return changes.map((c) => ({ kind: c.kind, change: c }));
  const wholeStacks = new Map(changes.filter((c) => c.kind === "stack" && (c.action === "added" || c.action === "removed")).map((c) => [c.stack, c]));
  const inWholeStack = (c: Change) => c.kind !== "stack" && wholeStacks.has(c.stack);
  const moves = new Map<string, Change[]>();
  for (const c of changes) {
    if (c.kind === "panel" && c.action === "moved" && !inWholeStack(c)) {
      const key = `${c.stack}\u0000${dashboardOf(c)}`;
      moves.set(key, [...(moves.get(key) ?? []), c]);
    }
  }
  const out: Entry[] = [];
  const done = new Set<string>();
  for (const c of changes) {
    if (inWholeStack(c)) continue;
    if (c.kind === "stack" && wholeStacks.get(c.stack) === c) {
      const inside = changes.filter((x) => x.kind !== "stack" && x.stack === c.stack);
      const what = contents(inside);
      const verb = c.action === "added" ? "new, with" : "destroyed, with";
      out.push({ kind: "stack", line: `${c.action === "removed" ? "🗑️ " : ""}**${c.action}** stack \`${c.stack}\`: ${what ? `${verb} ${what}` : "empty"} <sub>each listed in the JSON report</sub>\n`, stands: inside.length + 1, action: c.action, counted: 1 });
      continue;
    }
    const key = `${c.stack}\u0000${dashboardOf(c)}`;
    const group = c.kind === "panel" && c.action === "moved" ? moves.get(key) : undefined;
    if (group && group.length > 1) {
      if (done.has(key)) continue;
      done.add(key);
      const shift = commonShift(group);
      const panels = listed(group.map((m) => `${panelOf(m)}${m.title ? ` ${m.title.replace(/\|/g, "\\|")}` : ""}`));
      out.push({
        kind: "panel",
        line: `**moved** ${group.length} panels of \`${dashboardOf(c)}\`${shift ? `, each ${shift}` : ""} (no other change to them): ${panels} <sub>${[c.stack, c.source].filter(Boolean).join(" · ")}</sub>\n`,
        stands: group.length,
        action: "moved",
        counted: group.length,
      });
      continue;
    }
    out.push({ kind: c.kind, change: c });
  }
  return out;
}
