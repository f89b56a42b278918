import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { GrafanaConnection, GrafanaContent, resolveGrafanaLogin } from "../constructs/grafana";
import type { DatasourceDefinition } from "../constructs/grafana/datasources";
import type { GrafanaLogin } from "../constructs/grafana/login";
import type { RenderedDashboard } from "../dashboards/common";
import { datasourceDefinitions } from "../constructs/grafana/datasources";
import { haDatasourceUrls } from "../constructs/grafana/ha-datasources";
import { buildDashboards } from "../dashboards";
import { alertLinkProblems, validateDashboards } from "../dashboards/validate";
import { catalogSeriesNames } from "../spec/catalog";
import { formatDuration } from "../spec/duration";
import { EnvironmentError } from "../spec/load";
import { EnvironmentSpec } from "../spec/environment";
import { rulesFor } from "./monitoring-files";
import { applyBackend } from "./backend";
import { terraformLiterals } from "../constructs/common/terraform-string";

export const grafanaStackName = (env: string) => `grafana-${env}`;

/**
 * One environment's Grafana content (folder, datasources, the three dashboards), provisioned
 * through the grafana provider. It is a stack of its own because the provider must reach a running
 * Grafana at plan time: the monitoring stack (which runs the bundled Grafana) is deployed first, and
 * the dependency is recorded in the manifest so `cdktf deploy 'monitoring-*' 'grafana-*'` orders them.
 */
export class GrafanaStack extends TerraformStack {
  readonly content: GrafanaContent;

  constructor(scope: Construct, spec: EnvironmentSpec, options: { dependsOn?: TerraformStack } = {}) {
    super(scope, grafanaStackName(spec.name));
    applyBackend(this, grafanaStackName(spec.name), spec.terraformBackend);
    const g = spec.grafana;
    const { login, dashboards, datasources } = checkedGrafanaContent(spec);

    if (options.dependsOn) this.addDependency(options.dependsOn);
    new GrafanaConnection(this, "connection", login);
    this.content = new GrafanaContent(this, "content", { spec: g, datasources, dashboards });
    new TerraformOutput(this, "dashboard_urls", {
      value: terraformLiterals(Object.fromEntries(dashboards.map((d) => [d.key, `${login.url.replace(/\/+$/, "")}/d/${d.uid}`]))),
      description: "The CivicPulse dashboards",
    });
  }
}

/**
 * Everything the stack provisions, checked before a construct is created: the login resolves
 * against the services section, every query parses and names only series that exist, uids are
 * unique, and every alert's dashboard link lands on a panel. A failure names the stack and the field.
 */
export function checkedGrafanaContent(spec: EnvironmentSpec): {
  login: GrafanaLogin;
  dashboards: RenderedDashboard[];
  datasources: DatasourceDefinition[];
} {
  try {
    const login = resolveGrafanaLogin(spec);
    const rules = rulesFor(spec);
    const dashboards = buildDashboards(spec);
    const ds = spec.grafana.datasources;
    const urls = haDatasourceUrls({ replicas: spec.prometheus.replicas, store: spec.store, prometheusUrl: ds.prometheus.url, longRangeUrl: ds.longRange.url });
    const datasources = datasourceDefinitions(spec.grafana, { scrapeInterval: formatDuration(spec.prometheus.scrapeInterval), urls });
    const known = new Set([...catalogSeriesNames(), ...rules.recording.map((r) => r.record)]);
    validateDashboards(dashboards, known, datasources.map((d) => d.uid));
    const links = alertLinkProblems(rules.alerts, dashboards);
    if (links.length) throw new Error(`broken alert links:\n  - ${links.join("\n  - ")}`);
    return { login, dashboards, datasources };
  } catch (e) {
    throw new EnvironmentError(`${grafanaStackName(spec.name)}: ${(e as Error).message}`);
  }
}
