import { z } from "zod";

/**
 * Toxiproxy (chaos testing): a JSON file of proxies loaded at start (`toxiproxy-server -config`).
 * The app is pointed at the proxy ports instead of PostgreSQL and Redis directly; tests then add
 * toxics (latency, timeouts, resets) through the API on 8474 to trigger DatabaseConnectionFailures
 * and RedisDown on purpose.
 */

export const TOXIPROXY_CONFIG_PATH = "/config/toxiproxy.json";
export const TOXIPROXY_API_PORT = 8474;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Splits "host:port" ("[::1]:5432" for IPv6); undefined when it is not one. */
export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[1];
  if (host.startsWith("[")) return { host, port };
  if (/^[\d.]+$/.test(host) ? !IPV4.test(host) : !HOSTNAME.test(host)) return undefined;
  return { host, port };
}

const hostPort = (example: string) =>
  z.string().refine((v) => parseHostPort(v) !== undefined, { message: `a host:port with a port 1-65535, such as "${example}"` });

const proxyName = z.string().regex(/^[a-z][a-z0-9_-]*$/, "a lower-case proxy name");

const proxy = (listen: string, upstream: string) =>
  z
    .strictObject({
      listen: hostPort("0.0.0.0:15432").default(listen),
      upstream: hostPort("postgres:5432").default(upstream),
      enabled: z.boolean().default(true),
    })
    .prefault({});

const namedProxy = z.strictObject({
  name: proxyName,
  listen: hostPort("0.0.0.0:15432"),
  upstream: hostPort("postgres:5432"),
  enabled: z.boolean().default(true),
});

export const toxiproxySpecSchema = z
  .strictObject({
    postgresql: proxy("0.0.0.0:15432", "postgres:5432"),
    redis: proxy("0.0.0.0:16379", "redis:6379"),
    /** Further proxies (e.g. the app itself, to test blackbox probes against a slow app). */
    extra: z.array(namedProxy).default([]),
  })
  .superRefine((spec, ctx) => {
    const all = [
      { name: "postgresql", listen: spec.postgresql.listen, path: ["postgresql", "listen"] },
      { name: "redis", listen: spec.redis.listen, path: ["redis", "listen"] },
      ...spec.extra.map((p, i) => ({ name: p.name, listen: p.listen, path: ["extra", i, "listen"] })),
    ];
    const names = new Set<string>();
    const ports = new Map<number, string>();
    spec.extra.forEach((p, i) => {
      if (p.name === "postgresql" || p.name === "redis" || names.has(p.name)) {
        ctx.addIssue({ code: "custom", path: ["extra", i, "name"], message: `duplicate proxy name ${p.name}` });
      }
      names.add(p.name);
    });
    for (const p of all) {
      const port = parseHostPort(p.listen)?.port;
      if (port === undefined) continue;
      if (port === TOXIPROXY_API_PORT) ctx.addIssue({ code: "custom", path: p.path, message: `port ${port} is Toxiproxy's own API port` });
      else if (ports.has(port)) ctx.addIssue({ code: "custom", path: p.path, message: `listen port ${port} is already used by ${ports.get(port)}` });
      ports.set(port, p.name);
    }
  });

export type ToxiproxySpec = z.output<typeof toxiproxySpecSchema>;
export type ToxiproxySpecInput = z.input<typeof toxiproxySpecSchema>;

export interface ToxiproxyProxy {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** The proxies in a stable order (by name), fields in Toxiproxy's order. */
export function buildToxiproxyConfig(spec: ToxiproxySpec): ToxiproxyProxy[] {
  const all: ToxiproxyProxy[] = [
    { name: "postgresql", ...spec.postgresql },
    { name: "redis", ...spec.redis },
    ...spec.extra,
  ].map((p) => ({ name: p.name, listen: p.listen, upstream: p.upstream, enabled: p.enabled }));
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Deterministic JSON: 2-space indent, trailing newline. */
export function renderToxiproxyConfig(spec: ToxiproxySpec): string {
  return `${JSON.stringify(buildToxiproxyConfig(spec), null, 2)}\n`;
}

/** Container command line: API on all interfaces of the container, proxies from the file. */
export function toxiproxyCommand(): string[] {
  return ["-host=0.0.0.0", `-port=${TOXIPROXY_API_PORT}`, `-config=${TOXIPROXY_CONFIG_PATH}`];
}

/** Where the app should connect to go through the proxies (proxy container alias + listen port). */
export function toxiproxyEndpoints(spec: ToxiproxySpec, proxyHost = "toxiproxy"): Record<string, string> {
  return Object.fromEntries(buildToxiproxyConfig(spec).map((p) => [p.name, `${proxyHost}:${parseHostPort(p.listen)!.port}`]));
}

// ---------------------------------------------------------------------------------------------
// Structure of the emitted file (what tests check in place of a Toxiproxy binary)
// ---------------------------------------------------------------------------------------------

export const toxiproxyConfigFileSchema = z
  .array(
    z.strictObject({
      name: proxyName,
      listen: hostPort("0.0.0.0:15432"),
      upstream: hostPort("postgres:5432"),
      enabled: z.boolean(),
    }),
  )
  .min(1)
  .superRefine((proxies, ctx) => {
    const seen = new Set<string>();
    proxies.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate proxy name ${p.name}` });
      seen.add(p.name);
    });
  });

export type ToxiproxyConfigFile = z.output<typeof toxiproxyConfigFileSchema>;
