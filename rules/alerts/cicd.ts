import { catalog } from "../../spec/catalog";
import { Duration, formatDuration as w, minutes, ms } from "../../spec/duration";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { AlertRule, InputSeries, RuleContext, RuleTestCase } from "../types";
import { defineAlert } from "./define";
import { pct } from "./application";

/**
 * CI/CD alerts read one Pushgateway group per pipeline run, so their tests are built from runs
 * (finished at a given second, passed or failed) instead of rising counters.
 */

const PIPELINE = "civicpulse-ci";
const PUSHED = { job: "civicpulse-ci", pipeline: PIPELINE };

interface Run {
  readonly id: string;
  /** Seconds since the test's start at which the run finished (its series appear then). */
  readonly finishedAt: number;
  readonly success: boolean;
  readonly coverage?: number;
  readonly deployEnvironment?: string;
  readonly deploySuccess?: boolean;
}

/** One gauge per run: absent before the run finished, then constant (the Pushgateway keeps it). */
function runGauge(name: string, labels: Record<string, string>, value: number, finishedAt: number, step: Duration, total: number): InputSeries {
  const before = Math.ceil((finishedAt * 1000) / step);
  const absent = before > 0 ? `_x${before} ` : "";
  return { series: labelSet(name, labels), values: `${absent}${value}x${Math.max(0, total - before)}` };
}

function runSeries(runs: readonly Run[], step: Duration, total: number): InputSeries[] {
  return runs.flatMap((r) => {
    const build = { ...PUSHED, branch: "main", run_id: r.id };
    const out = [
      runGauge(catalog.ciBuildSuccess.name, build, r.success ? 1 : 0, r.finishedAt, step, total),
      runGauge(catalog.ciBuildFinished.name, build, r.finishedAt, r.finishedAt, step, total),
    ];
    if (r.coverage !== undefined) out.push(runGauge(catalog.ciTestCoverage.name, build, r.coverage, r.finishedAt, step, total));
    if (r.deployEnvironment !== undefined) {
      const deploy = { ...PUSHED, environment: r.deployEnvironment, run_id: r.id };
      out.push(
        runGauge(catalog.ciDeploymentSuccess.name, deploy, r.deploySuccess ? 1 : 0, r.finishedAt, step, total),
        runGauge(catalog.ciDeploymentFinished.name, deploy, r.finishedAt, r.finishedAt, step, total),
      );
    }
    return out;
  });
}

const step = minutes(1);
/** Runs arrive once a minute in these tests; evaluating more often only repeats the same result. */
const ciEvaluationInterval = (ctx: RuleContext): Duration => ms(Math.max(step, ctx.evaluationInterval));

function buildFailureRate(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.CIBuildFailureRateHigh;
  const threshold = k.failurePercent / 100;
  const builds = Math.max(k.minBuilds, 10);
  const failedAbove = Math.min(builds, Math.floor(builds * threshold) + 1);
  const failedBelow = Math.ceil(builds * threshold) - 1;
  const runs = (failed: number): Run[] =>
    Array.from({ length: builds }, (_, i) => ({ id: `r${100 + i}`, finishedAt: 60 * (i + 1), success: i >= failed }));
  const settled = ms(60_000 * (builds + 2) + k.for + 2 * ctx.evaluationInterval);
  // Once the window has passed over every run, no run is "recent" and the alert resolves.
  const resolvedAt = ms(60_000 * (builds + 1) + k.window + 2 * ctx.evaluationInterval + 2 * step);
  const total = Math.ceil(resolvedAt / step) + 2;
  const rule = defineAlert(ctx, {
    name: "CIBuildFailureRateHigh",
    group: "cicd",
    service: "ci",
    expr: `${recorded.ciBuildFailureRatio(k.window)} > ${threshold} and on (pipeline) ${recorded.ciBuildsFinished(k.window)} >= ${k.minBuilds}`,
    summary: "CI build failure rate high for {{ $labels.pipeline }}",
    description: `{{ $value | humanizePercentage }} of {{ $labels.pipeline }} runs failed in the last ${w(k.window)} (threshold ${k.failurePercent}%).`,
    runbook: {
      meaning: "Too many pipeline runs fail: the main branch may be broken, tests may be flaky, or CI infrastructure is unhealthy.",
      firstChecks: [
        "CI/CD dashboard: which runs failed and at which step (build, test, deploy)?",
        "Same failure in every run: a broken commit on main; revert or fix forward.",
        "Different failures: flaky tests or runners; check runner capacity and external services CI depends on.",
      ],
    },
    tests: [],
  });
  const expectation = {
    labels: { ...rule.labels, alertname: rule.alert, pipeline: PIPELINE },
    annotations: {
      ...rule.annotations,
      summary: `CI build failure rate high for ${PIPELINE}`,
      description: `${pct(failedAbove / builds)} of ${PIPELINE} runs failed in the last ${w(k.window)} (threshold ${k.failurePercent}%).`,
    },
  };
  const tests: RuleTestCase[] = [
    {
      name: `CIBuildFailureRateHigh: ${failedAbove} of ${builds} runs failed: fires, then resolves when they age out`,
      interval: step,
      evaluationInterval: ciEvaluationInterval(ctx),
      inputSeries: runSeries(runs(failedAbove), step, total),
      alerts: [
        { at: settled, alertname: rule.alert, expect: [expectation] },
        { at: resolvedAt, alertname: rule.alert, expect: [] },
      ],
    },
    {
      name: "CIBuildFailureRateHigh: quiet without runs",
      interval: step,
      evaluationInterval: ciEvaluationInterval(ctx),
      inputSeries: [],
      alerts: [{ at: settled, alertname: rule.alert, expect: [] }],
    },
    {
      name: `CIBuildFailureRateHigh: quiet below the minimum number of builds`,
      interval: step,
      evaluationInterval: ciEvaluationInterval(ctx),
      inputSeries: runSeries(runs(builds).slice(0, k.minBuilds - 1), step, total),
      alerts: [{ at: settled, alertname: rule.alert, expect: [] }],
    },
  ];
  if (failedBelow >= 0) {
    tests.push({
      name: `CIBuildFailureRateHigh: ${failedBelow} of ${builds} runs failed: quiet`,
      interval: step,
      evaluationInterval: ciEvaluationInterval(ctx),
      inputSeries: runSeries(runs(failedBelow), step, total),
      alerts: [{ at: settled, alertname: rule.alert, expect: [] }],
    });
  }
  return { ...rule, tests };
}

function coverageLow(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.CITestCoverageLow;
  const threshold = k.coveragePercent / 100;
  const n = k.consecutiveBuilds;
  const low = Math.round(threshold * 0.9 * 1000) / 1000;
  const good = Math.min(1, Math.round((threshold + (1 - threshold) / 2) * 1000) / 1000);
  const at = (i: number) => 60 * (i + 1);
  const history = (lowCount: number): Run[] =>
    Array.from({ length: n + 2 }, (_, i) => ({ id: `r${200 + i}`, finishedAt: at(i), success: true, coverage: i >= n + 2 - lowCount ? low : good }));
  const settled = ms(60_000 * (n + 4) + k.for + 2 * ctx.evaluationInterval);
  const recoveryAt = settled / 1000 + 60;
  const resolvedAt = ms((recoveryAt + 60) * 1000 + 2 * ctx.evaluationInterval + k.for);
  const total = Math.ceil(resolvedAt / step) + 2;
  const rule = defineAlert(ctx, {
    name: "CITestCoverageLow",
    group: "cicd",
    service: "ci",
    expr: `${recorded.ciCoverageLastBuilds(n)} < ${threshold}`,
    summary: "Test coverage of {{ $labels.pipeline }} below " + `${k.coveragePercent}% for ${n} builds`,
    description: `The last ${n} runs of {{ $labels.pipeline }} all had test coverage below ${k.coveragePercent}% (best of them: {{ $value | humanizePercentage }}).`,
    runbook: {
      meaning: "Coverage stayed under the agreed floor for several builds in a row: new code lands without tests.",
      firstChecks: [
        "CI/CD dashboard, coverage trend: when did it drop, and which merge caused it?",
        "Ask the authors of the merges since then to add tests, or agree to lower the floor in the environment spec.",
      ],
    },
    tests: [],
  });
  const expected = {
    labels: { ...rule.labels, alertname: rule.alert, pipeline: PIPELINE },
    annotations: {
      ...rule.annotations,
      summary: `Test coverage of ${PIPELINE} below ${k.coveragePercent}% for ${n} builds`,
      description: `The last ${n} runs of ${PIPELINE} all had test coverage below ${k.coveragePercent}% (best of them: ${pct(low)}).`,
    },
  };
  const recovered: Run = { id: "r299", finishedAt: recoveryAt, success: true, coverage: good };
  // A later run that failed before its tests reports no coverage; the streak stands.
  const noCoverage: Run = { id: "r298", finishedAt: at(n + 2), success: false };
  return {
    ...rule,
    tests: [
      {
        name: `CITestCoverageLow: ${n} consecutive low runs fire (a later run without coverage does not reset them); a good run resolves`,
        interval: step,
        evaluationInterval: ciEvaluationInterval(ctx),
        inputSeries: runSeries([...history(n), noCoverage, recovered], step, total),
        alerts: [
          { at: settled, alertname: rule.alert, expect: [expected] },
          { at: resolvedAt, alertname: rule.alert, expect: [] },
        ],
      },
      ...(n > 1
        ? [
            {
              name: `CITestCoverageLow: ${n - 1} low run(s) after a good one stay quiet`,
              interval: step,
              evaluationInterval: ciEvaluationInterval(ctx),
              inputSeries: runSeries(history(n - 1), step, total),
              alerts: [{ at: settled, alertname: rule.alert, expect: [] }],
            },
          ]
        : []),
      {
        name: "CITestCoverageLow: quiet without runs",
        interval: step,
        evaluationInterval: ciEvaluationInterval(ctx),
        inputSeries: [],
        alerts: [{ at: settled, alertname: rule.alert, expect: [] }],
      },
    ],
  };
}

function deploymentFailed(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.DeploymentFailed;
  const settled = ms(60_000 * 4 + k.for + 2 * ctx.evaluationInterval);
  const fixedAt = settled / 1000 + 60;
  const resolvedAt = ms((fixedAt + 60) * 1000 + 2 * ctx.evaluationInterval + k.for);
  const total = Math.ceil(resolvedAt / step) + 2;
  const rule = defineAlert(ctx, {
    name: "DeploymentFailed",
    group: "cicd",
    service: "ci",
    expr: `${recorded.ciLatestDeploymentSuccess()} == 0`,
    summary: "Deployment to {{ $labels.environment }} failed",
    description: "The latest deployment to {{ $labels.environment }} (pipeline {{ $labels.pipeline }}, run {{ $labels.run_id }}) failed.",
    runbook: {
      meaning: "The most recent deployment to an environment failed: it may run a half-deployed or old version.",
      firstChecks: [
        "Open the pipeline run named in the alert and read the failing deploy step.",
        "Check the environment's health alerts: is the old version still serving?",
        "Re-run or roll back; the alert resolves when a newer deployment to the same environment succeeds.",
      ],
    },
    tests: [],
  });
  const failed: Run = { id: "r301", finishedAt: 120, success: true, deployEnvironment: "prod", deploySuccess: false };
  const olderOk: Run = { id: "r300", finishedAt: 60, success: true, deployEnvironment: "prod", deploySuccess: true };
  const fixed: Run = { id: "r302", finishedAt: fixedAt, success: true, deployEnvironment: "prod", deploySuccess: true };
  const olderFailed: Run = { ...olderOk, deploySuccess: false };
  const newerOk: Run = { ...failed, deploySuccess: true };
  return {
    ...rule,
    tests: [
      {
        name: "DeploymentFailed: latest deployment failed: fires; a newer successful one resolves",
        interval: step,
        evaluationInterval: ciEvaluationInterval(ctx),
        inputSeries: runSeries([olderOk, failed, fixed], step, total),
        alerts: [
          {
            at: settled,
            alertname: rule.alert,
            expect: [
              {
                labels: { ...rule.labels, alertname: rule.alert, environment: "prod", pipeline: PIPELINE, run_id: "r301" },
                annotations: {
                  ...rule.annotations,
                  summary: "Deployment to prod failed",
                  description: `The latest deployment to prod (pipeline ${PIPELINE}, run r301) failed.`,
                },
              },
            ],
          },
          { at: resolvedAt, alertname: rule.alert, expect: [] },
        ],
      },
      {
        name: "DeploymentFailed: an older failure under a newer success stays quiet",
        interval: step,
        evaluationInterval: ciEvaluationInterval(ctx),
        inputSeries: runSeries([olderFailed, newerOk], step, total),
        alerts: [{ at: settled, alertname: rule.alert, expect: [] }],
      },
      {
        name: "DeploymentFailed: quiet without deployments",
        interval: step,
        evaluationInterval: ciEvaluationInterval(ctx),
        inputSeries: [],
        alerts: [{ at: settled, alertname: rule.alert, expect: [] }],
      },
    ],
  };
}

export function cicdAlerts(ctx: RuleContext): AlertRule[] {
  return [buildFailureRate(ctx), coverageLow(ctx), deploymentFailed(ctx)];
}
