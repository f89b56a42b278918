import { Construct } from "constructs";
import type { ServicesSpec } from "../../stacks/environment/services";
import { ServiceContainer } from "../common/service-container";
import { renderToxiproxyConfig, TOXIPROXY_API_PORT, TOXIPROXY_CONFIG_PATH, toxiproxyCommand } from "./config";

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
      image: props.spec.image,
      digest: props.spec.digest,
      command: toxiproxyCommand(),
      files: [{ containerPath: TOXIPROXY_CONFIG_PATH, content: renderToxiproxyConfig(props.spec.config) }],
      ports: [{ internal: TOXIPROXY_API_PORT, external: props.spec.ports.api }],
      publishAddress: props.spec.publishAddress,
      networkName: props.networkName,
      healthcheck: { test: ["CMD", "/toxiproxy-cli", "list"] },
      memoryMb: props.spec.memoryMb,
      cpus: props.spec.cpus,
      hardening: props.spec.hardening,
    });
  }
}
