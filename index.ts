/**
 * The package entry: what another cdktf app imports to build on these constructs. Three layers,
 * as in the repository: the environment spec (validate a description, start from a preset), the
 * stacks (a whole environment as MonitoringStack + GrafanaStack), and the constructs (one service
 * as a Terraform docker container with its rendered config). Everything else is internal.
 */

// The spec: bottom floor, imports nothing else of ours.
export { environmentSpecSchema, ENVIRONMENT_NAMES } from "./spec/environment";
export type { EnvironmentInput, EnvironmentSpec } from "./spec/environment";
export type { ServicesSpec } from "./spec/services";
export { PRESETS } from "./spec/presets";
export { DEFAULT_OVERRIDE_FILE, EnvironmentError, loadAllEnvironments, loadEnvironment, OVERRIDE_FILE_VARIABLE } from "./spec/load";
export type { LoadOptions } from "./spec/load";
export { ALERT_NAMES, SEVERITIES } from "./spec/alert-knobs";
export type { AlertKnobs, AlertName, Severity } from "./spec/alert-knobs";
export { catalog } from "./spec/catalog";

// The stacks.
export { buildApp, synthesizeAll, synthesizeSpecs } from "./stacks/app";
export { MonitoringStack, monitoringStackName } from "./stacks/monitoring-stack";
export { GrafanaStack, grafanaStackName } from "./stacks/grafana-stack";
export { prometheusFiles, rulesFor } from "./stacks/monitoring-files";

// The constructs.
export { ServiceContainer, containerSettings } from "./constructs/common/service-container";
export type { ContainerSpecSettings, ServiceContainerProps } from "./constructs/common/service-container";
export { RenderedFiles } from "./constructs/common/rendered-files";
export { Alertmanager } from "./constructs/alertmanager";
export { BlackboxExporter } from "./constructs/blackbox-exporter";
export { Cadvisor } from "./constructs/cadvisor";
export { GrafanaConnection, GrafanaContent } from "./constructs/grafana";
export { GrafanaServer } from "./constructs/grafana-server";
export { Jaeger } from "./constructs/jaeger";
export { Loki } from "./constructs/loki";
export { NodeExporter } from "./constructs/node-exporter";
export { PostgresExporter } from "./constructs/postgres-exporter";
export { Prometheus } from "./constructs/prometheus";
export { Promtail } from "./constructs/promtail";
export { Pushgateway } from "./constructs/pushgateway";
export { RedisExporter } from "./constructs/redis-exporter";
export { Toxiproxy } from "./constructs/toxiproxy";
