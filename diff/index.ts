/**
 * The semantic diff of two synthesized outputs (cdktf.out folders): what changes for the on-call
 * engineer, per environment. Pure: it takes the parsed outputs and returns a report; loading
 * (./load), git and synthesis live in cli/diff.ts.
 */
import { diffAlertmanager, findAlertmanagerConfigs } from "./alertmanager";
import { dashboardFiles, diffDashboards } from "./dashboards";
import { diffPrometheus, findPrometheusConfigs } from "./prometheus";
import { diffResources, diffTerraformBlocks } from "./resources";
import { diffRules, ruleFiles } from "./rules";
import {
  Change,
  ChangeKind,
  COMMENT_MARKER,
  Counts,
  DiffReport,
  EnvironmentDiff,
  JSON_SCHEMA_VERSION,
  KIND_ORDER,
  ACTION_ORDER,
  StackOutput,
  SynthOutput,
} from "./types";
import { lineDelta } from "./values";
import { PRESETS } from "../spec/presets";

export * from "./types";
export { loadSynthOutput, OutputFolderError } from "./load";
export { renderMarkdown } from "./markdown";
export { composeComment, planSummary, prLabel } from "./comment";
export { thresholds } from "./rules";

/** Without a declared order (the override file's environments), the presets' deploy order. */
const PRESET_ORDER: readonly string[] = Object.keys(PRESETS);

/** `monitoring-dev` → `dev`, `grafana-prod` → `prod`; a name without a dash is its own environment. */
export function environmentOf(stack: string): string {
  const i = stack.indexOf("-");
  return i > 0 ? stack.slice(i + 1) : stack;
}

/** Destroyed by Terraform when removed or replaced. */
const DESTRUCTIVE_KINDS: ReadonlySet<ChangeKind> = new Set(["stack", "container", "resource", "dashboard"]);

function understoodFiles(rendered: ReadonlyMap<string, string>): Set<string> {
  return new Set([
    ...ruleFiles(rendered),
    ...findPrometheusConfigs(rendered).map((c) => c.file),
    ...findAlertmanagerConfigs(rendered).map((c) => c.file),
    ...dashboardFiles(rendered),
  ]);
}

/** Rendered files no specific diff reads (runbooks, promtool tests, Loki/Promtail configs, ...). */
function diffOtherFiles(stack: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Change[] {
  const skip = new Set([...understoodFiles(before), ...understoodFiles(after)]);
  const out: Change[] = [];
  for (const file of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    if (skip.has(file)) continue;
    const x = before.get(file);
    const y = after.get(file);
    if (x === y) continue;
    const lines = (s: string) => `${s.split("\n").length} lines`;
    if (x === undefined) out.push({ kind: "rendered_file", action: "added", stack, id: file, fields: [{ field: "content", after: lines(y as string) }] });
    else if (y === undefined) out.push({ kind: "rendered_file", action: "removed", stack, id: file, fields: [{ field: "content", before: lines(x) }] });
    else {
      const d = lineDelta(x, y);
      out.push({ kind: "rendered_file", action: "changed", stack, id: file, fields: [{ field: "content", before: lines(x), after: lines(y), note: `+${d.added} −${d.removed} lines` }] });
    }
  }
  return out;
}

const EMPTY: StackOutput = { name: "", tf: {}, rendered: new Map() };

/** Every change of one stack, in the order the report shows them. */
export function diffStack(name: string, before: StackOutput | undefined, after: StackOutput | undefined): Change[] {
  const b = before ?? EMPTY;
  const a = after ?? EMPTY;
  const changes: Change[] = [];
  if (!before) changes.push({ kind: "stack", action: "added", stack: name, id: name, fields: [] });
  if (!after) changes.push({ kind: "stack", action: "removed", stack: name, id: name, fields: [] });
  changes.push(
    ...diffRules(name, b.rendered, a.rendered),
    ...diffPrometheus(name, b.rendered, a.rendered),
    ...diffAlertmanager(name, b.rendered, a.rendered),
    ...diffDashboards(name, b.tf, a.tf, b.rendered, a.rendered),
    ...diffResources(name, b.tf, a.tf, new Set(["grafana_dashboard"])),
    ...diffTerraformBlocks(name, b.tf, a.tf),
    ...diffOtherFiles(name, b.rendered, a.rendered),
  );
  return sortChanges(changes);
}

export function sortChanges(changes: readonly Change[]): Change[] {
  return [...changes].sort(
    (x, y) =>
      KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) ||
      x.stack.localeCompare(y.stack) ||
      ACTION_ORDER.indexOf(x.action) - ACTION_ORDER.indexOf(y.action) ||
      x.id.localeCompare(y.id),
  );
}

export const emptyCounts = (): Counts => ({ added: 0, removed: 0, changed: 0, replaced: 0, moved: 0 });

export function countByKind(changes: readonly Change[]): Partial<Record<ChangeKind, Counts>> {
  const out: Partial<Record<ChangeKind, Counts>> = {};
  for (const c of changes) (out[c.kind] ??= emptyCounts())[c.action]++;
  return Object.fromEntries(KIND_ORDER.filter((k) => out[k]).map((k) => [k, out[k]])) as Partial<Record<ChangeKind, Counts>>;
}

/** The whole report: base and head are labels for the reader (a git ref, a folder). */
export function diffOutputs(base: SynthOutput, head: SynthOutput, labels: { base: string; head: string }, order: readonly string[] = PRESET_ORDER): DiffReport {
  const names = [...new Set([...base.stacks.keys(), ...head.stacks.keys()])];
  const byEnv = new Map<string, string[]>();
  for (const n of names) byEnv.set(environmentOf(n), [...(byEnv.get(environmentOf(n)) ?? []), n]);
  // Environments in deploy order first, then any other (one removed from the config) alphabetically.
  const rank = (e: string) => (order.includes(e) ? order.indexOf(e) : order.length);
  const envNames = [...byEnv.keys()].sort((x, y) => {
    return rank(x) - rank(y) || x.localeCompare(y);
  });
  const environments: EnvironmentDiff[] = envNames.map((env) => {
    const stacks = (byEnv.get(env) ?? []).sort((x, y) => (x.startsWith("monitoring-") ? -1 : y.startsWith("monitoring-") ? 1 : x.localeCompare(y)));
    return { name: env, stacks, changes: sortChanges(stacks.flatMap((s) => diffStack(s, base.stacks.get(s), head.stacks.get(s)))) };
  });
  const all = environments.flatMap((e) => e.changes.map((c) => ({ env: e.name, c })));
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    marker: COMMENT_MARKER,
    base: labels.base,
    head: labels.head,
    changed: all.length > 0,
    summary: {
      total: all.length,
      byKind: countByKind(all.map((x) => x.c)),
      destructive: all
        .filter(({ c }) => DESTRUCTIVE_KINDS.has(c.kind) && (c.action === "removed" || c.action === "replaced"))
        .map(({ env, c }) => ({ environment: env, stack: c.stack, kind: c.kind, id: c.id, ...(c.title ? { title: c.title } : {}), action: c.action, ...(c.forcedBy ? { forcedBy: c.forcedBy } : {}) })),
    },
    environments,
  };
}
