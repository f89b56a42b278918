import { z } from "zod";
import { Duration, durationSchema, formatDuration, positiveDurationSchema } from "../../rules/duration";
import { ALERT_NAMES, AlertName, SEVERITIES, Severity } from "../../rules/knobs";
import { toYaml } from "../../rules/yaml";
import {
  ALERT_CATEGORIES,
  NULL_RECEIVER,
  Receiver,
  receiverNameSchema,
  receiverSchema,
  receiverSecretFile,
  receiversFor,
  receiverVariable,
  secretFieldsOf,
  withDefaultReceivers,
} from "./receivers";

export { ALERT_CATEGORIES, isLocalWebhookHost } from "./receivers";

/**
 * Alertmanager (0.28+) configuration: receivers, the severity route tree, and inhibition.
 *
 * The label contract (set by every alerting rule, see rules/alerts/define.ts):
 *   severity  warning | critical | emergency   (routing tier; "none" only for helper alerts that
 *             exist to inhibit others, which go to the `null` receiver)
 *   category  application | infrastructure | security | cicd | meta   (informational; not routed on)
 *   team      owning team
 *   service   the service the alert is about; grouping and inhibition are per service, so an alert
 *             without `service` is never muted by another service's emergency.
 * Annotations used by the chat message: summary, description, runbook_url.
 *
 * Receivers are configuration (./receivers.ts): any number, each reached by severity and category.
 * Secrets never appear in the rendered file: webhook URLs, routing and API keys, SMTP passwords are
 * referenced through the `*_file` fields, pointing at files in `secretsDir` that the container
 * construct writes from sensitive Terraform variables named after the receiver.
 */

/** Where the container construct places the rendered file and the secret files. */
export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";
export const ALERTMANAGER_DATA_DIR = "/alertmanager";
export const ALERTMANAGER_PORT = 9093;

/** The presets' receivers (constructs/alertmanager/receivers.ts DEFAULT_RECEIVERS) and the built-in null receiver. */
export const ALERTMANAGER_RECEIVERS = {
  chat: "chat",
  pager: "pager",
  escalation: "escalation",
  heartbeat: "heartbeat",
  null: NULL_RECEIVER,
} as const;

/** Host resource alerts that a down host makes meaningless (their series vanish or lie). */
export const HOST_RESOURCE_ALERTS = ["HostHighCpuUsage", "HostLowMemory", "HostDiskSpaceLow"] as const satisfies readonly AlertName[];

// ---------------------------------------------------------------------------------------------
// Spec
// ---------------------------------------------------------------------------------------------

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name");
const alertName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "an alert name (a metric-name-like identifier)");

const absolutePath = z.string().regex(/^\/[^\0]*[^/]$|^\/$/, "an absolute path without a trailing slash");

/** Timing of one routing tier. */
const tier = (groupWait: string, groupInterval: string, repeatInterval: string) =>
  z
    .strictObject({
      groupWait: durationSchema.prefault(groupWait),
      groupInterval: positiveDurationSchema.prefault(groupInterval),
      repeatInterval: positiveDurationSchema.prefault(repeatInterval),
    })
    .refine((t) => t.repeatInterval >= t.groupInterval, {
      message: "repeatInterval must be >= groupInterval (Alertmanager only re-sends on a group_interval tick)",
      path: ["repeatInterval"],
    })
    .prefault({});

export const alertmanagerSpecSchema = z
  .strictObject({
    /** Directory (inside the container) holding the secret files named below. */
    secretsDir: absolutePath.default(ALERTMANAGER_SECRETS_DIR),
    resolveTimeout: positiveDurationSchema.prefault("5m"),
    groupBy: z.array(labelName).min(1).default(["alertname", "service"]),
    /** The always-firing alert that proves the alerting pipeline works end to end. */
    watchdogAlertname: alertName.default("Watchdog"),
    /** Named receivers (merged over the defaults: see withDefaultReceivers). */
    receivers: z.preprocess(
      withDefaultReceivers,
      z
        .record(z.string(), receiverSchema)
        .refine((r) => Object.keys(r).length <= 50, { message: "at most 50 receivers" })
        .superRefine((r, ctx) => {
          // Checked here rather than as the record's key schema, whose error does not say what a name may be.
          for (const name of Object.keys(r)) {
            const bad = receiverNameSchema.safeParse(name);
            if (!bad.success) ctx.addIssue({ code: "custom", path: [name], message: bad.error.issues[0].message });
          }
        }),
    ).prefault({}),
    /** Where alerts no receiver's match takes go (unknown or missing severity, say). */
    defaultReceiver: receiverNameSchema.default("chat"),
    /** Where the Watchdog goes: the dead-man's switch. */
    heartbeatReceiver: receiverNameSchema.default("heartbeat"),
    routing: z
      .strictObject({
        warning: tier("30s", "5m", "12h"),
        critical: tier("10s", "5m", "4h"),
        emergency: tier("0s", "1m", "30m"),
        heartbeat: tier("0s", "1m", "1m"),
      })
      .superRefine((r, ctx) => {
        if (!(r.emergency.repeatInterval < r.critical.repeatInterval && r.emergency.repeatInterval < r.warning.repeatInterval)) {
          ctx.addIssue({
            code: "custom",
            path: ["emergency", "repeatInterval"],
            message: `emergency must repeat more often than critical and warning (got ${formatDuration(r.emergency.repeatInterval)} vs ${formatDuration(r.critical.repeatInterval)} / ${formatDuration(r.warning.repeatInterval)})`,
          });
        }
      })
      .prefault({}),
    inhibition: z
      .strictObject({
        /**
         * The alert that says a scrape target is down. It must carry the same `instance` label as
         * the node-exporter series of that host (an `up{job="node-exporter"} == 0` rule does).
         */
        hostDownAlertname: alertName.default("InstanceDown"),
        hostResourceAlerts: z.array(z.enum(ALERT_NAMES)).min(1).default([...HOST_RESOURCE_ALERTS]),
        /** A critical alert mutes the warning of the same alertname and service. */
        criticalMutesWarning: z.boolean().default(true),
      })
      .prefault({}),
  })
  .superRefine((spec, ctx) => {
    for (const key of ["defaultReceiver", "heartbeatReceiver"] as const) {
      if (!Object.prototype.hasOwnProperty.call(spec.receivers, spec[key])) {
        ctx.addIssue({ code: "custom", path: [key], message: `no receiver is named ${JSON.stringify(spec[key])} (receivers: ${Object.keys(spec.receivers).join(", ") || "none"})` });
      }
    }
    for (const [name, r] of Object.entries(spec.receivers)) {
      if (!r.match && name !== spec.defaultReceiver && name !== spec.heartbeatReceiver) {
        ctx.addIssue({ code: "custom", path: ["receivers", name, "match"], message: "missing: without a match (severities, categories) nothing reaches this receiver" });
      }
    }
    for (const needed of ["alertname", "service"]) {
      if (!spec.groupBy.includes(needed)) {
        ctx.addIssue({ code: "custom", path: ["groupBy"], message: `groupBy must include "${needed}"` });
      }
    }
  });

export type AlertmanagerSpec = z.output<typeof alertmanagerSpecSchema>;
export type AlertmanagerSpecInput = z.input<typeof alertmanagerSpecSchema>;

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
