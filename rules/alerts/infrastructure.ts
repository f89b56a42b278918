import { catalog, select } from "../../spec/catalog";
import { formatDuration as w, ms, toSeconds } from "../../spec/duration";
import { JOBS } from "../../spec/jobs";
import { recorded } from "../recording";
import { labelSet } from "../series";
import { AlertRule, RuleContext } from "../types";
import { counter, defineAlert, fixtureStep, gauge } from "./define";
import { pct } from "./application";

const NODE = { job: JOBS.nodeExporter, instance: "host-1:9100" };

function highCpu(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.HostHighCpuUsage;
  const threshold = k.cpuPercent / 100;
  const above = (1 + threshold) / 2;
  const below = threshold * 0.9;
  const step = fixtureStep(ctx, k.window);
  const s = toSeconds(step);
  const cpu = (mode: string) => labelSet(catalog.nodeCpuSeconds.name, { ...NODE, cpu: "0", mode });
  return defineAlert(ctx, {
    name: "HostHighCpuUsage",
    group: "infrastructure",
    service: "host",
    expr: `${recorded.cpuUtilisation(k.window)} > ${threshold}`,
    summary: `CPU above ${k.cpuPercent}% on {{ $labels.instance }}`,
    description: `CPU utilisation of {{ $labels.instance }} is {{ $value | humanizePercentage }} averaged over ${w(k.window)} (threshold ${k.cpuPercent}%).`,
    runbook: {
      meaning: "The host is busy enough that requests queue for CPU; latency follows.",
      firstChecks: [
        "Infrastructure dashboard: which containers use the CPU (cAdvisor panel)?",
        "Is it load (request rate up) or a runaway process (request rate flat)?",
        "Look for a batch job, migration or backup running at the same time.",
      ],
    },
    fixture: {
      step,
      lag: k.window,
      series: (phases) => [
        { series: cpu("idle"), values: counter(phases, { above: (1 - above) * s, below: (1 - below) * s, normal: 0.9 * s }) },
        { series: cpu("user"), values: counter(phases, { above: above * s, below: below * s, normal: 0.1 * s }) },
      ],
      expected: {
        labels: { instance: NODE.instance },
        annotations: {
          summary: `CPU above ${k.cpuPercent}% on ${NODE.instance}`,
          description: `CPU utilisation of ${NODE.instance} is ${pct(above)} averaged over ${w(k.window)} (threshold ${k.cpuPercent}%).`,
        },
      },
      hasBelow: threshold > 0,
    },
  });
}

function lowMemory(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.HostLowMemory;
  const threshold = k.availablePercent / 100;
  const total = 16e9;
  const above = threshold / 2;
  const below = Math.min(1, threshold * 1.1);
  return defineAlert(ctx, {
    name: "HostLowMemory",
    group: "infrastructure",
    service: "host",
    expr: `${recorded.memoryAvailable()} < ${threshold}`,
    summary: `Less than ${k.availablePercent}% memory available on {{ $labels.instance }}`,
    description: `{{ $labels.instance }} has {{ $value | humanizePercentage }} of its memory available (threshold ${k.availablePercent}%).`,
    runbook: {
      meaning: "The host is close to swapping or to the kernel's out-of-memory killer.",
      firstChecks: [
        "Infrastructure dashboard: container memory (cAdvisor); which one grew?",
        "Check container memory limits: a container without one can take the host down.",
        "Look for a memory leak: memory rising steadily since the last deployment.",
      ],
    },
    fixture: {
      step: fixtureStep(ctx, ms(60_000)),
      lag: ms(0),
      series: (phases) => [
        { series: labelSet(catalog.nodeMemoryAvailable.name, NODE), values: gauge(phases, { above: total * above, below: total * below, normal: total * 0.6 }) },
        { series: labelSet(catalog.nodeMemoryTotal.name, NODE), values: gauge(phases, { above: total, below: total, normal: total }) },
      ],
      expected: {
        labels: { ...NODE },
        annotations: {
          summary: `Less than ${k.availablePercent}% memory available on ${NODE.instance}`,
          description: `${NODE.instance} has ${pct(above)} of its memory available (threshold ${k.availablePercent}%).`,
        },
      },
      hasBelow: threshold < 1,
    },
  });
}

function diskSpaceLow(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.HostDiskSpaceLow;
  const threshold = k.freePercent / 100;
  const size = 100e9;
  const above = threshold / 2;
  const below = Math.min(1, threshold * 1.1);
  const disk = { ...NODE, device: "/dev/vda1", fstype: "ext4", mountpoint: "/" };
  const tmpfs = { ...NODE, device: "tmpfs", fstype: k.ignoredFsTypes[0] ?? "tmpfs", mountpoint: "/run" };
  const readonly = labelSet(catalog.nodeFilesystemReadonly.name, disk);
  return defineAlert(ctx, {
    name: "HostDiskSpaceLow",
    group: "infrastructure",
    service: "host",
    // Read-only filesystems (snapshots, images) are full by design and never alert.
    expr: `${recorded.filesystemAvailable()} < ${threshold} and on (instance, device, mountpoint) ${catalog.nodeFilesystemReadonly.name} == 0`,
    summary: `Less than ${k.freePercent}% disk space free on {{ $labels.instance }} {{ $labels.mountpoint }}`,
    description: `{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ $value | humanizePercentage }} free (threshold ${k.freePercent}%).`,
    runbook: {
      meaning: "A real filesystem is nearly full; when it fills, databases stop writing and containers fail to start.",
      firstChecks: [
        "Find what grew: Prometheus TSDB, Loki chunks, Docker images and logs, PostgreSQL WAL.",
        "`docker system df` on the host; prune unused images and stopped containers.",
        "Check retention settings (Prometheus retentionTime/retentionSize, Loki retention_period).",
      ],
    },
    fixture: {
      step: fixtureStep(ctx, ms(60_000)),
      lag: ms(0),
      series: (phases) => [
        { series: labelSet(catalog.nodeFilesystemAvail.name, disk), values: gauge(phases, { above: size * above, below: size * below, normal: size * 0.5 }) },
        { series: labelSet(catalog.nodeFilesystemSize.name, disk), values: gauge(phases, { above: size, below: size, normal: size }) },
        { series: readonly, values: gauge(phases, { above: 0, below: 0, normal: 0 }) },
        // A nearly full tmpfs is ignored in every phase.
        { series: labelSet(catalog.nodeFilesystemAvail.name, tmpfs), values: gauge(phases, { above: 1e6, below: 1e6, normal: 1e6 }) },
        { series: labelSet(catalog.nodeFilesystemSize.name, tmpfs), values: gauge(phases, { above: 1e9, below: 1e9, normal: 1e9 }) },
        { series: labelSet(catalog.nodeFilesystemReadonly.name, tmpfs), values: gauge(phases, { above: 0, below: 0, normal: 0 }) },
      ],
      expected: {
        labels: disk,
        annotations: {
          summary: `Less than ${k.freePercent}% disk space free on ${NODE.instance} /`,
          description: `/ (/dev/vda1) on ${NODE.instance} has ${pct(above)} free (threshold ${k.freePercent}%).`,
        },
      },
      hasBelow: threshold < 1,
    },
  });
}

function databaseConnectionFailures(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.DatabaseConnectionFailures;
  const perMinute = k.connectionErrorsPerMinute;
  const step = fixtureStep(ctx, k.window);
  const s = toSeconds(step);
  const pgUp = labelSet(catalog.pgUp.name, { job: JOBS.postgresExporter, instance: "postgres-exporter:9187" });
  const errors = labelSet(catalog.databaseConnectionErrors.name, { job: JOBS.app, instance: "web-1:8000", database: "default" });
  const description = "PostgreSQL problem ({{ $labels.reason }}) seen by {{ $labels.job }}: {{ $value }}.";
  const rule = defineAlert(ctx, {
    name: "DatabaseConnectionFailures",
    group: "infrastructure",
    service: "postgresql",
    // Three causes, one alert name: the exporter cannot connect; the exporter itself does not
    // answer (a hung database makes its scrape time out, so pg_up is missing rather than 0); or
    // the app reports connection errors above the threshold. The reason label tells them apart.
    expr:
      `label_replace(${catalog.pgUp.name} == 0, "reason", "unreachable", "", "") or ` +
      `label_replace(${select(catalog.up, { job: JOBS.postgresExporter })} == 0, "reason", "exporter_down", "", "") or ` +
      `label_replace(${recorded.dbConnectionErrorRate(k.window)} * 60 > ${perMinute}, "reason", "connection_errors", "", "")`,
    summary: "CivicPulse database connection failures ({{ $labels.reason }})",
    description,
    runbook: {
      meaning: "The app cannot (reliably) reach PostgreSQL: requests that touch the database fail.",
      firstChecks: [
        "reason=exporter_down: postgres-exporter does not answer; often a hung database makes its scrape time out. Check both containers.",
        "reason=unreachable: is the PostgreSQL container running? `pg_isready` against it; disk full; max_connections reached.",
        "reason=connection_errors: connection pool exhaustion in the app, network flaps, failovers; check pg_stat_activity on the Infrastructure dashboard.",
        "Toxiproxy: make sure no latency or timeout toxic is still enabled from a fault-injection test.",
      ],
    },
    fixture: {
      step,
      lag: k.window,
      series: (phases) => [
        { series: errors, values: counter(phases, { above: (perMinute * 2 * s) / 60, below: (perMinute * 0.5 * s) / 60, normal: 0 }) },
        { series: pgUp, values: gauge(phases, { above: 1, below: 1, normal: 1 }) },
      ],
      expected: {
        labels: { job: JOBS.app, reason: "connection_errors" },
        annotations: {
          summary: "CivicPulse database connection failures (connection_errors)",
          description: `PostgreSQL problem (connection_errors) seen by ${JOBS.app}: ${Number((perMinute * 2).toPrecision(12))}.`,
        },
      },
    },
  });
  const fireAt = ms(k.for + 4 * Math.max(step, ctx.evaluationInterval));
  return {
    ...rule,
    tests: [
      ...rule.tests,
      {
        name: "DatabaseConnectionFailures: fires when the postgres exporter stops answering (scrapes time out)",
        interval: step,
        inputSeries: [{ series: labelSet(catalog.up.name, { job: JOBS.postgresExporter, instance: "postgres-exporter:9187" }), values: `0x${Math.ceil(fireAt / step) + 2}` }],
        alerts: [
          {
            at: fireAt,
            alertname: "DatabaseConnectionFailures",
            expect: [
              {
                labels: { ...rule.labels, alertname: rule.alert, job: JOBS.postgresExporter, instance: "postgres-exporter:9187", reason: "exporter_down" },
                annotations: {
                  ...rule.annotations,
                  summary: "CivicPulse database connection failures (exporter_down)",
                  description: `PostgreSQL problem (exporter_down) seen by ${JOBS.postgresExporter}: 0.`,
                },
              },
            ],
          },
        ],
      },
      {
        name: "DatabaseConnectionFailures: fires when the exporter cannot reach PostgreSQL",
        interval: step,
        inputSeries: [{ series: pgUp, values: `0x${Math.ceil(fireAt / step) + 2}` }],
        alerts: [
          {
            at: fireAt,
            alertname: "DatabaseConnectionFailures",
            expect: [
              {
                labels: { ...rule.labels, alertname: rule.alert, job: JOBS.postgresExporter, instance: "postgres-exporter:9187", reason: "unreachable" },
                annotations: {
                  ...rule.annotations,
                  summary: "CivicPulse database connection failures (unreachable)",
                  description: `PostgreSQL problem (unreachable) seen by ${JOBS.postgresExporter}: 0.`,
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

function redisDown(ctx: RuleContext): AlertRule {
  const k = ctx.knobs.RedisDown;
  const redis = { job: JOBS.redisExporter, instance: "redis-exporter:9121" };
  return defineAlert(ctx, {
    name: "RedisDown",
    group: "infrastructure",
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
}

export function infrastructureAlerts(ctx: RuleContext): AlertRule[] {
  return [highCpu(ctx), lowMemory(ctx), diskSpaceLow(ctx), databaseConnectionFailures(ctx), redisDown(ctx)];
}
