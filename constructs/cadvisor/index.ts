import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, HostMount, ServiceContainer, wgetHealthcheck } from "../common/service-container";

export const CADVISOR_PORT = 8080;

/** The host paths cAdvisor reads (its documented docker run), all read-only. */
export const CADVISOR_HOST_MOUNTS: readonly HostMount[] = [
  { hostPath: "/", containerPath: "/rootfs" },
  { hostPath: "/var/run", containerPath: "/var/run" },
  { hostPath: "/sys", containerPath: "/sys" },
  { hostPath: "/var/lib/docker", containerPath: "/var/lib/docker" },
  { hostPath: "/dev/disk", containerPath: "/dev/disk" },
];

export function cadvisorCommand(): string[] {
  return [
    `--port=${CADVISOR_PORT}`,
    "--docker_only=true",
    "--housekeeping_interval=15s",
    // Per-container Docker labels become metric labels; Prometheus drops them anyway.
    "--store_container_labels=false",
  ];
}

export interface CadvisorProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["cadvisor"];
}

/** cAdvisor (ghcr.io/google/cadvisor since v0.53; Alpine base: wget on /healthz, as its own healthcheck.sh does). */
export class Cadvisor extends ServiceContainer {
  constructor(scope: Construct, id: string, props: CadvisorProps) {
    super(scope, id, {
      environment: props.environment,
      service: "cadvisor",
      ...containerSettings(props.spec),
      command: cadvisorCommand(),
      hostMounts: [...CADVISOR_HOST_MOUNTS],
      devices: [{ hostPath: "/dev/kmsg", containerPath: "/dev/kmsg" }],
      privileged: props.spec.privileged || undefined,
      ports: [{ internal: CADVISOR_PORT, external: props.spec.ports.ui }],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${CADVISOR_PORT}/healthz`),
    });
  }
}
