import { ms } from "../../spec/duration";
import { ref } from "../panels";
import { recorded } from "../recording";
import { ciEvaluationInterval, ciStep, PIPELINE, Run, runSeries } from "./ci-runs";
import { builtInAlert } from "./module";

const step = ciStep;
const panel = ref("cicd", "deploymentFailures");

export const alert = builtInAlert("DeploymentFailed", {
  category: "cicd",
  panel,
  firesWhen: () => "the latest deployment to an environment failed; resolves when a newer one succeeds",
  build: (ctx, k, define) => {
    const settled = ms(60_000 * 4 + k.for + 2 * ctx.evaluationInterval);
    const fixedAt = settled / 1000 + 60;
    const resolvedAt = ms((fixedAt + 60) * 1000 + 2 * ctx.evaluationInterval + k.for);
    const total = Math.ceil(resolvedAt / step) + 2;
    const rule = define({
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
  },
});
