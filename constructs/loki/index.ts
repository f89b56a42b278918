import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, Healthcheck, ServiceContainer } from "../common/service-container";
import { lokiCommand, renderLokiConfig } from "./config";
import { LOKI_CONFIG_PATH, LOKI_DATA_DIR } from "../../spec/loki";

export interface LokiProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["loki"];
}

/**
 * The healthcheck. grafana/loki is distroless since 3.6 (no shell, wget or curl), so the check is
 * Loki's own `-health` mode (added for exactly this, grafana/loki#20313, in 3.7 and backported to
 * 3.6.x): it GETs /ready and exits 0 or 1, without reading the config.
 */
export function lokiHealthcheck(httpPort: number): Healthcheck {
  return { test: ["CMD", "/usr/bin/loki", "-health", `-health.url=http://127.0.0.1:${httpPort}/ready`] };
}

/** Loki 3 single binary; chunks, TSDB index, WAL and compactor state on one named volume. */
export class Loki extends ServiceContainer {
  constructor(scope: Construct, id: string, props: LokiProps) {
    const cfg = props.spec.config;
    super(scope, id, {
      environment: props.environment,
      service: "loki",
      ...containerSettings(props.spec),
      command: lokiCommand(),
      files: [{ containerPath: LOKI_CONFIG_PATH, content: renderLokiConfig(cfg) }],
      volumes: [{ name: "data", containerPath: LOKI_DATA_DIR }],
      ports: [{ internal: cfg.httpPort, external: props.spec.ports.http }],
      networkName: props.networkName,
      healthcheck: { ...lokiHealthcheck(cfg.httpPort), startPeriod: "60s" },
    });
  }
}
