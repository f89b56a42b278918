import { Duration, formatDuration } from "../../spec/duration";
import { panelUrl } from "../panels";
import { AlertRule, RecordingRule, RuleContext } from "../types";
import { SLO_PANELS } from "./panels";
import { baseRules, burnWindowsOf, errorRatio, ResolvedSlo, ResolvedSlos, resolveSlos, sloRecorded, windowText } from "./slos";
import { BurnWindow } from "../../spec/slo";
import { sloAlertTests } from "./tests";

/**
 * SLO rules: per SLO, one recorded burn rate per window its alerts read plus the remaining error
 * budget over the SLO window, and two alerts following the SRE workbook's multiwindow
 * multi-burn-rate policy: `<Slo>FastBurn` pages (critical), `<Slo>SlowBurn` opens a ticket (warning).
 */

const w = formatDuration;
const num = (x: number) => String(Number(x.toPrecision(12)));

export function resolvedSlos(ctx: RuleContext): ResolvedSlos {
  return resolveSlos(ctx.slos, ctx.knobs.CivicPulseHighLatency.p95Seconds);
}

/** Recording rules of every SLO; `recordedNames` are the series rules/recording.ts already records. */
export function sloRecordingRules(ctx: RuleContext, recordedNames: ReadonlySet<string>): RecordingRule[] {
  const r = resolvedSlos(ctx);
  const rules: RecordingRule[] = baseRules(r, recordedNames).map((b) => ({ ...b, group: "slo", tests: [] }));
  const names = new Set([...recordedNames, ...rules.map((x) => x.record)]);
  for (const slo of r.slos) {
    for (const win of burnWindowsOf(r)) {
      const ratio = errorRatio(slo, win, r, names);
      rules.push({ group: "slo", record: sloRecorded.burnRate(slo, win), expr: `(${ratio.expr}) / ${num(slo.budget)}`, tests: [] });
    }
    // Burn rate over the whole SLO window = the share of the budget spent; what is left is 1 minus it.
    const spent = errorRatio(slo, slo.window, r, names);
    rules.push({ group: "slo", record: sloRecorded.budgetRemaining(slo), expr: `1 - (${spent.expr}) / ${num(slo.budget)}`, tests: [] });
  }
  return rules;
}

export type BurnSpeed = "fast" | "slow";
export const alertName = (slo: Pick<ResolvedSlo, "title">, speed: BurnSpeed) => `CivicPulse${slo.title}${speed === "fast" ? "Fast" : "Slow"}Burn`;

/** The expression of one burn-rate alert: any window pair whose long and short burn both exceed its factor. */
export function burnExpr(slo: ResolvedSlo, windows: readonly BurnWindow[]): string {
  return windows
    .map((b) => `(${sloRecorded.burnRate(slo, b.long)} > ${num(b.factor)} and ${sloRecorded.burnRate(slo, b.short)} > ${num(b.factor)})`)
    .join(" or ");
}

/** Go template printing the remaining budget of the alert's own series (query at alert time). */
function remainingTemplate(slo: ResolvedSlo): string {
  const name = sloRecorded.budgetRemaining(slo);
  const selector =
    slo.level === "job"
      ? `printf "${name}{job=%q}" $labels.job`
      : `printf "${name}{job=%q,instance=%q}" $labels.job $labels.instance`;
  return `{{ with ${selector} | query }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}`;
}

const describeWindows = (ws: readonly BurnWindow[]) => ws.map((b) => `${num(b.factor)}x over ${w(b.long)} and ${w(b.short)}`).join(", or ");

/** How long the whole budget lasts at a burn rate: the SLO window divided by it. */
export const budgetLasts = (window: Duration, factor: number): string => w(Math.round(window / factor / 60_000) * 60_000 as Duration);

export function sloAlerts(ctx: RuleContext): AlertRule[] {
  const r = resolvedSlos(ctx);
  const out: AlertRule[] = [];
  for (const slo of r.slos) {
    for (const [speed, windows, severity] of [
      ["fast", r.page, "critical"],
      ["slow", r.ticket, "warning"],
    ] as const) {
      const name = alertName(slo, speed);
      const subject = slo.level === "job" ? "{{ $labels.job }}" : "{{ $labels.instance }}";
      const fastest = Math.max(...windows.map((b) => b.factor));
      const rule: AlertRule = {
        alert: name,
        expr: burnExpr(slo, windows),
        for: 0 as Duration,
        group: "slo",
        // Generated per SLO: the rules live here, the objectives and windows in spec/slo.ts (`slos.*`).
        source: "rules/slo/rules.ts",
        labels: { severity, category: "slo", team: ctx.team, service: "civicpulse", slo: slo.name },
        annotations: {
          summary: `${slo.title} SLO of ${subject} is burning its error budget ${speed === "fast" ? "fast" : "steadily"}`,
          description:
            `SLO: ${slo.promise}. The error budget burns at more than ${describeWindows(windows)} ` +
            `(at ${num(fastest)}x the whole ${windowText(slo.window)} budget lasts ${budgetLasts(slo.window, fastest)}).`,
          error_budget_remaining: remainingTemplate(slo),
          runbook_url: `${ctx.runbookBaseUrl.replace(/\/+$/, "")}/${name}.md`,
          dashboard_url: panelUrl(ctx.grafanaUrl, SLO_PANELS[slo.name].burnRate),
        },
        runbook: {
          meaning:
            speed === "fast"
              ? `The ${slo.name} SLO (${slo.promise}) is losing its error budget fast enough to spend a large share of it within hours: users are affected now.`
              : `The ${slo.name} SLO (${slo.promise}) is losing its error budget faster than it can afford over the SLO window: not urgent, but it will run out if nothing changes.`,
          firstChecks: [
            "Application dashboard, SLO rows: remaining budget and the burn rate per window. Is the short window still high (ongoing) or already falling (recovering)?",
            slo.kind === "probes"
              ? "Infrastructure dashboard, health-probe panels: which endpoint fails, and /health/detailed/ for the failing dependency."
              : slo.kind === "latency"
                ? "Application dashboard: latency percentiles and database query latency; Jaeger for the slowest traces."
                : "Application dashboard: error ratio and request rate by status; Loki for tracebacks around the start.",
            "A recent deployment (CI/CD dashboard) is the most common cause: consider rolling it back.",
          ],
        },
        tests: [],
      };
      out.push({ ...rule, tests: sloAlertTests(ctx, r, slo, rule, windows) });
    }
  }
  return out;
}
