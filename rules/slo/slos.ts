import { catalog, select } from "../../spec/catalog";
import { Duration, formatDuration } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { recorded, recordingRules, SLO_WINDOWS } from "../recording";
import { RuleContext } from "../types";
import { latencyBucketMessage, SloName, SloSpec, BurnWindow } from "../../spec/slo";

/**
 * The resolved SLOs of an environment: for each, its error budget, the windows its alerts read,
 * and how the error ratio over each window is computed. This is the one place that decides which
 * windows reuse a series that rules/recording.ts already records and which are derived.
 */

const w = formatDuration;
/** Whole days as days ("30d", not Prometheus' "4w2d"), so the SLO window reads as it is written. */
export const windowText = (d: Duration): string => (d % 86_400_000 === 0 ? `${d / 86_400_000}d` : formatDuration(d));

/** How the SLI counts events; the rule builder and the test simulator both follow it. */
export type SliKind = "requests" | "latency" | "probes";

export interface ResolvedSlo {
  readonly name: SloName;
  /** CamelCase for alert names: CivicPulse<Title>FastBurn. */
  readonly title: string;
  /** What the SLO promises, for annotations and the dashboard. */
  readonly promise: string;
  readonly kind: SliKind;
  /** Objective as a ratio (0.999) and its error budget (0.001), rounded so 100 - 99.9 is 0.1. */
  readonly objective: number;
  readonly objectivePercent: number;
  readonly budget: number;
  readonly window: Duration;
  /** Latency SLO only: requests at or under this many seconds are good. */
  readonly thresholdSeconds?: number;
  /** Labels each SLO series keeps (job for requests, job+instance+endpoint for probes). */
  readonly level: "job" | "instance";
}

export interface ResolvedSlos {
  readonly slos: readonly ResolvedSlo[];
  readonly page: readonly BurnWindow[];
  readonly ticket: readonly BurnWindow[];
  /** The shortest burn window: the finest base a derived window may average. */
  readonly base: Duration;
}

const round = (x: number) => Number(x.toPrecision(12));

const TITLES: Record<SloName, { title: string; kind: SliKind }> = {
  availability: { title: "Availability", kind: "requests" },
  latency: { title: "Latency", kind: "latency" },
  healthProbes: { title: "HealthProbes", kind: "probes" },
};

export function resolveSlos(spec: SloSpec, latencyAlertSeconds: number): ResolvedSlos {
  const slos: ResolvedSlo[] = [];
  for (const name of ["availability", "latency", "healthProbes"] as const) {
    const s = spec[name];
    if (!s.enabled) continue;
    const objectivePercent = s.objectivePercent;
    const common = {
      name,
      ...TITLES[name],
      objective: round(objectivePercent / 100),
      objectivePercent,
      budget: round((100 - objectivePercent) / 100),
      window: s.window,
    };
    if (name === "latency") {
      const explicit = spec.latency.thresholdSeconds;
      const threshold = explicit ?? latencyAlertSeconds;
      if (!(catalog.requestDuration.buckets as readonly number[]).includes(threshold)) {
        throw new Error(
          `slos.latency.thresholdSeconds: unset, so it follows alerts.CivicPulseHighLatency.p95Seconds, but ${latencyBucketMessage(threshold)}; set slos.latency.thresholdSeconds to one of the buckets`,
        );
      }
      slos.push({ ...common, thresholdSeconds: threshold, level: "job", promise: `${objectivePercent}% of requests within ${threshold}s over ${windowText(s.window)}` });
    } else if (name === "availability") {
      slos.push({ ...common, level: "job", promise: `${objectivePercent}% of requests without a 5xx status over ${windowText(s.window)}` });
    } else {
      slos.push({ ...common, level: "instance", promise: `${objectivePercent}% of health probes succeed over ${windowText(s.window)}` });
    }
  }
  const all = [...spec.burnRates.page, ...spec.burnRates.ticket];
  const base = Math.min(...all.map((b) => b.short)) as Duration;
  return { slos, page: spec.burnRates.page, ticket: spec.burnRates.ticket, base };
}

/** Every window an SLO's alerts read, shortest first. */
export function burnWindowsOf(r: ResolvedSlos): Duration[] {
  const ds = [...r.page, ...r.ticket].flatMap((b) => [b.long, b.short]);
  return [...new Set(ds)].sort((a, b) => a - b) as Duration[];
}

const snake = (name: SloName) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const sloRecorded = {
  burnRate: (slo: Pick<ResolvedSlo, "name" | "level">, window: Duration) =>
    `${slo.level}:civicpulse_slo_${snake(slo.name)}:burn_rate${w(window)}`,
  budgetRemaining: (slo: Pick<ResolvedSlo, "name" | "level" | "window">) =>
    `${slo.level}:civicpulse_slo_${snake(slo.name)}:error_budget_remaining${windowText(slo.window)}`,
} as const;

/** Prometheus 3 stores `le` normalised ("2" is ingested as "2.0"); match either spelling. */
export function leMatcher(seconds: number): { re: string } {
  const text = String(seconds);
  return { re: Number.isInteger(seconds) ? `${text}(\\.0)?` : text.replace(/\./g, "\\.") };
}

/** The recording rules a window's error ratio reads, when it reuses one; `undefined` when derived. */
export interface RatioSource {
  /** The PromQL of the error ratio over the window. */
  readonly expr: string;
  /** True when it reads a series recorded over exactly this window (no approximation). */
  readonly exact: boolean;
  /** The base window a derived ratio averages. */
  readonly base: Duration;
}

const probeJobs = { job: { re: `${JOBS.blackboxHealth}|${JOBS.blackboxHealthDetailed}` } };

/** The longest base window a derived window may average: a quarter of it, and never above 30m. */
const MAX_BASE: Duration = 1_800_000 as Duration;

/**
 * The base window a derived window W averages: the longest of the always-recorded windows
 * (SLO_WINDOWS) and the shortest burn window that is at most W/4 and at most 30m. A longer base
 * means fewer samples for rate() to need (so coarser promtool steps); W/4 bounds the smear at W's edges.
 */
export function baseFor(r: ResolvedSlos, window: Duration): Duration {
  const candidates = [...SLO_WINDOWS, r.base].filter((c) => c <= window / 4 && c <= MAX_BASE);
  return (candidates.length ? Math.max(...candidates) : r.base) as Duration;
}

/** Every window a derived ratio may read: the burn windows and each SLO's own window. */
function derivedWindows(r: ResolvedSlos): Duration[] {
  return [...burnWindowsOf(r), ...r.slos.map((s) => s.window)];
}

/** Rules recording the base series derived windows average, when rules/recording.ts does not. */
export function baseRules(r: ResolvedSlos, existing: ReadonlySet<string>): Array<{ record: string; expr: string }> {
  const out: Array<{ record: string; expr: string }> = [];
  const add = (record: string, expr: string) => {
    if (!existing.has(record) && !out.some((o) => o.record === record)) out.push({ record, expr });
  };
  const app = { job: JOBS.app };
  const bases = [...new Set(derivedWindows(r).map((d) => baseFor(r, d)))].sort((a, b) => a - b) as Duration[];
  for (const slo of r.slos) {
    for (const b of bases) {
      if (slo.kind === "requests") {
        add(recorded.requestRate(b), `sum by (job) (rate(${select(catalog.requestsTotal, app)}[${w(b)}]))`);
        add(recorded.errorRate(b), `sum by (job) (rate(${select(catalog.requestsTotal, { ...app, status: { re: "5.." } })}[${w(b)}]))`);
      } else if (slo.kind === "latency") {
        add(recorded.latencyBuckets(b), `sum by (job, le) (rate(${select(catalog.requestDuration, app, "bucket")}[${w(b)}]))`);
      } else {
        add(recorded.probeSuccessAvg(b), `avg_over_time(${select(catalog.probeSuccess, probeJobs)}[${w(b)}])`);
      }
    }
  }
  return out;
}

/**
 * The error ratio of an SLO over a window. Windows recorded by rules/recording.ts (5m, 30m, 1h, 6h
 * and the alerts' own) are read as they are. Any other window W is derived from a base window
 * b (baseFor: at most W/4 and 30m) as avg_over_time(bad_rate_b[W]) / avg_over_time(total_rate_b[W]):
 * a ratio of averaged rates, so busy minutes weigh more than quiet ones, as they do in the true
 * ratio. The approximation: each rate sample covers b, so the average weighs events in the first
 * and last b of the window by a ramp instead of a step; the error is at most b/W of the window's
 * events (30m of 1d: 2 %) and vanishes for a steady rate. Its cost is one recorded series per
 * job read over W, whatever the number of raw series behind it.
 */
export function errorRatio(slo: ResolvedSlo, window: Duration, r: ResolvedSlos, recordedNames: ReadonlySet<string>): RatioSource {
  const W = windowText(window);
  const base = baseFor(r, window);
  if (slo.kind === "requests") {
    if (recordedNames.has(recorded.errorRatio(window))) return { expr: recorded.errorRatio(window), exact: true, base: window };
    return {
      expr: `avg_over_time(${recorded.errorRate(base)}[${W}]) / avg_over_time(${recorded.requestRate(base)}[${W}])`,
      exact: false,
      base,
    };
  }
  if (slo.kind === "latency") {
    const le = leMatcher(slo.thresholdSeconds!);
    const sel = (d: Duration, m: { re: string } | string) => `${recorded.latencyBuckets(d)}{le=~${JSON.stringify(typeof m === "string" ? m : m.re)}}`;
    const inf = (d: Duration) => `${recorded.latencyBuckets(d)}{le="+Inf"}`;
    if (recordedNames.has(recorded.latencyBuckets(window))) {
      return { expr: `1 - (${sel(window, le)} / ignoring (le) ${inf(window)})`, exact: true, base: window };
    }
    return {
      expr: `1 - (avg_over_time(${sel(base, le)}[${W}]) / ignoring (le) avg_over_time(${inf(base)}[${W}]))`,
      exact: false,
      base,
    };
  }
  if (recordedNames.has(recorded.probeSuccessAvg(window))) return { expr: `1 - ${recorded.probeSuccessAvg(window)}`, exact: true, base: window };
  return { expr: `1 - avg_over_time(${recorded.probeSuccessAvg(base)}[${W}])`, exact: false, base };
}

/** Series recorded for an environment before the SLO rules: rules/recording.ts' and the SLO base rules. */
const namesCache = new WeakMap<RuleContext, Set<string>>();
export function recordedNamesFor(ctx: RuleContext): Set<string> {
  const cached = namesCache.get(ctx);
  if (cached) return cached;
  const names = new Set(recordingRules(ctx).map((x) => x.record));
  for (const b of baseRules(resolveSlos(ctx.slos, ctx.knobs.CivicPulseHighLatency.p95Seconds), names)) names.add(b.record);
  namesCache.set(ctx, names);
  return names;
}
