import { Construct } from "constructs";
import { dependable } from "cdktf";
import * as image from "@cdktf/provider-docker/lib/image";
import { formatDuration } from "../../spec/duration";
import type { ServicesSpec } from "../../spec/services";
import { RenderedFiles } from "../common/rendered-files";
import { ServiceContainer, wgetHealthcheck } from "../common/service-container";
import { webConfigParts } from "../common/web-config";
import { ConfigLoader } from "./config-loader";
import { PROMETHEUS_CONFIG_DIR } from "./config";
import { PrometheusSpec } from "../../spec/prometheus";

export const PROMETHEUS_IMAGE = "prom/prometheus:v3.5.0";
export const PROMETHEUS_PORT = 9090;
const DATA_DIR = "/prometheus";

export interface PrometheusProps {
  readonly environment: string;
  readonly spec: PrometheusSpec;
  /** Files to place in /etc/prometheus, keyed by path relative to it (prometheus.yml and the rule files). */
  readonly files: ReadonlyMap<string, string>;
  readonly networkName: string;
  /** Service name (container alias, volume names); "prometheus" unless a replica of a pair (ha.ts). */
  readonly service?: string;
  /** Container settings (image, port, limits); defaults when absent. */
  readonly container?: Partial<Pick<ServicesSpec["prometheus"], "image" | "digest" | "publishAddress" | "memoryMb" | "cpus" | "hardening" | "webConfig" | "reloadConfigInPlace">> & {
    readonly ports?: { readonly ui: number | null };
  };
}

/** The flags the container runs with; also started for real in the tests against Prometheus 3.5. */
export function prometheusFlags(spec: PrometheusSpec, configDir = PROMETHEUS_CONFIG_DIR, dataDir = DATA_DIR): string[] {
  return [
    `--config.file=${configDir}/prometheus.yml`,
    `--storage.tsdb.path=${dataDir}`,
    `--storage.tsdb.retention.time=${formatDuration(spec.retentionTime)}`,
    ...(spec.retentionSize ? [`--storage.tsdb.retention.size=${spec.retentionSize}`] : []),
    ...(spec.alertResendDelay !== undefined ? [`--rules.alert.resend-delay=${formatDuration(spec.alertResendDelay)}`] : []),
    "--web.enable-lifecycle",
    `--web.listen-address=0.0.0.0:${PROMETHEUS_PORT}`,
  ];
}

/** Prometheus 3.5 LTS in a container (busybox-based image: wget healthcheck): config byte-exact, TSDB on a named volume. */
export class Prometheus extends ServiceContainer {
  /** The TSDB volume (`civicpulse-<env>-prometheus-data`). */
  readonly dataVolume;

  /** The loader that ships config changes in place (services.prometheus.reloadConfigInPlace). */
  readonly configLoader?: ConfigLoader;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    const c = props.container ?? {};
    const web = c.webConfig && webConfigParts(scope, "prometheus", c.webConfig, `${PROMETHEUS_CONFIG_DIR}/web`, "/-/ready", PROMETHEUS_PORT);
    const inPlace = c.reloadConfigInPlace === true;
    const service = props.service ?? "prometheus";
    const files = [...props.files.entries()].map(([p, content]) => ({ containerPath: `${PROMETHEUS_CONFIG_DIR}/${p}`, content, renderedPath: p }));
    super(scope, id, {
      environment: props.environment,
      service,
      image: c.image ?? PROMETHEUS_IMAGE,
      digest: c.digest,
      command: [...prometheusFlags(props.spec), ...(web?.flags ?? [])],
      secretFiles: web?.secretFiles,
      // In place: the files reach /etc/prometheus through the config volume the loader writes, not uploads.
      files: inPlace ? [] : files,
      volumes: [{ name: "data", containerPath: DATA_DIR }, ...(inPlace ? [{ name: "config", containerPath: PROMETHEUS_CONFIG_DIR }] : [])],
      ports: [{ internal: PROMETHEUS_PORT, external: c.ports === undefined ? PROMETHEUS_PORT : c.ports.ui }],
      publishAddress: c.publishAddress,
      networkName: props.networkName,
      healthcheck: web?.healthcheck ?? wgetHealthcheck(`http://127.0.0.1:${PROMETHEUS_PORT}/-/ready`),
      memoryMb: c.memoryMb ?? 2048,
      cpus: c.cpus ?? 1,
      hardening: c.hardening,
    });
    this.dataVolume = this.volumes.data;
    if (inPlace) {
      for (const f of files) RenderedFiles.of(this).add(`${service}/${f.renderedPath}`, f.content);
      this.configLoader = new ConfigLoader(this, "config-loader", {
        environment: props.environment,
        service,
        // The image resource, not the container's attribute: that would make the loader depend on the server.
        imageId: (this.node.findChild("image") as image.Image).imageId,
        networkName: props.networkName,
        volume: this.volumes.config,
        configDir: PROMETHEUS_CONFIG_DIR,
        files: props.files,
        reloadUrl: `http://${service}:${PROMETHEUS_PORT}/-/reload`,
        user: "65534",
      });
      this.container.dependsOn = [...(this.container.dependsOn ?? []), dependable(this.configLoader.container)];
    }
  }
}
