import { catalog, select } from "../spec/catalog";
import { hours } from "../spec/duration";
import { DASHBOARD_UIDS, PANEL_IDS } from "../rules/panels";
import { recorded } from "../rules/recording";
import type { EnvironmentSpec } from "../spec/environment";
import { dashboardContext, dashboardShell, labelVariable, render, RenderedDashboard, row, stat, timeseries, upDownMappings, v, w } from "./common";

const P = PANEL_IDS.cicd;

const pipelines = { pipeline: { re: v("pipeline") } } as const;
/** Recorded CI series (`by (pipeline)`) restricted to the selected pipelines. */
const forPipelines = (series: string) => `${series}{pipeline=~"${v("pipeline")}"}`;

/** Deployments finished in the last `seconds` (a number or a Grafana macro such as $__range_s). */
function deploymentsWithin(seconds: string): string {
  return `(time() - ${select(catalog.ciDeploymentFinished, pipelines)}) < ${seconds}`;
}

/**
 * CI/CD: build success rate, build and test durations, coverage and deployments, from the metrics
 * each pipeline run pushes (docs/ci-metrics.md). The alert panels read the recorded series the CI
 * alerts read, with the alert's window and threshold from the spec.
 */
export function cicdDashboard(spec: EnvironmentSpec): RenderedDashboard {
  const ctx = dashboardContext(spec);
  const k = spec.alerts;
  const buildWin = k.CIBuildFailureRateHigh.window;
  const n = k.CITestCoverageLow.consecutiveBuilds;
  const day = hours(24);

  const b = dashboardShell(
    ctx,
    DASHBOARD_UIDS.cicd,
    "CivicPulse / CI/CD",
    `Builds, tests, coverage and deployments of the CivicPulse pipelines (${spec.name}).`,
  )
    .withVariable(labelVariable(ctx, "pipeline", "pipeline", catalog.ciBuildSuccess.name))

    .withRow(row(100, "Builds"))
    .withPanel(
      timeseries(ctx, {
        id: P.buildSuccessRate,
        title: "Build success rate",
        description:
          `Share of the runs finished in the last ${w(buildWin)} that succeeded, per pipeline; ` +
          `CIBuildFailureRateHigh fires when more than ${k.CIBuildFailureRateHigh.failurePercent}% failed (at least ${k.CIBuildFailureRateHigh.minBuilds} runs).`,
        queries: [
          { expr: `1 - ${forPipelines(recorded.ciBuildFailureRatio(buildWin))}`, legend: "{{pipeline}}" },
        ],
        unit: "percentunit",
        min: 0,
        max: 1,
        threshold: { value: 1 - k.CIBuildFailureRateHigh.failurePercent / 100, badWhen: "below" },
        width: 12,
      }),
    )
    .withPanel(
      stat(ctx, {
        id: 101,
        title: `Builds finished (${w(buildWin)})`,
        description: `Pipeline runs finished in the last ${w(buildWin)}.`,
        queries: [{ expr: forPipelines(recorded.ciBuildsFinished(buildWin)), legend: "{{pipeline}}" }],
        unit: "short",
        width: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.buildDuration,
        title: "Build duration (latest run)",
        description: "Wall-clock duration of the latest run of each pipeline.",
        queries: [{ expr: forPipelines(recorded.ciLatestRun("build_duration_seconds")), legend: "{{pipeline}} {{branch}}" }],
        unit: "s",
        min: 0,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.testDuration,
        title: "Test duration (latest run)",
        description: "Time the test step of the latest run of each pipeline took.",
        queries: [{ expr: forPipelines(recorded.ciLatestRun("test_duration_seconds")), legend: "{{pipeline}} {{branch}}" }],
        unit: "s",
        min: 0,
      }),
    )

    .withRow(row(110, "Coverage"))
    .withPanel(
      timeseries(ctx, {
        id: P.coverage,
        title: "Test coverage trend",
        description:
          `Line coverage of the latest run, and the best of the last ${n} runs: CITestCoverageLow fires when ` +
          `the last ${n} runs were all below ${k.CITestCoverageLow.coveragePercent}%.`,
        queries: [
          { expr: forPipelines(recorded.ciLatestRun("test_coverage_ratio")), legend: "{{pipeline}} latest" },
          { expr: forPipelines(recorded.ciCoverageLastBuilds(n)), legend: `{{pipeline}} best of last ${n}` },
        ],
        unit: "percentunit",
        min: 0,
        max: 1,
        threshold: { value: k.CITestCoverageLow.coveragePercent / 100, badWhen: "below" },
        width: 24,
      }),
    )

    .withRow(row(120, "Deployments"))
    .withPanel(
      timeseries(ctx, {
        id: P.deploymentFrequency,
        title: "Deployments per day",
        description: `Deployments finished in the preceding ${w(day)}, per environment.`,
        queries: [{ expr: `sum by (environment) (${forPipelines(recorded.ciDeploymentsPerDay())})`, legend: "{{environment}}" }],
        unit: "short",
        min: 0,
      }),
    )
    .withPanel(
      stat(ctx, {
        id: P.deploymentFailures,
        title: "Latest deployment",
        description: "Result of the latest deployment to each environment; DeploymentFailed fires while it is a failure.",
        queries: [{ expr: recorded.ciLatestDeploymentSuccess(), legend: "{{environment}}", instant: true }],
        mappings: upDownMappings("SUCCEEDED", "FAILED"),
        threshold: { value: 1, badWhen: "below" },
        width: 6,
        height: 8,
      }),
    )
    .withPanel(
      stat(ctx, {
        id: 121,
        title: "Failed deployments in range",
        description: "Deployments that failed within the dashboard's time range, per environment.",
        queries: [
          {
            expr: `count by (environment) (${select(catalog.ciDeploymentSuccess, pipelines)} == 0 and on (environment, pipeline, run_id) (${deploymentsWithin("$__range_s")}))`,
            legend: "{{environment}}",
            instant: true,
          },
        ],
        unit: "short",
        threshold: { value: 1 },
        width: 6,
        height: 8,
      }),
    );
  return render("cicd", b);
}
