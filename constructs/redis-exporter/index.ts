import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, sensitiveVariable, ServiceContainer, wgetHealthcheck } from "../common/service-container";

export const REDIS_EXPORTER_PORT = 9121;

/** redis_exporter uses Go's flag package: one dash (two are accepted too). */
export function redisExporterCommand(redisAddr: string): string[] {
  return [`-redis.addr=${redisAddr}`, `-web.listen-address=:${REDIS_EXPORTER_PORT}`];
}

export interface RedisExporterProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["redisExporter"];
}

/**
 * redis_exporter. The default image is FROM scratch (no shell, no wget) and has no health
 * subcommand, so the pinned tag is the project's `-alpine` variant of the same release, whose
 * busybox wget checks /health. The Redis password (empty by default) comes from the sensitive
 * variable redis_password as REDIS_PASSWORD: it is visible to `docker inspect` on the host,
 * never in cdk.tf.json.
 */
export class RedisExporter extends ServiceContainer {
  constructor(scope: Construct, id: string, props: RedisExporterProps) {
    const password = sensitiveVariable(scope, "redis_password", "Password redis_exporter uses for Redis (empty: none)", "");
    super(scope, id, {
      environment: props.environment,
      service: "redis-exporter",
      ...containerSettings(props.spec),
      command: redisExporterCommand(props.spec.redisAddr),
      secretEnv: { REDIS_PASSWORD: password },
      ports: [{ internal: REDIS_EXPORTER_PORT, external: props.spec.ports.metrics }],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${REDIS_EXPORTER_PORT}/health`),
    });
  }
}
