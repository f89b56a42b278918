import { Construct } from "constructs";
import type { ServicesSpec } from "../../spec/services";
import { containerSettings, sensitiveVariable, ServiceContainer, wgetHealthcheck } from "../common/service-container";

export const GRAFANA_PORT = 3000;
export const GRAFANA_DATA_DIR = "/var/lib/grafana";
export const GRAFANA_ADMIN_PASSWORD_FILE = "/run/secrets/grafana_admin_password";

export interface GrafanaServerProps {
  readonly environment: string;
  readonly networkName: string;
  readonly spec: ServicesSpec["grafana"];
  /** The URL people open (GF_SERVER_ROOT_URL); alerts link to it. */
  readonly rootUrl: string;
}

/**
 * The Grafana container (grafana/grafana-oss 12, Alpine base: busybox wget, and curl, exist;
 * `-O /dev/null` because busybox wget would otherwise write to the read-only working directory).
 * Its content (datasources, dashboards) is provisioned by the grafana provider in its own stack.
 * The admin password has no default: it is read from a file written from the sensitive variable
 * grafana_admin_password (GF_SECURITY_ADMIN_PASSWORD__FILE), so it never appears in env or config.
 */
export class GrafanaServer extends ServiceContainer {
  constructor(scope: Construct, id: string, props: GrafanaServerProps) {
    const password = sensitiveVariable(scope, "grafana_admin_password", "Grafana admin password (no default: set TF_VAR_grafana_admin_password)");
    super(scope, id, {
      environment: props.environment,
      service: "grafana",
      ...containerSettings(props.spec),
      env: {
        GF_SECURITY_ADMIN_USER: props.spec.adminUser,
        GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_ADMIN_PASSWORD_FILE,
        GF_SERVER_ROOT_URL: props.rootUrl,
        GF_USERS_ALLOW_SIGN_UP: "false",
        GF_AUTH_ANONYMOUS_ENABLED: "false",
        GF_ANALYTICS_REPORTING_ENABLED: "false",
        GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
        GF_PATHS_DATA: GRAFANA_DATA_DIR,
      },
      secretFiles: [{ containerPath: GRAFANA_ADMIN_PASSWORD_FILE, variable: password }],
      volumes: [{ name: "data", containerPath: GRAFANA_DATA_DIR }],
      ports: [{ internal: GRAFANA_PORT, external: props.spec.ports.ui }],
      networkName: props.networkName,
      healthcheck: { ...wgetHealthcheck(`http://127.0.0.1:${GRAFANA_PORT}/api/health`), startPeriod: "60s" },
    });
  }
}
