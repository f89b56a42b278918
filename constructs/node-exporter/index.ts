import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, ServiceContainer, wgetHealthcheck } from "../common/service-container";

export const NODE_EXPORTER_PORT = 9100;
/** The host's root filesystem, mounted read-only (rslave, so later host mounts appear). */
export const NODE_EXPORTER_HOST_ROOT = "/host";

/** Flags of the container: host paths under /host (null: the host root is not mounted, defaults apply). */
export function nodeExporterCommand(hostRoot: string | null = NODE_EXPORTER_HOST_ROOT): string[] {
  const paths = hostRoot === null ? [] : [`--path.rootfs=${hostRoot}`, `--path.procfs=${hostRoot}/proc`, `--path.sysfs=${hostRoot}/sys`];
  return [
    ...paths,
    `--web.listen-address=:${NODE_EXPORTER_PORT}`,
  ];
}

export interface NodeExporterProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["nodeExporter"];
}

/**
 * node-exporter (prom/node-exporter, busybox-based: wget healthcheck on its landing page). It sees
 * the host through `/` mounted read-only at /host and the host PID namespace. It stays on the
 * monitoring network (Prometheus scrapes node-exporter:9100), so network metrics are the
 * container's interfaces, not the host's; run it with host networking if those matter.
 */
export class NodeExporter extends ServiceContainer {
  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id, {
      environment: props.environment,
      service: "node-exporter",
      ...containerSettings(props.spec),
      command: nodeExporterCommand(props.spec.mountHostRoot ? NODE_EXPORTER_HOST_ROOT : null),
      hostMounts: props.spec.mountHostRoot ? [{ hostPath: "/", containerPath: NODE_EXPORTER_HOST_ROOT, propagation: "rslave" }] : [],
      pidMode: "host",
      ports: [{ internal: NODE_EXPORTER_PORT, external: props.spec.ports.metrics }],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${NODE_EXPORTER_PORT}/`),
    });
  }
}
