import { Duration, formatDuration } from "../../spec/duration";
import { SEVERITIES, Severity } from "../../spec/alert-knobs";
import { toYaml } from "../../serialize/yaml";
import { AlertmanagerSpec, ReceiverTarget, ReceiverName, ALERTMANAGER_RECEIVERS, ALERTMANAGER_CONFIG_PATH, ALERTMANAGER_DATA_DIR, ALERTMANAGER_PORT, ALERT_CATEGORIES } from "../../spec/alertmanager";

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

const d = (x: Duration): string => formatDuration(x);
const secretPath = (spec: AlertmanagerSpec, file: string): string => `${spec.secretsDir}/${file}`;

const CHAT_TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.service }}, {{ .CommonLabels.severity }})';
const CHAT_TEXT =
  "{{ range .Alerts }}{{ .Annotations.summary }}{{ if .Annotations.runbook_url }} - runbook: {{ .Annotations.runbook_url }}{{ end }}\n{{ end }}";
/** PagerDuty Events v2 severities are critical|error|warning|info. */
const PAGERDUTY_SEVERITY = '{{ if eq .CommonLabels.severity "warning" }}warning{{ else }}critical{{ end }}';

type Integrations = {
  slack_configs?: Record<string, unknown>[];
  pagerduty_configs?: Record<string, unknown>[];
  webhook_configs?: Record<string, unknown>[];
};

function integrationsFor(spec: AlertmanagerSpec, target: ReceiverTarget, sendResolved = true): Integrations {
  switch (target.kind) {
    case "slack":
      return {
        slack_configs: [
          {
            api_url_file: secretPath(spec, target.secretFile),
            channel: target.channel,
            send_resolved: sendResolved,
            title: CHAT_TITLE,
            text: CHAT_TEXT,
          },
        ],
      };
    case "pagerduty":
      return {
        pagerduty_configs: [
          {
            routing_key_file: secretPath(spec, target.secretFile),
            send_resolved: sendResolved,
            severity: PAGERDUTY_SEVERITY,
          },
        ],
      };
    case "webhook":
      return {
        webhook_configs: [
          target.url !== undefined
            ? { url: target.url, send_resolved: sendResolved }
            : { url_file: secretPath(spec, target.urlFile as string), send_resolved: sendResolved },
        ],
      };
  }
}

function mergeIntegrations(...parts: Integrations[]): Integrations {
  const out: Integrations = {};
  for (const key of ["slack_configs", "pagerduty_configs", "webhook_configs"] as const) {
    const all = parts.flatMap((p) => p[key] ?? []);
    if (all.length > 0) out[key] = all;
  }
  return out;
}

function tierTiming(t: { groupWait: Duration; groupInterval: Duration; repeatInterval: Duration }) {
  return { group_wait: d(t.groupWait), group_interval: d(t.groupInterval), repeat_interval: d(t.repeatInterval) };
}

const eq = (label: string, value: string): string => `${label}=${JSON.stringify(value)}`;
const re = (label: string, values: readonly string[]): string => `${label}=~${JSON.stringify(values.join("|"))}`;

function severityRoute(severity: Severity, receiver: ReceiverName, spec: AlertmanagerSpec, extra: Record<string, unknown> = {}) {
  return { matchers: [eq("severity", severity)], receiver, ...extra, ...tierTiming(spec.routing[severity]) };
}

/** The rendered configuration as a plain object (key order is the file's order). */
export function buildAlertmanagerConfig(spec: AlertmanagerSpec): Record<string, unknown> {
  const R = ALERTMANAGER_RECEIVERS;
  const r = spec.receivers;

  const route = {
    // Anything not matched below (unknown or missing severity) still reaches people.
    receiver: R.chat,
    group_by: [...spec.groupBy],
    ...tierTiming(spec.routing.warning),
    routes: [
      {
        matchers: [eq("alertname", spec.watchdogAlertname)],
        receiver: R.heartbeat,
        ...tierTiming(spec.routing.heartbeat),
      },
      severityRoute("emergency", R.emergency, spec),
      // critical: chat first (continue), then the pager.
      severityRoute("critical", R.chat, spec, { continue: true }),
      severityRoute("critical", R.pager, spec),
      severityRoute("warning", R.chat, spec),
      { matchers: [eq("severity", "none")], receiver: R.null },
    ],
  };

  const inhibitRules: Record<string, unknown>[] = [
    {
      // An emergency of a service mutes that service's critical and warning alerts.
      source_matchers: [eq("severity", "emergency"), 'service=~".+"'],
      target_matchers: [re("severity", ["critical", "warning"])],
      equal: ["service"],
    },
    {
      // A down host mutes its own resource alerts, nothing on other instances.
      source_matchers: [eq("alertname", spec.inhibition.hostDownAlertname), 'instance=~".+"'],
      target_matchers: [re("alertname", [...spec.inhibition.hostResourceAlerts].sort())],
      equal: ["instance"],
    },
  ];
  if (spec.inhibition.criticalMutesWarning) {
    inhibitRules.push({
      source_matchers: [eq("severity", "critical"), 'service=~".+"'],
      target_matchers: [eq("severity", "warning")],
      equal: ["alertname", "service"],
    });
  }

  const receivers = [
    { name: R.chat, ...integrationsFor(spec, r.chat) },
    { name: R.pager, ...integrationsFor(spec, r.pager) },
    { name: R.emergency, ...mergeIntegrations(integrationsFor(spec, r.pager), integrationsFor(spec, r.escalation)) },
    // The Watchdog never resolves; a dead-man's switch only wants the periodic ping.
    { name: R.heartbeat, ...integrationsFor(spec, r.heartbeat, false) },
    { name: R.null },
  ];

  return {
    global: { resolve_timeout: d(spec.resolveTimeout) },
    route,
    inhibit_rules: inhibitRules,
    receivers,
  };
}

const HEADER = `Generated by constructs/alertmanager/config.ts - do not edit by hand.
Alerts carry: severity (warning|critical|emergency), category (application|infrastructure|security|cicd|meta), team, service.
Secrets are read from files under the secrets directory; none is inline.`;

export function renderAlertmanagerConfig(spec: AlertmanagerSpec): string {
  return toYaml(buildAlertmanagerConfig(spec), HEADER);
}

/** Secret files the container must provide, with what each holds (paths inside the container). */
export function alertmanagerSecretFiles(spec: AlertmanagerSpec): Array<{ receiver: string; path: string; holds: string }> {
  const out: Array<{ receiver: string; path: string; holds: string }> = [];
  const add = (receiver: string, t: ReceiverTarget) => {
    if (t.kind === "slack") out.push({ receiver, path: secretPath(spec, t.secretFile), holds: "Slack incoming-webhook URL" });
    if (t.kind === "pagerduty") out.push({ receiver, path: secretPath(spec, t.secretFile), holds: "PagerDuty Events v2 routing key" });
    if (t.kind === "webhook" && t.urlFile !== undefined) out.push({ receiver, path: secretPath(spec, t.urlFile), holds: "webhook URL" });
  };
  add("chat", spec.receivers.chat);
  add("pager", spec.receivers.pager);
  add("escalation", spec.receivers.escalation);
  add("heartbeat", spec.receivers.heartbeat);
  const seen = new Set<string>();
  return out.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
}

/** Container command line for the rendered file (cluster mode off: a single instance). */
export function alertmanagerCommand(): string[] {
  return [
    `--config.file=${ALERTMANAGER_CONFIG_PATH}`,
    `--storage.path=${ALERTMANAGER_DATA_DIR}`,
    `--web.listen-address=:${ALERTMANAGER_PORT}`,
    "--cluster.listen-address=",
  ];
}

// ---------------------------------------------------------------------------------------------
// Route expectations (fed to `amtool config routes test`)
// ---------------------------------------------------------------------------------------------

export interface RouteTestCase {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly expectReceivers: string[];
}

const EXPECTED_BY_SEVERITY: Record<Severity, ReceiverName[]> = {
  warning: [ALERTMANAGER_RECEIVERS.chat],
  critical: [ALERTMANAGER_RECEIVERS.chat, ALERTMANAGER_RECEIVERS.pager],
  emergency: [ALERTMANAGER_RECEIVERS.emergency],
};

export function routeTestCases(spec: AlertmanagerSpec): RouteTestCase[] {
  const cases: RouteTestCase[] = [
    {
      name: "watchdog goes only to the heartbeat",
      labels: { alertname: spec.watchdogAlertname, severity: "none", category: "meta", team: "platform", service: "prometheus" },
      expectReceivers: [ALERTMANAGER_RECEIVERS.heartbeat],
    },
  ];
  for (const category of ALERT_CATEGORIES) {
    for (const severity of SEVERITIES) {
      cases.push({
        name: `${category} ${severity}`,
        labels: { alertname: `Test_${category}_${severity}`, severity, category, team: "civicpulse", service: `svc-${category}` },
        expectReceivers: [...EXPECTED_BY_SEVERITY[severity]],
      });
    }
  }
  cases.push(
    {
      name: "unknown severity falls back to chat",
      labels: { alertname: "SomethingOdd", severity: "info", category: "application", service: "civicpulse-web" },
      expectReceivers: [ALERTMANAGER_RECEIVERS.chat],
    },
    {
      name: "missing severity falls back to chat",
      labels: { alertname: "NoSeverity", service: "civicpulse-web" },
      expectReceivers: [ALERTMANAGER_RECEIVERS.chat],
    },
    {
      name: "severity none (inhibition helper) is dropped",
      labels: { alertname: "InhibitionHelper", severity: "none", category: "meta", service: "civicpulse-web" },
      expectReceivers: [ALERTMANAGER_RECEIVERS.null],
    },
    {
      name: "a critical host alert pages",
      labels: { alertname: "HostDiskSpaceLow", severity: "critical", category: "infrastructure", instance: "node-exporter:9100", service: "host" },
      expectReceivers: [...EXPECTED_BY_SEVERITY.critical],
    },
  );
  return cases;
}
