import { Duration, formatDuration } from "../../spec/duration";
import { BLACKBOX_MODULES, DETAILED_HEALTH_PATH, HEALTH_PATHS, JOBS } from "../../spec/jobs";
import { toYaml } from "../../serialize/yaml";
import { PATH_ID_REPLACEMENT, PATH_ID_SEGMENT, PATH_NORMALIZE_PASSES } from "../../rules/paths";
import { METRICS_PATH_DEFAULTS, PrometheusSpec, ScrapeLimits, TargetsSpec } from "../../spec/prometheus";

/** Where the rendered rule files live inside the Prometheus container (and beside prometheus.yml). */
export const PROMETHEUS_CONFIG_DIR = "/etc/prometheus";

export interface ScrapeConfigInput {
  readonly environment: string;
  readonly prometheus: PrometheusSpec;
  readonly targets: TargetsSpec;
  /** Rule file names relative to prometheus.yml. */
  readonly ruleFiles: readonly string[];
  /** Alertmanager targets Prometheus sends alerts to (host:port). */
  readonly alertmanagers: readonly string[];
  /** HA (constructs/prometheus/ha.ts): this replica's own external labels, e.g. { replica: "a" }. */
  readonly replicaLabels?: Readonly<Record<string, string>>;
  /** alerting.alert_relabel_configs (drops the replica label so the pair's alerts are one alert). */
  readonly alertRelabelConfigs?: ReadonlyArray<Record<string, unknown>>;
  /** remote_write entries (constructs/thanos/config.ts renderRemoteWrite). */
  readonly remoteWrite?: ReadonlyArray<Record<string, unknown>>;
}

type Job = Record<string, unknown>;

/** Labels that never belong on a metric: unbounded per request or user. */
const UNBOUNDED_LABELS = "request_id|trace_id|span_id|session_id|user_id|user|email|ip|client_ip";

/**
 * The app is expected to normalize paths (the civicpulse_monitoring middleware applies the same
 * rules, generated from rules/paths.ts); this is the safety net for an app that does not.
 */
const normalizePathRule = {
  source_labels: ["path"],
  regex: PATH_ID_SEGMENT,
  target_label: "path",
  replacement: PATH_ID_REPLACEMENT,
};
const normalizePathRules = Array.from({ length: PATH_NORMALIZE_PASSES }, () => normalizePathRule);

/** prometheus_client's `_created` companions: one extra sample per counter and histogram child, never queried. */
const dropCreatedSeries = { source_labels: ["__name__"], regex: ".+_created", action: "drop" };

const dropUnboundedLabels = { action: "labeldrop", regex: UNBOUNDED_LABELS };

/** cAdvisor families nobody graphs here but that multiply per container, CPU and interface. */
const CADVISOR_DROPPED_FAMILIES =
  "container_(tasks_state|memory_failures_total|blkio_device_usage_total|network_(receive|transmit)_(errors|packets_dropped)_total|fs_.*)";

function limitsFor(job: string, spec: PrometheusSpec): Job {
  const l: ScrapeLimits = { ...spec.limits, ...spec.jobLimits[job] };
  return {
    sample_limit: l.sampleLimit,
    label_limit: l.labelLimit,
    label_name_length_limit: l.labelNameLengthLimit,
    label_value_length_limit: l.labelValueLengthLimit,
  };
}

function staticJob(job: string, targets: readonly string[], spec: PrometheusSpec, extra: Job = {}): Job {
  const metricsPath = spec.metricsPaths[job] ?? METRICS_PATH_DEFAULTS[job];
  return {
    job_name: job,
    ...(metricsPath !== undefined ? { metrics_path: metricsPath } : {}),
    ...extra,
    ...limitsFor(job, spec),
    static_configs: [{ targets: [...targets] }],
  };
}

/** A blackbox probe job: targets are URLs, the exporter is the scrape address. */
function probeJob(job: string, module: string, urls: string[], input: ScrapeConfigInput): Job {
  return {
    job_name: job,
    metrics_path: "/probe",
    params: { module: [module] },
    scrape_interval: d(input.prometheus.probeInterval),
    scrape_timeout: d(minDuration(input.prometheus.probeInterval, input.prometheus.scrapeTimeout)),
    ...limitsFor(job, input.prometheus),
    static_configs: [{ targets: urls }],
    relabel_configs: [
      { source_labels: ["__address__"], target_label: "__param_target" },
      { source_labels: ["__param_target"], target_label: "instance" },
      { source_labels: ["__param_target"], regex: "https?://[^/]+(/.*)", target_label: "endpoint", replacement: "$1" },
      { target_label: "__address__", replacement: input.targets.blackboxExporter },
    ],
  };
}

const d = formatDuration;
const minDuration = (a: Duration, b: Duration): Duration => (a < b ? a : b);

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

/** Renders prometheus.yml for Prometheus 3.x. Pure: the same input gives the same bytes. */
export function renderPrometheusConfig(input: ScrapeConfigInput): string {
  const { prometheus: spec, targets } = input;
  const config = {
    global: {
      scrape_interval: d(spec.scrapeInterval),
      scrape_timeout: d(spec.scrapeTimeout),
      evaluation_interval: d(spec.evaluationInterval),
      external_labels: { environment: input.environment, ...spec.externalLabels, ...input.replicaLabels },
    },
    rule_files: [...input.ruleFiles],
    alerting: {
      ...(input.alertRelabelConfigs?.length ? { alert_relabel_configs: [...input.alertRelabelConfigs] } : {}),
      alertmanagers: [{ api_version: "v2", static_configs: [{ targets: [...input.alertmanagers] }] }],
    },
    ...(input.remoteWrite?.length ? { remote_write: [...input.remoteWrite] } : {}),
    scrape_configs: [
      staticJob(JOBS.prometheus, targets.prometheus, spec),
      staticJob(JOBS.app, targets.app, spec, {
        metric_relabel_configs: [dropCreatedSeries, dropUnboundedLabels, ...normalizePathRules],
      }),
      staticJob(JOBS.appOtel, targets.appOtel, spec, {
        metric_relabel_configs: [dropCreatedSeries, dropUnboundedLabels],
      }),
      staticJob(JOBS.nodeExporter, targets.nodeExporter, spec),
      staticJob(JOBS.cadvisor, targets.cadvisor, spec, {
        metric_relabel_configs: [
          { source_labels: ["__name__"], regex: CADVISOR_DROPPED_FAMILIES, action: "drop" },
          // Docker labels copied onto every series are unbounded; the container name is enough.
          { action: "labeldrop", regex: "container_label_.+" },
        ],
      }),
      staticJob(JOBS.redisExporter, targets.redisExporter, spec),
      staticJob(JOBS.postgresExporter, targets.postgresExporter, spec),
      probeJob(
        JOBS.blackboxHealth,
        BLACKBOX_MODULES.http2xx,
        HEALTH_PATHS.map((p) => joinUrl(targets.appBaseUrl, p)),
        input,
      ),
      probeJob(
        JOBS.blackboxHealthDetailed,
        BLACKBOX_MODULES.healthDetailed,
        [joinUrl(targets.appBaseUrl, DETAILED_HEALTH_PATH)],
        input,
      ),
      staticJob(JOBS.blackboxExporter, [targets.blackboxExporter], spec),
      // Pushed series carry the job and run labels the pipeline set; keep them.
      staticJob(JOBS.pushgateway, targets.pushgateway, spec, { honor_labels: true }),
      staticJob(JOBS.alertmanager, targets.alertmanager, spec),
      staticJob(JOBS.grafana, targets.grafana, spec),
      staticJob(JOBS.loki, targets.loki, spec),
      staticJob(JOBS.jaeger, targets.jaeger, spec),
      staticJob(JOBS.promtail, targets.promtail, spec),
    ],
  };
  return toYaml(config, `Prometheus configuration for CivicPulse (${input.environment}). Generated: edit the environment spec, not this file.`);
}
