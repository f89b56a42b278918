import { z } from "zod";
import { positiveDurationSchema } from "./duration";

/**
 * blackbox_exporter (0.26+: CEL body checks) modules for the CivicPulse health probes. The module names are the
 * contract with prometheus.yml, so they live in spec/jobs.ts (constructs/blackbox-exporter/config.ts re-exports them).
 *
 * A module's timeout caps each probe; Prometheus also sends its own scrape timeout and the exporter
 * uses the smaller of the two (minus a small offset), so keep this at or below the probe job's
 * scrape_timeout.
 */
export const BLACKBOX_CONFIG_PATH = "/etc/blackbox_exporter/config.yml";
export const BLACKBOX_PORT = 9115;

const healthWord = z.string().regex(/^[A-Za-z0-9_-]+$/, "a plain status word such as healthy");

export const blackboxExporterSpecSchema = z.strictObject({
  timeout: positiveDurationSchema.prefault("5s"),
  preferredIpProtocol: z.enum(["ip4", "ip6"]).default("ip4"),
  /** Values of the JSON `status` field of /health/detailed/ that count as healthy. */
  healthyStatuses: z.array(healthWord).min(1).default(["healthy", "ok"]),
});

export type BlackboxExporterSpec = z.output<typeof blackboxExporterSpecSchema>;
export type BlackboxExporterSpecInput = z.input<typeof blackboxExporterSpecSchema>;
