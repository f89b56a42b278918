import { renderPrometheusConfig } from "../constructs/prometheus/config";
import { buildRuleSet, RuleSet } from "../rules";
import { haTargets, replicaAlertRelabel, replicaExternalLabels } from "../constructs/prometheus/ha";
import { remoteWriteUrl, renderRemoteWrite } from "../constructs/thanos/config";
import { ALERTING_RULES_FILE, RECORDING_RULES_FILE, renderAlertingRules, renderRecordingRules, renderRuleTests } from "../rules/render";
import { RuleContext } from "../rules/types";
import { EnvironmentError } from "../spec/load";
import { EnvironmentSpec } from "../spec/environment";

export function ruleContext(spec: EnvironmentSpec): RuleContext {
  return {
    environment: spec.name,
    knobs: spec.alerts,
    meta: spec.meta,
    evaluationInterval: spec.prometheus.evaluationInterval,
    runbookBaseUrl: spec.runbookBaseUrl,
    grafanaUrl: spec.grafanaUrl,
    team: spec.team,
    slos: spec.slos,
  };
}

const ruleSets = new WeakMap<EnvironmentSpec, RuleSet>();

/** The environment's rule set, built once per spec (the monitoring and grafana stacks both read it). */
export function rulesFor(spec: EnvironmentSpec): RuleSet {
  let rules = ruleSets.get(spec);
  if (!rules) {
    try {
      rules = buildRuleSet(ruleContext(spec));
    } catch (e) {
      // The rule builders reject knob values that could never work (a threshold above the highest
      // bucket, ...) naming the field: a message for the user, not a stack trace.
      throw new EnvironmentError(`environment ${spec.name}: ${(e as Error).message}`);
    }
    ruleSets.set(spec, rules);
  }
  return rules;
}

/** Which replica of a Prometheus pair the files are for; the live proof names its own store URL. */
export interface PrometheusReplica {
  readonly index: number;
  readonly remoteWriteUrl?: string;
}

/**
 * Every file of the Prometheus side of one environment, keyed by its path relative to
 * /etc/prometheus: the scrape config, the rule files and the promtool tests. Pure.
 */
export function prometheusFiles(spec: EnvironmentSpec, rules: RuleSet = rulesFor(spec), replica: PrometheusReplica = { index: 0 }): Map<string, string> {
  return new Map([["prometheus.yml", prometheusConfigFile(spec, replica)], ...ruleFiles(spec, rules)]);
}

/** The scrape config of one replica: the only file in which the replicas of a pair differ. */
export function prometheusConfigFile(spec: EnvironmentSpec, replica: PrometheusReplica = { index: 0 }): string {
  const replicas = spec.prometheus.replicas;
  const widened = haTargets(spec.targets, replicas, spec.services.alertmanager.cluster.peers);
  const targets = { ...spec.targets, ...widened };
  return renderPrometheusConfig({
    environment: spec.name,
    prometheus: spec.prometheus,
    targets,
    ruleFiles: [RECORDING_RULES_FILE, ALERTING_RULES_FILE],
    alertmanagers: targets.alertmanager,
    replicaLabels: replicaExternalLabels(replicas, replica.index),
    alertRelabelConfigs: replicaAlertRelabel(replicas),
    remoteWrite: renderRemoteWrite(spec.store, replica.remoteWriteUrl ?? remoteWriteUrl(spec.store, replica.index)),
  });
}

/**
 * The rule files and their promtool tests, the same for every replica (identical rules): a pair
 * renders them once.
 */
export function ruleFiles(spec: EnvironmentSpec, rules: RuleSet = rulesFor(spec)): Map<string, string> {
  const files = new Map<string, string>();
  files.set(RECORDING_RULES_FILE, renderRecordingRules(spec.name, rules));
  files.set(ALERTING_RULES_FILE, renderAlertingRules(spec.name, rules));
  for (const [p, content] of renderRuleTests(spec.name, rules, spec.prometheus.evaluationInterval)) files.set(p, content);
  return files;
}
