import { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { Duration, minutes } from "../spec/duration";
import { recorded } from "../rules/recording";
import { SLO_PANELS } from "../rules/slo/panels";
import { burnWindowsOf, leMatcher, ResolvedSlo, resolveSlos, sloRecorded, windowText } from "../rules/slo/slos";
import { DashboardContext, Query, row, stat, timeseries, v, w } from "./common";

/**
 * The SLO rows of the application dashboard: per SLO, the error budget left over its window, the
 * burn rate over every window its alerts read (with the page factors drawn in), and the bad events
 * behind them. Every query reads the SLO recording rules (rules/slo).
 */

const ROW_ID = 150;
const EVENTS_PANEL = { availability: 153, latency: 156, healthProbes: 159 } as const;

function filter(slo: ResolvedSlo, series: string): string {
  return slo.level === "job" ? `${series}{job=~"${v("job")}"}` : series;
}

function badEvents(slo: ResolvedSlo, d: Duration): Query {
  if (slo.kind === "requests") return { expr: `sum(${filter(slo, recorded.errorRate(d))})`, legend: "5xx responses/s" };
  if (slo.kind === "latency") {
    const b = recorded.latencyBuckets(d);
    const le = JSON.stringify(leMatcher(slo.thresholdSeconds!).re);
    return {
      expr: `sum(${b}{job=~"${v("job")}",le="+Inf"}) - sum(${b}{job=~"${v("job")}",le=~${le}})`,
      legend: `requests slower than ${slo.thresholdSeconds}s /s`,
    };
  }
  return { expr: `1 - ${recorded.probeSuccessAvg(d)}`, legend: "{{instance}} failed share" };
}

export function withSloRows(b: DashboardBuilder, ctx: DashboardContext): DashboardBuilder {
  const r = resolveSlos(ctx.spec.slos, ctx.spec.alerts.CivicPulseHighLatency.p95Seconds);
  if (r.slos.length === 0) return b;
  b.withRow(row(ROW_ID, "SLOs and error budgets"));
  const pageFactor = Math.max(...r.page.map((x) => x.factor));
  const short = minutes(5);
  for (const slo of r.slos) {
    const panels = SLO_PANELS[slo.name];
    b.withPanel(
      stat(ctx, {
        id: panels.budget.panelId,
        title: `${slo.title}: error budget left`,
        description: `SLO: ${slo.promise}. Share of the ${windowText(slo.window)} error budget not yet spent; below 0 the SLO is missed.`,
        queries: [{ expr: `min(${filter(slo, sloRecorded.budgetRemaining(slo))})`, legend: "budget left" }],
        unit: "percentunit",
        threshold: { value: 0, badWhen: "below" },
        width: 6,
        height: 8,
      }),
    );
    b.withPanel(
      timeseries(ctx, {
        id: panels.burnRate.panelId,
        title: `${slo.title}: burn rate per window`,
        description: `How many times faster than the SLO allows the budget is spent, over each window the burn-rate alerts read; ${pageFactor}x over 1h pages.`,
        queries: burnWindowsOf(r).map((d) => ({ expr: `max(${filter(slo, sloRecorded.burnRate(slo, d))})`, legend: w(d) })),
        unit: "x",
        min: 0,
        threshold: { value: pageFactor },
        width: 12,
        height: 8,
      }),
    );
    b.withPanel(
      timeseries(ctx, {
        id: EVENTS_PANEL[slo.name],
        title: `${slo.title}: bad events`,
        description: `The events that spend the budget, ${w(short)} rate.`,
        queries: [badEvents(slo, short)],
        unit: slo.kind === "probes" ? "percentunit" : "short",
        min: 0,
        width: 6,
        height: 8,
      }),
    );
  }
  return b;
}
