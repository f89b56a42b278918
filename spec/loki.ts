import { z } from "zod";
import { durationSchema, positiveDurationSchema } from "./duration";

/**
 * Loki 3.x, single binary (target=all), filesystem storage on one volume, TSDB index with schema
 * v13 (required for structured metadata, which Promtail uses for trace ids), and compactor-based
 * retention. No Loki binary runs in this environment, so `lokiConfigFileSchema` describes exactly
 * the fields we emit and the tests parse the rendered file against it.
 */

export const LOKI_CONFIG_PATH = "/etc/loki/config.yaml";
/** Everything Loki writes (chunks, TSDB index, WAL, compactor marks) lives under this volume. */
export const LOKI_DATA_DIR = "/loki";

const port = z.number().int().min(1).max(65535);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
    message: "not a calendar date",
  });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const lokiSpecSchema = z.strictObject({
  httpPort: port.default(3100),
  grpcPort: port.default(9095),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /**
   * First day of the v13/TSDB schema period. It must never move once data exists (Loki reads old
   * data with the period that covers it); a later schema change appends a period instead.
   */
  schemaFrom: isoDate.default("2024-04-01"),
  /** How long logs are kept; the compactor deletes older chunks. At least 24h, whole hours. */
  retentionPeriod: durationSchema
    .refine((d) => d >= DAY && d % HOUR === 0, { message: "retention must be at least 24h and a whole number of hours" })
    .prefault("30d"),
  /** Marked chunks are deleted this long after retention marks them (a window to undo a mistake). */
  retentionDeleteDelay: durationSchema.prefault("2h"),
  compactionInterval: positiveDurationSchema.prefault("10m"),
  /** Entries older than this are rejected at ingestion (protects against replayed old logs). */
  rejectOldSamplesMaxAge: positiveDurationSchema.prefault("7d"),
  ingestionRateMb: z.number().positive().max(100_000).default(8),
  ingestionBurstSizeMb: z.number().positive().max(100_000).default(16),
  /** Size of the in-process query results cache. */
  resultsCacheMb: z.number().int().positive().max(1_048_576).default(100),
});

export type LokiSpec = z.output<typeof lokiSpecSchema>;
export type LokiSpecInput = z.input<typeof lokiSpecSchema>;
