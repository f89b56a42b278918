import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, Healthcheck, ServiceContainer } from "../common/service-container";
import { PROMTAIL_CONFIG_PATH, PROMTAIL_POSITIONS_DIR, promtailCommand, renderPromtailConfig } from "./config";

export interface PromtailProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["promtail"];
}

/**
 * The healthcheck. grafana/promtail is Ubuntu-based (it links libsystemd for the journal) and has
 * bash but neither wget nor curl, so bash itself speaks HTTP to /ready over /dev/tcp and checks
 * the status line.
 */
export function promtailHealthcheck(httpPort: number): Healthcheck {
  const script = `exec 3<>/dev/tcp/127.0.0.1/${httpPort} && printf 'GET /ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ "$status" == *" 200 "* ]]`;
  return { test: ["CMD", "bash", "-c", script] };
}

/**
 * Promtail: reads every container's log through the Docker API (socket mounted read-only; note a
 * read-only bind of a socket still allows API calls) and pushes to Loki. Its positions file is on a
 * volume so a replacement does not re-ship old lines. END OF LIFE 2026-03-02: Grafana Alloy replaces it.
 */
export class Promtail extends ServiceContainer {
  constructor(scope: Construct, id: string, props: PromtailProps) {
    const cfg = props.spec.config;
    const socket = cfg.dockerHost.startsWith("unix://") ? cfg.dockerHost.slice("unix://".length) : undefined;
    super(scope, id, {
      environment: props.environment,
      service: "promtail",
      ...containerSettings(props.spec),
      command: promtailCommand(),
      files: [{ containerPath: PROMTAIL_CONFIG_PATH, content: renderPromtailConfig(cfg) }],
      volumes: [{ name: "positions", containerPath: PROMTAIL_POSITIONS_DIR }],
      hostMounts: socket ? [{ hostPath: props.spec.dockerSocket, containerPath: socket }] : [],
      ports: [{ internal: cfg.httpPort, external: props.spec.ports.http }],
      networkName: props.networkName,
      healthcheck: promtailHealthcheck(cfg.httpPort),
    });
  }
}
