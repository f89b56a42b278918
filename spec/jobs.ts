/**
 * Scrape job names: the contract between prometheus.yml (which sets `job`) and the rules and
 * dashboards (which select on it). Both sides import these constants.
 */
export const JOBS = {
  prometheus: "prometheus",
  app: "civicpulse-app",
  appOtel: "civicpulse-otel",
  nodeExporter: "node-exporter",
  cadvisor: "cadvisor",
  redisExporter: "redis-exporter",
  postgresExporter: "postgres-exporter",
  blackboxHealth: "blackbox-health",
  blackboxHealthDetailed: "blackbox-health-detailed",
  blackboxExporter: "blackbox-exporter",
  pushgateway: "pushgateway",
  alertmanager: "alertmanager",
  grafana: "grafana",
  loki: "loki",
  jaeger: "jaeger",
  promtail: "promtail",
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Where the civicpulse_monitoring Django package serves its Prometheus metrics (the app job's default metrics_path). */
export const APP_METRICS_PATH = "/metrics/";

/** The health endpoints of the CivicPulse app that blackbox probes. */
export const HEALTH_PATHS = ["/health/", "/health/ready/", "/health/live/"] as const;
export const DETAILED_HEALTH_PATH = "/health/detailed/";

/** Blackbox exporter module names, shared by prometheus.yml and blackbox.yml. */
export const BLACKBOX_MODULES = {
  http2xx: "http_2xx",
  healthDetailed: "http_health_detailed",
  tcpConnect: "tcp_connect",
} as const;
