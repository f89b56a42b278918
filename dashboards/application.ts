import { catalog, select } from "../spec/catalog";
import { hours, minutes } from "../spec/duration";
import { DASHBOARD_UIDS, PANEL_IDS } from "../rules/panels";
import { recorded } from "../rules/recording";
import type { EnvironmentSpec } from "../spec/environment";
import { withSloRows } from "./slo";
import { dashboardContext, dashboardShell, labelVariable, render, RenderedDashboard, row, stat, timeseries, v, w } from "./common";

const P = PANEL_IDS.application;

/** A recorded series (all are `by (job, ...)`) restricted to the selected jobs. */
const forJobs = (series: string) => `${series}{job=~"${v("job")}"}`;
/** Matchers for raw app metrics: the selected jobs and instances. */
const appSel = { job: { re: v("job") }, instance: { re: v("instance") } } as const;

/**
 * Application: traffic, errors and latency of the CivicPulse app, its database and cache, and the
 * security signals. Each alert of the application and security categories links to the panel id it
 * is placed under (rules/panels.ts); those panels read the same recorded series as the alert, over
 * the alert's window from the spec, with the alert's threshold drawn in.
 */
export function applicationDashboard(spec: EnvironmentSpec): RenderedDashboard {
  const ctx = dashboardContext(spec);
  const k = spec.alerts;
  const errWin = k.CivicPulseHighErrorRate.window;
  const latWin = k.CivicPulseHighLatency.window;
  const lowRate = k.CivicPulseLowRequestRate;
  const short = minutes(5);
  const perMinute = (expr: string) => `${expr} * 60`;

  const b = dashboardShell(
    ctx,
    DASHBOARD_UIDS.application,
    "CivicPulse / Application",
    `Requests, errors, latency, database, cache and security events of the CivicPulse app (${spec.name}).`,
  )
    .withVariable(labelVariable(ctx, "job", "job", catalog.requestsTotal.name))
    .withVariable(labelVariable(ctx, "instance", "instance", select(catalog.requestsTotal, { job: { re: v("job") } })))

    .withRow(row(100, "Overview"))
    .withPanel(
      stat(ctx, {
        id: 101,
        title: "Request rate",
        description: `All requests per second, ${w(short)} rate.`,
        queries: [{ expr: `sum(${forJobs(recorded.requestRate(short))})`, legend: "requests/s" }],
        unit: "reqps",
      }),
    )
    .withPanel(
      stat(ctx, {
        id: 102,
        title: "Error ratio",
        description: `Share of 5xx responses over ${w(errWin)}; the CivicPulseHighErrorRate alert fires above ${k.CivicPulseHighErrorRate.errorRatePercent}%.`,
        queries: [{ expr: `max(${forJobs(recorded.errorRatio(errWin))})`, legend: "5xx ratio" }],
        unit: "percentunit",
        threshold: { value: k.CivicPulseHighErrorRate.errorRatePercent / 100 },
      }),
    )
    .withPanel(
      stat(ctx, {
        id: 103,
        title: "p95 latency",
        description: `95th percentile request latency over ${w(latWin)}; CivicPulseHighLatency fires above ${k.CivicPulseHighLatency.p95Seconds}s.`,
        queries: [{ expr: `max(${forJobs(recorded.latencyQuantile(95, latWin))})`, legend: "p95" }],
        unit: "s",
        threshold: { value: k.CivicPulseHighLatency.p95Seconds },
      }),
    )
    .withPanel(
      stat(ctx, {
        id: 104,
        title: "Availability (1h)",
        description: "Share of requests that were not 5xx over the last hour.",
        queries: [{ expr: `min(${forJobs(recorded.availability(hours(1)))})`, legend: "availability" }],
        unit: "percentunit",
        min: 0,
        max: 1,
      }),
    )

    .withRow(row(110, "Traffic and latency"))
    .withPanel(
      timeseries(ctx, {
        id: P.requestRateByStatus,
        title: "Request rate by status",
        description:
          `Requests per second by status code (${w(short)} rate), and all requests over ${w(lowRate.window)}, ` +
          `the series CivicPulseLowRequestRate reads` +
          (lowRate.enabled && lowRate.floorRequestsPerSecond > 0 ? ` (floor ${lowRate.floorRequestsPerSecond} req/s).` : "."),
        queries: [
          { expr: `sum by (status) (${forJobs(recorded.requestRateByStatus(short))})`, legend: "{{status}}" },
          { expr: `sum(${forJobs(recorded.requestRate(lowRate.window))})`, legend: `all, ${w(lowRate.window)} rate` },
        ],
        unit: "reqps",
        min: 0,
        threshold:
          lowRate.enabled && lowRate.floorRequestsPerSecond > 0 ? { value: lowRate.floorRequestsPerSecond, badWhen: "below" } : undefined,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.errorRatio,
        title: "Error ratio (5xx)",
        description: `Share of 5xx responses over ${w(errWin)}, per job: the series CivicPulseHighErrorRate reads.`,
        queries: [{ expr: forJobs(recorded.errorRatio(errWin)), legend: "{{job}}" }],
        unit: "percentunit",
        min: 0,
        threshold: { value: k.CivicPulseHighErrorRate.errorRatePercent / 100 },
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.latencyPercentiles,
        title: "Latency p50 / p95 / p99",
        description: `Request latency quantiles over ${w(latWin)}; CivicPulseHighLatency reads the p95.`,
        queries: ([50, 95, 99] as const).map((q) => ({
          expr: forJobs(recorded.latencyQuantile(q, latWin)),
          legend: `p${q} {{job}}`,
        })),
        unit: "s",
        min: 0,
        threshold: { value: k.CivicPulseHighLatency.p95Seconds },
        width: 24,
      }),
    )

    .withRow(row(120, "Database and cache"))
    .withPanel(
      timeseries(ctx, {
        id: P.databaseQueryLatency,
        title: "Database query latency p95",
        description: `95th percentile database query latency by operation, ${w(short)} rate.`,
        queries: [{ expr: forJobs(recorded.dbQueryP95(short)), legend: "{{operation}}" }],
        unit: "s",
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.cacheHitRatio,
        title: "Cache hit ratio",
        description: `Share of cache reads that hit, ${w(short)} rate.`,
        queries: [{ expr: forJobs(recorded.cacheHitRatio(short)), legend: "{{job}}" }],
        unit: "percentunit",
        min: 0,
        max: 1,
        width: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: 121,
        title: "Database connection errors per minute",
        description: `Failed database connections per minute over ${w(k.DatabaseConnectionFailures.window)}; DatabaseConnectionFailures fires above ${k.DatabaseConnectionFailures.connectionErrorsPerMinute}/min.`,
        queries: [{ expr: perMinute(forJobs(recorded.dbConnectionErrorRate(k.DatabaseConnectionFailures.window))), legend: "{{job}}" }],
        unit: "short",
        min: 0,
        threshold: { value: k.DatabaseConnectionFailures.connectionErrorsPerMinute },
        width: 8,
      }),
    )

    .withRow(row(130, "Security and audit"))
    .withPanel(
      timeseries(ctx, {
        id: P.authenticationEvents,
        title: "Authentication events per minute",
        description:
          `Logins and logouts by result, and failed logins over ${w(k.AuthenticationFailureSpike.window)} ` +
          `(AuthenticationFailureSpike fires above ${k.AuthenticationFailureSpike.failuresPerMinute}/min).`,
        queries: [
          {
            expr: perMinute(`sum by (event, result) (rate(${select(catalog.authenticationEvents, appSel)}[$__rate_interval]))`),
            legend: "{{event}} {{result}}",
          },
          {
            expr: perMinute(forJobs(recorded.authFailureRate(k.AuthenticationFailureSpike.window))),
            legend: `failures, ${w(k.AuthenticationFailureSpike.window)} rate`,
          },
        ],
        unit: "short",
        min: 0,
        threshold: { value: k.AuthenticationFailureSpike.failuresPerMinute },
        width: 8,
      }),
    )
    .withPanel(
      (() => {
        const a = k.AuditEventAnomaly;
        const rate = forJobs(recorded.auditRate(a.window));
        const avg = forJobs(recorded.auditBaselineAvg(a.window, a.baseline));
        const sd = forJobs(recorded.auditBaselineStddev(a.window, a.baseline));
        return timeseries(ctx, {
          id: P.auditEvents,
          title: "Audit events per minute vs baseline",
          description:
            `Audit events per minute over ${w(a.window)}, with the ${w(a.baseline)} baseline ± ${a.zScore} standard deviations: ` +
            "AuditEventAnomaly fires when the rate leaves the band.",
          queries: [
            { expr: perMinute(rate), legend: "{{job}}" },
            { expr: perMinute(`(${avg} + ${a.zScore} * ${sd})`), legend: "baseline upper" },
            { expr: perMinute(`clamp_min(${avg} - ${a.zScore} * ${sd}, 0)`), legend: "baseline lower" },
          ],
          unit: "short",
          min: 0,
          width: 8,
        });
      })(),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.securityEvents,
        title: `Security violations per ${w(k.SecurityMiddlewareViolations.window)}`,
        description: `Requests rejected by the security middleware in ${w(k.SecurityMiddlewareViolations.window)}, by kind; SecurityMiddlewareViolations fires above ${k.SecurityMiddlewareViolations.maxViolations}.`,
        queries: [
          {
            expr: `${forJobs(recorded.securityViolationRate(k.SecurityMiddlewareViolations.window))} * ${k.SecurityMiddlewareViolations.window / 1000}`,
            legend: "{{violation}}",
          },
        ],
        unit: "short",
        min: 0,
        threshold: { value: k.SecurityMiddlewareViolations.maxViolations },
        width: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: 131,
        title: "Audit events by type per minute",
        description: "Audit trail events written per minute, by event type.",
        queries: [
          {
            expr: perMinute(`sum by (event_type) (rate(${select(catalog.auditEvents, appSel)}[$__rate_interval]))`),
            legend: "{{event_type}}",
          },
        ],
        unit: "short",
        min: 0,
        width: 24,
      }),
    )

    .withRow(row(140, "Per instance"))
    .withPanel(
      timeseries(ctx, {
        id: 141,
        title: "Request rate per instance",
        description: "Requests per second of each selected instance.",
        queries: [
          { expr: `sum by (instance) (rate(${select(catalog.requestsTotal, appSel)}[$__rate_interval]))`, legend: "{{instance}}" },
        ],
        unit: "reqps",
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: 142,
        title: "p95 latency per instance",
        description: "95th percentile request latency of each selected instance.",
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (instance, le) (rate(${select(catalog.requestDuration, appSel, "bucket")}[$__rate_interval])))`,
            legend: "{{instance}}",
          },
        ],
        unit: "s",
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: 143,
        title: "Scrape up",
        description: "1 when Prometheus' last scrape of the instance succeeded.",
        queries: [{ expr: select(catalog.up, appSel), legend: "{{instance}}" }],
        unit: "short",
        min: 0,
        max: 1,
        width: 8,
      }),
    );
  return render("application", withSloRows(b, ctx));
}
