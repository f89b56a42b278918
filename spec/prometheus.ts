import { z } from "zod";
import { durationSchema, positiveDurationSchema } from "./duration";
import { APP_METRICS_PATH, JOBS } from "./jobs";

/** Jobs whose targets serve metrics somewhere other than Prometheus' default /metrics. */
export const METRICS_PATH_DEFAULTS: Readonly<Record<string, string>> = { [JOBS.app]: APP_METRICS_PATH };

/**
 * What Prometheus scrapes and how: targets per job, intervals, and the cardinality guards the
 * report promises. Targets are host:port strings as Prometheus reaches them (container aliases on
 * the monitoring network by default; anything on an environment override or env variable).
 */

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'a host:port such as "node-exporter:9100"')
  .refine((s) => inPortRange(Number(s.slice(s.lastIndexOf(":") + 1))), "a port from 1 to 65535");
function inPortRange(port: number): boolean {
  return port >= 1 && port <= 65535;
}
const targetList = (defaults: string[]) => z.array(hostPort).max(1000).default(defaults);

const httpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });

export const targetsSpecSchema = z
  .strictObject({
    prometheus: targetList(["localhost:9090"]),
    /** The Django app's /metrics/ endpoints (django-prometheus and the civicpulse_* metrics). */
    app: targetList(["civicpulse-web:8000"]),
    /** The app's OpenTelemetry Prometheus exporter (opentelemetry-exporter-prometheus listens on 9464). */
    appOtel: targetList(["civicpulse-web:9464"]),
    /** Base URL the blackbox exporter probes the health endpoints under. */
    appBaseUrl: httpUrl.default("http://civicpulse-web:8000"),
    nodeExporter: targetList(["node-exporter:9100"]),
    cadvisor: targetList(["cadvisor:8080"]),
    redisExporter: targetList(["redis-exporter:9121"]),
    postgresExporter: targetList(["postgres-exporter:9187"]),
    blackboxExporter: hostPort.default("blackbox-exporter:9115"),
    pushgateway: targetList(["pushgateway:9091"]),
    alertmanager: targetList(["alertmanager:9093"]),
    grafana: targetList(["grafana:3000"]),
    loki: targetList(["loki:3100"]),
    /** Jaeger v2 exposes its own (OpenTelemetry collector) metrics on 8888. */
    jaeger: targetList(["jaeger:8888"]),
    promtail: targetList(["promtail:9080"]),
  })
  .prefault({});

/** Per-job guards: a target that exceeds them fails its scrape instead of flooding the TSDB. */
// Each field has its own default, so an override may set one of them (prometheus.limits.sampleLimit).
const limit = (max: number) => z.number().int().min(0).max(max);
const LIMIT_MAX = { sampleLimit: 100_000_000, labelLimit: 1000, labelNameLengthLimit: 65_536, labelValueLengthLimit: 1_048_576 } as const;
const limitsSchema = z.strictObject({
  sampleLimit: limit(LIMIT_MAX.sampleLimit).default(10_000),
  labelLimit: limit(LIMIT_MAX.labelLimit).default(30),
  labelNameLengthLimit: limit(LIMIT_MAX.labelNameLengthLimit).default(128),
  labelValueLengthLimit: limit(LIMIT_MAX.labelValueLengthLimit).default(512),
});
const jobLimitsSchema = z.strictObject({
  sampleLimit: limit(LIMIT_MAX.sampleLimit).optional(),
  labelLimit: limit(LIMIT_MAX.labelLimit).optional(),
  labelNameLengthLimit: limit(LIMIT_MAX.labelNameLengthLimit).optional(),
  labelValueLengthLimit: limit(LIMIT_MAX.labelValueLengthLimit).optional(),
});
export type ScrapeLimits = z.output<typeof limitsSchema>;

const KNOWN_JOBS = new Set<string>(Object.values(JOBS));
const metricsPathSchema = z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/, 'an absolute URL path such as "/metrics"');

export const prometheusSpecSchema = z
  .strictObject({
    scrapeInterval: positiveDurationSchema.prefault("15s"),
    scrapeTimeout: positiveDurationSchema.prefault("10s"),
    evaluationInterval: positiveDurationSchema.prefault("15s"),
    /** Probes of the health endpoints run more often than scrapes so a 2m `for` sees enough samples. */
    probeInterval: positiveDurationSchema.prefault("15s"),
    retentionTime: durationSchema.prefault("15d"),
    /**
     * --rules.alert.resend-delay, Prometheus's own default (1m) unless set. An alert that fires
     * before Prometheus has discovered Alertmanager (static configs are applied about 5 s after
     * start) is dropped and only sent again after this delay: the Watchdog at startup.
     */
    alertResendDelay: positiveDurationSchema.optional(),
    /** Size-based retention, Prometheus syntax ("10GB"); empty disables it. */
    retentionSize: z.string().regex(/^(\d+(KB|MB|GB|TB|PB|EB|B))?$/, 'a size such as "10GB"').default(""),
    externalLabels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
    /**
     * Identical Prometheus servers (same scrapes, same rules), each with its own `replica` external
     * label; more than one needs a store (store.kind) that deduplicates on it. See constructs/prometheus/ha.ts.
     */
    replicas: z.number().int().min(1).max(5).default(1),
    /** Default limits for every job; `jobLimits` overrides them per job name. */
    limits: limitsSchema.prefault({}),
    /**
     * Per-job scrape path, over METRICS_PATH_DEFAULTS (the app job: what the civicpulse_monitoring
     * package serves); an app on django-prometheus would set `"civicpulse-app": "/metrics"`.
     */
    metricsPaths: z
      .record(z.string(), metricsPathSchema)
      .superRefine((paths, ctx) => {
        for (const j of Object.keys(paths)) {
          if (!KNOWN_JOBS.has(j)) ctx.addIssue({ code: "custom", path: [j], message: `unknown job ${JSON.stringify(j)} (known: ${[...KNOWN_JOBS].join(", ")})` });
        }
      })
      .default({}),
    jobLimits: z.record(z.string(), jobLimitsSchema).default({
      cadvisor: { sampleLimit: 50_000 },
      // Measured (scripts/bench-django.ts): ~133 samples at start plus 16 per (method, path) pair
      // and 1 per further status, so 40k holds ~2,400 paths; 20k failed the scrape at ~1,200.
      "civicpulse-app": { sampleLimit: 40_000 },
      "node-exporter": { sampleLimit: 20_000 },
    }),
  })
  .refine((p) => p.scrapeTimeout <= p.scrapeInterval, {
    message: "scrapeTimeout must not be longer than scrapeInterval",
    path: ["scrapeTimeout"],
  })
  .prefault({});

export type TargetsSpec = z.output<typeof targetsSpecSchema>;
export type PrometheusSpec = z.output<typeof prometheusSpecSchema>;
