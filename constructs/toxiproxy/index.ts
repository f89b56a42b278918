import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, ServiceContainer } from "../common/service-container";
import { renderToxiproxyConfig, toxiproxyCommand } from "./config";
import { TOXIPROXY_CONFIG_PATH, TOXIPROXY_API_PORT } from "../../spec/toxiproxy";

export interface ToxiproxyProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["toxiproxy"];
}

/**
 * Toxiproxy (ghcr.io/shopify/toxiproxy is FROM scratch: /toxiproxy and /toxiproxy-cli only). The
 * healthcheck is the image's own CLI listing proxies through the API on localhost:8474. Only the
 * API is published; the proxies are reached over the monitoring network as toxiproxy:<port>.
 */
export class Toxiproxy extends ServiceContainer {
  constructor(scope: Construct, id: string, props: ToxiproxyProps) {
    super(scope, id, {
      environment: props.environment,
      service: "toxiproxy",
      ...containerSettings(props.spec),
      command: toxiproxyCommand(),
      files: [{ containerPath: TOXIPROXY_CONFIG_PATH, content: renderToxiproxyConfig(props.spec.config) }],
      ports: [{ internal: TOXIPROXY_API_PORT, external: props.spec.ports.api }],
      networkName: props.networkName,
      healthcheck: { test: ["CMD", "/toxiproxy-cli", "list"] },
    });
  }
}
