import { Construct } from "constructs";
import { TerraformVariable } from "cdktf";
import { Dashboard } from "../../.gen/providers/grafana/dashboard";
import { DataSource } from "../../.gen/providers/grafana/data-source";
import { Folder } from "../../.gen/providers/grafana/folder";
import { GrafanaProvider } from "../../.gen/providers/grafana/provider";
import type { RenderedDashboard } from "../../dashboards/common";
import { RenderedFiles } from "../common/rendered-files";
import type { DatasourceDefinition } from "./datasources";
import type { GrafanaLogin } from "./login";
import type { GrafanaSpec } from "../../spec/grafana";
import { terraformLiteral } from "../common/terraform-string";

export { terraformLiteral, terraformUnescape } from "../common/terraform-string";
export { datasourceDefinitions } from "./datasources";
export { resolveGrafanaLogin, GRAFANA_ADMIN_PASSWORD_VARIABLE } from "./login";

/** Terraform variable that holds the Grafana URL (default from the spec, TF_VAR_grafana_url overrides). */
export const GRAFANA_URL_VARIABLE = "grafana_url";

/**
 * The grafana provider, configured from Terraform variables: the URL (default from the spec) and
 * credentials that are sensitive variables without defaults, so no secret is ever written to
 * cdk.tf.json. Bundled Grafana: "<admin user>:<admin password>"; external: the `auth` string as is.
 */
export class GrafanaConnection extends Construct {
  readonly provider: GrafanaProvider;

  constructor(scope: Construct, id: string, login: GrafanaLogin) {
    super(scope, id);
    const url = new TerraformVariable(this, "url", {
      type: "string",
      default: login.url,
      description: "URL of the Grafana this stack provisions (TF_VAR_grafana_url)",
    });
    url.overrideLogicalId(GRAFANA_URL_VARIABLE);
    let auth: string;
    if (login.kind === "bundled") {
      const password = new TerraformVariable(this, "admin_password", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Admin password of the bundled Grafana (TF_VAR_${login.passwordVariable}); the Grafana container reads the same variable`,
      });
      password.overrideLogicalId(login.passwordVariable);
      auth = `${terraformLiteral(login.adminUser)}:${password.stringValue}`;
    } else {
      const token = new TerraformVariable(this, "auth", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Service account token or "user:password" for the external Grafana (TF_VAR_${login.authVariable})`,
      });
      token.overrideLogicalId(login.authVariable);
      auth = token.stringValue;
    }
    // A freshly started Grafana container may need a few seconds before it answers.
    this.provider = new GrafanaProvider(scope, "grafana", { url: url.stringValue, auth, retries: 10, retryWait: 3 });
  }
}

export interface GrafanaContentProps {
  readonly spec: GrafanaSpec;
  readonly datasources: readonly DatasourceDefinition[];
  readonly dashboards: readonly RenderedDashboard[];
}

/**
 * The Grafana content of an environment: the folder, the datasources and the dashboards. Text that
 * Grafana interprets (`${...}` in dashboard JSON and datasource links) goes through
 * terraformLiteral(), so Terraform hands the provider exactly the rendered bytes; the same bytes are
 * registered as rendered files so a PR shows them as text.
 */
export class GrafanaContent extends Construct {
  readonly folder: Folder;
  readonly datasources: Record<string, DataSource> = {};
  readonly dashboards: Record<string, Dashboard> = {};

  constructor(scope: Construct, id: string, props: GrafanaContentProps) {
    super(scope, id);
    const rendered = RenderedFiles.of(this);
    this.folder = new Folder(this, "folder", {
      title: terraformLiteral(props.spec.folder.title),
      uid: terraformLiteral(props.spec.folder.uid),
      preventDestroyIfNotEmpty: false,
    });
    // Short, stable addresses in plans: grafana_folder.civicpulse, grafana_dashboard.application, ...
    this.folder.overrideLogicalId("civicpulse");
    for (const d of props.datasources) {
      this.datasources[d.key] = new DataSource(this, `datasource_${d.key}`, {
        name: terraformLiteral(d.name),
        type: d.type,
        uid: terraformLiteral(d.uid),
        url: terraformLiteral(d.url),
        accessMode: "proxy",
        isDefault: d.isDefault,
        jsonDataEncoded: terraformLiteral(d.jsonDataEncoded),
      });
      this.datasources[d.key].overrideLogicalId(d.key);
      rendered.add(`grafana/datasources/${d.uid}.json`, `${d.jsonDataEncoded}\n`);
    }
    for (const d of props.dashboards) {
      this.dashboards[d.key] = new Dashboard(this, `dashboard_${d.key}`, {
        folder: this.folder.uid,
        configJson: terraformLiteral(d.json),
        overwrite: true,
        message: "Provisioned by civicpulse-monitoring (cdktf); edits in the UI are overwritten",
        // Datasources first, so a fresh Grafana never renders a dashboard with a missing datasource.
        dependsOn: Object.values(this.datasources),
      });
      this.dashboards[d.key].overrideLogicalId(d.key);
      rendered.add(`grafana/dashboards/${d.uid}.json`, d.json);
    }
  }
}
