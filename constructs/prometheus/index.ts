import { Construct } from "constructs";
import { container, image, volume } from "@cdktf/provider-docker";
import { formatDuration } from "../../rules/duration";
import { contentHash, RenderedFiles, uploadExact } from "../common/rendered-files";
import { PROMETHEUS_CONFIG_DIR } from "./config";
import { PrometheusSpec } from "./spec";

export const PROMETHEUS_IMAGE = "prom/prometheus:v3.5.0";
const DATA_DIR = "/prometheus";

export interface PrometheusProps {
  readonly environment: string;
  readonly spec: PrometheusSpec;
  /** Files to place in /etc/prometheus, keyed by path relative to it (prometheus.yml, rule files, tests). */
  readonly files: ReadonlyMap<string, string>;
  readonly networkName: string;
  /** Host address the UI is published on; loopback unless the environment says otherwise. */
  readonly publishAddress?: string;
  readonly publishPort?: number;
  readonly image?: string;
}

/** The flags the container runs with; also started for real in the tests against Prometheus 3.5. */
export function prometheusFlags(spec: PrometheusSpec, configDir = PROMETHEUS_CONFIG_DIR, dataDir = DATA_DIR): string[] {
  return [
    `--config.file=${configDir}/prometheus.yml`,
    `--storage.tsdb.path=${dataDir}`,
    `--storage.tsdb.retention.time=${formatDuration(spec.retentionTime)}`,
    ...(spec.retentionSize ? [`--storage.tsdb.retention.size=${spec.retentionSize}`] : []),
    "--web.enable-lifecycle",
    "--web.listen-address=0.0.0.0:9090",
  ];
}

/** Prometheus 3.5 LTS in a container: config uploaded byte-exact, TSDB on a named volume. */
export class Prometheus extends Construct {
  readonly container: container.Container;
  readonly dataVolume: volume.Volume;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const rendered = RenderedFiles.of(this);
    for (const [p, content] of props.files) rendered.add(`prometheus/${p}`, content);
    const img = new image.Image(this, "image", { name: props.image ?? PROMETHEUS_IMAGE, keepLocally: true });
    this.dataVolume = new volume.Volume(this, "data", { name: `civicpulse-${props.environment}-prometheus-data` });
    const healthcheck = {
      test: ["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9090/-/ready"],
      interval: "15s",
      timeout: "5s",
      retries: 5,
      startPeriod: "30s",
    };
    const uploads = [...props.files.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([p, content]) => uploadExact(`${PROMETHEUS_CONFIG_DIR}/${p}`, content));
    this.container = new container.Container(this, "container", {
      name: `civicpulse-${props.environment}-prometheus`,
      image: img.imageId,
      command: prometheusFlags(props.spec),
      restart: "unless-stopped",
      memory: 2048,
      cpuShares: 1024,
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
      upload: uploads,
      volumes: [{ volumeName: this.dataVolume.name, containerPath: DATA_DIR }],
      networksAdvanced: [{ name: props.networkName, aliases: ["prometheus"] }],
      ports: [{ internal: 9090, external: props.publishPort ?? 9090, ip: props.publishAddress ?? "127.0.0.1" }],
      healthcheck,
      // The docker provider neither applies healthcheck edits in place nor shows upload edits
      // plainly; a label carrying a hash of both makes every such change a visible replacement.
      labels: [
        { label: "civicpulse.environment", value: props.environment },
        { label: "civicpulse.config-hash", value: contentHash(JSON.stringify(healthcheck), ...uploads.map((u) => u.file + u.contentBase64)) },
      ],
    });
  }
}
