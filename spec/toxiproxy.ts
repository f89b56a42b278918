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

export const hostPort = (example: string) =>
  z.string().refine((v) => parseHostPort(v) !== undefined, { message: `a host:port with a port 1-65535, such as "${example}"` });

export const proxyName = z.string().regex(/^[a-z][a-z0-9_-]*$/, "a lower-case proxy name");

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
