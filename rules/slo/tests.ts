import { catalog } from "../../spec/catalog";
import { Duration, formatDuration, ms } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { labelSet } from "../series";
import { AlertRule, ExpectedAlert, InputSeries, RuleContext, RuleTestCase } from "../types";
import { firingAt, goG4, SimInput, simulate } from "./simulate";
import { burnWindowsOf, errorRatio, recordedNamesFor, ResolvedSlo, ResolvedSlos, resolveSlos, sloRecorded } from "./slos";

const resolveSlosOf = (ctx: RuleContext) => resolveSlos(ctx.slos, ctx.knobs.CivicPulseHighLatency.p95Seconds);
import { BurnWindow } from "../../spec/slo";

/**
 * Promtool cases of each burn-rate alert, per window pair: a burn just above the pair's factor
 * fires at the moment the model (simulate.ts) predicts, which a unit test holds to the workbook's
 * detection time (long window x factor / burn rate), and resolves once the burn ends; a burn just
 * below it does not fire through that pair (only later through a lower-factor pair, or never);
 * and no traffic never fires.
 */

const APP = { job: JOBS.app, instance: "web-1:8000" };
const PROBE = { job: JOBS.blackboxHealth, instance: "http://civicpulse-web:8000/health/ready/", endpoint: "/health/ready/" };
/** Requests per second of the fixtures; counters start high so no rate is clamped at a zero point. */
const RPS = 100;
const START = 1_000_000;
export const ABOVE = 1.1037;
export const BELOW = 0.9037;

export interface Plan {
  readonly name: string;
  readonly burnRate: number;
  readonly stepSeconds: number;
  /** Evaluations of clean traffic before the burn, of burn, then of clean traffic again. */
  readonly baseline: number;
  readonly burnSteps: number;
  readonly after: number;
  /** Evaluation at which the model says the alert fires, and resolves (undefined: never). */
  readonly fireAt?: number;
  readonly resolveAt?: number;
  /** The workbook's detection time in seconds (min over pairs with factor < burn of long * factor / burn). */
  readonly workbookSeconds?: number;
  readonly remainingAtFire?: number;
}

/**
 * Sample step: 0.8 of the shortest window the alert's rules feed on (an exact window, or the base
 * a derived one averages), so every rate() sees two samples. Every evaluation runs the whole rule
 * set of the environment, so a coarse step is what keeps days of history cheap; the model
 * predicts the evaluation at which the alert fires at this step exactly.
 */
function stepFor(r: ResolvedSlos, slo: ResolvedSlo, windows: readonly BurnWindow[], recordedNames: ReadonlySet<string>): number {
  const feeds = [...windows.flatMap((b) => [b.long, b.short]), slo.window].map((d) => {
    const src = errorRatio(slo, d, r, recordedNames);
    return src.exact ? d : src.base;
  });
  return Math.max(1, Math.floor((Math.min(...feeds) / 1000) * 0.8));
}

function series(stepSeconds: number, burnPerStep: number[], slo: ResolvedSlo): { input: SimInput; seriesOf: () => InputSeries[] } {
  const perStep = RPS * stepSeconds;
  const n = burnPerStep.length;
  if (slo.kind === "probes") {
    // A fractional probe_success stands for the average of many 0/1 probes: the rules only average it.
    const values = burnPerStep.map((b) => 1 - b * slo.budget);
    return {
      input: { stepSeconds, bad: values.map(() => 0), total: values },
      seriesOf: () => [{ series: labelSet(catalog.probeSuccess.name, PROBE), values: expand(values) }],
    };
  }
  const bad: number[] = [];
  const total: number[] = [];
  let b = START;
  let t = START;
  for (let i = 0; i < n; i++) {
    // A burn rate below 0 stands for no traffic at all: the counters stay where they are.
    if (i > 0 && burnPerStep[i] >= 0) {
      b += burnPerStep[i] * slo.budget * perStep;
      t += perStep;
    }
    bad.push(b);
    total.push(t);
  }
  const values = expand;
  if (slo.kind === "requests") {
    const req = (status: string) => labelSet(catalog.requestsTotal.name, { ...APP, method: "GET", path: "/api/issues/", status });
    return {
      input: { stepSeconds, bad, total },
      seriesOf: () => [
        { series: req("500"), values: values(bad) },
        { series: req("200"), values: values(total.map((x, i) => x - bad[i] + START)) },
      ],
    };
  }
  const bucket = (le: string) => labelSet(`${catalog.requestDuration.name}_bucket`, { ...APP, method: "GET", path: "/api/issues/", le });
  const le = Number.isInteger(slo.thresholdSeconds!) ? `${slo.thresholdSeconds}.0` : String(slo.thresholdSeconds);
  const good = total.map((x, i) => x - bad[i] + START);
  return {
    input: { stepSeconds, bad, total, good },
    seriesOf: () => [
      { series: bucket(le), values: values(good) },
      { series: bucket("+Inf"), values: values(total) },
    ],
  };
}

/**
 * promtool input for a run of samples: "a+bxn" where a and the step b are whole numbers (exact in
 * floating point, so promtool's expansion is the model's value to the bit), every other sample as
 * it is (the shortest text that reads back as the same float). An expansion of fractional steps
 * could drift by a rounding error and read as a counter reset where two runs meet.
 */
function expand(values: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const start = values[i];
    const inc = i + 1 < values.length ? values[i + 1] - start : NaN;
    let j = i;
    if (Number.isInteger(start) && Number.isInteger(inc)) {
      while (j + 1 < values.length && values[j + 1] === start + inc * (j + 1 - i)) j++;
    }
    if (j > i) {
      parts.push(inc === 0 ? `${start}x${j - i}` : `${start}${inc < 0 ? "-" : "+"}${Math.abs(inc)}x${j - i}`);
    } else {
      parts.push(String(start));
    }
    i = j + 1;
  }
  return parts.join(" ");
}

/** The model's view of one case: burn rate per evaluation (-1 = no traffic at all). */
function run(r: ResolvedSlos, slo: ResolvedSlo, windows: readonly BurnWindow[], stepSeconds: number, profile: number[], recordedNames: ReadonlySet<string>) {
  const s = series(stepSeconds, profile, slo);
  const input = s.input;
  const sim = simulate(r, slo, input, (d: Duration) => errorRatio(slo, d, r, recordedNames), windows.flatMap((b) => [b.long, b.short]));
  return { sim, input, seriesOf: s.seriesOf, firing: (i: number) => firingAt(sim, windows, i) };
}

/** Seconds from the first burning sample interval to the evaluation that fires (undefined: never). */
export function detectionSeconds(plan: Plan): number | undefined {
  // The sample at index `baseline` is the first whose increase (since baseline - 1) burns.
  return plan.fireAt === undefined ? undefined : (plan.fireAt - (plan.baseline - 1)) * plan.stepSeconds;
}

/** Fails when a burn rate the alert compares is within a rounding error of its factor at i or i-1. */
function assertNoTie(sim: ReturnType<typeof simulate>, windows: readonly BurnWindow[], i: number, what: string): void {
  for (const j of [i - 1, i]) {
    for (const b of windows) {
      for (const d of [b.long, b.short]) {
        const v = sim.burnAt(d, j);
        if (v !== undefined && Math.abs(v - b.factor) < 1e-9 * b.factor) {
          throw new Error(`SLO test ${what}: burn rate over ${formatDuration(d)} is within a rounding error of ${b.factor} at evaluation ${j}; pick other burn multiples`);
        }
      }
    }
  }
}

/** Plans and promtool cases for one alert; exported for the unit test that checks the timing. */
export function sloAlertPlans(r: ResolvedSlos, slo: ResolvedSlo, windows: readonly BurnWindow[], recordedNames: ReadonlySet<string>) {
  const stepSeconds = stepFor(r, slo, windows, recordedNames);
  const longest = Math.max(...windows.map((b) => b.long)) / 1000;
  // Clean history as long as the longest window: with less, a long window's ratio covers only the
  // history there is and fires early.
  const baseline = Math.ceil((longest + r.base / 1000) / stepSeconds) + 1;
  const horizon = Math.ceil((1.05 * longest) / stepSeconds);
  const out: Array<{ plan: Plan; seriesOf: () => InputSeries[]; input: SimInput }> = [];
  // 10 % either side, off round numbers: a burn of exactly 1.1x can reach the factor exactly over
  // some whole number of steps, where the last bit of a float decides (and model and Prometheus may differ).
  const cases: Array<[string, number, BurnWindow]> = windows.flatMap((pair): Array<[string, number, BurnWindow]> => [
    ["just above", Number((pair.factor * ABOVE).toPrecision(6)), pair],
    ["just below", Number((pair.factor * BELOW).toPrecision(6)), pair],
  ]);
  {
    for (const [label, burnRate, pair] of cases) {
      const probe = [...Array(baseline).fill(0), ...Array(horizon).fill(burnRate)];
      const first = run(r, slo, windows, stepSeconds, probe, recordedNames);
      let fireAt: number | undefined;
      for (let i = baseline; i < probe.length; i++) if (first.firing(i)) { fireAt = i; break; }
      if (fireAt !== undefined) assertNoTie(first.sim, windows, fireAt, `${slo.name} ${label} ${pair.factor}x`);
      const faster = windows.filter((b) => b.factor < burnRate);
      const workbookSeconds = faster.length ? Math.min(...faster.map((b) => (b.long / 1000) * (b.factor / burnRate))) : undefined;
      let burnSteps = horizon;
      let after = 0;
      let resolveAt: number | undefined;
      let final = first;
      if (fireAt !== undefined) {
        // Burn on for two more samples after it fires, then recover until the model says it resolves.
        burnSteps = fireAt - baseline + 3;
        const recover = Math.ceil((Math.max(...windows.map((b) => b.short)) / 1000) * 2 / stepSeconds) + 4;
        const profile = [...Array(baseline).fill(0), ...Array(burnSteps).fill(burnRate), ...Array(recover).fill(0)];
        final = run(r, slo, windows, stepSeconds, profile, recordedNames);
        for (let i = baseline + burnSteps; i < profile.length; i++) if (!final.firing(i)) { resolveAt = i; break; }
        after = recover;
      }
      out.push({
        plan: {
          name: `${label} ${pair.factor}x (${formatDuration(pair.long)} and ${formatDuration(pair.short)})`,
          burnRate,
          stepSeconds,
          baseline,
          burnSteps,
          after,
          fireAt,
          resolveAt,
          workbookSeconds,
          remainingAtFire: fireAt === undefined ? undefined : final.sim.remainingAt(fireAt),
        },
        seriesOf: final.seriesOf,
        input: final.input,
      });
    }
  }
  const quietSteps = Math.ceil((2 * Math.max(...windows.map((b) => b.short))) / 1000 / stepSeconds) + 2;
  const none = run(r, slo, windows, stepSeconds, Array(quietSteps).fill(-1), recordedNames);
  out.push({
    plan: { name: "no traffic", burnRate: 0, stepSeconds, baseline: 0, burnSteps: 0, after: quietSteps },
    seriesOf: slo.kind === "probes" ? () => [] : none.seriesOf,
    input: none.input,
  });
  return out;
}

export function sloAlertTests(ctx: RuleContext, r: ResolvedSlos, slo: ResolvedSlo, rule: AlertRule, windows: readonly BurnWindow[]): RuleTestCase[] {
  const recordedNames = recordedNamesFor(ctx);
  const at = (i: number, step: number) => ms(i * step * 1000);
  const labels = { ...rule.labels, alertname: rule.alert, ...(slo.level === "job" ? { job: APP.job } : { job: PROBE.job, instance: PROBE.instance, endpoint: PROBE.endpoint }) };
  const expected = (remaining: number): ExpectedAlert => ({
    labels,
    annotations: {
      ...rule.annotations,
      summary: rule.annotations.summary.replace("{{ $labels.job }}", APP.job).replace("{{ $labels.instance }}", PROBE.instance),
      error_budget_remaining: `${goG4(remaining * 100)}%`,
    },
  });
  return sloAlertPlans(r, slo, windows, recordedNames).map(({ plan, seriesOf }) => {
    const step = plan.stepSeconds;
    const checks: Array<NonNullable<RuleTestCase["alerts"]>[number]> = [];
    if (plan.fireAt !== undefined) {
      checks.push({ at: at(plan.fireAt - 1, step), alertname: rule.alert, expect: [] });
      checks.push({ at: at(plan.fireAt, step), alertname: rule.alert, expect: [expected(plan.remainingAtFire!)] });
      if (plan.resolveAt !== undefined) checks.push({ at: at(plan.resolveAt, step), alertname: rule.alert, expect: [] });
    } else {
      const last = plan.baseline + plan.burnSteps + plan.after - 1;
      checks.push({ at: at(Math.floor(last / 2), step), alertname: rule.alert, expect: [] });
      checks.push({ at: at(last, step), alertname: rule.alert, expect: [] });
    }
    const when = plan.fireAt === undefined ? "stays quiet" : `fires ${formatDuration(ms(detectionSeconds(plan)! * 1000))} into the burn`;
    return {
      name: `${rule.alert}: burn ${plan.name}: ${plan.burnRate ? `${plan.burnRate}x ${when}` : "stays quiet"}`,
      interval: ms(step * 1000),
      evaluationInterval: ms(step * 1000),
      inputSeries: seriesOf(),
      alerts: checks,
    };
  });
}

/**
 * The budget arithmetic, per SLO: with a constant share of bad events from the first sample on,
 * every window's burn rate is share / budget and the remaining budget 1 - share / budget. The
 * shares are half the budget (burn 0.5, half the budget left) and twice it (burn 2, overspent by
 * the whole budget: -1). Ratios of rates are exact here whatever the history length, since
 * numerator and denominator share rate()'s extrapolation.
 */
export function sloBudgetTests(ctx: RuleContext): RuleTestCase[] {
  const r = resolveSlosOf(ctx);
  if (r.slos.length === 0) return [];
  const step = 60;
  const steps = 60;
  const at = ms(steps * step * 1000);
  return [0.5, 2].map((burnRate) => {
    const inputSeries: InputSeries[] = [];
    const samples: NonNullable<RuleTestCase["samples"]>[number][] = [];
    for (const slo of r.slos) {
      const profile = Array(steps + 1).fill(burnRate);
      inputSeries.push(...series(step, profile, slo).seriesOf());
      const labels = slo.level === "job" ? `{job="${APP.job}"}` : `{endpoint="${PROBE.endpoint}",instance="${PROBE.instance}",job="${PROBE.job}"}`;
      // 1 - 0.998 is 0.0020000000000000018 in floating point: compare within 1e-9.
      const near = (name: string, value: number) => ({ at, expr: `abs(${name} - ${value}) < bool 1e-9`, expect: [{ labels, value: 1 }] });
      for (const d of burnWindowsOf(r)) samples.push(near(sloRecorded.burnRate(slo, d), burnRate));
      samples.push(near(sloRecorded.budgetRemaining(slo), 1 - burnRate));
    }
    return {
      name: `SLO budget arithmetic: a steady ${burnRate}x burn reads ${burnRate} in every window and leaves ${1 - burnRate} of the budget`,
      interval: ms(step * 1000),
      evaluationInterval: ms(step * 1000),
      inputSeries,
      samples,
    };
  });
}
