import { catalog } from "../../spec/catalog";
import { formatDuration as w, hours, minutes, ms, toSeconds, weeks } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { AlertRule, RuleContext, RuleTestCase } from "../types";
import { counter, fixtureStep, Phase } from "./define";
import { APP } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("application", "requestRateByStatus");

export const alert = builtInAlert("CivicPulseLowRequestRate", {
  category: "application",
  panel,
  firesWhen: (k) =>
    `request rate over ${w(k.window)} < \`floorRequestsPerSecond\` ${k.floorRequestsPerSecond}, or < \`weekOverWeekPercent\` ${k.weekOverWeekPercent} % of a week earlier, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    if (k.floorRequestsPerSecond === 0 && k.weekOverWeekPercent === 0) {
      throw new Error(
        "alerts.CivicPulseLowRequestRate: floorRequestsPerSecond and weekOverWeekPercent are both 0, so the alert can never fire; set enabled: false instead",
      );
    }
    const rate = recorded.requestRate(k.window);
    const conditions: string[] = [];
    if (k.floorRequestsPerSecond > 0) conditions.push(`${rate} < ${k.floorRequestsPerSecond}`);
    if (k.weekOverWeekPercent > 0) conditions.push(`${rate} < ${k.weekOverWeekPercent / 100} * (${rate} offset 1w)`);
    const requests = labelSet(catalog.requestsTotal.name, { ...APP, method: "GET", path: "/api/issues/", status: "200" });
    const step = fixtureStep(ctx, k.window);
    const stepSeconds = toSeconds(step);
    const description = `{{ $labels.job }} serves {{ $value | printf "%.3f" }} requests/s averaged over ${w(k.window)}, below its floor of ${k.floorRequestsPerSecond}/s or under ${k.weekOverWeekPercent}% of the same time a week earlier.`;
    const expectedDescription = (value: number) =>
      `${JOBS.app} serves ${value.toFixed(3)} requests/s averaged over ${w(k.window)}, below its floor of ${k.floorRequestsPerSecond}/s or under ${k.weekOverWeekPercent}% of the same time a week earlier.`;
    const summary = "CivicPulse traffic unusually low on {{ $labels.job }}";
    const expectedSummary = `CivicPulse traffic unusually low on ${JOBS.app}`;
    const floor = k.floorRequestsPerSecond;
    const rule = define({
      service: "civicpulse",
      expr: conditions.map((c) => `(${c})`).join(" or "),
      summary,
      description,
      runbook: {
        meaning: "The app serves far fewer requests than it should: users may not reach it (DNS, load balancer, TLS) even though it is up.",
        firstChecks: [
          "Compare with the same time last week on the Application dashboard's request-rate panel.",
          "Check the health-check alert and the blackbox probe panel: can the probes reach the app from outside?",
          "Check the load balancer / reverse proxy in front of the app and recent DNS or certificate changes.",
        ],
      },
      fixture:
        floor > 0
          ? {
              step,
              lag: k.window,
              series: (phases) => [
                { series: requests, values: counter(phases, { above: floor * 0.5 * stepSeconds, below: floor * 1.5 * stepSeconds, normal: floor * 20 * stepSeconds }) },
              ],
              expected: {
                labels: { job: JOBS.app },
                annotations: { summary: expectedSummary, description: expectedDescription(floor * 0.5) },
              },
            }
          : undefined,
    });
    return k.weekOverWeekPercent > 0
      ? { ...rule, tests: [...rule.tests, ...weekOverWeekTests(ctx, rule, requests, expectedSummary, expectedDescription)] }
      : rule;
  },
});

/**
 * The week-over-week comparison needs a week of history: samples and rule evaluations every half
 * window (at most 30 minutes) keep promtool fast while the comparison is the same.
 */
function weekOverWeekTests(
  ctx: RuleContext,
  rule: AlertRule,
  series: string,
  expectedSummary: string,
  expectedDescription: (v: number) => string,
): RuleTestCase[] {
  const k = ctx.knobs.CivicPulseLowRequestRate;
  // Two samples per window are enough for a rate; coarser steps keep a week of history cheap.
  const step = ms(Math.max(60_000, Math.min(minutes(30), Math.floor(k.window / 2 / 60_000) * 60_000)));
  const usual = Math.max(10, k.floorRequestsPerSecond * 20 / (k.weekOverWeekPercent / 100));
  const dropped = (usual * k.weekOverWeekPercent) / 100 / 2;
  const near = Math.min(usual, (usual * k.weekOverWeekPercent) / 100 * 1.2);
  const weekSteps = Math.ceil(weeks(1) / step);
  const lagSteps = Math.ceil((k.window + ctx.knobs.CivicPulseLowRequestRate.for + hours(1)) / step) + 2;
  const perStep = (r: number) => r * toSeconds(step);
  const phases = (): Phase[] => [
    { level: "normal", steps: weekSteps },
    { level: "above", steps: lagSteps },
  ];
  const at = ms((weekSteps + lagSteps - 1) * step);
  const evaluationInterval = step;
  return [
    {
      name: "CivicPulseLowRequestRate: fires when traffic drops below the week-over-week share",
      interval: step,
      evaluationInterval,
      inputSeries: [{ series, values: counter(phases(), { normal: perStep(usual), above: perStep(dropped), below: 0 }) }],
      alerts: [
        {
          at,
          alertname: "CivicPulseLowRequestRate",
          expect: [
            {
              labels: { ...rule.labels, alertname: rule.alert, job: JOBS.app },
              annotations: { ...rule.annotations, summary: expectedSummary, description: expectedDescription(dropped) },
            },
          ],
        },
      ],
    },
    {
      name: "CivicPulseLowRequestRate: quiet when traffic stays above the week-over-week share",
      interval: step,
      evaluationInterval,
      inputSeries: [{ series, values: counter(phases(), { normal: perStep(usual), above: perStep(near), below: 0 }) }],
      alerts: [{ at, alertname: "CivicPulseLowRequestRate", expect: [] }],
    },
  ];
}
