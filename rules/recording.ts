import { RuleGroupName } from "../spec/alert-knobs";
import { catalog, select } from "../spec/catalog";
import { Duration, formatDuration, hours, minutes } from "../spec/duration";
import { JOBS } from "../spec/jobs";
import { RecordingRule, RuleContext } from "./types";

/**
 * Recording rules, named level:metric:operations. Names carry the window as Prometheus prints it,
 * so an environment that scales its windows gets matching names, and alerts, dashboards and the
 * runbooks all ask this module for a name instead of spelling it.
 */

const w = formatDuration;

/** Windows every environment records, for SLO burn rates and dashboards, beside the alerts' own. */
export const SLO_WINDOWS: readonly Duration[] = [minutes(5), minutes(30), hours(1), hours(6)];

export const recorded = {
  requestRate: (window: Duration) => `job:civicpulse_requests:rate${w(window)}`,
  requestRateByStatus: (window: Duration) => `job_status:civicpulse_requests:rate${w(window)}`,
  errorRate: (window: Duration) => `job:civicpulse_requests_errors:rate${w(window)}`,
  errorRatio: (window: Duration) => `job:civicpulse_requests_errors:ratio_rate${w(window)}`,
  availability: (window: Duration) => `job:civicpulse_requests_availability:ratio_rate${w(window)}`,
  latencyBuckets: (window: Duration) => `job_le:civicpulse_request_duration_seconds_bucket:rate${w(window)}`,
  latencyQuantile: (q: 50 | 95 | 99, window: Duration) => `job:civicpulse_request_duration_seconds:p${q}_rate${w(window)}`,
  dbQueryP95: (window: Duration) => `job_operation:civicpulse_database_query_duration_seconds:p95_rate${w(window)}`,
  dbConnectionErrorRate: (window: Duration) => `job:civicpulse_database_connection_errors:rate${w(window)}`,
  cacheHitRatio: (window: Duration) => `job:civicpulse_cache_hit:ratio_rate${w(window)}`,
  authFailureRate: (window: Duration) => `job:civicpulse_authentication_failures:rate${w(window)}`,
  auditRate: (window: Duration) => `job:civicpulse_audit_events:rate${w(window)}`,
  auditBaselineAvg: (window: Duration, baseline: Duration) =>
    `job:civicpulse_audit_events:rate${w(window)}_avg_over_time${w(baseline)}`,
  auditBaselineStddev: (window: Duration, baseline: Duration) =>
    `job:civicpulse_audit_events:rate${w(window)}_stddev_over_time${w(baseline)}`,
  securityViolationRate: (window: Duration) => `job_violation:civicpulse_security_violations:rate${w(window)}`,
  probeSuccessAvg: (window: Duration) => `instance:probe_success:avg_over_time${w(window)}`,
  cpuUtilisation: (window: Duration) => `instance:node_cpu_utilisation:ratio_rate${w(window)}`,
  memoryAvailable: () => "instance:node_memory_available:ratio",
  memoryUtilisation: () => "instance:node_memory_utilisation:ratio",
  filesystemAvailable: () => "instance_mountpoint:node_filesystem_avail:ratio",
  ciBuildsFinished: (window: Duration) => `pipeline:civicpulse_ci_builds_finished:count${w(window)}`,
  ciBuildFailureRatio: (window: Duration) => `pipeline:civicpulse_ci_build_failures:ratio${w(window)}`,
  ciCoverageLastBuilds: (n: number) => `pipeline:civicpulse_ci_test_coverage_ratio:max_last${n}`,
  ciLatestDeploymentSuccess: () => "environment:civicpulse_ci_deployment_success:latest",
  ciLatestRun: (metric: "build_duration_seconds" | "test_duration_seconds" | "test_coverage_ratio") =>
    `pipeline_branch:civicpulse_ci_${metric}:latest`,
  ciDeploymentsPerDay: () => "environment_pipeline:civicpulse_ci_deployments:count1d",
  containerCpu: (window: Duration) => `name:container_cpu_usage_seconds:rate${w(window)}`,
  containerMemory: () => "name:container_memory_working_set_bytes:sum",
} as const;

const app = { job: JOBS.app };

function rule(group: RuleGroupName, record: string, expr: string, shard?: string): RecordingRule {
  return { group, record, expr, tests: [], ...(shard ? { shard } : {}) };
}

function uniqueSorted(ds: Duration[]): Duration[] {
  return [...new Set(ds)].sort((a, b) => a - b) as Duration[];
}

/**
 * The request and latency rules of one window. Cost grows with the app's series (paths x methods
 * x statuses), so each window reads all raw counters once, by status, and derives the total from
 * that (a sum of sums: the same value); latency, the larger read, is its own group. The 5xx rate
 * reads its (six times smaller) subset directly, which keeps every rule inlinable into raw PromQL.
 */
function requestRules(win: Duration, shortest: Duration): RecordingRule[] {
  const requests = select(catalog.requestsTotal, app);
  const buckets = select(catalog.requestDuration, app, "bucket");
  const byStatus = recorded.requestRateByStatus(win);
  const shard = win === shortest ? undefined : w(win);
  const latency = `latency${w(win)}`;
  const errors = select(catalog.requestsTotal, { ...app, status: { re: "5.." } });
  return [
    rule("application", byStatus, `sum by (job, status) (rate(${requests}[${w(win)}]))`, shard),
    rule("application", recorded.requestRate(win), `sum by (job) (${byStatus})`, shard),
    rule("application", recorded.errorRate(win), `sum by (job) (rate(${errors}[${w(win)}]))`, shard),
    // 0/0 is NaN, which compares false: no traffic never reads as an error ratio above a threshold.
    rule("application", recorded.errorRatio(win), `${recorded.errorRate(win)} / ${recorded.requestRate(win)}`, shard),
    rule("application", recorded.availability(win), `1 - ${recorded.errorRatio(win)}`, shard),
    rule("application", recorded.latencyBuckets(win), `sum by (job, le) (rate(${buckets}[${w(win)}]))`, latency),
    ...([50, 95, 99] as const).map((q) =>
      rule("application", recorded.latencyQuantile(q, win), `histogram_quantile(${q / 100}, ${recorded.latencyBuckets(win)})`, latency),
    ),
  ];
}

/** All recording rules for an environment. The windows come from the SLO set and the alert knobs. */
export function recordingRules(ctx: RuleContext): RecordingRule[] {
  const k = ctx.knobs;
  const requestWindows = uniqueSorted([
    ...SLO_WINDOWS,
    k.CivicPulseHighErrorRate.window,
    k.CivicPulseHighLatency.window,
    k.CivicPulseLowRequestRate.window,
  ]);
  const rules: RecordingRule[] = requestWindows.flatMap((win) => requestRules(win, requestWindows[0]));
  const short = minutes(5);
  rules.push(
    rule(
      "application",
      recorded.dbQueryP95(short),
      `histogram_quantile(0.95, sum by (job, operation, le) (rate(${select(catalog.databaseQueryDuration, app, "bucket")}[${w(short)}])))`,
    ),
    rule(
      "application",
      recorded.cacheHitRatio(short),
      `sum by (job) (rate(${select(catalog.cacheOperations, { ...app, result: "hit" })}[${w(short)}])) / ` +
        `sum by (job) (rate(${select(catalog.cacheOperations, { ...app, result: { re: "hit|miss" } })}[${w(short)}]))`,
    ),
    rule(
      "application",
      recorded.probeSuccessAvg(short),
      `avg_over_time(${select(catalog.probeSuccess, { job: { re: `${JOBS.blackboxHealth}|${JOBS.blackboxHealthDetailed}` } })}[${w(short)}])`,
    ),
  );

  // Infrastructure
  const cpuWin = k.HostHighCpuUsage.window;
  rules.push(
    rule(
      "infrastructure",
      recorded.cpuUtilisation(cpuWin),
      `1 - avg by (instance) (rate(${select(catalog.nodeCpuSeconds, { mode: "idle" })}[${w(cpuWin)}]))`,
    ),
    rule(
      "infrastructure",
      recorded.memoryAvailable(),
      `${select(catalog.nodeMemoryAvailable)} / ${select(catalog.nodeMemoryTotal)}`,
    ),
    rule("infrastructure", recorded.memoryUtilisation(), `1 - ${recorded.memoryAvailable()}`),
    rule(
      "infrastructure",
      recorded.filesystemAvailable(),
      (() => {
        const real = { fstype: { notRe: k.HostDiskSpaceLow.ignoredFsTypes.join("|") } };
        return `${select(catalog.nodeFilesystemAvail, real)} / ${select(catalog.nodeFilesystemSize, real)}`;
      })(),
    ),
  );
  const dbWin = k.DatabaseConnectionFailures.window;
  rules.push(
    rule(
      "infrastructure",
      recorded.dbConnectionErrorRate(dbWin),
      `sum by (job) (rate(${select(catalog.databaseConnectionErrors, app)}[${w(dbWin)}]))`,
    ),
  );

  // Security
  const authWin = k.AuthenticationFailureSpike.window;
  rules.push(
    rule(
      "security",
      recorded.authFailureRate(authWin),
      `sum by (job) (rate(${select(catalog.authenticationEvents, { ...app, result: "failure" })}[${w(authWin)}]))`,
    ),
  );
  const audit = k.AuditEventAnomaly;
  rules.push(
    rule("security", recorded.auditRate(audit.window), `sum by (job) (rate(${select(catalog.auditEvents, app)}[${w(audit.window)}]))`),
    rule(
      "security",
      recorded.auditBaselineAvg(audit.window, audit.baseline),
      `avg_over_time(${recorded.auditRate(audit.window)}[${w(audit.baseline)}])`,
    ),
    rule(
      "security",
      recorded.auditBaselineStddev(audit.window, audit.baseline),
      `stddev_over_time(${recorded.auditRate(audit.window)}[${w(audit.baseline)}])`,
    ),
  );
  const secWin = k.SecurityMiddlewareViolations.window;
  rules.push(
    rule(
      "security",
      recorded.securityViolationRate(secWin),
      `sum by (job, violation) (rate(${select(catalog.securityViolations, app)}[${w(secWin)}]))`,
    ),
  );

  // Containers (cAdvisor): series without a name belong to cgroups, not containers.
  const named = { name: { not: "" } };
  rules.push(
    rule("infrastructure", recorded.containerCpu(short), `sum by (name) (rate(${select(catalog.containerCpuUsage, named)}[${w(short)}]))`),
    rule("infrastructure", recorded.containerMemory(), `sum by (name) (${select(catalog.containerMemoryWorkingSet, named)})`),
  );

  // CI/CD: one Pushgateway group per run, so "builds in the last hour" is the runs whose finished
  // timestamp is that recent; comparisons keep the left side's value and labels.
  const ciWin = k.CIBuildFailureRateHigh.window;
  const recent = `(time() - ${select(catalog.ciBuildFinished)} < ${ciWin / 1000})`;
  const success = select(catalog.ciBuildSuccess);
  rules.push(
    rule("cicd", recorded.ciBuildsFinished(ciWin), `count by (pipeline) (${success} and on (pipeline, run_id) ${recent})`),
    rule(
      "cicd",
      recorded.ciBuildFailureRatio(ciWin),
      `sum by (pipeline) (1 - (${success} and on (pipeline, run_id) ${recent})) / ${recorded.ciBuildsFinished(ciWin)}`,
    ),
  );
  const n = k.CITestCoverageLow.consecutiveBuilds;
  // The last N runs that reported coverage: a run that failed before its tests has none and
  // neither breaks nor resets the streak.
  const lastN = `topk by (pipeline) (${n}, ${select(catalog.ciBuildFinished)} and on (pipeline, run_id) ${select(catalog.ciTestCoverage)})`;
  const coverageOfLastN = `${select(catalog.ciTestCoverage)} and on (pipeline, run_id) ${lastN}`;
  // A pipeline with fewer than N runs has no "N consecutive" yet: the count guard keeps it quiet.
  rules.push(
    rule(
      "cicd",
      recorded.ciCoverageLastBuilds(n),
      `max by (pipeline) (${coverageOfLastN}) and on (pipeline) count by (pipeline) (${coverageOfLastN}) >= ${n}`,
    ),
  );
  const latestDeploy = `topk by (environment) (1, ${select(catalog.ciDeploymentFinished)})`;
  rules.push(
    rule(
      "cicd",
      recorded.ciLatestDeploymentSuccess(),
      `max by (environment, pipeline, run_id) (${select(catalog.ciDeploymentSuccess)} and on (environment, pipeline, run_id) ${latestDeploy})`,
    ),
  );
  // The latest run's own gauges, for the CI/CD dashboard.
  const latestRun = `topk by (pipeline) (1, ${select(catalog.ciBuildFinished)})`;
  for (const [m, suffix] of [
    [catalog.ciBuildDuration, "build_duration_seconds"],
    [catalog.ciTestDuration, "test_duration_seconds"],
    [catalog.ciTestCoverage, "test_coverage_ratio"],
  ] as const) {
    rules.push(rule("cicd", recorded.ciLatestRun(suffix), `max by (pipeline, branch) (${select(m)} and on (pipeline, run_id) ${latestRun})`));
  }
  rules.push(
    rule(
      "cicd",
      recorded.ciDeploymentsPerDay(),
      `count by (environment, pipeline) ((time() - ${select(catalog.ciDeploymentFinished)}) < 86400)`,
    ),
  );
  return dedupe(rules);
}

function dedupe(rules: RecordingRule[]): RecordingRule[] {
  const seen = new Map<string, RecordingRule>();
  for (const r of rules) {
    const prior = seen.get(r.record);
    if (prior && prior.expr !== r.expr) {
      throw new Error(`recording rule ${r.record} is defined twice with different expressions`);
    }
    seen.set(r.record, r);
  }
  return [...seen.values()];
}
