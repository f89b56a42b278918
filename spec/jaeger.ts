import { z } from "zod";
import { positiveDurationSchema } from "./duration";

/**
 * Jaeger v2 (an OpenTelemetry Collector distribution; Jaeger v1 reached end of life on 2025-12-31).
 * One process: OTLP receivers (gRPC 4317, HTTP 4318) -> batch -> jaeger_storage_exporter, the
 * jaeger_query extension serving the UI/API (16686) and query gRPC (16685), healthcheckv2 on 13133
 * and the collector's own Prometheus metrics on 8888.
 *
 * Storage is a spec choice:
 *  - `memory` (default): nothing to provision and always starts; traces are lost when the container
 *    is replaced, which kreuzwerker/docker does on every config change. Fine for dev and CI.
 *  - `badger`: embedded key-value store on a volume, traces survive replacement. The image runs as
 *    UID 10001, so the volume mounted at `directory` must be writable by that user (a fresh named
 *    volume is owned by root: run the container as root or chown the volume first).
 */

export const JAEGER_CONFIG_PATH = "/etc/jaeger/config.yaml";
export const JAEGER_STORAGE_NAME = "traces_store";

const port = z.number().int().min(1).max(65535);
const absolutePath = z.string().regex(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, "an absolute path without a trailing slash");

const memoryStorage = z.strictObject({
  kind: z.literal("memory"),
  maxTraces: z.number().int().positive().max(100_000_000).default(100_000),
});

const badgerStorage = z.strictObject({
  kind: z.literal("badger"),
  /** Volume mount point; keys and values live in subfolders. */
  directory: absolutePath.default("/badger"),
  /** How long spans are kept. */
  spanTtl: positiveDurationSchema.prefault("72h"),
});

export const jaegerSpecSchema = z.strictObject({
  storage: z.discriminatedUnion("kind", [memoryStorage, badgerStorage]).prefault({ kind: "memory" }),
  /** Address the listeners bind to inside the container (the container network isolates them). */
  listenHost: z.union([z.ipv4(), z.literal("localhost")]).default("0.0.0.0"),
  ports: z
    .strictObject({
      otlpGrpc: port.default(4317),
      otlpHttp: port.default(4318),
      ui: port.default(16686),
      queryGrpc: port.default(16685),
      healthcheck: port.default(13133),
      metrics: port.default(8888),
    })
    .superRefine((ports, ctx) => {
      const seen = new Map<number, string>();
      for (const [name, p] of Object.entries(ports)) {
        if (seen.has(p)) ctx.addIssue({ code: "custom", path: [name], message: `port ${p} is already used by ${seen.get(p)}` });
        seen.set(p, name);
      }
    })
    .prefault({}),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type JaegerSpec = z.output<typeof jaegerSpecSchema>;
export type JaegerSpecInput = z.input<typeof jaegerSpecSchema>;
