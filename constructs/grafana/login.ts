import type { EnvironmentSpec } from "../../spec/environment";

/** The Terraform variable holding the bundled Grafana's admin password; the container reads the same one. */
export const GRAFANA_ADMIN_PASSWORD_VARIABLE = "grafana_admin_password";

/** How the grafana provider reaches and logs in to the environment's Grafana. Pure. */
export type GrafanaLogin =
  | { readonly kind: "bundled"; readonly url: string; readonly adminUser: string; readonly passwordVariable: string }
  | { readonly kind: "external"; readonly url: string; readonly authVariable: string };

/**
 * Resolves grafana.target against the services section: a bundled target logs in as the
 * container's admin user, at the container's published UI port unless a URL is given.
 */
export function resolveGrafanaLogin(spec: EnvironmentSpec): GrafanaLogin {
  const t = spec.grafana.target;
  if (t.kind === "external") return { kind: "external", url: t.url, authVariable: t.authVariable };
  const server = spec.services.grafana;
  if (!server.enabled) {
    throw new Error(
      `environment ${spec.name}: grafana.target.kind is "bundled" but services.grafana.enabled is false; ` +
        `enable the container or point grafana.target at an external Grafana ({ kind: external, url: ... })`,
    );
  }
  let url = t.url;
  if (url === undefined) {
    const port = server.ports.ui;
    if (port === null) {
      throw new Error(`environment ${spec.name}: services.grafana.ports.ui is not published; set grafana.target.url to where Terraform reaches Grafana`);
    }
    const host = server.publishAddress === "0.0.0.0" ? "127.0.0.1" : server.publishAddress.includes(":") ? `[${server.publishAddress}]` : server.publishAddress;
    url = `http://${host}:${port}`;
  }
  return { kind: "bundled", url, adminUser: server.adminUser, passwordVariable: GRAFANA_ADMIN_PASSWORD_VARIABLE };
}
