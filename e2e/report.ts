import { E2E_OVERRIDES, E2E_TIME_SCALE } from "../spec/e2e";
import { DashboardCheck, HostRow, LoadResult, TargetRow } from "./measure";
import { ScenarioResult } from "./scenarios";

/** The Markdown report of a live run, and the verdict that decides the exit code. */

export interface RunReport {
  readonly startedAt: Date;
  readonly totalSeconds: number;
  readonly startupSeconds: number;
  readonly startup: Record<string, number>;
  readonly scenarios: ScenarioResult[];
  readonly targets: TargetRow[];
  readonly instanceDownJobs: string[];
  readonly host: HostRow[];
  readonly dashboards: DashboardCheck;
  /** The same panel check on the healthy app, before any fault was injected. */
  readonly healthyDashboards?: DashboardCheck;
  /** What the app under test is. */
  readonly app?: string;
  /** Python package versions of the app. */
  readonly packages?: Record<string, string>;
  readonly load?: LoadResult;
  readonly loadError?: string;
  readonly errors: string[];
  readonly versions: Record<string, string>;
}

/** Within 1.5x of the floor: the target of the issue. */
export const LATENCY_TARGET_RATIO = 1.5;

export interface Verdict {
  readonly ok: boolean;
  readonly reasons: string[];
}

/** Fails on any failed scenario, unexpected target state, host check, dashboard query or harness error. */
export function verdict(r: Pick<RunReport, "scenarios" | "targets" | "host" | "errors"> & { dashboards?: DashboardCheck; healthyDashboards?: DashboardCheck }): Verdict {
  const reasons: string[] = [];
  for (const s of r.scenarios) if (!s.ok) reasons.push(`scenario "${s.name}" (${s.alert}) failed: ${s.failures.join("; ")}`);
  for (const t of r.targets) if (!t.ok) reasons.push(`target ${t.job} ${t.instance} is ${t.health}, expected ${t.expected}${t.reason ? ` (${t.reason})` : ""}`);
  for (const h of r.host) if (!h.ok) reasons.push(`host alert ${h.alert}: ${h.reads} returned no series from node-exporter`);
  for (const d of r.dashboards?.rows ?? []) if (!d.ok) reasons.push(`dashboard ${d.dashboard}, ${d.panel}: ${d.error ?? "failed"} (${d.expr})`);
  // The application dashboard only: CI panels have data once a pipeline has pushed a run, not before.
  for (const d of (r.healthyDashboards?.rows ?? []).filter((x) => /application/i.test(x.dashboard))) if (!d.ok || d.series === 0) reasons.push(`healthy app, before any fault: dashboard ${d.dashboard}, ${d.panel}: ${d.error ?? "failed"} (${d.expr})`);
  reasons.push(...r.errors);
  return { ok: reasons.length === 0, reasons };
}

const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(1));
const f2 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(2));
const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function scenarioTable(scenarios: readonly ScenarioResult[]): string {
  const lines = [
    "| scenario | alert | receivers | detection s | floor s | ratio | within 1.5x | resolved after s | result |",
    "|---|---|---|---:|---:|---:|:---:|---:|---|",
  ];
  for (const s of scenarios) {
    const ratio = s.detectionSeconds !== undefined && s.floorSeconds ? s.detectionSeconds / s.floorSeconds : undefined;
    const within = ratio === undefined ? "-" : ratio <= LATENCY_TARGET_RATIO ? "yes" : "no";
    const resolved = s.resolutionChecked ? f1(s.resolutionSeconds) : "n/a";
    const result = s.missing ? `MISSING: ${s.missing}` : s.ok ? "pass" : `FAIL: ${s.failures.join("; ")}`;
    lines.push(`| ${esc(s.name)} | \`${s.alert}\` | ${s.receivers.join(" + ")} | ${f1(s.detectionSeconds)} | ${f1(s.floorSeconds)} | ${f2(ratio)} | ${within} | ${resolved} | ${esc(result)} |`);
  }
  return lines.join("\n");
}

export function renderReport(r: RunReport): string {
  const v = verdict(r);
  const out: string[] = [];
  const passed = r.scenarios.filter((s) => s.ok).length;
  out.push("# CivicPulse live verification report", "");
  out.push(`Run ${r.startedAt.toISOString()}, ${r.totalSeconds.toFixed(0)} s in total (stack start-up ${r.startupSeconds.toFixed(1)} s). ` +
    `**${v.ok ? "PASS" : "FAIL"}**: ${passed} of ${r.scenarios.length} scenarios passed.`, "");
  out.push(`Environment \`e2e\`: every duration is the production default x ${E2E_TIME_SCALE.toFixed(4)} (1/60), at least 1 s (rate windows at least 5 s); departures:`, "");
  for (const o of E2E_OVERRIDES) out.push(`- \`${o.field}\` = ${o.value}: ${o.reason}`);
  out.push("", `Tools: ${Object.entries(r.versions).map(([k, x]) => `${k} ${x}`).join(", ")}.`, "");
  if (r.app) out.push(`App under test: ${r.app}.`, "");
  if (r.packages) out.push(`App packages: ${Object.entries(r.packages).map(([k, x]) => `${k} ${x}`).join(", ")}.`, "");

  out.push("## Scenarios", "");
  out.push("Detection is from the fault injection to the last expected receiver's first firing notification; the floor is scrape interval + evaluation interval + `for` + the route's group_wait (plus `escalation.after` and one evaluation for the escalation). Resolution is from the end of the fault to the resolved notification (Alertmanager sends it at the next group_interval).", "");
  out.push(scenarioTable(r.scenarios), "");
  const notes = r.scenarios.filter((s) => s.notes.length > 0);
  if (notes.length) {
    out.push("Notes:", "");
    for (const s of notes) out.push(`- ${s.name}: ${s.notes.join("; ")}`);
    out.push("");
  }

  out.push("## Scrape targets", "");
  out.push("| job | instance | health | expected | note |", "|---|---|---|---|---|");
  for (const t of r.targets) out.push(`| ${t.job} | ${t.instance} | ${t.health} | ${t.expected}${t.ok ? "" : " (**unexpected**)"} | ${esc(t.reason)} |`);
  out.push("", `InstanceDown fired for: ${r.instanceDownJobs.length ? r.instanceDownJobs.join(", ") : "(none)"}.`, "");

  out.push("## Host alerts against the real node-exporter", "");
  out.push("CPU, memory and disk cannot be pushed over their thresholds on a shared machine; their `promtool test rules` cases prove the thresholds. Here: the recorded series each alert reads exists for the real node-exporter, and the full alert expression evaluates.", "");
  out.push("| alert | reads | series | value (min .. max) | alert expression returns | result |", "|---|---|---:|---|---:|---|");
  for (const h of r.host) out.push(`| \`${h.alert}\` | \`${h.reads}\` | ${h.series} | ${h.value} | ${h.alertSeries} | ${h.ok ? "pass" : "FAIL"} |`);
  out.push("");

  if (r.healthyDashboards?.available) {
    const rows = r.healthyDashboards.rows;
    const app = rows.filter((x) => /application/i.test(x.dashboard));
    out.push("## Healthy app: every application panel returns data", "");
    out.push(`Before any fault: ${app.filter((x) => x.series > 0).length} of ${app.length} application panel queries returned data (required). Other dashboards, for information: ${rows.filter((x) => !x.ok).length} of ${rows.length - app.length} queries without data (CI panels wait for a pipeline's first push).`, "");
    const bad = rows.filter((x) => !x.ok);
    if (bad.length) for (const x of bad) out.push(`- ${esc(x.dashboard)}, ${esc(x.panel)}: ${esc(x.error ?? "")}`);
    out.push("");
  }

  out.push("## Dashboard panel queries", "");
  if (!r.dashboards.available) out.push(`**Gap**: ${r.dashboards.gap}.`, "");
  else {
    const bad = r.dashboards.rows.filter((x) => !x.ok);
    out.push(`${r.dashboards.rows.length} distinct panel queries, ${bad.length} failed, ${r.dashboards.rows.filter((x) => x.series > 0).length} returned data.`, "");
    out.push("| dashboard | panel | series | result |", "|---|---|---:|---|");
    for (const x of r.dashboards.rows) out.push(`| ${esc(x.dashboard)} | ${esc(x.panel)} | ${x.series} | ${x.ok ? "ok" : `ERROR ${esc(x.error ?? "")}`} |`);
    out.push("");
  }

  out.push("## Benchmark: rule evaluation under a realistic label set", "");
  if (r.load) {
    out.push(`The Django app served 50 paths x 5 methods x 3 statuses through real requests (${r.load.appSeries.toFixed(0)} samples per scrape, scrape ${f2(r.load.scrapeSeconds * 1000)} ms). ` +
      "`prometheus_rule_group_last_duration_seconds`, highest value over the window, idle (scenario traffic) vs loaded:", "");
    out.push("| rule group | rules | idle ms | loaded ms |", "|---|---:|---:|---:|");
    for (const g of r.load.rows) out.push(`| ${g.group} | ${g.rules} | ${f2(g.idleMs)} | ${f2(g.loadedMs)} |`);
    out.push("", "Dashboard-style queries reading a recording rule vs the raw expression it replaces (median of 15 evaluations each, Prometheus' own `evalTotalTime`, under the same load):", "");
    out.push("| query | recorded ms | raw ms | raw / recorded |", "|---|---:|---:|---:|");
    for (const q of r.load.queries) out.push(`| ${q.name} (\`${q.recorded}\`) | ${f2(q.recordedMs)} | ${f2(q.rawMs)} | ${f1(q.ratio)}x |`);
    out.push("");
  } else out.push(`Not measured: ${r.loadError ?? "skipped"}.`, "");

  out.push("## Start-up", "", "| step | seconds |", "|---|---:|");
  for (const [k, s] of Object.entries(r.startup)) out.push(`| ${k} | ${f2(s)} |`);
  out.push("");
  if (!v.ok) {
    out.push("## Failures", "");
    for (const reason of v.reasons) out.push(`- ${esc(reason)}`);
    out.push("");
  }
  return out.join("\n");
}
