import { z } from "zod";
import { prometheusSpecSchema, targetsSpecSchema } from "./prometheus";
import { alertKnobsSchema, metaKnobsSchema } from "./alert-knobs";
import { sloSpecSchema } from "./slo";
import { grafanaSpecSchema } from "./grafana";
import { servicesSpecSchema } from "./services";
import { crossFieldIssues } from "./checks";
import { backendSpecSchema } from "./backend";
import { providersSpecSchema } from "./providers";
import { storeSpecSchema } from "./store";

export const ENVIRONMENT_NAMES = ["dev", "staging", "prod"] as const;

/**
 * The whole description of one environment. Every section has defaults from the report, so an
 * environment (or an override file) states only what differs. Unknown fields are errors.
 */
export const environmentSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "lowercase letters, digits and dashes, starting with a letter"),
  /** Team label every alert carries; routing and silences use it. */
  team: z.string().regex(/^[a-z0-9_-]+$/, "a label value such as platform").default("platform"),
  /** Where the generated runbooks are served; each alert links to <base>/<AlertName>.md. */
  runbookBaseUrl: z
    .url({ protocol: /^https?$/, error: "an http(s) URL" })
    .default("https://github.com/civicpulse/civicpulse-monitoring/blob/main/docs/runbooks"),
  /** The Grafana people open from an alert (dashboard_url annotations); the bundled one by default. */
  grafanaUrl: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).default("http://127.0.0.1:3000"),
  prometheus: prometheusSpecSchema,
  targets: targetsSpecSchema,
  alerts: alertKnobsSchema,
  /** Watchdog, InstanceDown and the escalation of unresolved critical alerts. */
  meta: metaKnobsSchema,
  /** SLOs and their burn-rate alert policy (spec/slo.ts). */
  slos: sloSpecSchema,
  /** Containers of the stack: images, ports, limits, Alertmanager receivers, secrets. */
  services: servicesSpecSchema,
  grafana: grafanaSpecSchema,
  /** Where Terraform keeps the state of this environment's stacks (local unless set). */
  terraformBackend: backendSpecSchema,
  /** Long-term metrics store behind remote_write (spec/store.ts); none by default. */
  store: storeSpecSchema,
  /** Terraform provider version constraints (default: what the generated bindings declare). */
  providers: providersSpecSchema,
}).superRefine((spec, ctx) => {
  for (const issue of crossFieldIssues(spec as EnvironmentSpec)) ctx.addIssue({ code: "custom", ...issue });
});

export type EnvironmentSpec = z.output<typeof environmentSpecSchema>;
/** What a preset or an override file may contain: any subset of the spec. */
export type EnvironmentInput = z.input<typeof environmentSpecSchema>;
