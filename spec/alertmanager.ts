import { z } from "zod";
import { durationSchema, formatDuration, positiveDurationSchema } from "./duration";
import { ALERT_NAMES, AlertName } from "./alert-knobs";
import { NULL_RECEIVER, receiverNameSchema, receiverSchema, withDefaultReceivers } from "./alertmanager-receivers";

export { ALERT_CATEGORIES, isLocalWebhookHost } from "./alertmanager-receivers";

/**
 * Alertmanager (0.28+) configuration: receivers, the severity route tree, and inhibition.
 *
 * The label contract (set by every alerting rule, see rules/alerts/define.ts):
 *   severity  warning | critical | emergency   (routing tier; "none" only for helper alerts that
 *             exist to inhibit others, which go to the `null` receiver)
 *   category  application | infrastructure | security | cicd | meta   (routed on where a receiver lists categories)
 *   team      owning team
 *   service   the service the alert is about; grouping and inhibition are per service, so an alert
 *             without `service` is never muted by another service's emergency.
 * Annotations used by the chat message: summary, description, runbook_url.
 *
 * Receivers are configuration (./alertmanager-receivers.ts): any number, each reached by severity and category.
 * Secrets never appear in the rendered file: webhook URLs, routing and API keys, SMTP passwords are
 * referenced through the `*_file` fields, pointing at files in `secretsDir` that the container
 * construct writes from sensitive Terraform variables named after the receiver.
 */

/** Where the container construct places the rendered file and the secret files. */
export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";
export const ALERTMANAGER_DATA_DIR = "/alertmanager";
export const ALERTMANAGER_PORT = 9093;

/** The presets' receivers (spec/alertmanager-receivers.ts DEFAULT_RECEIVERS) and the built-in null receiver. */
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

