import { ms } from "../../spec/duration";
import { ref } from "../panels";
import { recorded } from "../recording";
import { ciEvaluationInterval, ciStep, PIPELINE, Run, runSeries } from "./ci-runs";
import { pct } from "./fixtures";
import { builtInAlert } from "./module";

const step = ciStep;
const panel = ref("cicd", "coverage");

export const alert = builtInAlert("CITestCoverageLow", {
  category: "cicd",
  panel,
  firesWhen: (k) => `the last \`consecutiveBuilds\` ${k.consecutiveBuilds} runs all below \`coveragePercent\` ${k.coveragePercent} %`,
  build: (ctx, k, define) => {
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
    const rule = define({
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
  },
});
