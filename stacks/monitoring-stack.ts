import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { network, provider } from "@cdktf/provider-docker";
import { Prometheus } from "../constructs/prometheus";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { buildRuleSet } from "../rules/index";
import { renderRunbook, renderRunbookIndex } from "../rules/runbooks";
import { EnvironmentSpec } from "./environment/schema";
import { prometheusFiles, ruleContext } from "./monitoring-files";

export const monitoringStackName = (env: string) => `monitoring-${env}`;

/** One environment's monitoring stack on a Docker host. */
export class MonitoringStack extends TerraformStack {
  readonly prometheus: Prometheus;

  constructor(scope: Construct, spec: EnvironmentSpec) {
    super(scope, monitoringStackName(spec.name));
    // The Docker host comes from the standard DOCKER_HOST variable at plan time, never from code.
    new provider.DockerProvider(this, "docker", {});
    const net = new network.Network(this, "network", { name: `civicpulse-${spec.name}-monitoring`, driver: "bridge" });
    const rules = buildRuleSet(ruleContext(spec));
    this.prometheus = new Prometheus(this, "prometheus", {
      environment: spec.name,
      spec: spec.prometheus,
      files: prometheusFiles(spec, rules),
      networkName: net.name,
    });
    const rendered = RenderedFiles.of(this);
    rendered.add("runbooks/README.md", renderRunbookIndex(rules.alerts));
    for (const a of rules.alerts) rendered.add(`runbooks/${a.alert}.md`, renderRunbook(a, spec.name));
    new TerraformOutput(this, "prometheus_url", { value: "http://127.0.0.1:9090", description: "Prometheus UI (published on loopback)" });
  }
}
