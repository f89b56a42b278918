import { catalog } from "../../spec/catalog";
import { formatDuration as w, ms } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { labelSet } from "../series";
import { fixtureStep, gauge } from "./define";
import { builtInAlert } from "./module";

const panel = ref("infrastructure", "probeSuccess");

export const alert = builtInAlert("CivicPulseHealthCheckFailing", {
  category: "application",
  panel,
  firesWhen: (k) =>
    `a blackbox probe of \`/health/\`, \`/health/ready/\`, \`/health/live/\` or \`/health/detailed/\` fails, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const url = "http://civicpulse-web:8000/health/ready/";
    const probe = labelSet(catalog.probeSuccess.name, { job: JOBS.blackboxHealth, instance: url, endpoint: "/health/ready/" });
    const healthy = labelSet(catalog.probeSuccess.name, { job: JOBS.blackboxHealth, instance: "http://civicpulse-web:8000/health/live/", endpoint: "/health/live/" });
    return define({
      service: "civicpulse",
      expr: `${catalog.probeSuccess.name}{job=~"${JOBS.blackboxHealth}|${JOBS.blackboxHealthDetailed}"} == 0`,
      summary: "Health check {{ $labels.endpoint }} failing",
      description: `The blackbox probe of {{ $labels.instance }} has failed for at least ${w(k.for)}.`,
      runbook: {
        meaning: "A health endpoint does not answer 2xx (or /health/detailed/ reports a dependency unhealthy): the app or one of its dependencies is down for users or for the orchestrator.",
        firstChecks: [
          "Infrastructure dashboard, health-probe panels: which endpoint, since when, and the probe latency before it failed.",
          "Call the endpoint yourself; /health/detailed/ lists which dependency fails.",
          "Readiness failing while liveness passes usually means the database or Redis is unreachable from the app.",
        ],
      },
      fixture: {
        step: fixtureStep(ctx, ms(60_000)),
        lag: ms(0),
        series: (phases) => [
          { series: probe, values: gauge(phases, { above: 0, below: 1, normal: 1 }) },
          { series: healthy, values: gauge(phases, { above: 1, below: 1, normal: 1 }) },
        ],
        expected: {
          labels: { job: JOBS.blackboxHealth, instance: url, endpoint: "/health/ready/" },
          annotations: {
            summary: "Health check /health/ready/ failing",
            description: `The blackbox probe of ${url} has failed for at least ${w(k.for)}.`,
          },
        },
      },
    });
  },
});
