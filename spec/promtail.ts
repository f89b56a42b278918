import { z } from "zod";
import { positiveDurationSchema } from "./duration";

export const PROMTAIL_DOCKER_SOCKET = "/var/run/docker.sock";
export const PROMTAIL_HTTP_PORT = 9080;

// ---------------------------------------------------------------------------------------------
// Spec
// ---------------------------------------------------------------------------------------------

const port = z.number().int().min(1).max(65535);
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Loki label name");

export const promtailSpecSchema = z.strictObject({
  httpPort: port.default(PROMTAIL_HTTP_PORT),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  lokiPushUrl: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).default("http://loki:3100/loki/api/v1/push"),
  /** Docker API endpoint; the container mounts the host socket read-only at this path. */
  dockerHost: z.string().regex(/^(unix:\/\/\/|tcp:\/\/)\S+$/, "unix:///path or tcp://host:port").default(`unix://${PROMTAIL_DOCKER_SOCKET}`),
  refreshInterval: positiveDurationSchema.prefault("5s"),
  /**
   * Container label whose value becomes the `service` label (containers created by Terraform have
   * no compose labels). Fallbacks: the compose service, then the container name.
   */
  serviceContainerLabel: z.string().regex(/^[A-Za-z0-9_.-]+$/).default("civicpulse.service"),
  /** Labels added to every stream (keep them few and bounded), e.g. { environment: "prod" }. */
  externalLabels: z.record(labelName, z.string().min(1)).default({}),
  /** What a masked secret becomes. */
  maskReplacement: z.string().regex(/^[^{}]+$/, "plain text (it is a Go template: no braces)").default("****"),
});

export type PromtailSpec = z.output<typeof promtailSpecSchema>;
export type PromtailSpecInput = z.input<typeof promtailSpecSchema>;
