import { catalog } from "../../spec/catalog";
import { formatDuration as w, hours, ms, toSeconds } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { counter, fixtureStep } from "./define";
import { APP } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("application", "auditEvents");

export const alert = builtInAlert("AuditEventAnomaly", {
  category: "security",
  panel,
  firesWhen: (k) =>
    `audit event rate more than \`zScore\` ${k.zScore} standard deviations from its ${w(k.baseline)} baseline and more than ${k.minDeviationPerMinute} event/min away, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const rate = recorded.auditRate(k.window);
    const avg = recorded.auditBaselineAvg(k.window, k.baseline);
    const stddev = recorded.auditBaselineStddev(k.window, k.baseline);
    const step = fixtureStep(ctx, k.window);
    const s = toSeconds(step);
    const usualPerSecond = 1;
    const events = labelSet(catalog.auditEvents.name, { ...APP, event_type: "record_updated" });
    return define({
      service: "civicpulse",
      // A z-score against the series' own baseline. A flat baseline has stddev 0: any change then
      // divides by a non-zero stddev (the current value is part of the window), and no change is 0/0 = NaN.
      expr:
        `abs(${rate} - ${avg}) / ${stddev} > ${k.zScore} ` +
        `and abs(${rate} - ${avg}) * 60 > ${k.minDeviationPerMinute}`,
      summary: "Unusual audit event rate on {{ $labels.job }}",
      description: `The audit event rate of {{ $labels.job }} is more than ${k.zScore} standard deviations away from its ${w(k.baseline)} baseline and differs from it by more than ${k.minDeviationPerMinute} events/min.`,
      runbook: {
        meaning: "The app writes audit events at a rate far from its usual pattern: bulk changes, a script misbehaving, or an account being abused; a drop can mean auditing broke.",
        firstChecks: [
          "Application dashboard, audit panel: which event types moved?",
          "Loki: audit log lines by user for the period; is one account responsible?",
          "If the rate dropped to zero, check that the audit middleware is still installed after the last deployment.",
        ],
      },
      fixture: {
        step,
        lag: k.window,
        // A few hours of history make a baseline steady enough for the z-score; a whole day only
        // makes promtool slower.
        warmup: ms(Math.min(k.baseline, hours(6))),
        series: (phases) => [
          {
            series: events,
            values: counter(phases, {
              normal: usualPerSecond * s,
              above: usualPerSecond * 10 * s,
              // Still a deviation, but smaller than minDeviationPerMinute: the guard keeps it quiet.
              below: (usualPerSecond + (k.minDeviationPerMinute * 0.5) / 60) * s,
            }),
          },
        ],
        expected: {
          labels: { job: JOBS.app },
          annotations: {
            summary: `Unusual audit event rate on ${JOBS.app}`,
            description: `The audit event rate of ${JOBS.app} is more than ${k.zScore} standard deviations away from its ${w(k.baseline)} baseline and differs from it by more than ${k.minDeviationPerMinute} events/min.`,
          },
        },
        hasBelow: k.minDeviationPerMinute > 0,
      },
    });
  },
});
