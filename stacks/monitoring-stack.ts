import { Construct } from "constructs";
import { dependable, TerraformOutput, TerraformStack } from "cdktf";
import * as network from "@cdktf/provider-docker/lib/network";
import * as provider from "@cdktf/provider-docker/lib/provider";
import { Alertmanager } from "../constructs/alertmanager";
import { BlackboxExporter } from "../constructs/blackbox-exporter";
import { Cadvisor } from "../constructs/cadvisor";
import { ServiceContainer } from "../constructs/common/service-container";
import { terraformLiteral, terraformLiterals } from "../constructs/common/terraform-string";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { GrafanaServer } from "../constructs/grafana-server";
import { Jaeger } from "../constructs/jaeger";
import { Loki } from "../constructs/loki";
import { NodeExporter } from "../constructs/node-exporter";
import { PostgresExporter } from "../constructs/postgres-exporter";
import { Prometheus } from "../constructs/prometheus";
import { Promtail } from "../constructs/promtail";
import { Pushgateway } from "../constructs/pushgateway";
import { RedisExporter } from "../constructs/redis-exporter";
import { Toxiproxy } from "../constructs/toxiproxy";
import { alertmanagerPeerName } from "../constructs/alertmanager/ha";
import { prometheusReplicaName } from "../constructs/prometheus/ha";
import { receiveNodeName, ThanosQuery, ThanosReceive, THANOS_PORTS, THANOS_QUERY_NAME } from "../constructs/thanos";
import { renderRunbook, renderRunbookIndex } from "../rules/runbooks";
import { EnvironmentSpec } from "../spec/environment";
import { prometheusConfigFile, prometheusFiles, rulesFor } from "./monitoring-files";
import { RULE_TESTS_DIR } from "../rules/render";
import { applyBackend } from "./backend";
import { applyProviderVersions } from "./providers";

export const monitoringStackName = (env: string) => `monitoring-${env}`;

/** The environment variables the Django app needs to send its telemetry to this stack. Pure. */
export function appTelemetryEnv(spec: EnvironmentSpec): Record<string, string> {
  const app = spec.services.app;
  const jaeger = spec.services.jaeger.config.ports;
  const endpoint =
    app.otlpEndpoint ?? (app.otlpProtocol === "grpc" ? `http://jaeger:${jaeger.otlpGrpc}` : `http://jaeger:${jaeger.otlpHttp}`);
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: app.otlpProtocol,
    OTEL_SERVICE_NAME: app.serviceName,
    OTEL_RESOURCE_ATTRIBUTES: `service.name=${app.serviceName},deployment.environment=${spec.name},deployment.environment.name=${spec.name}`,
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: String(app.traceSampleRatio),
  };
}

/** URL of a published port as seen from the Docker host. */
function publishedUrl(svc: ServiceContainer, internal: number, suffix = ""): string | undefined {
  const port = svc.runtime.ports.find((p) => p.internal === internal);
  if (!port || port.external === null) return undefined;
  const a = svc.runtime.publishAddress;
  const host = a === "0.0.0.0" || a === "::" ? "127.0.0.1" : a.includes(":") ? `[${a}]` : a;
  return `http://${host}:${port.external}${suffix}`;
}

/** One environment's monitoring stack on a Docker host. */
export class MonitoringStack extends TerraformStack {
  readonly prometheus: Prometheus;
  /** Every service container of the stack, by service name. */
  readonly services: Record<string, ServiceContainer> = {};

  constructor(scope: Construct, spec: EnvironmentSpec) {
    super(scope, monitoringStackName(spec.name));
    applyBackend(this, monitoringStackName(spec.name), spec.terraformBackend);
    // The Docker host comes from the standard DOCKER_HOST variable at plan time, never from code.
    new provider.DockerProvider(this, "docker", {});
    applyProviderVersions(this, spec.providers);
    const net = new network.Network(this, "network", { name: `civicpulse-${spec.name}-monitoring`, driver: "bridge" });
    const s = spec.services;
    const common = { environment: spec.name, networkName: net.name };
    const rules = rulesFor(spec);

    // The promtool tests are for reviewers and CI, not for the running server: they are written
    // beside the config in rendered/ but not uploaded, so editing a test case restarts nothing.
    const files = prometheusFiles(spec, rules);
    const isTest = (p: string) => p.startsWith(`${RULE_TESTS_DIR}/`);
    this.prometheus = new Prometheus(this, "prometheus", {
      ...common,
      spec: spec.prometheus,
      files: new Map([...files].filter(([p]) => !isTest(p))),
      container: s.prometheus,
    });
    for (const [p, content] of files) if (isTest(p)) RenderedFiles.of(this).add(`prometheus/${p}`, content);
    // HA (README "High availability and scale"): replica 0 is the server above, unchanged in name
    // and address; each further replica differs only in its `replica` label and remote_write URL.
    const replicas: Prometheus[] = [this.prometheus];
    for (let i = 1; i < spec.prometheus.replicas; i++) {
      const name = prometheusReplicaName(i);
      // Only the scrape config differs; the rule files are replica 0's.
      const replicaFiles = new Map([...files, ["prometheus.yml", prometheusConfigFile(spec, { index: i })]]);
      replicas.push(
        new Prometheus(this, name, {
          ...common,
          service: name,
          spec: spec.prometheus,
          files: new Map([...replicaFiles].filter(([p]) => !isTest(p))),
          // Only the first replica's UI is published; the deduplicated view is Thanos Query's.
          container: { ...s.prometheus, ports: { ui: null } },
        }),
      );
    }
    const all: ServiceContainer[] = [...replicas];
    if (s.alertmanager.enabled) {
      const peers = Array.from({ length: s.alertmanager.cluster.peers }, (_, i) =>
        new Alertmanager(this, i === 0 ? "alertmanager" : alertmanagerPeerName(i), { ...common, spec: s.alertmanager, peer: i }),
      );
      // Prometheus sends an alert once when it starts firing and then only every resend delay (1 min):
      // started before Alertmanager listens, the Watchdog heartbeat was lost for that minute.
      for (const prom of replicas) prom.container.dependsOn = [...(prom.container.dependsOn ?? []), ...peers.map((am) => dependable(am.container))];
      all.push(...peers);
    }
    if (spec.store.kind === "thanos-receive") {
      const store = spec.store;
      const nodes = Array.from({ length: store.receive.nodes }, (_, i) => new ThanosReceive(this, receiveNodeName(i), { ...common, store, index: i }));
      all.push(...nodes, new ThanosQuery(this, THANOS_QUERY_NAME, { ...common, store }));
    }
    if (s.grafana.enabled) all.push(new GrafanaServer(this, "grafana", { ...common, spec: s.grafana, rootUrl: spec.grafanaUrl }));
    if (s.jaeger.enabled) all.push(new Jaeger(this, "jaeger", { ...common, spec: s.jaeger }));
    if (s.loki.enabled) all.push(new Loki(this, "loki", { ...common, spec: s.loki }));
    if (s.promtail.enabled) all.push(new Promtail(this, "promtail", { ...common, spec: s.promtail }));
    if (s.nodeExporter.enabled) all.push(new NodeExporter(this, "node-exporter", { ...common, spec: s.nodeExporter }));
    if (s.cadvisor.enabled) all.push(new Cadvisor(this, "cadvisor", { ...common, spec: s.cadvisor }));
    if (s.redisExporter.enabled) all.push(new RedisExporter(this, "redis-exporter", { ...common, spec: s.redisExporter }));
    if (s.postgresExporter.enabled) all.push(new PostgresExporter(this, "postgres-exporter", { ...common, spec: s.postgresExporter }));
    if (s.blackboxExporter.enabled) all.push(new BlackboxExporter(this, "blackbox-exporter", { ...common, spec: s.blackboxExporter }));
    if (s.pushgateway.enabled) all.push(new Pushgateway(this, "pushgateway", { ...common, spec: s.pushgateway }));
    if (s.toxiproxy.enabled) all.push(new Toxiproxy(this, "toxiproxy", { ...common, spec: s.toxiproxy }));
    for (const svc of all) this.services[svc.runtime.service] = svc;

    const rendered = RenderedFiles.of(this);
    rendered.add("runbooks/README.md", renderRunbookIndex(rules.alerts));
    for (const a of rules.alerts) rendered.add(`runbooks/${a.alert}.md`, renderRunbook(a, spec.name));

    // The UIs and APIs people open, as published on the Docker host (loopback by default).
    const uis: Array<[string, string, number, string]> = [
      ["prometheus_url", "prometheus", 9090, "Prometheus UI"],
      ["alertmanager_url", "alertmanager", 9093, "Alertmanager UI"],
      ["grafana_url", "grafana", 3000, "Grafana"],
      ["jaeger_url", "jaeger", s.jaeger.config.ports.ui, "Jaeger UI"],
      ["loki_url", "loki", s.loki.config.httpPort, "Loki HTTP API (query it from Grafana)"],
      ["pushgateway_url", "pushgateway", 9091, "Pushgateway (CI pushes its run metrics here)"],
      ["toxiproxy_api_url", "toxiproxy", 8474, "Toxiproxy API (chaos tests add toxics here)"],
      ["cadvisor_url", "cadvisor", 8080, "cAdvisor UI"],
      ["thanos_query_url", THANOS_QUERY_NAME, THANOS_PORTS.http, "Thanos Query: the deduplicated view of the Prometheus pair and the long-term store"],
    ];
    for (const [name, service, port, description] of uis) {
      const svc = this.services[service];
      const url = svc && publishedUrl(svc, port);
      if (url) new TerraformOutput(this, name, { value: terraformLiteral(url), description: `${description} (published on ${svc.runtime.publishAddress})` });
    }
    new TerraformOutput(this, "app_telemetry_env", {
      value: terraformLiterals(appTelemetryEnv(spec)),
      description: "Environment variables for the CivicPulse Django app: OTLP export to this stack's Jaeger, resource attributes, trace sampling",
    });
  }
}
