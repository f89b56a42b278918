import { Duration } from "../../spec/duration";
import { BurnWindow } from "../../spec/slo";
import { ResolvedSlo, ResolvedSlos, burnWindowsOf } from "./slos";

/**
 * A model of what Prometheus computes for the SLO rules on promtool's regular samples, used to
 * work out by hand (here, in code) when an alert must fire and what budget it must report. It
 * follows Prometheus 3's `rate()` extrapolation (promql/functions.go, extrapolatedRate) and the
 * left-open range selectors of Prometheus 3, sample by sample; promtool then checks the real
 * rules against these numbers, so a difference between the model and Prometheus fails a test.
 */

/** Input of one case: samples `step` seconds apart, evaluated at every sample. */
export interface SimInput {
  readonly stepSeconds: number;
  /** Counter values (requests, latency) or gauge values (probes), per sample, per series. */
  readonly bad: readonly number[];
  readonly total: readonly number[];
  /** Latency: the threshold bucket's counter (requests at or under the threshold). */
  readonly good?: readonly number[];
}

/**
 * Index of the first sample in (t - range, t] for the evaluation at sample idx (the last is idx).
 * Called millions of times per synth: a number, not a [first, last] pair to allocate.
 */
function firstIndex(stepSeconds: number, idx: number, rangeSeconds: number): number {
  const t = idx * stepSeconds;
  let first = Math.max(0, Math.floor((t - rangeSeconds) / stepSeconds));
  while (first * stepSeconds <= t - rangeSeconds) first++;
  return first;
}

/** A counter with its resets summed up front, so rate() over any window is O(1). */
export class CounterSeries {
  private readonly resetsBefore: number[];
  constructor(readonly values: readonly number[], readonly stepSeconds: number) {
    this.resetsBefore = [0];
    for (let i = 1; i < values.length; i++) this.resetsBefore.push(this.resetsBefore[i - 1] + (values[i] < values[i - 1] ? values[i - 1] : 0));
  }

  /** Prometheus' extrapolatedRate for a counter over the samples in (t - range, t]. */
  rateAt(idx: number, rangeSeconds: number): number | undefined {
    const s = this.stepSeconds;
    const first = firstIndex(s, idx, rangeSeconds);
    const last = idx;
    if (last - first < 1) return undefined;
    const v0 = this.values[first];
    const result = this.values[last] - v0 + (this.resetsBefore[last] - this.resetsBefore[first]);
    const t = idx * s;
    const firstT = first * s;
    const lastT = last * s;
    let toStart = firstT - (t - rangeSeconds);
    let toEnd = t - lastT;
    const sampled = lastT - firstT;
    const avgGap = sampled / (last - first);
    const threshold = avgGap * 1.1;
    if (toStart >= threshold) toStart = avgGap / 2;
    if (result > 0 && v0 >= 0) {
      const toZero = sampled * (v0 / result);
      if (toZero < toStart) toStart = toZero;
    }
    if (toEnd >= threshold) toEnd = avgGap / 2;
    return (result * ((sampled + toStart + toEnd) / sampled)) / rangeSeconds;
  }
}

/** A per-evaluation series (undefined = no sample) with prefix sums for avg_over_time. */
class Averager {
  private readonly sums: number[] = [0];
  private readonly counts: number[] = [0];
  constructor(series: ReadonlyArray<number | undefined>, private readonly stepSeconds: number) {
    for (const v of series) {
      this.sums.push(this.sums[this.sums.length - 1] + (v ?? 0));
      this.counts.push(this.counts[this.counts.length - 1] + (v === undefined ? 0 : 1));
    }
  }

  /** avg_over_time over (t - range, t]. */
  avgAt(idx: number, rangeSeconds: number): number | undefined {
    const first = firstIndex(this.stepSeconds, idx, rangeSeconds);
    const last = idx;
    const n = this.counts[last + 1] - this.counts[first];
    return n ? (this.sums[last + 1] - this.sums[first]) / n : undefined;
  }
}

export interface SimResult {
  /** Burn rate over window `d` at evaluation `i` (undefined: no sample to compute it from). */
  burnAt(d: Duration, i: number): number | undefined;
  /** Error budget left (1 - burn over the SLO window) at evaluation `i`. */
  remainingAt(i: number): number | undefined;
}

const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);

/**
 * Burn rates and remaining budget, at any evaluation. `exact(window)` tells which windows read a
 * series recorded over that window (the rest average the base window's rate, as rules/slo/slos.ts).
 *
 * Worked out on demand: the callers read a few evaluations (up to where an alert fires, and where
 * it resolves) of a few windows, and this runs for every case of every SLO alert at synth. Only the
 * base windows' averages are computed for every evaluation (an average needs the whole prefix);
 * every value is the same arithmetic, in the same order, as computing all of them.
 */
export function simulate(
  r: ResolvedSlos,
  slo: ResolvedSlo,
  input: SimInput,
  source: (w: Duration) => { exact: boolean; base: Duration },
  /** The windows to work out (all burn windows by default); the SLO window always. */
  only: readonly Duration[] = burnWindowsOf(r),
): SimResult {
  const n = input.total.length;
  const s = input.stepSeconds;
  const each = <T>(f: (i: number) => T): T[] => {
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = f(i);
    return out;
  };
  const sec = (d: Duration) => d / 1000;
  const windows = new Set([...only, slo.window]);
  const averagers = new Map<Duration, Averager>();
  const averagerOf = (base: Duration, make: () => Array<number | undefined>) => {
    if (!averagers.has(base)) averagers.set(base, new Averager(make(), s));
    return averagers.get(base)!;
  };
  /** The error ratio over one window, as a function of the evaluation. */
  let ratioOf: (d: Duration) => (i: number) => number | undefined;
  if (slo.kind === "probes") {
    const gauge = new Averager(input.total, s);
    ratioOf = (d) => {
      const { exact, base } = source(d);
      const range = sec(d);
      const baseRange = sec(base);
      const avg = exact ? gauge : averagerOf(base, () => each((i) => gauge.avgAt(i, baseRange)));
      return (i) => {
        const v = avg.avgAt(i, range);
        return v === undefined ? undefined : 1 - v;
      };
    };
  } else {
    // Latency divides the threshold bucket (good) by +Inf; availability the 5xx counter (bad) by all.
    const numerator = new CounterSeries(slo.kind === "latency" ? input.good! : input.bad, s);
    const total = new CounterSeries(input.total, s);
    const totals = new Map<Duration, Averager>();
    const latency = slo.kind === "latency";
    ratioOf = (d) => {
      const { exact, base } = source(d);
      const range = sec(d);
      const baseRange = sec(base);
      let q: (i: number) => number | undefined;
      if (exact) q = (i) => div(numerator.rateAt(i, range), total.rateAt(i, range));
      else {
        const baseNum = averagerOf(base, () => each((i) => numerator.rateAt(i, baseRange)));
        if (!totals.has(base)) totals.set(base, new Averager(each((i) => total.rateAt(i, baseRange)), s));
        const baseTot = totals.get(base)!;
        q = (i) => div(baseNum.avgAt(i, range), baseTot.avgAt(i, range));
      }
      return (i) => {
        const v = q(i);
        return v === undefined ? undefined : latency ? 1 - v : v;
      };
    };
  }
  const ratios = new Map<Duration, (i: number) => number | undefined>();
  const burnAt = (d: Duration, i: number): number | undefined => {
    let ratio = ratios.get(d);
    if (!ratio) {
      if (!windows.has(d)) throw new Error(`simulate: window ${d} ms was not asked for`);
      ratio = ratioOf(d);
      ratios.set(d, ratio);
    }
    if (i < 0 || i >= n) return undefined;
    const q = ratio(i);
    return q === undefined ? undefined : q / slo.budget;
  };
  return {
    burnAt,
    remainingAt: (i) => {
      const b = burnAt(slo.window, i);
      return b === undefined ? undefined : 1 - b;
    },
  };
}

/** Whether the alert's expression holds at evaluation i (NaN and missing compare false). */
export function firingAt(sim: SimResult, windows: readonly BurnWindow[], i: number): boolean {
  const above = (d: Duration, f: number) => {
    const v = sim.burnAt(d, i);
    return v !== undefined && !Number.isNaN(v) && v > f;
  };
  return windows.some((b) => above(b.long, b.factor) && above(b.short, b.factor));
}

/** Go's fmt "%.4g" (what humanizePercentage prints before the % sign). */
export function goG4(x: number): string {
  if (x === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(4)))));
  if (exp < -4 || exp >= 4) {
    const [m, e] = x.toExponential(3).split("e");
    const mantissa = String(Number(m));
    const en = Number(e);
    return `${mantissa}e${en < 0 ? "-" : "+"}${String(Math.abs(en)).padStart(2, "0")}`;
  }
  return String(Number(x.toPrecision(4)));
}
