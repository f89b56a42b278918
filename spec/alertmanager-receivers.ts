import { z } from "zod";
import { RuleGroupName, SEVERITIES, Severity } from "./alert-knobs";

/**
 * Alertmanager receivers as configuration: any number of named receivers, each one integration of
 * a type teams use (Slack, PagerDuty, a webhook, email, Opsgenie), each reached by the severities
 * (and optionally the categories) in its `match`. Fields are Alertmanager's own (0.28+); every
 * secret (a webhook URL, a routing key, an API key, an SMTP password) is a file in the secrets
 * folder named `<receiver>_<field>`, written from the sensitive Terraform variable
 * `alertmanager_receiver_<receiver>_<field>`, and never inline.
 */

/** Values of the `category` label (one per rule group). */
export const ALERT_CATEGORIES = ["application", "infrastructure", "security", "cicd", "meta"] as const satisfies readonly RuleGroupName[];
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

/** The receiver Alertmanager needs for alerts nobody should hear (inhibition helpers). */
export const NULL_RECEIVER = "null";

/** Receiver names become file names and Terraform variable names. */
export const receiverNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes, starting with a letter (such as "security-mail")')
  .refine((n) => n !== NULL_RECEIVER, { message: `"${NULL_RECEIVER}" is the built-in receiver that drops alerts` });

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
    ctx.addIssue({ code: "custom", message: "inline webhook URL must not carry credentials or a query string; leave url out and set the receiver's secret variable" });
  }
  if (!isLocalWebhookHost(url.hostname)) {
    ctx.addIssue({
      code: "custom",
      message: `inline webhook URLs are only allowed for loopback or local container hosts, got ${JSON.stringify(url.hostname)}; leave url out and set the receiver's secret variable`,
    });
  }
});

const match = z
  .strictObject({
    /** Severities that reach this receiver. */
    severities: z.array(z.enum(SEVERITIES)).min(1).max(SEVERITIES.length),
    /** Categories that reach it (default: every category). */
    categories: z.array(z.enum(ALERT_CATEGORIES)).min(1).max(ALERT_CATEGORIES.length).optional(),
  })
  .refine((m) => new Set(m.severities).size === m.severities.length && new Set(m.categories ?? []).size === (m.categories ?? []).length, {
    message: "a severity or category is listed twice",
  });

/** Fields every receiver has: which alerts reach it, and whether it hears about resolution. */
const routing = {
  match: match
    .optional()
    .describe("`severities` (warning, critical, emergency) and optionally `categories` (default: all) that reach it; without it, only what defaultReceiver or heartbeatReceiver sends"),
  sendResolved: z.boolean().default(true).describe("also notify when the alert resolves"),
};

const emailAddress = z.email({ error: "an email address such as oncall@example.com" });
const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port, such as "smtp.example.com:587"');

export const receiverSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("slack"),
    channel: z.string().regex(/^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/, 'a Slack channel such as "#civicpulse-alerts"').describe("the channel (or @user) to post to"),
    ...routing,
  }),
  z.strictObject({ type: z.literal("pagerduty"), ...routing }),
  z.strictObject({
    type: z.literal("webhook"),
    url: localWebhookUrl.optional().describe("inline URL, for loopback or a local container alias only (a test recorder); without it the URL is the secret"),
    ...routing,
  }),
  z.strictObject({
    type: z.literal("email"),
    to: emailAddress.describe("recipient address"),
    from: emailAddress.describe("sender address"),
    smarthost: hostPort.describe("SMTP server as host:port"),
    authUsername: z.string().min(1).max(256).regex(/^[^\s{}]+$/, "no spaces or braces").optional().describe("SMTP user; with it, the password is the secret"),
    requireTls: z.boolean().default(true).describe("refuse to send without STARTTLS"),
    ...routing,
  }),
  z.strictObject({
    type: z.literal("opsgenie"),
    apiUrl: z.url({ protocol: /^https$/, error: "an https URL" }).default("https://api.opsgenie.com/").describe("Opsgenie API endpoint (EU: https://api.eu.opsgenie.com/)"),
    teams: z.array(z.string().regex(/^[A-Za-z0-9 _.-]{1,100}$/, "an Opsgenie team name")).max(20).default([]).describe("teams to notify (responders of type team)"),
    ...routing,
  }),
]);
export type Receiver = z.output<typeof receiverSchema>;
export type ReceiverType = Receiver["type"];

/** The secret each type reads, by its Alertmanager field stem (the file and the variable end in it). */
export function secretFieldsOf(r: Receiver): Array<{ field: string; holds: string }> {
  switch (r.type) {
    case "slack":
      return [{ field: "api_url", holds: "Slack incoming-webhook URL" }];
    case "pagerduty":
      return [{ field: "routing_key", holds: "PagerDuty Events v2 routing key" }];
    case "webhook":
      return r.url === undefined ? [{ field: "url", holds: "webhook URL" }] : [];
    case "email":
      return r.authUsername === undefined ? [] : [{ field: "auth_password", holds: `SMTP password of ${r.authUsername}` }];
    case "opsgenie":
      return [{ field: "api_key", holds: "Opsgenie API key" }];
  }
}

/** Today's routing, as receivers: warning to chat, critical to chat and the pager, emergency to the pager and the escalation contact. */
export const DEFAULT_RECEIVERS: Record<string, z.input<typeof receiverSchema>> = {
  chat: { type: "slack", channel: "#civicpulse-alerts", match: { severities: ["warning", "critical"] } },
  pager: { type: "pagerduty", match: { severities: ["critical", "emergency"] } },
  /** Who else is paged for an emergency (a second PagerDuty service). */
  escalation: { type: "pagerduty", match: { severities: ["emergency"] } },
  /** The dead-man's switch the Watchdog pings. */
  heartbeat: { type: "webhook", sendResolved: false },
};

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * An override names only what differs: `chat: { channel: "#ops" }` keeps chat's type and routing;
 * a new `type` replaces the target and keeps the routing (`match`, `sendResolved`); `null` removes
 * a default receiver; a new name adds one.
 */
export function withDefaultReceivers(input: unknown): unknown {
  if (input === undefined) return { ...DEFAULT_RECEIVERS };
  if (!isPlain(input)) return input;
  const out: Plain = {};
  // defineProperty: a key named __proto__ must stay a key (and then fail the name check).
  const set = (name: string, value: unknown) => Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  // The defaults first, in their order (routes follow declaration order), then new receivers.
  const names = [...Object.keys(DEFAULT_RECEIVERS), ...Object.keys(input).filter((n) => !Object.prototype.hasOwnProperty.call(DEFAULT_RECEIVERS, n))];
  for (const name of names) {
    const base = Object.prototype.hasOwnProperty.call(DEFAULT_RECEIVERS, name) ? (DEFAULT_RECEIVERS[name] as Plain) : undefined;
    if (!Object.prototype.hasOwnProperty.call(input, name)) {
      set(name, base);
      continue;
    }
    const given = input[name];
    if (given === null) continue;
    if (!base || !isPlain(given)) set(name, given);
    else if (given.type === undefined || given.type === base.type) set(name, { ...base, ...given });
    else set(name, { ...(base.match ? { match: base.match } : {}), ...(base.sendResolved !== undefined ? { sendResolved: base.sendResolved } : {}), ...given });
  }
  return out;
}

/** Sensitive Terraform variable of a receiver's secret. */
export const receiverVariable = (receiver: string, field: string): string => `alertmanager_receiver_${receiver.replace(/-/g, "_")}_${field}`;
/** Its file in the secrets folder. */
export const receiverSecretFile = (receiver: string, field: string): string => `${receiver}_${field}`;

/** Receivers that take an alert of this severity and category, in declaration order (the route order). */
export function receiversFor(receivers: Record<string, Receiver>, severity: Severity, category: AlertCategory): string[] {
  return Object.entries(receivers)
    .filter(([, r]) => r.match && r.match.severities.includes(severity) && (r.match.categories ?? ALERT_CATEGORIES).includes(category))
    .map(([name]) => name);
}

/** Which Alertmanager integration each type renders, and the secret it reads. */
export const RECEIVER_TYPES: Record<ReceiverType, { integration: string; secret: string }> = {
  slack: { integration: "slack_configs", secret: "`api_url` (incoming-webhook URL)" },
  pagerduty: { integration: "pagerduty_configs", secret: "`routing_key` (Events v2)" },
  webhook: { integration: "webhook_configs", secret: "`url`, unless `url` is given inline" },
  email: { integration: "email_configs", secret: "`auth_password`, when `authUsername` is set" },
  opsgenie: { integration: "opsgenie_configs", secret: "`api_key`" },
};
