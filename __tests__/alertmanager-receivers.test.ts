/**
 * Receivers as configuration: every type renders fields the real amtool accepts, every receiver's
 * generated route cases pass `amtool config routes test`, overrides merge as documented, bad
 * receivers are refused naming the field, and the README's receiver reference is the schema's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { alertmanagerSecretFiles, renderAlertmanagerConfig, routeTestCases } from "../constructs/alertmanager/config";
import { withReceiverDoc } from "../constructs/alertmanager/receivers-doc";
import { AlertmanagerSpecInput, alertmanagerSpecSchema } from "../spec/alertmanager";
import { DEFAULT_RECEIVERS, withDefaultReceivers } from "../spec/alertmanager-receivers";
import { runTool } from "./helpers/tools";
import { tempDir } from "./helpers/temp";

const dir = tempDir("civicpulse-receivers-");
const parse = (input: AlertmanagerSpecInput) => alertmanagerSpecSchema.parse(input);

/** One receiver of every type, each routed differently. */
const EVERY_TYPE: AlertmanagerSpecInput = {
  receivers: {
    chat: { channel: "#ops" },
    "security-mail": {
      type: "email",
      to: "security@example.com",
      from: "alertmanager@example.com",
      smarthost: "smtp.example.com:587",
      authUsername: "alertmanager",
      match: { severities: ["warning", "critical"], categories: ["security"] },
    },
    ops: { type: "opsgenie", teams: ["Platform Team"], match: { severities: ["emergency"] } },
    "ci-hook": { type: "webhook", match: { severities: ["critical"], categories: ["cicd"] } },
    "local-hook": { type: "webhook", url: "http://127.0.0.1:9999/x", match: { severities: ["warning"], categories: ["cicd"] }, sendResolved: false },
  },
};

function amtool(spec: ReturnType<typeof parse>, name: string) {
  const file = path.join(dir, name);
  writeFileSync(file, renderAlertmanagerConfig(spec));
  return file;
}

describe("every receiver type", () => {
  const spec = parse(EVERY_TYPE);

  test("amtool check-config accepts the rendered integrations (slack, pagerduty, webhook, email, opsgenie)", () => {
    const file = amtool(spec, "every-type.yml");
    const r = runTool("amtool", ["check-config", file]);
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.stdout + r.stderr).toContain(`${Object.keys(spec.receivers).length + 1} receivers`);
    const text = readFileSync(file, "utf8");
    for (const key of ["slack_configs", "pagerduty_configs", "webhook_configs", "email_configs", "opsgenie_configs"]) expect(text).toContain(`${key}:`);
  });

  test("amtool check-config refuses a field Alertmanager does not know (the check can fail)", () => {
    const file = path.join(dir, "bad-field.yml");
    writeFileSync(file, renderAlertmanagerConfig(spec).replace("require_tls: true", "require_tls: true\n        starttls: always"));
    const r = runTool("amtool", ["check-config", file]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("starttls");
  });

  test("every generated route case of every receiver resolves to exactly its receivers", () => {
    const file = amtool(spec, "routes.yml");
    const cases = routeTestCases(spec);
    const reached = new Set(cases.flatMap((c) => c.expectReceivers));
    for (const name of Object.keys(spec.receivers)) expect({ name, reached: reached.has(name) }).toEqual({ name, reached: true });
    const results = cases.map((c) => {
      const r = runTool("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${c.expectReceivers.join(",")}`, ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)]);
      return { name: c.name, status: r.status, got: r.stdout.trim() };
    });
    expect(results.filter((r) => r.status !== 0)).toEqual([]);
    // A critical security alert pages, posts to chat and mails security; a cicd warning goes to chat and the local hook.
    expect(cases.find((c) => c.name === "security critical")!.expectReceivers).toEqual(["chat", "pager", "security-mail"]);
    expect(cases.find((c) => c.name === "cicd warning")!.expectReceivers).toEqual(["chat", "local-hook"]);
    expect(cases.find((c) => c.name === "application emergency")!.expectReceivers).toEqual(["pager", "escalation", "ops"]);
  });

  test("each secret is a file named after its receiver and a variable alertmanager_receiver_<name>_<field>", () => {
    expect(alertmanagerSecretFiles(spec).map((f) => [path.basename(f.path), f.variable])).toEqual([
      ["chat_api_url", "alertmanager_receiver_chat_api_url"],
      ["pager_routing_key", "alertmanager_receiver_pager_routing_key"],
      ["escalation_routing_key", "alertmanager_receiver_escalation_routing_key"],
      ["heartbeat_url", "alertmanager_receiver_heartbeat_url"],
      ["security-mail_auth_password", "alertmanager_receiver_security_mail_auth_password"],
      ["ops_api_key", "alertmanager_receiver_ops_api_key"],
      ["ci-hook_url", "alertmanager_receiver_ci_hook_url"],
    ]);
    // Only *_file fields carry secrets; the one inline URL is the local hook's.
    const text = renderAlertmanagerConfig(spec);
    expect(text).not.toMatch(/\b(routing_key|service_key|api_key|auth_password):/);
    expect(text.match(/^\s+-? ?url: .*$/gm)).toEqual(["      - url: http://127.0.0.1:9999/x"]);
    expect(text).not.toMatch(/slack_configs:\n\s+- api_url:/);
  });
});

describe("overrides merge over the default receivers", () => {
  test("a field keeps the type and routing; a new type keeps the routing; null removes; a new name adds", () => {
    const merged = withDefaultReceivers({ chat: { channel: "#ops" }, pager: { type: "opsgenie" }, escalation: null, extra: { type: "webhook" } }) as Record<string, unknown>;
    expect(Object.keys(merged)).toEqual(["chat", "pager", "heartbeat", "extra"]);
    expect(merged.chat).toEqual({ ...DEFAULT_RECEIVERS.chat, channel: "#ops" });
    expect(merged.pager).toEqual({ type: "opsgenie", match: DEFAULT_RECEIVERS.pager.match });
    expect(withDefaultReceivers(undefined)).toEqual(DEFAULT_RECEIVERS);
  });
});

describe("bad receivers are refused, naming the field", () => {
  const issues = (input: AlertmanagerSpecInput) => {
    const r = alertmanagerSpecSchema.safeParse(input);
    expect(r.success).toBe(false);
    return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  test("an unknown type, a missing required field, a bad address", () => {
    expect(issues({ receivers: { x: { type: "teams", match: { severities: ["warning"] } } } }).join("\n")).toMatch(/^receivers\.x\.type: /m);
    expect(issues({ receivers: { mail: { type: "email", from: "a@example.com", smarthost: "smtp:25", match: { severities: ["warning"] } } } })).toContain(
      "receivers.mail.to: an email address such as oncall@example.com",
    );
    expect(issues({ receivers: { mail: { type: "email", to: "nobody", from: "a@example.com", smarthost: "smtp:25", match: { severities: ["warning"] } } } })).toContain(
      "receivers.mail.to: an email address such as oncall@example.com",
    );
  });

  test("a receiver nothing reaches, a default or heartbeat receiver that does not exist, a bad name", () => {
    expect(issues({ receivers: { lonely: { type: "pagerduty" } } })).toContain("receivers.lonely.match: missing: without a match (severities, categories) nothing reaches this receiver");
    expect(issues({ defaultReceiver: "nobody" })).toContain('defaultReceiver: no receiver is named "nobody" (receivers: chat, pager, escalation, heartbeat)');
    expect(issues({ receivers: { heartbeat: null } })).toContain('heartbeatReceiver: no receiver is named "heartbeat" (receivers: chat, pager, escalation)');
    expect(issues({ receivers: { Bad_Name: { type: "pagerduty", match: { severities: ["warning"] } } } }).join("\n")).toMatch(/^receivers\.Bad_Name: lowercase letters, digits and dashes/m);
    expect(issues({ receivers: { x: { type: "pagerduty", match: { severities: ["warning", "warning"] } } } })).toContain("receivers.x.match: a severity or category is listed twice");
  });
});

test("the README's receiver reference is generated from the schema (npm run docs rewrites it)", () => {
  const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
  expect(withReceiverDoc(readme)).toBe(readme);
});
