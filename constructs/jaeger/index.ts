import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, ServiceContainer, wgetHealthcheck } from "../common/service-container";
import { jaegerCommand, jaegerHealthcheckUrl, renderJaegerConfig } from "./config";
import { JAEGER_CONFIG_PATH } from "../../spec/jaeger";

export interface JaegerProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["jaeger"];
}

/**
 * Jaeger v2 (jaegertracing/jaeger, Alpine base: busybox wget checks healthcheckv2's /status).
 * OTLP gRPC/HTTP and the UI are published on loopback. With badger storage the traces live on a
 * volume; a fresh named volume is owned by root and the image runs as 10001, so the container then
 * runs as root (see constructs/jaeger/config.ts).
 */
export class Jaeger extends ServiceContainer {
  constructor(scope: Construct, id: string, props: JaegerProps) {
    const cfg = props.spec.config;
    const p = props.spec.ports;
    const badger = cfg.storage.kind === "badger" ? cfg.storage : undefined;
    super(scope, id, {
      environment: props.environment,
      service: "jaeger",
      ...containerSettings(props.spec),
      command: jaegerCommand(),
      files: [{ containerPath: JAEGER_CONFIG_PATH, content: renderJaegerConfig(cfg) }],
      volumes: badger ? [{ name: "data", containerPath: badger.directory }] : [],
      user: badger ? "0" : undefined,
      ports: [
        { internal: cfg.ports.ui, external: p.ui },
        { internal: cfg.ports.otlpGrpc, external: p.otlpGrpc },
        { internal: cfg.ports.otlpHttp, external: p.otlpHttp },
      ],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(jaegerHealthcheckUrl(cfg)),
    });
  }
}
