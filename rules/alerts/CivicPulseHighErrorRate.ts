import { catalog } from "../../spec/catalog";
import { formatDuration as w } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { counter, fixtureStep, Phase } from "./define";
import { APP, pct } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("application", "errorRatio");

export const alert = builtInAlert("CivicPulseHighErrorRate", {
  category: "application",
  panel,
  firesWhen: (k) => `5xx share of requests > \`errorRatePercent\` ${k.errorRatePercent} % over \`window\` ${w(k.window)}, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const threshold = k.errorRatePercent / 100;
    const above = threshold < 0.5 ? threshold * 2 : (1 + threshold) / 2;
    const perStep = 1000;
    const requests = (status: string) => labelSet(catalog.requestsTotal.name, { ...APP, method: "GET", path: "/api/issues/", status });
    return define({
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
  },
});
