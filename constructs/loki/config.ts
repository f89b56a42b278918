import { z } from "zod";
import { Duration, durationSchema, positiveDurationSchema } from "../../rules/duration";
import { toYaml } from "../../rules/yaml";

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

/**
 * Go `time.Duration` text ("720h", "1h30m", "10m", "0s"). Loki parses some fields with Go's
 * time.ParseDuration, which knows no days or weeks, so every Loki duration is written this way
 * (Prometheus-style fields such as retention_period accept it too).
 */
export function formatGoDuration(d: Duration): string {
  if (d === 0) return "0s";
  let rest: number = d;
  let out = "";
  for (const [unit, size] of [
    ["h", HOUR],
    ["m", 60_000],
    ["s", 1_000],
    ["ms", 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

export function buildLokiConfig(spec: LokiSpec): Record<string, unknown> {
  const g = formatGoDuration;
  return {
    auth_enabled: false,
    server: {
      http_listen_port: spec.httpPort,
      grpc_listen_port: spec.grpcPort,
      log_level: spec.logLevel,
    },
    common: {
      instance_addr: "127.0.0.1",
      path_prefix: LOKI_DATA_DIR,
      storage: {
        filesystem: {
          chunks_directory: `${LOKI_DATA_DIR}/chunks`,
          rules_directory: `${LOKI_DATA_DIR}/rules`,
        },
      },
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
    },
    schema_config: {
      configs: [
        {
          from: spec.schemaFrom,
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    },
    compactor: {
      working_directory: `${LOKI_DATA_DIR}/compactor`,
      compaction_interval: g(spec.compactionInterval),
      retention_enabled: true,
      retention_delete_delay: g(spec.retentionDeleteDelay),
      retention_delete_worker_count: 150,
      // Loki 3 refuses to start with retention enabled and no delete-request store.
      delete_request_store: "filesystem",
    },
    limits_config: {
      retention_period: g(spec.retentionPeriod),
      reject_old_samples: true,
      reject_old_samples_max_age: g(spec.rejectOldSamplesMaxAge),
      allow_structured_metadata: true,
      ingestion_rate_mb: spec.ingestionRateMb,
      ingestion_burst_size_mb: spec.ingestionBurstSizeMb,
    },
    query_range: {
      results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: spec.resultsCacheMb } } },
    },
    // No anonymous usage reports to stats.grafana.org.
    analytics: { reporting_enabled: false },
  };
}

export function renderLokiConfig(spec: LokiSpec): string {
  return toYaml(buildLokiConfig(spec), "Generated by constructs/loki/config.ts - do not edit by hand.");
}

/** Container command line for the rendered file. */
export function lokiCommand(): string[] {
  return [`-config.file=${LOKI_CONFIG_PATH}`];
}

// ---------------------------------------------------------------------------------------------
// Structure of the emitted file (what tests check in place of a Loki binary)
// ---------------------------------------------------------------------------------------------

const goDuration = z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/).refine((s) => s !== "", "empty duration");
const absPath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/);

export const lokiConfigFileSchema = z.strictObject({
  auth_enabled: z.literal(false),
  server: z.strictObject({
    http_listen_port: port,
    grpc_listen_port: port,
    log_level: z.enum(["debug", "info", "warn", "error"]),
  }),
  common: z.strictObject({
    instance_addr: z.string(),
    path_prefix: absPath,
    storage: z.strictObject({
      filesystem: z.strictObject({ chunks_directory: absPath, rules_directory: absPath }),
    }),
    replication_factor: z.literal(1),
    ring: z.strictObject({ kvstore: z.strictObject({ store: z.enum(["inmemory"]) }) }),
  }),
  schema_config: z.strictObject({
    configs: z
      .array(
        z.strictObject({
          from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          store: z.enum(["tsdb"]),
          object_store: z.enum(["filesystem"]),
          schema: z.enum(["v13"]),
          index: z.strictObject({ prefix: z.string().min(1), period: z.literal("24h") }),
        }),
      )
      .min(1),
  }),
  compactor: z.strictObject({
    working_directory: absPath,
    compaction_interval: goDuration,
    retention_enabled: z.boolean(),
    retention_delete_delay: goDuration,
    retention_delete_worker_count: z.number().int().positive(),
    delete_request_store: z.enum(["filesystem"]),
  }),
  limits_config: z.strictObject({
    retention_period: goDuration,
    reject_old_samples: z.boolean(),
    reject_old_samples_max_age: goDuration,
    allow_structured_metadata: z.boolean(),
    ingestion_rate_mb: z.number().positive(),
    ingestion_burst_size_mb: z.number().positive(),
  }),
  query_range: z.strictObject({
    results_cache: z.strictObject({
      cache: z.strictObject({ embedded_cache: z.strictObject({ enabled: z.boolean(), max_size_mb: z.number().int().positive() }) }),
    }),
  }),
  analytics: z.strictObject({ reporting_enabled: z.boolean() }),
});

export type LokiConfigFile = z.output<typeof lokiConfigFileSchema>;
