import { Duration, formatDuration, ms } from "../../spec/duration";
import { RuleGroupName, Severity } from "../../spec/alert-knobs";
import { PanelRef, panelUrl } from "../panels";
import { InputSeries, AlertRule, RuleContext, RuleTestCase, RunbookText } from "../types";

/**
 * Builds an alert from its knobs, and the promtool cases every alert carries:
 *  - it fires once the condition has held for its `for` (not before), with exact labels and
 *    annotations, and resolves after the condition ends;
 *  - it stays quiet just below the threshold;
 *  - it stays quiet when its input series are missing.
 */

export type Level = "above" | "below" | "normal";
export interface Phase {
  readonly level: Level;
  readonly steps: number;
}

/** The knobs every alert has, whatever else it is configured by. */
export interface CommonKnobs {
  readonly enabled: boolean;
  readonly severity: Severity;
  readonly for: Duration;
}

export interface AlertDefinition {
  readonly name: string;
  readonly group: RuleGroupName;
  readonly knobs: CommonKnobs;
  /** The panel its `dashboard_url` opens. */
  readonly panel: PanelRef;
  /** The file that defines it (named in its runbook). */
  readonly source: string;
  readonly service: string;
  readonly expr: string;
  readonly summary: string;
  readonly description: string;
  readonly runbook: RunbookText;
  readonly extraLabels?: Record<string, string>;
  /** Test fixture; absent only for alerts whose tests are hand-written in `tests`. */
  readonly fixture?: ThresholdFixture;
  readonly tests?: RuleTestCase[];
}

export interface ThresholdFixture {
  /** Interval between input samples. */
  readonly step: Duration;
  /** How long after a change the expression needs to see it (the rate window; 0 for gauges). */
  readonly lag: Duration;
  /** Input series for a sequence of phases. */
  readonly series: (phases: readonly Phase[]) => InputSeries[];
  /** Labels and annotations of the alert the "above" phase produces (rule labels are added). */
  readonly expected: { labels: Record<string, string>; annotations: Record<string, string> };
  /** False when the knob makes "just below" impossible (a threshold of 0). */
  readonly hasBelow?: boolean;
  /** Promtool evaluation interval for this alert's test file, when the environment's is too fine. */
  readonly evaluationInterval?: Duration;
  /** Normal traffic before the condition starts (a baseline the expression compares against). */
  readonly warmup?: Duration;
}

export function defineAlert(ctx: RuleContext, def: AlertDefinition): AlertRule {
  const knobs = def.knobs;
  const labels = {
    severity: knobs.severity,
    category: def.group,
    team: ctx.team,
    service: def.service,
    ...def.extraLabels,
  };
  const annotations = {
    summary: def.summary,
    description: def.description,
    runbook_url: `${ctx.runbookBaseUrl.replace(/\/+$/, "")}/${def.name}.md`,
    dashboard_url: panelUrl(ctx.grafanaUrl, def.panel),
  };
  const rule: AlertRule = {
    alert: def.name,
    expr: def.expr,
    for: knobs.for,
    group: def.group,
    labels,
    annotations,
    runbook: def.runbook,
    source: def.source,
    tests: def.tests ?? [],
  };
  return def.fixture ? { ...rule, tests: [...rule.tests, ...thresholdTests(ctx, rule, def.fixture)] } : rule;
}

const max = (...ds: Duration[]): Duration => ms(Math.max(...ds));

function thresholdTests(ctx: RuleContext, rule: AlertRule, f: ThresholdFixture): RuleTestCase[] {
  // Rules are evaluated once per input sample: finer evaluation only repeats the same result and
  // makes promtool slower (it evaluates every rule of the environment at every step).
  const evalEvery = f.evaluationInterval ?? max(ctx.evaluationInterval, f.step);
  const step = f.step;
  const warmupSteps = f.warmup ? Math.ceil(f.warmup / step) : 0;
  const shift = (d: number): Duration => ms(d + warmupSteps * step);
  const lead: Phase[] = warmupSteps > 0 ? [{ level: "normal", steps: warmupSteps }] : [];
  // The condition holds from the second sample on (a rate needs two); the alert becomes pending at
  // the next evaluation and fires `for` later. Two evaluations and two steps of slack cover the
  // recording rule it reads being one evaluation behind.
  const settle = ms(2 * step + 2 * evalEvery);
  const aboveFor = ms(f.lag + rule.for + settle + 2 * step);
  const aboveSteps = Math.ceil(aboveFor / step);
  const fireAt = shift((aboveSteps - 1) * step);
  const recoverSteps = Math.ceil((f.lag + settle + 2 * step) / step);
  const resolvedAt = shift((aboveSteps + recoverSteps) * step);
  const expected = {
    labels: { ...f.expected.labels, ...rule.labels, alertname: rule.alert },
    annotations: { ...rule.annotations, ...f.expected.annotations },
  };
  const firingChecks = [
    // Not before its `for`: just short of it after the condition starts, nothing fires yet.
    ...(rule.for > evalEvery + step
      ? [{ at: shift(rule.for - evalEvery), alertname: rule.alert, expect: [] }]
      : []),
    { at: fireAt, alertname: rule.alert, expect: [expected] },
    { at: resolvedAt, alertname: rule.alert, expect: [] },
  ];
  const cases: RuleTestCase[] = [
    {
      name: `${rule.alert}: fires after ${formatDuration(rule.for)} above the threshold, then resolves`,
      interval: step,
      inputSeries: f.series([
        ...lead,
        { level: "above", steps: aboveSteps },
        { level: "normal", steps: recoverSteps + 2 },
      ]),
      alerts: firingChecks,
    },
    {
      name: `${rule.alert}: quiet when its input series are missing`,
      interval: step,
      inputSeries: [],
      alerts: [{ at: fireAt, alertname: rule.alert, expect: [] }],
    },
  ];
  if (f.hasBelow !== false) {
    cases.push({
      name: `${rule.alert}: quiet just below the threshold`,
      interval: step,
      inputSeries: f.series([...lead, { level: "below", steps: aboveSteps + 1 }]),
      alerts: [{ at: fireAt, alertname: rule.alert, expect: [] }],
    });
  }
  return cases.map((c) => (evalEvery !== ctx.evaluationInterval ? { ...c, evaluationInterval: evalEvery } : c));
}

/** The sample interval for a fixture: fine enough for the window, coarse enough to stay fast. */
export function fixtureStep(ctx: RuleContext, window: Duration): Duration {
  const quarter = Math.floor(window / 4 / 1000) * 1000;
  return max(ctx.evaluationInterval, ms(Math.min(60_000, Math.max(1000, quarter))));
}

/** Counter values through phases, each phase adding `perStep[level]` per sample. */
export function counter(phases: readonly Phase[], perStep: Record<Level, number>): string {
  let value = 0;
  const parts: string[] = [];
  phases.forEach((p, i) => {
    const inc = perStep[p.level];
    // The first phase starts at 0; later phases continue one step after where the previous ended.
    const start = i === 0 ? 0 : value + inc;
    const steps = i === 0 ? p.steps : p.steps - 1;
    if (steps < 0) return;
    parts.push(`${num(start)}+${num(inc)}x${steps}`);
    value = start + inc * steps;
  });
  return parts.join(" ");
}

/** Gauge values through phases: a constant per level. */
export function gauge(phases: readonly Phase[], valueOf: Record<Level, number>): string {
  return phases.map((p, i) => `${num(valueOf[p.level])}x${i === 0 ? p.steps : p.steps - 1}`).join(" ");
}

function num(n: number): string {
  return Number(n.toPrecision(12)).toString();
}
