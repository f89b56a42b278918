import { catalog } from "../spec/catalog";
import { ms, minutes } from "../spec/duration";
import { JOBS } from "../spec/jobs";
import { recordingRules } from "./recording";
import { labelSet } from "./series";
import { InputSeries, RecordingRule, RuleContext, RuleTestCase } from "./types";

/**
 * One promtool case that feeds every input at a known constant rate and checks each recording
 * rule's value at a time past its longest window. The expected numbers are worked out here from
 * the rates (not read back from Prometheus), so a wrong expression fails the case.
 */

const APP = { job: JOBS.app, instance: "web-1:8000" };
const NODE = { job: JOBS.nodeExporter, instance: "host-1:9100" };
const PIPELINE = { job: "civicpulse-ci", pipeline: "civicpulse-ci" };

const BASELINE = /_(avg|stddev)_over_time/;

/** Per-minute increments of each counter. */
const perMinute = { ok: 54, errors: 6, observations: 60, dbErrors: 3, hits: 48, misses: 12, authFailures: 30, audit: 60, csrf: 6, idleCpuSeconds: 45 };

export function recordingRuleTests(ctx: RuleContext): RuleTestCase[] {
  const rules = recordingRules(ctx);
  // Baselines over a day or more (avg/stddev_over_time of a recorded rate) work on whatever history
  // exists, so the check only has to wait out the rate windows.
  const longest = Math.max(...rules.map((r) => windowOf(r.expr)).filter((d) => d < 86_400_000));
  const step = minutes(1);
  const at = ms(Math.ceil((longest + minutes(10)) / step) * step);
  const steps = at / step + 2;
  const atSeconds = at / 1000;
  const c = (name: string, labels: Record<string, string>, inc: number): InputSeries => ({ series: labelSet(name, labels), values: `0+${inc}x${steps}` });
  const g = (name: string, labels: Record<string, string>, v: number): InputSeries => ({ series: labelSet(name, labels), values: `${v}x${steps}` });
  const bucketSeries = (name: string, extra: Record<string, string>, bounds: readonly number[], lowerEdge: number) =>
    [...bounds.map(String), "+Inf"].map((le) => c(name, { ...APP, ...extra, le }, le === "+Inf" || Number(le) > lowerEdge ? perMinute.observations : 0));
  // CI runs finish at fractions of the failure-ratio window before the check, so all four count.
  const ciWindowSeconds = ctx.knobs.CIBuildFailureRateHigh.window / 1000;
  const ci = (id: string, windowFraction: number, success: number, coverage: number) => {
    const finishedAgo = Math.round(ciWindowSeconds * windowFraction);
    const l = { ...PIPELINE, branch: "main", run_id: id };
    return [
      g(catalog.ciBuildSuccess.name, l, success),
      g(catalog.ciBuildFinished.name, l, atSeconds - finishedAgo),
      g(catalog.ciTestCoverage.name, l, coverage),
      // Durations grow with the run number, so "the latest run's" value is recognisable.
      g(catalog.ciBuildDuration.name, l, 200 + 25 * Number(id.slice(1))),
      g(catalog.ciTestDuration.name, l, 100 + 5 * Number(id.slice(1))),
    ];
  };
  const deploy = (id: string, windowFraction: number, success: number) => {
    const finishedAgo = Math.round(ciWindowSeconds * windowFraction);
    const l = { ...PIPELINE, environment: "prod", run_id: id };
    return [g(catalog.ciDeploymentSuccess.name, l, success), g(catalog.ciDeploymentFinished.name, l, atSeconds - finishedAgo)];
  };
  const disk = { ...NODE, device: "/dev/vda1", fstype: "ext4", mountpoint: "/" };
  const tmpfs = { ...NODE, device: "tmpfs", fstype: "tmpfs", mountpoint: "/run" };
  const inputSeries: InputSeries[] = [
    c(catalog.requestsTotal.name, { ...APP, method: "GET", path: "/api/issues/", status: "200" }, perMinute.ok),
    c(catalog.requestsTotal.name, { ...APP, method: "GET", path: "/api/issues/", status: "500" }, perMinute.errors),
    ...bucketSeries(`${catalog.requestDuration.name}_bucket`, { method: "GET", path: "/api/issues/" }, catalog.requestDuration.buckets, 0.25),
    ...bucketSeries(`${catalog.databaseQueryDuration.name}_bucket`, { operation: "select" }, catalog.databaseQueryDuration.buckets, 0.01),
    c(catalog.databaseConnectionErrors.name, { ...APP, database: "default" }, perMinute.dbErrors),
    c(catalog.cacheOperations.name, { ...APP, operation: "get", result: "hit" }, perMinute.hits),
    c(catalog.cacheOperations.name, { ...APP, operation: "get", result: "miss" }, perMinute.misses),
    c(catalog.authenticationEvents.name, { ...APP, event: "login", result: "failure" }, perMinute.authFailures),
    c(catalog.auditEvents.name, { ...APP, event_type: "record_updated" }, perMinute.audit),
    c(catalog.securityViolations.name, { ...APP, violation: "csrf" }, perMinute.csrf),
    g(catalog.probeSuccess.name, { job: JOBS.blackboxHealth, instance: "http://civicpulse-web:8000/health/" }, 1),
    c(catalog.nodeCpuSeconds.name, { ...NODE, cpu: "0", mode: "idle" }, perMinute.idleCpuSeconds),
    c(catalog.nodeCpuSeconds.name, { ...NODE, cpu: "0", mode: "user" }, 60 - perMinute.idleCpuSeconds),
    g(catalog.nodeMemoryAvailable.name, NODE, 4e9),
    g(catalog.nodeMemoryTotal.name, NODE, 16e9),
    g(catalog.nodeFilesystemAvail.name, disk, 30e9),
    g(catalog.nodeFilesystemSize.name, disk, 100e9),
    c(catalog.containerCpuUsage.name, { job: JOBS.cadvisor, instance: "cadvisor:8080", name: "prometheus", image: "prom/prometheus", cpu: "total" }, 30),
    // A cgroup without a container name is left out of the per-container rules.
    c(catalog.containerCpuUsage.name, { job: JOBS.cadvisor, instance: "cadvisor:8080", name: "", image: "", cpu: "total" }, 60),
    g(catalog.containerMemoryWorkingSet.name, { job: JOBS.cadvisor, instance: "cadvisor:8080", name: "prometheus", image: "prom/prometheus" }, 5e8),
    g(catalog.containerMemoryWorkingSet.name, { job: JOBS.cadvisor, instance: "cadvisor:8080", name: "", image: "" }, 9e9),
    g(catalog.nodeFilesystemAvail.name, tmpfs, 1e6),
    g(catalog.nodeFilesystemSize.name, tmpfs, 1e9),
    // Four recent runs, one failed; the newest two have coverage 0.7 and 0.75.
    ...ci("r1", 0.8, 1, 0.9),
    ...ci("r2", 0.6, 0, 0.85),
    ...ci("r3", 0.4, 1, 0.7),
    ...ci("r4", 0.2, 1, 0.75),
    ...deploy("r3", 0.4, 1),
    ...deploy("r4", 0.2, 0),
  ];
  const expected = expectedValues(ctx);
  const samples = rules.map((r) => {
    const expect = expected(r);
    if (!BASELINE.test(r.record)) return { at, expr: r.record, expect };
    // A baseline averages the rate since the series began, including the first minutes whose
    // rates Prometheus extrapolates short: check it is within 0.1 of the steady rate instead.
    return {
      at,
      expr: `abs(${r.record} - ${expect[0].value}) < bool 0.1`,
      expect: expect.map((e) => ({ labels: e.labels.replace(/^[^{]*/, ""), value: 1 })),
    };
  });
  return [
    {
      name: "recording rules: every rule's value from known input rates",
      interval: step,
      evaluationInterval: ms(Math.max(step, ctx.evaluationInterval)),
      inputSeries,
      samples,
    },
  ];
}

/** The window of the longest range selector in an expression, in ms (0 when there is none). */
function windowOf(expr: string): number {
  let longest = 0;
  for (const m of expr.matchAll(/\[(\d+[smhdwy][0-9smhdwy]*)\]/g)) {
    longest = Math.max(longest, durationMs(m[1]));
  }
  return longest;
}

function durationMs(text: string): number {
  const units: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, y: 31536e6 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdwy])/g)) total += Number(m[1]) * units[m[2]];
  return total;
}

type Sample = { labels: string; value: number };

function expectedValues(ctx: RuleContext): (r: RecordingRule) => Sample[] {
  const app = (name: string, value: number, extra: Record<string, string> = {}): Sample[] => [
    { labels: labelSet(name, { job: JOBS.app, ...extra }), value },
  ];
  const total = (perMinute.ok + perMinute.errors) / 60;
  const errors = perMinute.errors / 60;
  const n = ctx.knobs.CITestCoverageLow.consecutiveBuilds;
  return (r) => {
    const name = r.record;
    const kind = name.split(":")[1];
    const ops = name.split(":")[2] ?? "";
    if (name.startsWith("pipeline_branch:")) {
      // The latest run is r4.
      const latest: Record<string, number> = { civicpulse_ci_build_duration_seconds: 300, civicpulse_ci_test_duration_seconds: 120, civicpulse_ci_test_coverage_ratio: 0.75 };
      return [{ labels: labelSet(name, { branch: "main", pipeline: PIPELINE.pipeline }), value: latest[kind] }];
    }
    if (kind === "civicpulse_requests" && name.startsWith("job_status:")) {
      return [
        { labels: labelSet(name, { job: JOBS.app, status: "200" }), value: perMinute.ok / 60 },
        { labels: labelSet(name, { job: JOBS.app, status: "500" }), value: errors },
      ];
    }
    if (kind === "civicpulse_requests") return app(name, total);
    if (kind === "civicpulse_requests_errors" && ops.startsWith("rate")) return app(name, errors);
    if (kind === "civicpulse_requests_errors") return app(name, errors / total);
    if (kind === "civicpulse_requests_availability") return app(name, 1 - errors / total);
    if (kind === "civicpulse_request_duration_seconds_bucket") {
      return [...catalog.requestDuration.buckets.map(String), "+Inf"].map((le) => ({
        labels: labelSet(name, { job: JOBS.app, le }),
        value: le === "+Inf" || Number(le) > 0.25 ? perMinute.observations / 60 : 0,
      }));
    }
    if (kind === "civicpulse_request_duration_seconds") {
      // Every observation is in (0.25, 0.5]; histogram_quantile interpolates linearly inside it.
      const q = Number(ops.slice(1, 3)) / 100;
      return app(name, 0.25 + 0.25 * q);
    }
    if (kind === "civicpulse_database_query_duration_seconds") return app(name, 0.01 + 0.015 * 0.95, { operation: "select" });
    if (kind === "civicpulse_database_connection_errors") return app(name, perMinute.dbErrors / 60);
    if (kind === "civicpulse_cache_hit") return app(name, perMinute.hits / (perMinute.hits + perMinute.misses));
    if (kind === "civicpulse_authentication_failures") return app(name, perMinute.authFailures / 60);
    if (kind === "civicpulse_audit_events") return app(name, ops.includes("stddev") ? 0 : perMinute.audit / 60);
    if (kind === "civicpulse_security_violations") return app(name, perMinute.csrf / 60, { violation: "csrf" });
    if (kind === "probe_success") return [{ labels: labelSet(name, { instance: "http://civicpulse-web:8000/health/", job: JOBS.blackboxHealth }), value: 1 }];
    if (kind === "node_cpu_utilisation") return [{ labels: labelSet(name, { instance: NODE.instance }), value: 1 - perMinute.idleCpuSeconds / 60 }];
    if (kind === "node_memory_available") return [{ labels: labelSet(name, NODE), value: 0.25 }];
    if (kind === "node_memory_utilisation") return [{ labels: labelSet(name, NODE), value: 0.75 }];
    if (kind === "node_filesystem_avail") {
      return [{ labels: labelSet(name, { ...NODE, device: "/dev/vda1", fstype: "ext4", mountpoint: "/" }), value: 0.3 }];
    }
    if (kind === "civicpulse_ci_builds_finished") return [{ labels: labelSet(name, { pipeline: PIPELINE.pipeline }), value: 4 }];
    if (kind === "civicpulse_ci_build_failures") return [{ labels: labelSet(name, { pipeline: PIPELINE.pipeline }), value: 1 / 4 }];
    if (kind === "civicpulse_ci_test_coverage_ratio") {
      const newestFirst = [0.75, 0.7, 0.85, 0.9];
      return n <= newestFirst.length ? [{ labels: labelSet(name, { pipeline: PIPELINE.pipeline }), value: Math.max(...newestFirst.slice(0, n)) }] : [];
    }
    if (kind === "container_cpu_usage_seconds") return [{ labels: labelSet(name, { name: "prometheus" }), value: 0.5 }];
    if (kind === "container_memory_working_set_bytes") return [{ labels: labelSet(name, { name: "prometheus" }), value: 5e8 }];
    if (kind === "civicpulse_ci_deployments") return [{ labels: labelSet(name, { environment: "prod", pipeline: PIPELINE.pipeline }), value: 2 }];
    if (kind === "civicpulse_ci_deployment_success") {
      return [{ labels: labelSet(name, { environment: "prod", pipeline: PIPELINE.pipeline, run_id: "r4" }), value: 0 }];
    }
    throw new Error(`recording rule ${name} has no expected value in rules/recording-tests.ts; add one`);
  };
}

