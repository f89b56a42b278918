import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, sensitiveVariable, ServiceContainer, wgetHealthcheck } from "../common/service-container";

export const POSTGRES_EXPORTER_PORT = 9187;
export const POSTGRES_EXPORTER_PASSWORD_FILE = "/run/secrets/postgres_exporter_password";

export function postgresExporterCommand(): string[] {
  return [`--web.listen-address=:${POSTGRES_EXPORTER_PORT}`];
}

export interface PostgresExporterProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["postgresExporter"];
}

/**
 * postgres_exporter (busybox-based: wget on its landing page, which does not touch the database).
 * The connection is DATA_SOURCE_URI + DATA_SOURCE_USER; the password is read from
 * DATA_SOURCE_PASS_FILE, a file written from the sensitive variable postgres_exporter_password.
 */
export class PostgresExporter extends ServiceContainer {
  constructor(scope: Construct, id: string, props: PostgresExporterProps) {
    const password = sensitiveVariable(scope, "postgres_exporter_password", "Password of the PostgreSQL role postgres_exporter connects as");
    super(scope, id, {
      environment: props.environment,
      service: "postgres-exporter",
      ...containerSettings(props.spec),
      command: postgresExporterCommand(),
      env: {
        DATA_SOURCE_URI: props.spec.dataSourceUri,
        DATA_SOURCE_USER: props.spec.user,
        DATA_SOURCE_PASS_FILE: POSTGRES_EXPORTER_PASSWORD_FILE,
      },
      secretFiles: [{ containerPath: POSTGRES_EXPORTER_PASSWORD_FILE, variable: password }],
      ports: [{ internal: POSTGRES_EXPORTER_PORT, external: props.spec.ports.metrics }],
      networkName: props.networkName,
      healthcheck: wgetHealthcheck(`http://127.0.0.1:${POSTGRES_EXPORTER_PORT}/`),
    });
  }
}
