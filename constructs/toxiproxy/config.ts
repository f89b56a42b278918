import { z } from "zod";
import { ToxiproxySpec, TOXIPROXY_API_PORT, TOXIPROXY_CONFIG_PATH, parseHostPort, proxyName, hostPort } from "../../spec/toxiproxy";

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
