import { z } from "zod";
import { webConfigSpecSchema, webConfigEnabled } from "./web-config";
import { toxiproxySpecSchema } from "./toxiproxy";
import { promtailSpecSchema } from "./promtail";
import { lokiSpecSchema } from "./loki";
import { jaegerSpecSchema } from "./jaeger";
import { blackboxExporterSpecSchema } from "./blackbox-exporter";
import { alertmanagerSpecSchema } from "./alertmanager";
import { alertmanagerClusterSpecSchema } from "./alertmanager-cluster";

/**
 * Container settings of every service in the monitoring stack: image (pinned tag, optional digest),
 * published ports and the address they bind to, memory and CPU limits, and each service's own
 * config spec (from its constructs/<service>/config.ts) under `config`. Defaults are safe: loopback,
 * pinned tags, modest limits. A port set to null is not published (it stays on the container network).
 *
 * Image tags: where Debian ships the same program, the tag is the version the tests start for real
 * (.tools/bin), so "the flags are accepted" is proven against the version that runs.
 */

const IMAGE_REF =
  /^(?:[a-z0-9.-]+(?::\d{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

export const imageRefSchema = z
  .string()
  .regex(IMAGE_REF, 'a pinned image reference "repository:tag", such as "prom/alertmanager:v0.33.1"')
  .refine((s) => IMAGE_REF.exec(s)?.[1] !== "latest", { message: "pin a version tag, not latest" });

const digestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest such as "sha256:<64 hex>"');
const hostPort = z.number().int().min(1).max(65535);
const publish = (port: number | null) => hostPort.nullable().default(port);
const address = z.union([z.ipv4(), z.ipv6()], { error: "an IP address such as 127.0.0.1" });

/** Linux capabilities a service may add back after dropping all of them. */
export const CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "KILL", "NET_BIND_SERVICE", "NET_RAW", "SETGID", "SETUID", "SYS_PTRACE", "SYSLOG"] as const;

interface HardeningDefaults {
  /** Capabilities the service needs beyond none. */
  capAdd?: Array<(typeof CAPABILITIES)[number]>;
  /** Whether the root filesystem can be read-only by default (see ServiceContainer). */
  readOnlyRootFilesystem: boolean;
}

/**
 * CIS Docker Benchmark settings of one container, each switchable on its own so a deploy can turn
 * off exactly the one an image does not tolerate. Defaults: on wherever the upstream image allows.
 */
function hardening(d: HardeningDefaults) {
  return z
    .strictObject({
      /** cap_drop ALL (CIS 5.3), then only `capAdd`. */
      dropAllCapabilities: z.boolean().default(true),
      capAdd: z.array(z.enum(CAPABILITIES)).max(CAPABILITIES.length).default(d.capAdd ?? []),
      /** security_opt no-new-privileges (CIS 5.25): setuid binaries cannot gain privileges. */
      noNewPrivileges: z.boolean().default(true),
      /**
       * read_only root filesystem (CIS 5.12); state is on named volumes, /tmp is a tmpfs, and the
       * folders that receive uploaded config files become named volumes (Docker refuses `docker cp`
       * into a read-only root filesystem, but not into a volume).
       */
      readOnlyRootFilesystem: z.boolean().default(d.readOnlyRootFilesystem),
      /** Run as uid[:gid] instead of the image's own USER (null keeps the image's, non-root where it has one). */
      user: z.string().regex(/^\d{1,10}(:\d{1,10})?$/, 'a numeric "uid" or "uid:gid"').nullable().default(null),
    })
    .prefault({});
}

interface ContainerDefaults {
  image: string;
  memoryMb: number;
  cpus: number;
  enabled?: boolean;
  hardening?: HardeningDefaults;
}

function container<P extends z.ZodRawShape>(d: ContainerDefaults, ports: P) {
  return z.strictObject({
    /** false leaves the service out of the stack (e.g. an exporter that runs beside the database). */
    enabled: z.boolean().default(d.enabled ?? true),
    image: imageRefSchema.default(d.image),
    digest: digestSchema.optional(),
    /** Host address for published ports. 0.0.0.0 exposes them to the network: put a proxy in front. */
    publishAddress: address.default("127.0.0.1"),
    /** Host port per container port; null = not published. */
    ports: z.strictObject(ports).prefault({} as never),
    memoryMb: z.number().int().min(16).max(1_048_576).default(d.memoryMb),
    cpus: z.number().positive().max(64).default(d.cpus),
    hardening: hardening(d.hardening ?? { readOnlyRootFilesystem: false }),
  });
}

export const IMAGES = {
  prometheus: "prom/prometheus:v3.5.0",
  alertmanager: "prom/alertmanager:v0.33.1",
  grafana: "grafana/grafana-oss:12.3.3",
  jaeger: "jaegertracing/jaeger:2.21.0",
  loki: "grafana/loki:3.7.8",
  promtail: "grafana/promtail:3.6.11",
  nodeExporter: "prom/node-exporter:v1.11.1",
  cadvisor: "ghcr.io/google/cadvisor:v0.57.0",
  redisExporter: "oliver006/redis_exporter:v1.86.0-alpine",
  postgresExporter: "prometheuscommunity/postgres-exporter:v0.19.1",
  blackboxExporter: "prom/blackbox-exporter:v0.28.0",
  pushgateway: "prom/pushgateway:v1.11.2",
  toxiproxy: "ghcr.io/shopify/toxiproxy:2.12.0",
} as const;

const appSchema = z
  .strictObject({
    /** OTEL_SERVICE_NAME of the Django app. */
    serviceName: z.string().regex(/^[A-Za-z0-9._-]+$/).default("civicpulse-web"),
    /** Share of root traces kept (OTEL_TRACES_SAMPLER_ARG with parentbased_traceidratio), 0 to 1. */
    traceSampleRatio: z.number().min(0).max(1).default(1),
    otlpProtocol: z.enum(["http/protobuf", "grpc"]).default("http/protobuf"),
    /** Where the app sends OTLP; default: the Jaeger container on the monitoring network. */
    otlpEndpoint: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).optional(),
  })
  .prefault({});

export const servicesSpecSchema = z
  .strictObject({
    app: appSchema,
    prometheus: container({ image: IMAGES.prometheus, memoryMb: 2048, cpus: 1 }, { ui: publish(9090) })
      // Basic auth / TLS on the UI and API (off by default; see constructs/common/web-config.ts).
      .extend({
        webConfig: webConfigSpecSchema,
        /**
         * Ship config and rule changes through a loader container and a config volume, then
         * /-/reload, instead of replacing the server (constructs/prometheus/config-loader.ts):
         * no scrape gap, pending alerts keep their `for` progress. See README "Deployed for real".
         */
        reloadConfigInPlace: z.boolean().default(false),
      })
      // The loader POSTs /-/reload without credentials.
      .refine((p) => !(p.reloadConfigInPlace && webConfigEnabled(p.webConfig)), {
        path: ["reloadConfigInPlace"],
        message: "cannot be combined with webConfig: the config loader's /-/reload has no credentials",
      })
      .prefault({}),
    alertmanager: container({ image: IMAGES.alertmanager, memoryMb: 256, cpus: 0.5 }, { ui: publish(9093) })
      .extend({ config: alertmanagerSpecSchema.prefault({}), webConfig: webConfigSpecSchema, cluster: alertmanagerClusterSpecSchema })
      .prefault({}),
    grafana: container({ image: IMAGES.grafana, memoryMb: 512, cpus: 1 }, { ui: publish(3000) })
      .extend({
        /** Admin login; the password comes from the sensitive variable grafana_admin_password. */
        adminUser: z.string().regex(/^[A-Za-z0-9._@-]+$/).default("admin"),
      })
      .prefault({}),
    jaeger: container(
      { image: IMAGES.jaeger, memoryMb: 1024, cpus: 1 },
      { ui: publish(16686), otlpGrpc: publish(4317), otlpHttp: publish(4318) },
    )
      .extend({ config: jaegerSpecSchema.prefault({}) })
      .prefault({}),
    loki: container({ image: IMAGES.loki, memoryMb: 1024, cpus: 1 }, { http: publish(3100) })
      .extend({ config: lokiSpecSchema.prefault({}) })
      .prefault({}),
    promtail: container({ image: IMAGES.promtail, memoryMb: 256, cpus: 0.5 }, { http: publish(null) })
      .extend({
        config: promtailSpecSchema.prefault({}),
        /** Host path of the Docker socket (mounted read-only; the API is still reachable through it). */
        dockerSocket: z.string().regex(/^\/\S+$/).default("/var/run/docker.sock"),
      })
      .prefault({}),
    nodeExporter: container({ image: IMAGES.nodeExporter, memoryMb: 128, cpus: 0.25, hardening: { readOnlyRootFilesystem: true } }, { metrics: publish(null) })
      .extend({
        /**
         * Mount the host's / at /host (rslave). dockerd refuses that where / is not a shared mount
         * (hosts without systemd, such as this project's CI sandbox); false: node-exporter reports
         * the host's processes (host PID namespace) but the container's filesystems.
         */
        mountHostRoot: z.boolean().default(true),
      })
      .prefault({}),
    cadvisor: container({ image: IMAGES.cadvisor, memoryMb: 256, cpus: 0.5, hardening: { readOnlyRootFilesystem: true, capAdd: ["DAC_READ_SEARCH", "SYSLOG"] } }, { ui: publish(null) })
      .extend({
        /** cAdvisor sees more (e.g. OOM events from /dev/kmsg) when privileged; off by default. */
        privileged: z.boolean().default(false),
      })
      .prefault({}),
    redisExporter: container({ image: IMAGES.redisExporter, memoryMb: 64, cpus: 0.25, hardening: { readOnlyRootFilesystem: true } }, { metrics: publish(null) })
      .extend({
        /** Redis the exporter watches; a password, if any, comes from the sensitive variable redis_password. */
        redisAddr: z.string().regex(/^(rediss?|unix):\/\/\S+$/, "redis://host:port").default("redis://redis:6379"),
      })
      .prefault({}),
    postgresExporter: container({ image: IMAGES.postgresExporter, memoryMb: 128, cpus: 0.25, hardening: { readOnlyRootFilesystem: true } }, { metrics: publish(null) })
      .extend({
        /** host:port/database?options, without credentials (DATA_SOURCE_URI). */
        dataSourceUri: z
          .string()
          .regex(/^[A-Za-z0-9.-]+:\d{1,5}\/[A-Za-z0-9_-]+(\?[A-Za-z0-9_=&-]*)?$/, "host:port/database?sslmode=...")
          .default("postgres:5432/civicpulse?sslmode=disable"),
        /** The password comes from the sensitive variable postgres_exporter_password. */
        user: z.string().regex(/^[A-Za-z0-9_-]+$/).default("postgres_exporter"),
      })
      .prefault({}),
    blackboxExporter: container({ image: IMAGES.blackboxExporter, memoryMb: 64, cpus: 0.25 }, { metrics: publish(null) })
      .extend({ config: blackboxExporterSpecSchema.prefault({}) })
      .prefault({}),
    pushgateway: container({ image: IMAGES.pushgateway, memoryMb: 128, cpus: 0.25, hardening: { readOnlyRootFilesystem: true } }, { api: publish(9091) }).prefault({}),
    toxiproxy: container({ image: IMAGES.toxiproxy, memoryMb: 64, cpus: 0.25 }, { api: publish(8474) })
      .extend({ config: toxiproxySpecSchema.prefault({}) })
      .prefault({}),
  })
  .superRefine((services, ctx) => {
    if (!services.prometheus.enabled) {
      ctx.addIssue({ code: "custom", path: ["prometheus", "enabled"], message: "Prometheus is the core of the stack and cannot be disabled" });
    }
    // Two containers cannot publish the same host port on the same address; a wildcard address
    // (0.0.0.0, ::) takes the port on every address.
    const used = new Map<string, string>();
    const wildcard = (a: string) => a === "0.0.0.0" || a === "::";
    for (const [name, s] of Object.entries(services)) {
      if (name === "app") continue;
      const svc = s as { enabled: boolean; publishAddress: string; ports: Record<string, number | null> };
      if (!svc.enabled) continue;
      for (const [portName, port] of Object.entries(svc.ports)) {
        if (port === null) continue;
        const key = `${svc.publishAddress}:${port}`;
        const clash = [...used.entries()].find(([k]) => {
          const at = k.lastIndexOf(":");
          const [addr, p] = [k.slice(0, at), k.slice(at + 1)];
          return p === String(port) && (addr === svc.publishAddress || wildcard(addr) || wildcard(svc.publishAddress));
        });
        if (clash) {
          ctx.addIssue({ code: "custom", path: [name, "ports", portName], message: `host port ${key} is already published by services.${clash[1]} (on ${clash[0]})` });
        }
        used.set(key, `${name}.ports.${portName}`);
      }
    }
  })
  .prefault({});

export type ServicesSpec = z.output<typeof servicesSpecSchema>;
export type AppTelemetrySpec = ServicesSpec["app"];
