import { catalog } from "../../spec/catalog";
import { Duration, minutes, ms } from "../../spec/duration";
import { labelSet } from "../series";
import { InputSeries, RuleContext } from "../types";

/**
 * CI/CD alerts read one Pushgateway group per pipeline run, so their tests are built from runs
 * (finished at a given second, passed or failed) instead of rising counters.
 */

export const PIPELINE = "civicpulse-ci";
export const PUSHED = { job: "civicpulse-ci", pipeline: PIPELINE };

export interface Run {
  readonly id: string;
  /** Seconds since the test's start at which the run finished (its series appear then). */
  readonly finishedAt: number;
  readonly success: boolean;
  readonly coverage?: number;
  readonly deployEnvironment?: string;
  readonly deploySuccess?: boolean;
}

/** One gauge per run: absent before the run finished, then constant (the Pushgateway keeps it). */
function runGauge(name: string, labels: Record<string, string>, value: number, finishedAt: number, step: Duration, total: number): InputSeries {
  const before = Math.ceil((finishedAt * 1000) / step);
  const absent = before > 0 ? `_x${before} ` : "";
  return { series: labelSet(name, labels), values: `${absent}${value}x${Math.max(0, total - before)}` };
}

export function runSeries(runs: readonly Run[], step: Duration, total: number): InputSeries[] {
  return runs.flatMap((r) => {
    const build = { ...PUSHED, branch: "main", run_id: r.id };
    const out = [
      runGauge(catalog.ciBuildSuccess.name, build, r.success ? 1 : 0, r.finishedAt, step, total),
      runGauge(catalog.ciBuildFinished.name, build, r.finishedAt, r.finishedAt, step, total),
    ];
    if (r.coverage !== undefined) out.push(runGauge(catalog.ciTestCoverage.name, build, r.coverage, r.finishedAt, step, total));
    if (r.deployEnvironment !== undefined) {
      const deploy = { ...PUSHED, environment: r.deployEnvironment, run_id: r.id };
      out.push(
        runGauge(catalog.ciDeploymentSuccess.name, deploy, r.deploySuccess ? 1 : 0, r.finishedAt, step, total),
        runGauge(catalog.ciDeploymentFinished.name, deploy, r.finishedAt, r.finishedAt, step, total),
      );
    }
    return out;
  });
}

/** Runs arrive once a minute in these tests. */
export const ciStep = minutes(1);
/** Evaluating more often than runs arrive only repeats the same result. */
export const ciEvaluationInterval = (ctx: RuleContext): Duration => ms(Math.max(ciStep, ctx.evaluationInterval));
