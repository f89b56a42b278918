import { formatDuration as w, ms } from "../../spec/duration";
import { ref } from "../panels";
import { recorded } from "../recording";
import { RuleTestCase } from "../types";
import { ciEvaluationInterval, ciStep, PIPELINE, Run, runSeries } from "./ci-runs";
import { pct } from "./fixtures";
import { builtInAlert } from "./module";

const step = ciStep;
const panel = ref("cicd", "buildSuccessRate");

export const alert = builtInAlert("CIBuildFailureRateHigh", {
  category: "cicd",
  panel,
  firesWhen: (k) =>
    `> \`failurePercent\` ${k.failurePercent} % of the runs finished in the last ${w(k.window)} failed (at least \`minBuilds\` ${k.minBuilds} runs)`,
  build: (ctx, k, define) => {
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
    const rule = define({
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
  },
});
