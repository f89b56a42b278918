import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, ServiceContainer, wgetHealthcheck } from "../common/service-container";
import { blackboxExporterCommand, renderBlackboxConfig } from "./config";
import { BLACKBOX_CONFIG_PATH, BLACKBOX_PORT } from "../../spec/blackbox-exporter";

export interface BlackboxExporterProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["blackboxExporter"];
}

/** blackbox_exporter (prom/blackbox-exporter, busybox-based: wget healthcheck on /-/healthy). */
export class BlackboxExporter extends ServiceContainer {
  constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id, {
      environment: props.environment,
      service: "blackbox-exporter",
      ...containerSettings(props.spec),
      command: blackboxExporterCommand(),
      files: [{ containerPath: BLACKBOX_CONFIG_PATH, content: renderBlackboxConfig(props.spec.config) }],
      ports: [{ internal: BLACKBOX_PORT, external: props.spec.ports.metrics }],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${BLACKBOX_PORT}/-/healthy`),
    });
  }
}
