/**
 * The metric catalog: every metric that an alert, a recording rule, a dashboard panel or the
 * Django package (instrumentation/django, generated from here) refers to is declared here once. Code refers to `catalog.<key>` and builds
 * selectors with `select()`, which rejects labels the metric does not declare, so a renamed metric
 * or label breaks the build instead of silently matching nothing in production.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary";

/** Who emits the metric: the contract section of the README is grouped by this. */
export type MetricSource =
  | "civicpulse-app"
  | "ci-pipeline"
  | "node-exporter"
  | "cadvisor"
  | "redis-exporter"
  | "postgres-exporter"
  | "blackbox-exporter"
  | "prometheus";

export interface MetricDefinition {
  /** Full metric name as exposed (for histograms, without the _bucket/_sum/_count suffix). */
  readonly name: string;
  readonly type: MetricType;
  /** Labels the emitter sets (not counting job/instance, which Prometheus adds). */
  readonly labels: readonly string[];
  readonly help: string;
  readonly unit?: string;
  readonly source: MetricSource;
  /** For histograms: the bucket boundaries the app is expected to use (seconds). */
  readonly buckets?: readonly number[];
  /**
   * Label values the app creates at zero on start (every combination of the listed values; labels
   * not listed, such as method and path, come from the app's declared routes). A series that first
   * appears at its first increment hides that increment from rate() and leaves panels blank.
   */
  readonly initialLabelValues?: Readonly<Record<string, readonly string[]>>;
}

function metric<const T extends MetricDefinition>(definition: T): T {
  return definition;
}

const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10] as const;
const QUERY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export const catalog = {
  // --- the CivicPulse Django app (custom metrics from the report, plus the ones it did not name) ---
  requestsTotal: metric({
    name: "civicpulse_requests_total",
    type: "counter",
    labels: ["method", "path", "status"],
    help: "HTTP requests served, by method, normalized path and status code.",
    initialLabelValues: { status: ["200", "500"] },
    source: "civicpulse-app",
  }),
  requestDuration: metric({
    name: "civicpulse_request_duration_seconds",
    type: "histogram",
    labels: ["method", "path"],
    help: "HTTP request latency.",
    unit: "seconds",
    source: "civicpulse-app",
    buckets: REQUEST_BUCKETS,
  }),
  databaseQueryDuration: metric({
    name: "civicpulse_database_query_duration_seconds",
    type: "histogram",
    labels: ["operation"],
    help: "Database query latency, by operation (select, insert, update, delete).",
    unit: "seconds",
    initialLabelValues: { operation: ["select", "insert", "update", "delete"] },
    source: "civicpulse-app",
    buckets: QUERY_BUCKETS,
  }),
  databaseConnectionErrors: metric({
    name: "civicpulse_database_connection_errors_total",
    type: "counter",
    labels: ["database"],
    help: "Failed attempts to open or use a database connection.",
    initialLabelValues: { database: ["default"] },
    source: "civicpulse-app",
  }),
  cacheOperations: metric({
    name: "civicpulse_cache_operations_total",
    type: "counter",
    labels: ["operation", "result"],
    help: "Cache operations; result is hit or miss for reads.",
    initialLabelValues: { operation: ["get"], result: ["hit", "miss"] },
    source: "civicpulse-app",
  }),
  auditEvents: metric({
    name: "civicpulse_audit_events_total",
    type: "counter",
    labels: ["event_type"],
    help: "Audit trail events written, by event type.",
    initialLabelValues: { event_type: ["record_created", "record_updated", "login", "permission_changed"] },
    source: "civicpulse-app",
  }),
  authenticationEvents: metric({
    name: "civicpulse_authentication_events_total",
    type: "counter",
    labels: ["event", "result"],
    help: "Authentication events (event: login, logout; result: success, failure).",
    initialLabelValues: { event: ["login"], result: ["success", "failure"] },
    source: "civicpulse-app",
  }),
  securityViolations: metric({
    name: "civicpulse_security_violations_total",
    type: "counter",
    labels: ["violation"],
    help: "Requests rejected by the security middleware, by violation kind (csrf, rate_limit, forbidden_host, ...).",
    initialLabelValues: { violation: ["csrf", "rate_limit", "forbidden_host", "suspicious_operation"] },
    source: "civicpulse-app",
  }),

  // --- CI/CD, pushed per pipeline run to the Pushgateway (one group per run_id) ---
  ciBuildSuccess: metric({
    name: "civicpulse_ci_build_success",
    type: "gauge",
    labels: ["pipeline", "branch", "run_id"],
    help: "1 when the pipeline run succeeded, 0 when it failed.",
    source: "ci-pipeline",
  }),
  ciBuildFinished: metric({
    name: "civicpulse_ci_build_finished_timestamp_seconds",
    type: "gauge",
    labels: ["pipeline", "branch", "run_id"],
    help: "Unix time at which the pipeline run finished.",
    unit: "seconds",
    source: "ci-pipeline",
  }),
  ciBuildDuration: metric({
    name: "civicpulse_ci_build_duration_seconds",
    type: "gauge",
    labels: ["pipeline", "branch", "run_id"],
    help: "Wall-clock duration of the whole pipeline run.",
    unit: "seconds",
    source: "ci-pipeline",
  }),
  ciTestDuration: metric({
    name: "civicpulse_ci_test_duration_seconds",
    type: "gauge",
    labels: ["pipeline", "branch", "run_id"],
    help: "Time the test step took.",
    unit: "seconds",
    source: "ci-pipeline",
  }),
  ciTestCoverage: metric({
    name: "civicpulse_ci_test_coverage_ratio",
    type: "gauge",
    labels: ["pipeline", "branch", "run_id"],
    help: "Line coverage of the run's test suite, 0 to 1.",
    unit: "ratio",
    source: "ci-pipeline",
  }),
  ciDeploymentSuccess: metric({
    name: "civicpulse_ci_deployment_success",
    type: "gauge",
    labels: ["pipeline", "environment", "run_id"],
    help: "1 when the run's deployment succeeded, 0 when it failed (absent when the run did not deploy).",
    source: "ci-pipeline",
  }),
  ciDeploymentFinished: metric({
    name: "civicpulse_ci_deployment_finished_timestamp_seconds",
    type: "gauge",
    labels: ["pipeline", "environment", "run_id"],
    help: "Unix time at which the run's deployment finished.",
    unit: "seconds",
    source: "ci-pipeline",
  }),

  // --- exporters (their names are fixed by the exporters themselves) ---
  nodeCpuSeconds: metric({
    name: "node_cpu_seconds_total",
    type: "counter",
    labels: ["cpu", "mode"],
    help: "Seconds the CPUs spent in each mode.",
    source: "node-exporter",
  }),
  nodeMemoryAvailable: metric({
    name: "node_memory_MemAvailable_bytes",
    type: "gauge",
    labels: [],
    help: "Memory available for new work without swapping.",
    unit: "bytes",
    source: "node-exporter",
  }),
  nodeMemoryTotal: metric({
    name: "node_memory_MemTotal_bytes",
    type: "gauge",
    labels: [],
    help: "Total usable memory.",
    unit: "bytes",
    source: "node-exporter",
  }),
  nodeFilesystemAvail: metric({
    name: "node_filesystem_avail_bytes",
    type: "gauge",
    labels: ["device", "fstype", "mountpoint"],
    help: "Filesystem space available to non-root users.",
    unit: "bytes",
    source: "node-exporter",
  }),
  nodeFilesystemSize: metric({
    name: "node_filesystem_size_bytes",
    type: "gauge",
    labels: ["device", "fstype", "mountpoint"],
    help: "Filesystem size.",
    unit: "bytes",
    source: "node-exporter",
  }),
  nodeFilesystemReadonly: metric({
    name: "node_filesystem_readonly",
    type: "gauge",
    labels: ["device", "fstype", "mountpoint"],
    help: "1 when the filesystem is mounted read-only.",
    source: "node-exporter",
  }),
  containerCpuUsage: metric({
    name: "container_cpu_usage_seconds_total",
    type: "counter",
    labels: ["name", "image", "cpu"],
    help: "Cumulative CPU time consumed by a container.",
    unit: "seconds",
    source: "cadvisor",
  }),
  containerMemoryWorkingSet: metric({
    name: "container_memory_working_set_bytes",
    type: "gauge",
    labels: ["name", "image"],
    help: "Working set memory of a container.",
    unit: "bytes",
    source: "cadvisor",
  }),
  redisUp: metric({
    name: "redis_up",
    type: "gauge",
    labels: [],
    help: "1 when the exporter could reach Redis.",
    source: "redis-exporter",
  }),
  redisConnectedClients: metric({
    name: "redis_connected_clients",
    type: "gauge",
    labels: [],
    help: "Clients connected to Redis.",
    source: "redis-exporter",
  }),
  pgUp: metric({
    name: "pg_up",
    type: "gauge",
    labels: [],
    help: "1 when the exporter could connect to PostgreSQL.",
    source: "postgres-exporter",
  }),
  pgStatActivityCount: metric({
    name: "pg_stat_activity_count",
    type: "gauge",
    labels: ["datname", "state"],
    help: "PostgreSQL connections by database and state.",
    source: "postgres-exporter",
  }),
  probeSuccess: metric({
    name: "probe_success",
    type: "gauge",
    labels: [],
    help: "1 when the blackbox probe succeeded.",
    source: "blackbox-exporter",
  }),
  probeDuration: metric({
    name: "probe_duration_seconds",
    type: "gauge",
    labels: [],
    help: "How long the blackbox probe took.",
    unit: "seconds",
    source: "blackbox-exporter",
  }),
  up: metric({
    name: "up",
    type: "gauge",
    labels: [],
    help: "1 when Prometheus' last scrape of the target succeeded.",
    source: "prometheus",
  }),
} as const satisfies Record<string, MetricDefinition>;

export type CatalogKey = keyof typeof catalog;
export type CatalogMetric = (typeof catalog)[CatalogKey];

/** Labels every scraped series carries in addition to the declared ones. */
const TARGET_LABELS = ["job", "instance"] as const;

type LabelOf<M extends MetricDefinition> = M["labels"][number] | (typeof TARGET_LABELS)[number];

export type Matcher = string | { re: string } | { not: string } | { notRe: string };

function renderMatcher(label: string, m: Matcher): string {
  if (typeof m === "string") return `${label}=${JSON.stringify(m)}`;
  if ("re" in m) return `${label}=~${JSON.stringify(m.re)}`;
  if ("not" in m) return `${label}!=${JSON.stringify(m.not)}`;
  return `${label}!~${JSON.stringify(m.notRe)}`;
}

const HISTOGRAM_SUFFIXES = ["bucket", "sum", "count"] as const;
type HistogramSuffix = (typeof HISTOGRAM_SUFFIXES)[number];

/**
 * A PromQL selector for a catalog metric. Only declared labels (plus job/instance, and `le` on a
 * histogram's buckets) may be matched; anything else is a type error and, for callers that bypass
 * the types, a thrown error.
 */
export function select<M extends MetricDefinition>(
  m: M,
  matchers: Partial<Record<LabelOf<M> | "le", Matcher>> = {},
  suffix?: M["type"] extends "histogram" ? HistogramSuffix : never,
): string {
  const allowed = new Set<string>([...m.labels, ...TARGET_LABELS, ...(suffix === "bucket" ? ["le"] : [])]);
  const parts = Object.entries(matchers)
    .filter((entry): entry is [string, Matcher] => entry[1] !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, matcher]) => {
      if (!allowed.has(label)) {
        throw new Error(`metric ${m.name} has no label ${JSON.stringify(label)} (declared: ${[...allowed].join(", ")})`);
      }
      return renderMatcher(label, matcher);
    });
  const name = suffix ? `${m.name}_${suffix}` : m.name;
  return parts.length ? `${name}{${parts.join(",")}}` : name;
}

/** Every series name the catalog makes available (histograms expand to their three series). */
export function catalogSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const m of Object.values(catalog) as MetricDefinition[]) {
    if (m.type === "histogram") for (const s of HISTOGRAM_SUFFIXES) names.add(`${m.name}_${s}`);
    else names.add(m.name);
  }
  return names;
}
