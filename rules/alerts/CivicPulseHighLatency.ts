import { catalog } from "../../spec/catalog";
import { formatDuration as w } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { InputSeries } from "../types";
import { counter, fixtureStep } from "./define";
import { APP } from "./fixtures";
import { builtInAlert } from "./module";

const panel = ref("application", "latencyPercentiles");

export const alert = builtInAlert("CivicPulseHighLatency", {
  category: "application",
  panel,
  firesWhen: (k) => `p95 latency > \`p95Seconds\` ${k.p95Seconds} over ${w(k.window)}, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const around = bucketsAround(k.p95Seconds);
    const p95In = ([lo, hi]: [number, number]) => lo + (hi - lo) * 0.95;
    const les = [...catalog.requestDuration.buckets.map(String), "+Inf"];
    const perStep = 100;
    // Every observation lands in one bucket (lo, hi]: buckets with le >= hi count it, lower ones do not.
    const countFor = (bucket: [number, number] | undefined, le: string) =>
      bucket === undefined ? 0 : le === "+Inf" || Number(le) >= bucket[1] ? perStep : 0;
    const fastest: [number, number] = [0, catalog.requestDuration.buckets[0]];
    return define({
      service: "civicpulse",
      expr: `${recorded.latencyQuantile(95, k.window)} > ${k.p95Seconds}`,
      summary: `CivicPulse p95 latency above ${k.p95Seconds}s on {{ $labels.job }}`,
      description: `95th percentile request latency of {{ $labels.job }} is {{ $value | printf "%.3f" }}s over the last ${w(k.window)} (threshold ${k.p95Seconds}s).`,
      runbook: {
        meaning: "One request in twenty takes longer than the threshold: pages feel slow and clients may time out.",
        firstChecks: [
          "Application dashboard: latency percentiles and database query latency; is it all paths or one?",
          "Jaeger: find slow traces for the service and look at the longest spans (database, cache, external calls).",
          "Infrastructure dashboard: CPU and memory of the host and containers; PostgreSQL connections.",
          "Check the cache hit ratio: a cold or unreachable Redis moves load onto the database.",
        ],
      },
      fixture: {
        step: fixtureStep(ctx, k.window),
        lag: k.window,
        series: (phases) =>
          les.map(
            (le): InputSeries => ({
              series: labelSet(`${catalog.requestDuration.name}_bucket`, { ...APP, method: "GET", path: "/api/issues/", le }),
              values: counter(phases, {
                above: countFor(around.above, le),
                below: countFor(around.below, le),
                normal: countFor(fastest, le),
              }),
            }),
          ),
        expected: {
          labels: { job: JOBS.app },
          annotations: {
            summary: `CivicPulse p95 latency above ${k.p95Seconds}s on ${JOBS.app}`,
            description: `95th percentile request latency of ${JOBS.app} is ${p95In(around.above).toFixed(3)}s over the last ${w(k.window)} (threshold ${k.p95Seconds}s).`,
          },
        },
        hasBelow: around.below !== undefined,
      },
    });
  },
});

/** Bucket bounds around a latency threshold: one bucket wholly above it and one wholly below. */
function bucketsAround(threshold: number): { above: [number, number]; below?: [number, number] } {
  const bounds = [0, ...catalog.requestDuration.buckets];
  // Between two bucket bounds histogram_quantile interpolates linearly: a threshold that is not a
  // bound fires at a real p95 well below it or misses one well above it.
  if (!(catalog.requestDuration.buckets as readonly number[]).includes(threshold)) {
    throw new Error(
      `alerts.CivicPulseHighLatency.p95Seconds: ${threshold} is not a bucket bound of ${catalog.requestDuration.name} ` +
        `(${catalog.requestDuration.buckets.join(", ")}); pick one of them or add it to the catalog's buckets`,
    );
  }
  const aboveIndex = bounds.findIndex((b, i) => i < bounds.length - 1 && b >= threshold);
  if (aboveIndex < 0) {
    throw new Error(
      `alerts.CivicPulseHighLatency.p95Seconds: ${threshold} is not below the highest latency bucket ` +
        `(${bounds[bounds.length - 1]} s) of ${catalog.requestDuration.name}; the alert could never fire`,
    );
  }
  let belowIndex = -1;
  for (let i = 0; i < bounds.length - 1; i++) if (bounds[i + 1] <= threshold) belowIndex = i;
  return {
    above: [bounds[aboveIndex], bounds[aboveIndex + 1]],
    below: belowIndex >= 0 ? [bounds[belowIndex], bounds[belowIndex + 1]] : undefined,
  };
}
