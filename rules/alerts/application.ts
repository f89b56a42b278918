import { catalog } from "../../spec/catalog";
import { formatDuration as w, hours, minutes, ms, toSeconds, weeks } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { AlertRule, InputSeries, RuleContext, RuleTestCase } from "../types";
import { counter, defineAlert, fixtureStep, gauge, Phase } from "./define";

const APP = { job: JOBS.app, instance: "web-1:8000" };
/** Go's %.4g, as humanizePercentage prints: 10 -> "10", 7.5 -> "7.5". */
export const pct = (ratio: number) => `${Number((ratio * 100).toPrecision(4))}%`;

function highErrorRate(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.CivicPulseHighErrorRate;
  const threshold = k.errorRatePercent / 100;
  const above = threshold < 0.5 ? threshold * 2 : (1 + threshold) / 2;
  const perStep = 1000;
  const requests = (status: string) => labelSet(catalog.requestsTotal.name, { ...APP, method: "GET", path: "/api/issues/", status });
  return defineAlert(ctx, {
    name: "CivicPulseHighErrorRate",
    group: "application",
    service: "civicpulse",
    expr: `${recorded.errorRatio(k.window)} > ${threshold}`,
    summary: `CivicPulse 5xx error ratio above ${k.errorRatePercent}% on {{ $labels.job }}`,
    description: `{{ $value | humanizePercentage }} of requests to {{ $labels.job }} returned a 5xx status over the last ${w(k.window)} (threshold ${k.errorRatePercent}%).`,
    runbook: {
      meaning: "A share of requests above the threshold is failing with a server error: users see error pages or failed API calls.",
      firstChecks: [
        "Open the Application dashboard's error-ratio panel and the request-rate-by-status panel: which status codes and since when?",
        "Search the app's logs in Loki for tracebacks around the start time; follow a trace_id into Jaeger for a failing request.",
        "Check the database and Redis alerts: a dependency outage shows up here first.",
        "If a deployment just happened (CI/CD dashboard), consider rolling it back.",
      ],
    },
    fixture: {
      step: fixtureStep(ctx, k.window),
      lag: k.window,
      series: (phases: readonly Phase[]) => [
        {
          series: requests("500"),
          values: counter(phases, { above: above * perStep, below: threshold * 0.8 * perStep, normal: 0 }),
        },
        {
          series: requests("200"),
          values: counter(phases, {
            above: (1 - above) * perStep,
            below: (1 - threshold * 0.8) * perStep,
            normal: perStep,
          }),
        },
      ],
      expected: {
        labels: { job: JOBS.app },
        annotations: {
          description: `${pct(above)} of requests to ${JOBS.app} returned a 5xx status over the last ${w(k.window)} (threshold ${k.errorRatePercent}%).`,
          summary: `CivicPulse 5xx error ratio above ${k.errorRatePercent}% on ${JOBS.app}`,
        },
      },
      hasBelow: threshold > 0,
    },
  });
}

/** Bucket bounds around a latency threshold: one bucket wholly above it and one wholly below. */
export function bucketsAround(threshold: number): { above: [number, number]; below?: [number, number] } {
  const bounds = [0, ...catalog.requestDuration.buckets];
  // Between two bucket bounds histogram_quantile interpolates linearly: a threshold that is not a
  // bound fires at a real p95 well below it or misses one well above it.
  if (!(catalog.requestDuration.buckets as readonly number[]).includes(threshold)) {
    throw new Error(
      `alerts.CivicPulseHighLatency.p95Seconds: ${threshold} is not a bucket bound of ${catalog.requestDuration.name} ` +
        `(${catalog.requestDuration.buckets.join(", ")}); pick one of them or add it to the catalog's buckets`,
    );
  }
  const aboveIndex = bounds.findIndex((b, i) => i < bounds.length - 1 && b >= threshold);
  if (aboveIndex < 0) {
    throw new Error(
      `alerts.CivicPulseHighLatency.p95Seconds: ${threshold} is not below the highest latency bucket ` +
        `(${bounds[bounds.length - 1]} s) of ${catalog.requestDuration.name}; the alert could never fire`,
    );
  }
  let belowIndex = -1;
  for (let i = 0; i < bounds.length - 1; i++) if (bounds[i + 1] <= threshold) belowIndex = i;
  return {
    above: [bounds[aboveIndex], bounds[aboveIndex + 1]],
    below: belowIndex >= 0 ? [bounds[belowIndex], bounds[belowIndex + 1]] : undefined,
  };
}

function highLatency(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.CivicPulseHighLatency;
  const around = bucketsAround(k.p95Seconds);
  const p95In = ([lo, hi]: [number, number]) => lo + (hi - lo) * 0.95;
  const les = [...catalog.requestDuration.buckets.map(String), "+Inf"];
  const perStep = 100;
  // Every observation lands in one bucket (lo, hi]: buckets with le >= hi count it, lower ones do not.
  const countFor = (bucket: [number, number] | undefined, le: string) =>
    bucket === undefined ? 0 : le === "+Inf" || Number(le) >= bucket[1] ? perStep : 0;
  const fastest: [number, number] = [0, catalog.requestDuration.buckets[0]];
  return defineAlert(ctx, {
    name: "CivicPulseHighLatency",
    group: "application",
    service: "civicpulse",
    expr: `${recorded.latencyQuantile(95, k.window)} > ${k.p95Seconds}`,
    summary: `CivicPulse p95 latency above ${k.p95Seconds}s on {{ $labels.job }}`,
    description: `95th percentile request latency of {{ $labels.job }} is {{ $value | printf "%.3f" }}s over the last ${w(k.window)} (threshold ${k.p95Seconds}s).`,
    runbook: {
      meaning: "One request in twenty takes longer than the threshold: pages feel slow and clients may time out.",
      firstChecks: [
        "Application dashboard: latency percentiles and database query latency; is it all paths or one?",
        "Jaeger: find slow traces for the service and look at the longest spans (database, cache, external calls).",
        "Infrastructure dashboard: CPU and memory of the host and containers; PostgreSQL connections.",
        "Check the cache hit ratio: a cold or unreachable Redis moves load onto the database.",
      ],
    },
    fixture: {
      step: fixtureStep(ctx, k.window),
      lag: k.window,
      series: (phases) =>
        les.map(
          (le): InputSeries => ({
            series: labelSet(`${catalog.requestDuration.name}_bucket`, { ...APP, method: "GET", path: "/api/issues/", le }),
            values: counter(phases, {
              above: countFor(around.above, le),
              below: countFor(around.below, le),
              normal: countFor(fastest, le),
            }),
          }),
        ),
      expected: {
        labels: { job: JOBS.app },
        annotations: {
          summary: `CivicPulse p95 latency above ${k.p95Seconds}s on ${JOBS.app}`,
          description: `95th percentile request latency of ${JOBS.app} is ${p95In(around.above).toFixed(3)}s over the last ${w(k.window)} (threshold ${k.p95Seconds}s).`,
        },
      },
      hasBelow: around.below !== undefined,
    },
  });
}

function lowRequestRate(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.CivicPulseLowRequestRate;
  if (k.floorRequestsPerSecond === 0 && k.weekOverWeekPercent === 0) {
    throw new Error(
      "alerts.CivicPulseLowRequestRate: floorRequestsPerSecond and weekOverWeekPercent are both 0, so the alert can never fire; set enabled: false instead",
    );
  }
  const rate = recorded.requestRate(k.window);
  const conditions: string[] = [];
  if (k.floorRequestsPerSecond > 0) conditions.push(`${rate} < ${k.floorRequestsPerSecond}`);
  if (k.weekOverWeekPercent > 0) conditions.push(`${rate} < ${k.weekOverWeekPercent / 100} * (${rate} offset 1w)`);
  const requests = labelSet(catalog.requestsTotal.name, { ...APP, method: "GET", path: "/api/issues/", status: "200" });
  const step = fixtureStep(ctx, k.window);
  const stepSeconds = toSeconds(step);
  const description = `{{ $labels.job }} serves {{ $value | printf "%.3f" }} requests/s averaged over ${w(k.window)}, below its floor of ${k.floorRequestsPerSecond}/s or under ${k.weekOverWeekPercent}% of the same time a week earlier.`;
  const expectedDescription = (value: number) =>
    `${JOBS.app} serves ${value.toFixed(3)} requests/s averaged over ${w(k.window)}, below its floor of ${k.floorRequestsPerSecond}/s or under ${k.weekOverWeekPercent}% of the same time a week earlier.`;
  const summary = "CivicPulse traffic unusually low on {{ $labels.job }}";
  const expectedSummary = `CivicPulse traffic unusually low on ${JOBS.app}`;
  const floor = k.floorRequestsPerSecond;
  const rule = defineAlert(ctx, {
    name: "CivicPulseLowRequestRate",
    group: "application",
    service: "civicpulse",
    expr: conditions.map((c) => `(${c})`).join(" or "),
    summary,
    description,
    runbook: {
      meaning: "The app serves far fewer requests than it should: users may not reach it (DNS, load balancer, TLS) even though it is up.",
      firstChecks: [
        "Compare with the same time last week on the Application dashboard's request-rate panel.",
        "Check the health-check alert and the blackbox probe panel: can the probes reach the app from outside?",
        "Check the load balancer / reverse proxy in front of the app and recent DNS or certificate changes.",
      ],
    },
    fixture:
      floor > 0
        ? {
            step,
            lag: k.window,
            series: (phases) => [
              { series: requests, values: counter(phases, { above: floor * 0.5 * stepSeconds, below: floor * 1.5 * stepSeconds, normal: floor * 20 * stepSeconds }) },
            ],
            expected: {
              labels: { job: JOBS.app },
              annotations: { summary: expectedSummary, description: expectedDescription(floor * 0.5) },
            },
          }
        : undefined,
  });
  return k.weekOverWeekPercent > 0
    ? { ...rule, tests: [...rule.tests, ...weekOverWeekTests(ctx, rule, requests, expectedSummary, expectedDescription)] }
    : rule;
}

/**
 * The week-over-week comparison needs a week of history: samples and rule evaluations every half
 * window (at most 30 minutes) keep promtool fast while the comparison is the same.
 */
function weekOverWeekTests(
  ctx: RuleContext,
  rule: AlertRule,
  series: string,
  expectedSummary: string,
  expectedDescription: (v: number) => string,
): RuleTestCase[] {
  const k = ctx.knobs.CivicPulseLowRequestRate;
  // Two samples per window are enough for a rate; coarser steps keep a week of history cheap.
  const step = ms(Math.max(60_000, Math.min(minutes(30), Math.floor(k.window / 2 / 60_000) * 60_000)));
  const usual = Math.max(10, k.floorRequestsPerSecond * 20 / (k.weekOverWeekPercent / 100));
  const dropped = (usual * k.weekOverWeekPercent) / 100 / 2;
  const near = Math.min(usual, (usual * k.weekOverWeekPercent) / 100 * 1.2);
  const weekSteps = Math.ceil(weeks(1) / step);
  const lagSteps = Math.ceil((k.window + ctx.knobs.CivicPulseLowRequestRate.for + hours(1)) / step) + 2;
  const perStep = (r: number) => r * toSeconds(step);
  const phases = (): Phase[] => [
    { level: "normal", steps: weekSteps },
    { level: "above", steps: lagSteps },
  ];
  const at = ms((weekSteps + lagSteps - 1) * step);
  const evaluationInterval = step;
  return [
    {
      name: "CivicPulseLowRequestRate: fires when traffic drops below the week-over-week share",
      interval: step,
      evaluationInterval,
      inputSeries: [{ series, values: counter(phases(), { normal: perStep(usual), above: perStep(dropped), below: 0 }) }],
      alerts: [
        {
          at,
          alertname: "CivicPulseLowRequestRate",
          expect: [
            {
              labels: { ...rule.labels, alertname: rule.alert, job: JOBS.app },
              annotations: { ...rule.annotations, summary: expectedSummary, description: expectedDescription(dropped) },
            },
          ],
        },
      ],
    },
    {
      name: "CivicPulseLowRequestRate: quiet when traffic stays above the week-over-week share",
      interval: step,
      evaluationInterval,
      inputSeries: [{ series, values: counter(phases(), { normal: perStep(usual), above: perStep(near), below: 0 }) }],
      alerts: [{ at, alertname: "CivicPulseLowRequestRate", expect: [] }],
    },
  ];
}

function healthCheckFailing(ctx: RuleContext): AlertRule {
  const url = "http://civicpulse-web:8000/health/ready/";
  const probe = labelSet(catalog.probeSuccess.name, { job: JOBS.blackboxHealth, instance: url, endpoint: "/health/ready/" });
  const healthy = labelSet(catalog.probeSuccess.name, { job: JOBS.blackboxHealth, instance: "http://civicpulse-web:8000/health/live/", endpoint: "/health/live/" });
  const k = ctx.knobs.CivicPulseHealthCheckFailing;
  return defineAlert(ctx, {
    name: "CivicPulseHealthCheckFailing",
    group: "application",
    service: "civicpulse",
    expr: `${catalog.probeSuccess.name}{job=~"${JOBS.blackboxHealth}|${JOBS.blackboxHealthDetailed}"} == 0`,
    summary: "Health check {{ $labels.endpoint }} failing",
    description: `The blackbox probe of {{ $labels.instance }} has failed for at least ${w(k.for)}.`,
    runbook: {
      meaning: "A health endpoint does not answer 2xx (or /health/detailed/ reports a dependency unhealthy): the app or one of its dependencies is down for users or for the orchestrator.",
      firstChecks: [
        "Infrastructure dashboard, health-probe panels: which endpoint, since when, and the probe latency before it failed.",
        "Call the endpoint yourself; /health/detailed/ lists which dependency fails.",
        "Readiness failing while liveness passes usually means the database or Redis is unreachable from the app.",
      ],
    },
    fixture: {
      step: fixtureStep(ctx, ms(60_000)),
      lag: ms(0),
      series: (phases) => [
        { series: probe, values: gauge(phases, { above: 0, below: 1, normal: 1 }) },
        { series: healthy, values: gauge(phases, { above: 1, below: 1, normal: 1 }) },
      ],
      expected: {
        labels: { job: JOBS.blackboxHealth, instance: url, endpoint: "/health/ready/" },
        annotations: {
          summary: "Health check /health/ready/ failing",
          description: `The blackbox probe of ${url} has failed for at least ${w(k.for)}.`,
        },
      },
    },
  });
}

export function applicationAlerts(ctx: RuleContext): AlertRule[] {
  return [highErrorRate(ctx), highLatency(ctx), lowRequestRate(ctx), healthCheckFailing(ctx)];
}
