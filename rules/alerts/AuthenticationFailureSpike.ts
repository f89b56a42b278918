import { catalog } from "../../spec/catalog";
import { formatDuration as w, toSeconds } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { counter, fixtureStep } from "./define";
import { APP } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("application", "authenticationEvents");

export const alert = builtInAlert("AuthenticationFailureSpike", {
  category: "security",
  panel,
  firesWhen: (k) => `failed logins > \`failuresPerMinute\` ${k.failuresPerMinute}/min over ${w(k.window)}, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const step = fixtureStep(ctx, k.window);
    const perStep = (perMinute: number) => (perMinute * toSeconds(step)) / 60;
    const event = (result: string) => labelSet(catalog.authenticationEvents.name, { ...APP, event: "login", result });
    const above = k.failuresPerMinute * 2;
    return define({
      service: "civicpulse",
      expr: `${recorded.authFailureRate(k.window)} * 60 > ${k.failuresPerMinute}`,
      summary: "Spike of failed logins on {{ $labels.job }}",
      description: `{{ $labels.job }} sees {{ $value | printf "%.1f" }} failed authentications per minute over ${w(k.window)} (threshold ${k.failuresPerMinute}/min).`,
      runbook: {
        meaning: "Many logins fail at once: credential stuffing or brute force, or a broken login flow after a deployment.",
        firstChecks: [
          "Application dashboard, authentication panel: failures only, or successes dropping too (broken flow)?",
          "Loki: failed-login log lines by source IP and username; is it one source or many?",
          "Rate limiting and account lockout: are they on? Consider blocking the sources at the edge.",
        ],
      },
      fixture: {
        step,
        lag: k.window,
        series: (phases) => [
          { series: event("failure"), values: counter(phases, { above: perStep(above), below: perStep(k.failuresPerMinute * 0.8), normal: 0 }) },
          { series: event("success"), values: counter(phases, { above: perStep(30), below: perStep(30), normal: perStep(30) }) },
        ],
        expected: {
          labels: { job: JOBS.app },
          annotations: {
            summary: `Spike of failed logins on ${JOBS.app}`,
            description: `${JOBS.app} sees ${above.toFixed(1)} failed authentications per minute over ${w(k.window)} (threshold ${k.failuresPerMinute}/min).`,
          },
        },
      },
    });
  },
});
