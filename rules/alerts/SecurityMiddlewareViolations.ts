import { catalog } from "../../spec/catalog";
import { formatDuration as w } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { counter, fixtureStep } from "./define";
import { APP } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("application", "securityEvents");

export const alert = builtInAlert("SecurityMiddlewareViolations", {
  category: "security",
  panel,
  firesWhen: (k) => `more than \`maxViolations\` ${k.maxViolations} rejected requests in ${w(k.window)}, per violation kind, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const step = fixtureStep(ctx, k.window);
    const stepsPerWindow = k.window / step;
    const violations = labelSet(catalog.securityViolations.name, { ...APP, violation: "csrf" });
    const above = k.maxViolations + 10;
    return define({
      service: "civicpulse",
      expr: `${recorded.securityViolationRate(k.window)} * ${k.window / 1000} > ${k.maxViolations}`,
      summary: "Security middleware rejecting requests ({{ $labels.violation }}) on {{ $labels.job }}",
      description: `{{ $value | printf "%.0f" }} requests were rejected for {{ $labels.violation }} by {{ $labels.job }} in the last ${w(k.window)} (threshold ${k.maxViolations}).`,
      runbook: {
        meaning: "The security middleware blocked requests (CSRF, forbidden host, rate limit, ...): an attack, a misconfigured client, or a broken front end.",
        firstChecks: [
          "Application dashboard, security events panel: which violation kind and since when?",
          "Loki: the rejected requests' paths, user agents and sources.",
          "A deployment that changed ALLOWED_HOSTS, CSRF settings or the front end's forms is a common cause.",
        ],
      },
      fixture: {
        step,
        lag: k.window,
        series: (phases) => [
          {
            series: violations,
            values: counter(phases, {
              above: above / stepsPerWindow,
              below: (k.maxViolations * 0.5) / stepsPerWindow,
              normal: 0,
            }),
          },
        ],
        expected: {
          labels: { job: JOBS.app, violation: "csrf" },
          annotations: {
            summary: `Security middleware rejecting requests (csrf) on ${JOBS.app}`,
            description: `${above} requests were rejected for csrf by ${JOBS.app} in the last ${w(k.window)} (threshold ${k.maxViolations}).`,
          },
        },
        hasBelow: k.maxViolations > 0,
      },
    });
  },
});
