import { Duration, formatDuration } from "../../spec/duration";
import { SEVERITIES, Severity } from "../../spec/alert-knobs";
import { toYaml } from "../../serialize/yaml";
import { ALERTMANAGER_CONFIG_PATH, ALERTMANAGER_DATA_DIR, ALERTMANAGER_PORT, AlertmanagerSpec } from "../../spec/alertmanager";
import { ALERT_CATEGORIES, NULL_RECEIVER, Receiver, receiverSecretFile, receiversFor, receiverVariable, secretFieldsOf } from "../../spec/alertmanager-receivers";

/** Rendering of spec/alertmanager.ts: the route tree from the receivers' matches, inhibition, route tests. */

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

/** Opsgenie priorities: P1 is the most urgent. */
const OPSGENIE_PRIORITY = '{{ if eq .CommonLabels.severity "emergency" }}P1{{ else if eq .CommonLabels.severity "critical" }}P2{{ else }}P3{{ end }}';

/** One receiver's Alertmanager entry: its name and its one integration (Alertmanager's own field names). */
function receiverEntry(spec: AlertmanagerSpec, name: string, r: Receiver): Record<string, unknown> {
  const secret = (field: string) => secretPath(spec, receiverSecretFile(name, field));
  const send_resolved = r.sendResolved;
  switch (r.type) {
    case "slack":
      return { name, slack_configs: [{ api_url_file: secret("api_url"), channel: r.channel, send_resolved, title: CHAT_TITLE, text: CHAT_TEXT }] };
    case "pagerduty":
      return { name, pagerduty_configs: [{ routing_key_file: secret("routing_key"), send_resolved, severity: PAGERDUTY_SEVERITY }] };
    case "webhook":
      return { name, webhook_configs: [r.url !== undefined ? { url: r.url, send_resolved } : { url_file: secret("url"), send_resolved }] };
    case "email":
      return {
        name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            ...(r.authUsername !== undefined ? { auth_username: r.authUsername, auth_password_file: secret("auth_password") } : {}),
            require_tls: r.requireTls,
            send_resolved,
          },
        ],
      };
    case "opsgenie":
      return {
        name,
        opsgenie_configs: [
          {
            api_key_file: secret("api_key"),
            api_url: r.apiUrl,
            message: CHAT_TITLE,
            priority: OPSGENIE_PRIORITY,
            ...(r.teams.length ? { responders: r.teams.map((t) => ({ type: "team", name: t })) } : {}),
            send_resolved,
          },
        ],
      };
  }
}

function tierTiming(t: { groupWait: Duration; groupInterval: Duration; repeatInterval: Duration }) {
  return { group_wait: d(t.groupWait), group_interval: d(t.groupInterval), repeat_interval: d(t.repeatInterval) };
}

const eq = (label: string, value: string): string => `${label}=${JSON.stringify(value)}`;
const re = (label: string, values: readonly string[]): string => `${label}=~${JSON.stringify(values.join("|"))}`;

/** Most urgent first, as the route tree lists them. */
const ROUTE_ORDER: readonly Severity[] = ["emergency", "critical", "warning"];

/**
 * One route per receiver that takes a severity, in declaration order; every one but the last
 * continues, so an alert reaches each receiver whose match takes it. An alert no receiver takes
 * (an unknown or missing severity, a category nobody listed) reaches the default receiver.
 */
function severityRoutes(spec: AlertmanagerSpec, severity: Severity): Record<string, unknown>[] {
  const taking = Object.entries(spec.receivers).filter(([, r]) => r.match?.severities.includes(severity));
  return taking.map(([name, r], i) => ({
    matchers: [eq("severity", severity), ...(r.match?.categories ? [re("category", [...r.match.categories])] : [])],
    receiver: name,
    ...(i < taking.length - 1 ? { continue: true } : {}),
    ...tierTiming(spec.routing[severity]),
  }));
}

/** The rendered configuration as a plain object (key order is the file's order). */
export function buildAlertmanagerConfig(spec: AlertmanagerSpec): Record<string, unknown> {
  const route = {
    // Anything not matched below (unknown or missing severity) still reaches people.
    receiver: spec.defaultReceiver,
    group_by: [...spec.groupBy],
    ...tierTiming(spec.routing.warning),
    routes: [
      {
        matchers: [eq("alertname", spec.watchdogAlertname)],
        receiver: spec.heartbeatReceiver,
        ...tierTiming(spec.routing.heartbeat),
      },
      ...ROUTE_ORDER.flatMap((severity) => severityRoutes(spec, severity)),
      { matchers: [eq("severity", "none")], receiver: NULL_RECEIVER },
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

  const receivers = [...Object.entries(spec.receivers).map(([name, r]) => receiverEntry(spec, name, r)), { name: NULL_RECEIVER }];

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

/** Secret files the container must provide, with what each holds and the variable it is written from. */
export function alertmanagerSecretFiles(spec: AlertmanagerSpec): Array<{ receiver: string; field: string; path: string; holds: string; variable: string }> {
  return Object.entries(spec.receivers).flatMap(([receiver, r]) =>
    secretFieldsOf(r).map(({ field, holds }) => ({ receiver, field, path: secretPath(spec, receiverSecretFile(receiver, field)), holds, variable: receiverVariable(receiver, field) })),
  );
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

/** Every receiver, with the labels that must reach it, and what must reach nobody but the default. */
export function routeTestCases(spec: AlertmanagerSpec): RouteTestCase[] {
  const expected = (severity: Severity, category: (typeof ALERT_CATEGORIES)[number]) => {
    const to = receiversFor(spec.receivers, severity, category);
    return to.length ? to : [spec.defaultReceiver];
  };
  const cases: RouteTestCase[] = [
    {
      name: `watchdog goes only to ${spec.heartbeatReceiver}`,
      labels: { alertname: spec.watchdogAlertname, severity: "none", category: "meta", team: "platform", service: "prometheus" },
      expectReceivers: [spec.heartbeatReceiver],
    },
  ];
  for (const category of ALERT_CATEGORIES) {
    for (const severity of SEVERITIES) {
      cases.push({
        name: `${category} ${severity}`,
        labels: { alertname: `Test_${category}_${severity}`, severity, category, team: "civicpulse", service: `svc-${category}` },
        expectReceivers: expected(severity, category),
      });
    }
  }
  cases.push(
    {
      name: `unknown severity falls back to ${spec.defaultReceiver}`,
      labels: { alertname: "SomethingOdd", severity: "info", category: "application", service: "civicpulse-web" },
      expectReceivers: [spec.defaultReceiver],
    },
    {
      name: `missing severity falls back to ${spec.defaultReceiver}`,
      labels: { alertname: "NoSeverity", service: "civicpulse-web" },
      expectReceivers: [spec.defaultReceiver],
    },
    {
      name: "severity none (inhibition helper) is dropped",
      labels: { alertname: "InhibitionHelper", severity: "none", category: "meta", service: "civicpulse-web" },
      expectReceivers: [NULL_RECEIVER],
    },
    {
      name: "a critical host alert",
      labels: { alertname: "HostDiskSpaceLow", severity: "critical", category: "infrastructure", instance: "node-exporter:9100", service: "host" },
      expectReceivers: expected("critical", "infrastructure"),
    },
  );
  return cases;
}
