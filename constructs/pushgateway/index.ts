import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, ServiceContainer, wgetHealthcheck } from "../common/service-container";

export const PUSHGATEWAY_PORT = 9091;
/** The image's working directory, owned by nobody (the user it runs as); the volume mounts here. */
export const PUSHGATEWAY_DATA_DIR = "/pushgateway";

export function pushgatewayCommand(): string[] {
  return [
    `--web.listen-address=:${PUSHGATEWAY_PORT}`,
    `--persistence.file=${PUSHGATEWAY_DATA_DIR}/metrics.store`,
    "--persistence.interval=1m",
  ];
}

export interface PushgatewayProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["pushgateway"];
}

/** Pushgateway (busybox-based: wget on /-/ready). CI pushes here; pushed groups persist on a volume. */
export class Pushgateway extends ServiceContainer {
  constructor(scope: Construct, id: string, props: PushgatewayProps) {
    super(scope, id, {
      environment: props.environment,
      service: "pushgateway",
      ...containerSettings(props.spec),
      command: pushgatewayCommand(),
      volumes: [{ name: "data", containerPath: PUSHGATEWAY_DATA_DIR }],
      ports: [{ internal: PUSHGATEWAY_PORT, external: props.spec.ports.api }],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${PUSHGATEWAY_PORT}/-/ready`),
    });
  }
}
