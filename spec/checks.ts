import { formatDuration } from "./duration";
import { JOBS } from "./jobs";
import type { EnvironmentSpec } from "./environment";
import { META_ALERTS } from "./alert-knobs";
import { haIssues } from "./ha-checks";

/**
 * Checks that span sections of the spec: each field is valid on its own, but together they give a
 * stack that is silently broken (an alert that can never fire, a heartbeat that is never sent, prod
 * series labelled as dev). Every message names both fields.
 */
export interface CrossFieldIssue {
  readonly path: Array<string | number>;
  readonly message: string;
}

const d = formatDuration;
/** Range fields of the alert knobs: rate() and friends need two samples inside them. */
const RANGE_KEYS = ["window", "baseline"] as const;

export function crossFieldIssues(spec: EnvironmentSpec): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const p = spec.prometheus;
  const amService = spec.services.alertmanager;
  issues.push(
    ...haIssues({
      replicas: p.replicas,
      externalLabels: p.externalLabels,
      store: spec.store,
      alertmanagerPeers: amService.cluster.peers,
      peerTimeout: amService.cluster.peerTimeout,
      groupIntervals: Object.fromEntries(Object.entries(amService.config.routing).map(([tier, t]) => [tier, t.groupInterval])),
    }),
  );

  for (const [alert, knobs] of Object.entries(spec.alerts)) {
    for (const key of RANGE_KEYS) {
      const range = (knobs as Record<string, unknown>)[key];
      if (typeof range === "number" && range < 2 * p.scrapeInterval) {
        issues.push({
          path: ["alerts", alert, key],
          message: `${d(range as never)} holds fewer than two samples of prometheus.scrapeInterval (${d(p.scrapeInterval)}), so rate() over it is always empty and the alert never fires; use at least ${d((2 * p.scrapeInterval) as never)}`,
        });
      }
    }
  }

  const envLabel = p.externalLabels.environment;
  if (envLabel !== undefined && envLabel !== spec.name) {
    issues.push({
      path: ["prometheus", "externalLabels", "environment"],
      message: `"${envLabel}" differs from name ("${spec.name}"): every series and alert of this environment would be labelled as another one`,
    });
  }

  const jobs = new Set<string>(Object.values(JOBS));
  for (const job of Object.keys(p.jobLimits)) {
    if (!jobs.has(job)) {
      issues.push({
        path: ["prometheus", "jobLimits", job],
        message: `no scrape job is named ${JSON.stringify(job)} (jobs of prometheus.yml: ${[...jobs].sort().join(", ")})`,
      });
    }
  }

  const am = spec.services.alertmanager.config;
  if (spec.meta.watchdog.enabled && am.watchdogAlertname !== META_ALERTS.watchdog) {
    issues.push({
      path: ["services", "alertmanager", "config", "watchdogAlertname"],
      message: `"${am.watchdogAlertname}" is not the Watchdog rule's alertname "${META_ALERTS.watchdog}" (meta.watchdog is enabled): the Watchdog would reach the null receiver and the heartbeat would never be sent`,
    });
  }
  if (spec.meta.instanceDown.enabled && am.inhibition.hostDownAlertname !== META_ALERTS.instanceDown) {
    issues.push({
      path: ["services", "alertmanager", "config", "inhibition", "hostDownAlertname"],
      message: `"${am.inhibition.hostDownAlertname}" is not the InstanceDown rule's alertname "${META_ALERTS.instanceDown}" (meta.instanceDown is enabled): a host that is down would not mute its resource alerts`,
    });
  }

  if (spec.meta.escalation.enabled && spec.meta.escalation.after < p.evaluationInterval) {
    issues.push({
      path: ["meta", "escalation", "after"],
      message: `${d(spec.meta.escalation.after)} is shorter than prometheus.evaluationInterval (${d(p.evaluationInterval)}): the escalation could not be evaluated before it is due`,
    });
  }

  // Prometheus executes annotations as Go templates: a URL with template braces would run code.
  for (const key of ["runbookBaseUrl", "grafanaUrl"] as const) {
    if (/\{\{|\}\}/.test(spec[key])) {
      issues.push({ path: [key], message: "must not contain {{ or }} (alert annotations that carry it are Go templates in Prometheus)" });
    }
  }
  return issues;
}

/**
 * Settings that look inconsistent but can be right (a load balancer in front of the scraped
 * instances): reported as warnings, synth goes on.
 */
export function crossFieldWarnings(spec: EnvironmentSpec): string[] {
  const t = spec.targets;
  const host = (target: string) => target.slice(0, target.lastIndexOf(":"));
  const appHosts = [...new Set(t.app.map(host))];
  const warnings: string[] = [];
  const probeHost = new URL(t.appBaseUrl).hostname;
  if (appHosts.length > 0 && !appHosts.includes(probeHost)) {
    warnings.push(
      `targets.appBaseUrl probes ${probeHost}, which is none of the hosts of targets.app (${appHosts.join(", ")}): the health checks may watch another app than the one scraped (set CIVICPULSE_APP_BASE_URL or targets.appBaseUrl too)`,
    );
  }
  const otelElsewhere = [...new Set(t.appOtel.map(host))].filter((h) => !appHosts.includes(h));
  if (appHosts.length > 0 && otelElsewhere.length > 0) {
    warnings.push(
      `targets.appOtel scrapes ${otelElsewhere.join(", ")}, not among the hosts of targets.app (${appHosts.join(", ")}): set CIVICPULSE_APP_OTEL_TARGETS or targets.appOtel too`,
    );
  }
  // The stack's own clients do not send credentials yet (see docs/hardening.md).
  const s = spec.services;
  if (s.prometheus.webConfig.basicAuth.enabled || s.prometheus.webConfig.tls.enabled) {
    warnings.push(
      "services.prometheus.webConfig is on: its self-scrape (targets.prometheus) and the bundled Grafana's Prometheus datasource do not send credentials yet and will be refused",
    );
  }
  if (s.alertmanager.webConfig.basicAuth.enabled || s.alertmanager.webConfig.tls.enabled) {
    warnings.push(
      "services.alertmanager.webConfig is on: Prometheus' alerting, its scrape of Alertmanager (targets.alertmanager) and the Grafana Alertmanager datasource do not send credentials yet and will be refused",
    );
  }
  return warnings;
}
