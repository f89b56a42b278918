import { catalog, select } from "../spec/catalog";
import { minutes } from "../spec/duration";
import { JOBS } from "../spec/jobs";
import { DASHBOARD_UIDS, PANEL_IDS } from "../rules/panels";
import { recorded } from "../rules/recording";
import type { EnvironmentSpec } from "../spec/environment";
import { dashboardContext, dashboardShell, labelVariable, render, RenderedDashboard, row, stat, timeseries, upDownMappings, v, w } from "./common";

const P = PANEL_IDS.infrastructure;

/** Recorded host series (`by (instance, ...)`) restricted to the selected hosts. */
const forHosts = (series: string) => `${series}{instance=~"${v("instance")}"}`;
const probes = { job: { re: `${JOBS.blackboxHealth}|${JOBS.blackboxHealthDetailed}` } } as const;
/** cAdvisor reports cgroups without a container name too (the host, system slices): skip them. */

/**
 * Infrastructure: hosts (node-exporter), containers (cAdvisor), Redis and PostgreSQL (their
 * exporters) and the blackbox health probes. Host panels read the recorded ratios the host alerts
 * read, with the alert thresholds drawn in.
 */
export function infrastructureDashboard(spec: EnvironmentSpec): RenderedDashboard {
  const ctx = dashboardContext(spec);
  const k = spec.alerts;
  const short = minutes(5);

  const b = dashboardShell(
    ctx,
    DASHBOARD_UIDS.infrastructure,
    "CivicPulse / Infrastructure",
    `Hosts, containers, Redis, PostgreSQL and health probes of the CivicPulse stack (${spec.name}).`,
  )
    .withVariable(labelVariable(ctx, "instance", "instance", select(catalog.nodeCpuSeconds, { mode: "idle" })))

    .withRow(row(100, "Hosts"))
    .withPanel(
      timeseries(ctx, {
        id: P.hostCpu,
        title: "CPU utilisation per host",
        description: `Share of CPU time not idle over ${w(k.HostHighCpuUsage.window)}; HostHighCpuUsage fires above ${k.HostHighCpuUsage.cpuPercent}%.`,
        queries: [{ expr: forHosts(recorded.cpuUtilisation(k.HostHighCpuUsage.window)), legend: "{{instance}}" }],
        unit: "percentunit",
        min: 0,
        max: 1,
        threshold: { value: k.HostHighCpuUsage.cpuPercent / 100 },
        width: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.hostMemory,
        title: "Memory available per host",
        description: `Share of memory available for new work; HostLowMemory fires below ${k.HostLowMemory.availablePercent}%.`,
        queries: [{ expr: forHosts(recorded.memoryAvailable()), legend: "{{instance}}" }],
        unit: "percentunit",
        min: 0,
        max: 1,
        threshold: { value: k.HostLowMemory.availablePercent / 100, badWhen: "below" },
        width: 8,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.hostDisk,
        title: "Disk space free per filesystem",
        description: `Share of space free on real filesystems (not ${k.HostDiskSpaceLow.ignoredFsTypes.join(", ")}); HostDiskSpaceLow fires below ${k.HostDiskSpaceLow.freePercent}% on a writable one.`,
        queries: [{ expr: forHosts(recorded.filesystemAvailable()), legend: "{{instance}} {{mountpoint}}" }],
        unit: "percentunit",
        min: 0,
        max: 1,
        threshold: { value: k.HostDiskSpaceLow.freePercent / 100, badWhen: "below" },
        width: 8,
      }),
    )

    .withRow(row(110, "Containers"))
    .withPanel(
      timeseries(ctx, {
        id: P.containerCpu,
        title: "Container CPU",
        description: "CPU cores used by each container (cAdvisor).",
        queries: [
          {
            expr: recorded.containerCpu(minutes(5)),
            legend: "{{name}}",
          },
        ],
        unit: "short",
        min: 0,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.containerMemory,
        title: "Container memory (working set)",
        description: "Working set memory of each container (cAdvisor).",
        queries: [{ expr: recorded.containerMemory(), legend: "{{name}}" }],
        unit: "bytes",
        min: 0,
      }),
    )

    .withRow(row(120, "Redis and PostgreSQL"))
    .withPanel(
      stat(ctx, {
        id: P.redis,
        title: "Redis",
        description: "Whether redis-exporter reaches Redis; RedisDown fires when it does not.",
        queries: [{ expr: select(catalog.redisUp), legend: "{{instance}}" }],
        mappings: upDownMappings(),
        threshold: { value: 1, badWhen: "below" },
        width: 6,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: 121,
        title: "Redis connected clients",
        description: "Clients connected to Redis.",
        queries: [{ expr: select(catalog.redisConnectedClients), legend: "{{instance}}" }],
        unit: "short",
        min: 0,
        width: 6,
        height: 4,
      }),
    )
    .withPanel(
      postgresHealth(ctx, spec),
    )
    .withPanel(
      timeseries(ctx, {
        id: 122,
        title: "PostgreSQL connections by state",
        description: "Connections to PostgreSQL, by state (active, idle, idle in transaction, ...).",
        queries: [{ expr: `sum by (state) (${select(catalog.pgStatActivityCount)})`, legend: "{{state}}" }],
        unit: "short",
        min: 0,
        width: 6,
        height: 4,
      }),
    )

    .withRow(row(130, "Health probes"))
    .withPanel(
      timeseries(ctx, {
        id: P.probeSuccess,
        title: "Health probe success",
        description:
          `Share of successful blackbox probes of the health endpoints over ${w(short)}, per endpoint. ` +
          `CivicPulseHealthCheckFailing fires when a probe keeps failing for ${w(k.CivicPulseHealthCheckFailing.for)}.`,
        queries: [{ expr: recorded.probeSuccessAvg(short), legend: "{{instance}}" }],
        unit: "percentunit",
        min: 0,
        max: 1,
        threshold: { value: 1, badWhen: "below" },
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: P.probeLatency,
        title: "Health probe latency",
        description: "How long each blackbox probe of a health endpoint took.",
        queries: [{ expr: select(catalog.probeDuration, probes), legend: "{{instance}}" }],
        unit: "s",
        min: 0,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        id: 131,
        title: "Scrape targets up",
        description: "Targets whose last scrape succeeded, per job.",
        queries: [{ expr: `sum by (job) (${select(catalog.up)})`, legend: "{{job}}" }],
        unit: "short",
        min: 0,
        width: 24,
      }),
    );
  return render("infrastructure", b);
}

/**
 * The panel DatabaseConnectionFailures links to: both of its conditions side by side. Query A
 * (pg_up) shows UP/DOWN; query B (the app's connection errors per minute) keeps its number and
 * turns red above the alert's threshold.
 */
function postgresHealth(ctx: ReturnType<typeof dashboardContext>, spec: EnvironmentSpec) {
  const k = spec.alerts.DatabaseConnectionFailures;
  return stat(ctx, {
    id: P.postgres,
    title: "PostgreSQL",
    description:
      `Whether postgres-exporter connects to PostgreSQL, and the app's connection errors per minute over ${w(k.window)}: ` +
      `DatabaseConnectionFailures fires when PostgreSQL is unreachable or above ${k.connectionErrorsPerMinute}/min.`,
    queries: [
      { expr: select(catalog.pgUp), legend: "pg_up {{instance}}" },
      { expr: `${recorded.dbConnectionErrorRate(k.window)} * 60`, legend: "app connection errors/min" },
    ],
    mappings: upDownMappings(),
    threshold: { value: 1, badWhen: "below" },
    width: 6,
  }).overrideByQuery("B", [
    { id: "mappings", value: [] },
    { id: "unit", value: "short" },
    {
      id: "thresholds",
      value: {
        mode: "absolute",
        steps: [
          { value: null, color: "green" },
          { value: k.connectionErrorsPerMinute, color: "red" },
        ],
      },
    },
  ]);
}
