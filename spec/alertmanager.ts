import { z } from "zod";
import { durationSchema, positiveDurationSchema, formatDuration } from "./duration";
import { RuleGroupName, AlertName, ALERT_NAMES } from "./alert-knobs";

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
 * Secrets never appear in the rendered file: Slack webhook URLs, PagerDuty routing keys and
 * dead-man's-switch URLs are referenced through the `*_file` fields, pointing at files in
 * `secretsDir` that the container construct writes from sensitive Terraform variables.
 */

/** Where the container construct places the rendered file and the secret files. */
export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";
export const ALERTMANAGER_DATA_DIR = "/alertmanager";
export const ALERTMANAGER_PORT = 9093;

export const ALERTMANAGER_RECEIVERS = {
  chat: "chat",
  pager: "pager",
  emergency: "emergency",
  heartbeat: "heartbeat",
  null: "null",
} as const;
export type ReceiverName = (typeof ALERTMANAGER_RECEIVERS)[keyof typeof ALERTMANAGER_RECEIVERS];

/** Values of the `category` label (one per rule group). */
export const ALERT_CATEGORIES = ["application", "infrastructure", "security", "cicd", "meta"] as const satisfies readonly RuleGroupName[];

/** Host resource alerts that a down host makes meaningless (their series vanish or lie). */
export const HOST_RESOURCE_ALERTS = ["HostHighCpuUsage", "HostLowMemory", "HostDiskSpaceLow"] as const satisfies readonly AlertName[];

// ---------------------------------------------------------------------------------------------
// Spec
// ---------------------------------------------------------------------------------------------

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name");
const alertName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "an alert name (a metric-name-like identifier)");

/** A file name inside `secretsDir` (no directories: the construct owns the folder). */
const secretFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a plain file name inside secretsDir, such as "slack_api_url"');

const absolutePath = z.string().regex(/^\/[^\0]*[^/]$|^\/$/, "an absolute path without a trailing slash");

/**
 * Hosts a webhook URL may name inline: loopback, or a single-label name (a container alias on the
 * local Docker network, e.g. a test recorder). Anything with a dot is a real endpoint whose URL is
 * usually a credential in itself (Slack, dead-man's-switch services), so it must come from a file.
 */
export function isLocalWebhookHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "::1" || h === "localhost") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(h) && !/^\d+$/.test(h);
}

const localWebhookUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: `not a URL: ${JSON.stringify(value)}` });
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({ code: "custom", message: `webhook URL must be http(s), got ${url.protocol}` });
  }
  if (url.username || url.password || url.search) {
    ctx.addIssue({ code: "custom", message: "inline webhook URL must not carry credentials or a query string; use urlFile" });
  }
  if (!isLocalWebhookHost(url.hostname)) {
    ctx.addIssue({
      code: "custom",
      message: `inline webhook URLs are only allowed for loopback or local container hosts, got ${JSON.stringify(url.hostname)}; put the URL in a secret file and use urlFile`,
    });
  }
});

const slackTarget = z.strictObject({
  kind: z.literal("slack"),
  channel: z.string().regex(/^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/, 'a Slack channel such as "#civicpulse-alerts"'),
  /** File in secretsDir holding the incoming-webhook URL. */
  secretFile: secretFileName,
});

const pagerdutyTarget = z.strictObject({
  kind: z.literal("pagerduty"),
  /** File in secretsDir holding the Events API v2 routing (integration) key. */
  secretFile: secretFileName,
});

const webhookTarget = z
  .strictObject({
    kind: z.literal("webhook"),
    /** Inline URL: loopback or a local container alias only (e2e recorders). */
    url: localWebhookUrl.optional(),
    /** File in secretsDir holding the URL (any host). */
    urlFile: secretFileName.optional(),
  })
  .refine((t) => (t.url === undefined) !== (t.urlFile === undefined), {
    message: "a webhook needs exactly one of url or urlFile",
    path: ["url"],
  });

const receiverTarget = z.discriminatedUnion("kind", [slackTarget, pagerdutyTarget, webhookTarget]);
export type ReceiverTarget = z.output<typeof receiverTarget>;

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
    receivers: z
      .strictObject({
        chat: receiverTarget.prefault({ kind: "slack", channel: "#civicpulse-alerts", secretFile: "slack_api_url" }),
        pager: receiverTarget.prefault({ kind: "pagerduty", secretFile: "pagerduty_routing_key" }),
        /** Who else is paged for an emergency (a second PagerDuty service, an escalation webhook). */
        escalation: receiverTarget.prefault({ kind: "pagerduty", secretFile: "pagerduty_escalation_routing_key" }),
        /** Dead-man's switch pinged by the Watchdog; webhook only. */
        heartbeat: webhookTarget.prefault({ kind: "webhook", urlFile: "heartbeat_url" }),
      })
      .prefault({}),
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
    for (const needed of ["alertname", "service"]) {
      if (!spec.groupBy.includes(needed)) {
        ctx.addIssue({ code: "custom", path: ["groupBy"], message: `groupBy must include "${needed}"` });
      }
    }
  });

export type AlertmanagerSpec = z.output<typeof alertmanagerSpecSchema>;
export type AlertmanagerSpecInput = z.input<typeof alertmanagerSpecSchema>;
