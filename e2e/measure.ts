import { existsSync } from "node:fs";
import * as path from "node:path";
import { buildRuleSet, recorded } from "../rules";
import { minutes } from "../spec/duration";
import { RecordingRule } from "../rules/types";
import { ruleContext } from "../stacks/monitoring-files";
import { prometheusAlerts, query, queryWithStats, targets } from "./prom";
import { EXPECTED_DOWN, LiveStack } from "./stack";
import { sleep } from "./supervisor";

/** Checks and measurements against the live Prometheus beside the scenarios. */

// ------------------------------------------------------------------ scrape targets

export interface TargetRow {
  readonly job: string;
  readonly instance: string;
  readonly health: string;
  readonly expected: "up" | "down";
  readonly reason: string;
  readonly ok: boolean;
}

export async function checkTargets(stack: LiveStack): Promise<TargetRow[]> {
  const all = await targets(stack.promUrl);
  return all
    .map((t) => {
      const job = t.labels.job;
      const expectedDown = job in EXPECTED_DOWN;
      const row: TargetRow = {
        job,
        instance: t.labels.instance,
        health: t.health,
        expected: expectedDown ? "down" : "up",
        reason: expectedDown ? EXPECTED_DOWN[job] : t.health === "up" ? "" : t.lastError,
        ok: expectedDown ? t.health !== "up" : t.health === "up",
      };
      return row;
    })
    .sort((a, b) => a.job.localeCompare(b.job) || a.instance.localeCompare(b.instance));
}

// ------------------------------------------------------------------ host alerts

export interface HostRow {
  readonly alert: string;
  readonly reads: string;
  readonly series: number;
  readonly value: string;
  readonly alertSeries: number;
  readonly ok: boolean;
}

const HOST_ALERTS = ["HostHighCpuUsage", "HostLowMemory", "HostDiskSpaceLow"] as const;

/**
 * Host alerts cannot be forced on a shared machine; this shows that the recorded series each one
 * reads exists for the real node-exporter, and that its full expression evaluates.
 */
export async function checkHostAlerts(stack: LiveStack): Promise<HostRow[]> {
  const rules = buildRuleSet(ruleContext(stack.spec));
  const reads: Record<(typeof HOST_ALERTS)[number], string> = {
    HostHighCpuUsage: recorded.cpuUtilisation(stack.spec.alerts.HostHighCpuUsage.window),
    HostLowMemory: recorded.memoryAvailable(),
    HostDiskSpaceLow: recorded.filesystemAvailable(),
  };
  const rows: HostRow[] = [];
  for (const name of HOST_ALERTS) {
    const alert = rules.alerts.find((a) => a.alert === name);
    const lhs = await query(stack.promUrl, reads[name]);
    const full = alert ? await query(stack.promUrl, alert.expr) : [];
    const values = lhs.map((s) => s.value).filter((v) => Number.isFinite(v));
    rows.push({
      alert: name,
      reads: reads[name],
      series: lhs.length,
      value: values.length ? `${(Math.min(...values) * 100).toFixed(1)}%${values.length > 1 ? ` .. ${(Math.max(...values) * 100).toFixed(1)}%` : ""}` : "-",
      alertSeries: full.length,
      ok: alert !== undefined && lhs.length > 0,
    });
  }
  return rows;
}

// ------------------------------------------------------------------ dashboards

export interface DashboardCheck {
  readonly available: boolean;
  readonly gap?: string;
  readonly rows: Array<{ dashboard: string; panel: string; expr: string; ok: boolean; series: number; error?: string }>;
}

/** Collects every `expr` string in a dashboard model (panels, targets, variables), with its panel title. */
export function collectExprs(model: unknown, panel = ""): Array<{ panel: string; expr: string }> {
  const out: Array<{ panel: string; expr: string }> = [];
  const walk = (v: unknown, title: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, title));
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const t = typeof o.title === "string" ? o.title : title;
      if (typeof o.expr === "string" && o.expr.trim() !== "") out.push({ panel: t, expr: o.expr });
      for (const [k, x] of Object.entries(o)) if (k !== "expr") walk(x, t);
    }
  };
  walk(model, panel);
  return out;
}

/**
 * Grafana variables and macros replaced the way Grafana sends them with every variable on "All"
 * (the dashboards' allValue is ".*") over a 5 minute range.
 */
export function substituteVariables(expr: string, values: Record<string, string> = {}): string {
  const macros: Record<string, string> = {
    __range_s: "300",
    __range_ms: "300000",
    __range: "5m",
    __interval_ms: "15000",
    __interval: "15s",
    __rate_interval: "1m",
    __all: ".*",
  };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_whole, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    return macros[name] ?? values[name] ?? ".*";
  });
}

interface DashboardModel {
  readonly name: string;
  readonly model: unknown;
}

/** Dashboards from whatever the dashboards module exports (arrays of rendered dashboards, or models). */
function dashboardModels(mod: Record<string, unknown>, spec: unknown): DashboardModel[] {
  const out: DashboardModel[] = [];
  const add = (name: string, v: unknown) => {
    if (Array.isArray(v)) for (const x of v) add(name, x);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const model = o.model && typeof o.model === "object" ? o.model : o;
      const title = typeof o.title === "string" ? o.title : typeof (model as Record<string, unknown>).title === "string" ? ((model as Record<string, unknown>).title as string) : name;
      if ("panels" in (model as object)) out.push({ name: title, model });
    }
  };
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value !== "function") continue;
    try {
      add(name, (value as (s: unknown) => unknown)(spec));
    } catch {
      // not a dashboard builder
    }
  }
  return out;
}

/** Checks a `label_values(selector, label)` variable query returns values. */
async function variableValues(stack: LiveStack, q: string): Promise<number> {
  const m = /^label_values\((.*),\s*(\w+)\)$/.exec(q.trim());
  if (!m) return -1;
  const params = new URLSearchParams({ "match[]": substituteVariables(m[1]) });
  const r = (await (await fetch(`${stack.promUrl}/api/v1/label/${m[2]}/values?${params}`)).json()) as { status: string; data: string[] };
  if (r.status !== "success") throw new Error(`label_values ${q}: ${JSON.stringify(r)}`);
  return r.data.length;
}

/**
 * Runs every panel query of the dashboards module (dashboards/, built from the same spec) against
 * the live Prometheus with variables on "All", plus every variable query. Panels of the
 * application dashboard read what the app emits (every alert-read series exists at zero from start-up), so they must return data.
 */
export async function checkDashboards(stack: LiveStack): Promise<DashboardCheck> {
  const dir = path.join(__dirname, "..", "dashboards");
  const entry = ["index.js", "index.ts"].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!entry) return { available: false, gap: "dashboards/ has no index module yet: no panel query could be run", rows: [] };
  let mod: Record<string, unknown>;
  try {
    mod = require(entry) as Record<string, unknown>;
  } catch (e) {
    return { available: false, gap: `dashboards/index could not be loaded: ${(e as Error).message}`, rows: [] };
  }
  const models = dashboardModels(mod, stack.spec);
  const rows: DashboardCheck["rows"] = [];
  for (const m of models) {
    const seen = new Set<string>();
    const vars = ((m.model as { templating?: { list?: Array<{ name: string; query?: unknown }> } }).templating?.list ?? []);
    for (const v of vars) {
      const q = typeof v.query === "string" ? v.query : ((v.query as { query?: string } | undefined)?.query ?? "");
      if (!q) continue;
      try {
        const n = await variableValues(stack, q);
        if (n >= 0) rows.push({ dashboard: m.name, panel: `variable $${v.name}`, expr: q, ok: n > 0, series: n, error: n > 0 ? undefined : "no values" });
      } catch (err) {
        rows.push({ dashboard: m.name, panel: `variable $${v.name}`, expr: q, ok: false, series: 0, error: (err as Error).message });
      }
    }
    const mustHaveData = /application/i.test(m.name);
    for (const { panel, expr } of collectExprs((m.model as { panels?: unknown }).panels ?? [])) {
      const e = substituteVariables(expr);
      if (seen.has(e)) continue;
      seen.add(e);
      try {
        const r = await query(stack.promUrl, e);
        const empty = mustHaveData && r.length === 0;
        rows.push({ dashboard: m.name, panel, expr: e, ok: !empty, series: r.length, error: empty ? "no data from the running app" : undefined });
      } catch (err) {
        rows.push({ dashboard: m.name, panel, expr: e, ok: false, series: 0, error: (err as Error).message });
      }
    }
  }
  if (rows.length === 0) return { available: false, gap: "the dashboards module exports no dashboard with panel queries yet", rows };
  return { available: true, rows };
}

// ------------------------------------------------------------------ rule evaluation cost

export interface RuleCostRow {
  readonly group: string;
  readonly rules: number;
  readonly idleMs: number;
  readonly loadedMs: number;
}

async function groupDurations(stack: LiveStack, overSeconds: number): Promise<Map<string, number>> {
  const r = await query(stack.promUrl, `max by (rule_group) (max_over_time(prometheus_rule_group_last_duration_seconds[${overSeconds}s]))`);
  return new Map(r.map((s) => [path.basename(s.metric.rule_group ?? "").replace(/^.*;/, ""), s.value * 1000]));
}

export interface LoadResult {
  readonly rows: RuleCostRow[];
  readonly appSeries: number;
  readonly scrapeSeconds: number;
  readonly queries: QueryCostRow[];
}

export interface QueryCostRow {
  readonly name: string;
  readonly recorded: string;
  readonly raw: string;
  readonly recordedMs: number;
  readonly rawMs: number;
  readonly ratio: number;
}

/** Inlines recording rules into an expression (repeatedly), giving the raw query it replaces. */
export function inlineRecordingRules(expr: string, rules: readonly RecordingRule[]): string {
  let out = expr;
  for (let i = 0; i < 5; i++) {
    let changed = false;
    for (const r of rules) {
      const re = new RegExp(`(?<![\\w:])${r.record.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w:\\[])`, "g");
      if (re.test(out)) {
        out = out.replace(re, `(${r.expr})`);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

/**
 * Serves the realistic label set (50 paths x 5 methods x 3 statuses) and measures each rule
 * group's evaluation time against the idle value, then the cost of dashboard-style queries reading
 * recording rules versus the raw expressions they replace.
 */
export async function measureUnderLoad(stack: LiveStack, seconds = 12): Promise<LoadResult> {
  const idle = await groupDurations(stack, 10);
  stack.app.benchmarkLabels(true, 50);
  try {
    await sleep(seconds * 1000);
    const loaded = await groupDurations(stack, Math.max(5, seconds - 4));
    const rulesPer = new Map<string, number>();
    for (const s of await query(stack.promUrl, "prometheus_rule_group_rules")) rulesPer.set(s.metric.rule_group.replace(/^.*;/, ""), s.value);
    const rows = [...new Set([...idle.keys(), ...loaded.keys()])].sort().map((g) => ({
      group: g,
      rules: rulesPer.get(g) ?? 0,
      idleMs: idle.get(g) ?? NaN,
      loadedMs: loaded.get(g) ?? NaN,
    }));
    const appSeries = (await query(stack.promUrl, `scrape_samples_scraped{job="civicpulse-app"}`))[0]?.value ?? 0;
    const scrapeSeconds = (await query(stack.promUrl, `max_over_time(scrape_duration_seconds{job="civicpulse-app"}[5s])`))[0]?.value ?? NaN;
    const queries = await recordingVersusRaw(stack);
    return { rows, appSeries, scrapeSeconds, queries };
  } finally {
    stack.app.benchmarkLabels(false);
  }
}

async function recordingVersusRaw(stack: LiveStack): Promise<QueryCostRow[]> {
  const rules = buildRuleSet(ruleContext(stack.spec)).recording;
  const w = minutes(5);
  const candidates: Array<{ name: string; recorded: string }> = [
    { name: "error ratio (5m)", recorded: recorded.errorRatio(w) },
    { name: "p95 latency (5m)", recorded: recorded.latencyQuantile(95, w) },
    { name: "request rate by status (5m)", recorded: recorded.requestRateByStatus(w) },
    { name: "availability (5m)", recorded: recorded.availability(w) },
    { name: "cache hit ratio (5m)", recorded: recorded.cacheHitRatio(w) },
    { name: "CPU utilisation", recorded: recorded.cpuUtilisation(stack.spec.alerts.HostHighCpuUsage.window) },
  ];
  const rows: QueryCostRow[] = [];
  for (const c of candidates) {
    const raw = inlineRecordingRules(c.recorded, rules);
    if (raw === c.recorded) continue;
    const rec: number[] = [];
    const rawT: number[] = [];
    for (let i = 0; i < 15; i++) {
      rec.push((await queryWithStats(stack.promUrl, c.recorded)).stats.timings.evalTotalTime);
      rawT.push((await queryWithStats(stack.promUrl, raw)).stats.timings.evalTotalTime);
    }
    const recordedMs = median(rec) * 1000;
    const rawMs = median(rawT) * 1000;
    rows.push({ name: c.name, recorded: c.recorded, raw, recordedMs, rawMs, ratio: rawMs / recordedMs });
  }
  return rows;
}

/** InstanceDown alerts Prometheus raised for the expected-down jobs (the meta rule at work). */
export async function instanceDownJobs(stack: LiveStack): Promise<string[]> {
  const alerts = await prometheusAlerts(stack.promUrl);
  return [...new Set(alerts.filter((a) => a.labels.alertname === "InstanceDown" && a.state === "firing").map((a) => a.labels.job))].sort();
}
