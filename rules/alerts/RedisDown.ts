import { catalog } from "../../spec/catalog";
import { formatDuration as w, ms } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { ref } from "../panels";
import { labelSet } from "../series";
import { fixtureStep, gauge } from "./define";
import { builtInAlert } from "./module";

const panel = ref("infrastructure", "redis");

export const alert = builtInAlert("RedisDown", {
  category: "infrastructure",
  panel,
  firesWhen: (k) => `\`redis_up == 0\`, for ${w(k.for)}`,
  build: (ctx, k, define) => {
    const redis = { job: JOBS.redisExporter, instance: "redis-exporter:9121" };
    return define({
      service: "redis",
      expr: `${catalog.redisUp.name} == 0`,
      summary: "Redis unreachable from {{ $labels.instance }}",
      description: `The Redis exporter at {{ $labels.instance }} has not reached Redis for ${w(k.for)}; caching and sessions are degraded.`,
      runbook: {
        meaning: "Redis is down or unreachable: cache misses move load to the database; sessions and rate limits stored in Redis fail.",
        firstChecks: [
          "Is the Redis container running and healthy? Check its logs in Loki for OOM or persistence errors.",
          "Memory: Redis at maxmemory with a noeviction policy refuses writes.",
          "Toxiproxy: make sure the redis proxy is enabled and has no toxics left from a test.",
        ],
      },
      fixture: {
        step: fixtureStep(ctx, ms(60_000)),
        lag: ms(0),
        series: (phases) => [{ series: labelSet(catalog.redisUp.name, redis), values: gauge(phases, { above: 0, below: 1, normal: 1 }) }],
        expected: {
          labels: redis,
          annotations: {
            summary: `Redis unreachable from ${redis.instance}`,
            description: `The Redis exporter at ${redis.instance} has not reached Redis for ${w(k.for)}; caching and sessions are degraded.`,
          },
        },
      },
    });
  },
});
