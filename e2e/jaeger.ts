import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderJaegerConfig } from "../constructs/jaeger/config";
import { freePort, Supervisor } from "./supervisor";
import { repoRoot } from "./tools";
import { JaegerSpec, jaegerSpecSchema } from "../spec/jaeger";

/**
 * A real Jaeger v2 (built by scripts/install-jaeger.sh from the Go module proxy) with the config
 * constructs/jaeger renders for the stack, every listener moved to 127.0.0.1 and a free port (its
 * defaults bind all interfaces). Its own metrics go to the jaeger scrape job's port.
 */

export const JAEGER_BIN = path.join(repoRoot(), ".tools", "go", "bin", "jaeger");

export interface RunningJaeger {
  readonly otlpHttpUrl: string;
  readonly queryUrl: string;
}

export async function startJaeger(sup: Supervisor, stackSpec: JaegerSpec, metricsPort: number): Promise<RunningJaeger> {
  if (!existsSync(JAEGER_BIN)) throw new Error(`${JAEGER_BIN} is missing; run bash scripts/install-jaeger.sh (npm run tools does)`);
  const ports = {
    otlpGrpc: await freePort(),
    otlpHttp: await freePort(),
    ui: await freePort(),
    queryGrpc: await freePort(),
    healthcheck: await freePort(),
    metrics: metricsPort,
  };
  const spec = jaegerSpecSchema.parse({ ...stackSpec, storage: { kind: "memory" }, listenHost: "127.0.0.1", ports, logLevel: "warn" });
  const file = path.join(sup.subdir("jaeger"), "config.yaml");
  writeFileSync(file, renderJaegerConfig(spec));
  sup.start("jaeger", JAEGER_BIN, ["--config", file]);
  const queryUrl = `http://127.0.0.1:${ports.ui}`;
  await sup.waitHttp("jaeger", `${queryUrl}/api/services`, 30_000);
  return { otlpHttpUrl: `http://127.0.0.1:${ports.otlpHttp}`, queryUrl };
}

/** A trace by id from Jaeger's query API, or undefined while it is not (yet) stored. */
export async function jaegerTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const r = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(5_000) });
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`jaeger /api/traces/${traceId}: HTTP ${r.status}`);
  const body = (await r.json()) as { data?: JaegerTrace[] };
  return body.data?.[0];
}

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: Array<{ operationName: string; processID: string; tags: Array<{ key: string; value: unknown }> }>;
  readonly processes: Record<string, { serviceName: string; tags: Array<{ key: string; value: unknown }> }>;
}
