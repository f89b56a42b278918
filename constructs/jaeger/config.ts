import { z } from "zod";
import { Duration, positiveDurationSchema } from "../../rules/duration";
import { toYaml } from "../../rules/yaml";

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

/** Go `time.Duration` text: badger's TTL is parsed by time.ParseDuration (no days). */
function goDuration(d: Duration): string {
  const h = Math.floor(d / 3_600_000);
  const m = Math.floor((d % 3_600_000) / 60_000);
  const s = Math.floor((d % 60_000) / 1000);
  const rest = d % 1000;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}${rest ? `${rest}ms` : ""}` || "0s";
}

function storageBackend(spec: JaegerSpec): Record<string, unknown> {
  const s = spec.storage;
  if (s.kind === "memory") return { memory: { max_traces: s.maxTraces } };
  return {
    badger: {
      directories: { keys: `${s.directory}/keys`, values: `${s.directory}/values` },
      ephemeral: false,
      ttl: { spans: goDuration(s.spanTtl) },
    },
  };
}

export function buildJaegerConfig(spec: JaegerSpec): Record<string, unknown> {
  const at = (p: number) => `${spec.listenHost}:${p}`;
  return {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: {
        traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
      },
      telemetry: {
        resource: { "service.name": "jaeger" },
        metrics: {
          level: "detailed",
          readers: [{ pull: { exporter: { prometheus: { host: spec.listenHost, port: spec.ports.metrics } } } }],
        },
        logs: { level: spec.logLevel },
      },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: at(spec.ports.healthcheck) } },
      jaeger_query: {
        storage: { traces: JAEGER_STORAGE_NAME },
        http: { endpoint: at(spec.ports.ui) },
        grpc: { endpoint: at(spec.ports.queryGrpc) },
      },
      jaeger_storage: { backends: { [JAEGER_STORAGE_NAME]: storageBackend(spec) } },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: at(spec.ports.otlpGrpc) },
          http: { endpoint: at(spec.ports.otlpHttp) },
        },
      },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: JAEGER_STORAGE_NAME } },
  };
}

export function renderJaegerConfig(spec: JaegerSpec): string {
  return toYaml(buildJaegerConfig(spec), "Generated by constructs/jaeger/config.ts - do not edit by hand.");
}

/** Container command line for the rendered file. */
export function jaegerCommand(): string[] {
  return ["--config", JAEGER_CONFIG_PATH];
}

/** The HTTP health endpoint for a container health check (healthcheckv2 serves /status). */
export function jaegerHealthcheckUrl(spec: JaegerSpec): string {
  return `http://127.0.0.1:${spec.ports.healthcheck}/status`;
}

// ---------------------------------------------------------------------------------------------
// Structure of the emitted file (what tests check in place of a Jaeger binary)
// ---------------------------------------------------------------------------------------------

const endpoint = z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|localhost):\d{1,5}$/, "host:port");
const storageName = z.string().regex(/^[a-z_][a-z0-9_]*$/);

export const jaegerConfigFileSchema = z
  .strictObject({
    service: z.strictObject({
      extensions: z.array(z.enum(["jaeger_storage", "jaeger_query", "healthcheckv2"])),
      pipelines: z.strictObject({
        traces: z.strictObject({
          receivers: z.array(z.enum(["otlp"])).min(1),
          processors: z.array(z.enum(["batch"])),
          exporters: z.array(z.enum(["jaeger_storage_exporter"])).min(1),
        }),
      }),
      telemetry: z.strictObject({
        resource: z.strictObject({ "service.name": z.string() }),
        metrics: z.strictObject({
          level: z.enum(["none", "basic", "normal", "detailed"]),
          readers: z
            .array(
              z.strictObject({
                pull: z.strictObject({ exporter: z.strictObject({ prometheus: z.strictObject({ host: z.string(), port }) }) }),
              }),
            )
            .length(1),
        }),
        logs: z.strictObject({ level: z.enum(["debug", "info", "warn", "error"]) }),
      }),
    }),
    extensions: z.strictObject({
      healthcheckv2: z.strictObject({ use_v2: z.literal(true), http: z.strictObject({ endpoint }) }),
      jaeger_query: z.strictObject({
        storage: z.strictObject({ traces: storageName }),
        http: z.strictObject({ endpoint }),
        grpc: z.strictObject({ endpoint }),
      }),
      jaeger_storage: z.strictObject({
        backends: z.record(
          storageName,
          z.union([
            z.strictObject({ memory: z.strictObject({ max_traces: z.number().int().positive() }) }),
            z.strictObject({
              badger: z.strictObject({
                directories: z.strictObject({ keys: absolutePath, values: absolutePath }),
                ephemeral: z.boolean(),
                ttl: z.strictObject({ spans: z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/).refine((t) => t !== "" && t !== "0s", "a positive duration") }),
              }),
            }),
          ]),
        ),
      }),
    }),
    receivers: z.strictObject({
      otlp: z.strictObject({
        protocols: z.strictObject({ grpc: z.strictObject({ endpoint }), http: z.strictObject({ endpoint }) }),
      }),
    }),
    processors: z.strictObject({ batch: z.strictObject({}) }),
    exporters: z.strictObject({ jaeger_storage_exporter: z.strictObject({ trace_storage: storageName }) }),
  })
  .superRefine((cfg, ctx) => {
    // Cross references the collector resolves at startup.
    const backends = Object.keys(cfg.extensions.jaeger_storage.backends);
    if (!backends.includes(cfg.extensions.jaeger_query.storage.traces)) {
      ctx.addIssue({ code: "custom", path: ["extensions", "jaeger_query", "storage", "traces"], message: "names no jaeger_storage backend" });
    }
    if (!backends.includes(cfg.exporters.jaeger_storage_exporter.trace_storage)) {
      ctx.addIssue({ code: "custom", path: ["exporters", "jaeger_storage_exporter", "trace_storage"], message: "names no jaeger_storage backend" });
    }
    for (const ext of cfg.service.extensions) {
      if (!(ext in cfg.extensions)) ctx.addIssue({ code: "custom", path: ["service", "extensions"], message: `${ext} is not configured` });
    }
    for (const ext of Object.keys(cfg.extensions)) {
      if (!cfg.service.extensions.includes(ext as never)) {
        ctx.addIssue({ code: "custom", path: ["extensions", ext], message: "configured but not enabled in service.extensions" });
      }
    }
  });

export type JaegerConfigFile = z.output<typeof jaegerConfigFileSchema>;
