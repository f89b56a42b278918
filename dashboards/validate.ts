import type { Dashboard, Panel, RowPanel } from "@grafana/grafana-foundation-sdk/dashboard";
import { promqlSyntaxErrors, selectedMetrics } from "../rules/promql";
import type { RenderedDashboard } from "./common";

/**
 * Checks on dashboards that need no Grafana: every query parses as PromQL once Grafana's macros and
 * variables are replaced by sample values, and names only series that exist (catalog metrics or
 * recording rules of the same environment); panel ids and uids are unique.
 */

/** Grafana's interval and range macros, replaced by durations / numbers PromQL accepts. */
const MACROS: ReadonlyArray<[RegExp, string]> = [
  [/\$__rate_interval\b/g, "5m"],
  [/\$__interval_ms\b/g, "60000"],
  [/\$__interval\b/g, "1m"],
  [/\$__range_ms\b/g, "21600000"],
  [/\$__range_s\b/g, "21600"],
  [/\$__range\b/g, "6h"],
];

/**
 * Replaces Grafana macros and variable references (`$job`, `${job}`, `${job:regex}`, `[[job]]`)
 * with sample values. Variables only ever appear inside label matcher strings in our queries,
 * where any text is valid; a variable elsewhere becomes an identifier and fails the parse loudly.
 */
export function substituteGrafanaMacros(expr: string): string {
  let out = expr;
  for (const [re, value] of MACROS) out = out.replace(re, value);
  return out
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}/g, "grafana_var_$1")
    .replace(/\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]/g, "grafana_var_$1")
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, "grafana_var_$1");
}

/** Metric names an expression selects (the identifier of each vector selector). */
export const referencedMetrics = (expr: string): string[] => selectedMetrics(expr);

export interface DashboardQuery {
  readonly dashboard: string;
  /** Panel id, or the variable name for a variable's selector. */
  readonly where: string;
  readonly expr: string;
}

function allPanels(d: Dashboard): Panel[] {
  const out: Panel[] = [];
  for (const p of d.panels ?? []) {
    out.push(p as Panel);
    if ((p as RowPanel).type === "row") for (const inner of (p as RowPanel).panels ?? []) out.push(inner);
  }
  return out;
}

/** Every panel (row panels included) with its id. */
export function panelsOf(d: Dashboard): Array<{ id: number; title: string; type: string; gridPos?: Panel["gridPos"] }> {
  return allPanels(d).map((p) => ({ id: p.id ?? -1, title: p.title ?? "", type: p.type, gridPos: p.gridPos }));
}

/** Every PromQL text of a dashboard: panel targets, and the selector of each label_values() variable. */
export function queriesOf(r: RenderedDashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const p of allPanels(r.model)) {
    for (const t of (p.targets ?? []) as Array<{ expr?: string }>) {
      if (t.expr !== undefined) out.push({ dashboard: r.uid, where: `panel ${p.id} (${p.title})`, expr: t.expr });
    }
  }
  for (const variable of r.model.templating?.list ?? []) {
    const q = variable.query;
    const text = typeof q === "string" ? q : typeof q === "object" && q !== null ? String((q as { query?: unknown }).query ?? "") : "";
    const m = /^label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\)$/.exec(text);
    if (variable.type === "query") {
      if (!m) throw new Error(`dashboard ${r.uid}: variable ${variable.name}: expected label_values(<selector>, <label>), got ${JSON.stringify(text)}`);
      out.push({ dashboard: r.uid, where: `variable ${variable.name}`, expr: m[1] });
    }
  }
  return out;
}

/**
 * Throws one error listing every problem: unparsable queries, unknown series, duplicate panel ids
 * within a dashboard, duplicate uids across dashboards and datasources.
 */
export function validateDashboards(
  dashboards: readonly RenderedDashboard[],
  knownSeries: ReadonlySet<string>,
  datasourceUids: readonly string[] = [],
): void {
  const problems: string[] = [];
  const uids = [...dashboards.map((d) => d.uid), ...datasourceUids];
  for (const u of new Set(uids)) if (uids.filter((x) => x === u).length > 1) problems.push(`uid ${JSON.stringify(u)} is used more than once`);
  for (const d of dashboards) {
    const ids = panelsOf(d.model).map((p) => p.id);
    for (const id of new Set(ids)) if (ids.filter((x) => x === id).length > 1) problems.push(`dashboard ${d.uid}: panel id ${id} is used more than once`);
    if (ids.includes(-1)) problems.push(`dashboard ${d.uid}: a panel has no id`);
    for (const q of queriesOf(d)) {
      const expr = substituteGrafanaMacros(q.expr);
      const errors = promqlSyntaxErrors(expr);
      if (errors.length) {
        problems.push(`dashboard ${q.dashboard}, ${q.where}: PromQL syntax error at column ${errors[0].column} near ${JSON.stringify(errors[0].near)} in: ${q.expr}`);
        continue;
      }
      for (const name of referencedMetrics(expr)) {
        if (!knownSeries.has(name)) problems.push(`dashboard ${q.dashboard}, ${q.where}: unknown series ${name} (not in the catalog nor a recording rule)`);
      }
    }
  }
  if (problems.length) throw new Error(`invalid dashboards:\n  - ${problems.join("\n  - ")}`);
}

/**
 * Every alert's dashboard_url names an existing dashboard uid and panel id
 * (`<grafana>/d/<uid>?viewPanel=<id>`, rules/panels.ts). The annotation is optional (meta alerts
 * such as Watchdog have no panel); when present it must land. Returns the problems found.
 */
export function alertLinkProblems(
  alerts: ReadonlyArray<{ alert: string; annotations: { dashboard_url?: string } }>,
  dashboards: readonly RenderedDashboard[],
): string[] {
  const problems: string[] = [];
  for (const a of alerts) {
    const url = a.annotations.dashboard_url;
    if (url === undefined) continue;
    const m = /\/d\/([^/?#]+)\?viewPanel=(\d+)$/.exec(url);
    if (!m) {
      problems.push(`alert ${a.alert}: dashboard_url ${JSON.stringify(url)} is not <grafana>/d/<uid>?viewPanel=<id>`);
      continue;
    }
    const d = dashboards.find((x) => x.uid === m[1]);
    if (!d) problems.push(`alert ${a.alert}: dashboard_url names dashboard ${m[1]}, which does not exist`);
    else if (!panelsOf(d.model).some((p) => p.id === Number(m[2]) && p.type !== "row")) {
      problems.push(`alert ${a.alert}: dashboard_url names panel ${m[2]} of ${m[1]}, which does not exist`);
    }
  }
  return problems;
}
