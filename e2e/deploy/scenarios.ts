import { JOBS } from "../../spec/jobs";
import {
  ciCoverage,
  ciDeploymentAndEscalation,
  detectionFloor,
  postgresDown,
  redisDown,
  resolveTimeout,
  scenario,
  ScenarioContext,
  ScenarioFn,
  ScenarioResult,
  watchdog,
} from "../scenarios";

/**
 * The live scenarios through the deployed containers. The process-based harness's scenarios run
 * unchanged where they only need Prometheus, Alertmanager, the Pushgateway and start/stop of the
 * databases (here `docker stop` / `docker start`); two more make the faults with Toxiproxy, the
 * proxy between the exporters and the databases. Scenarios on the same alert run one after the
 * other; the chains run concurrently.
 */

async function toxiproxy(apiUrl: string, method: "POST" | "DELETE", route: string, body?: unknown): Promise<void> {
  const r = await fetch(`${apiUrl}${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!r.ok) throw new Error(`Toxiproxy ${method} ${route}: HTTP ${r.status} ${await r.text()}`);
}

export function toxiproxyScenarios(apiUrl: string): { redisCut: ScenarioFn; postgresLatency: ScenarioFn } {
  const redisCut = scenario("Toxiproxy cuts redis-exporter's connection to Redis", "RedisDown", "critical", async (s, ctx) => {
    const labels = { job: JOBS.redisExporter, service: "redis" };
    const t = Date.now();
    await toxiproxy(apiUrl, "POST", "/proxies/redis", { enabled: false });
    s.result.notes.push("proxy redis disabled (connections refused) through the Toxiproxy API");
    try {
      await s.expectFiring(t, detectionFloor(ctx, ctx.spec.alerts.RedisDown.for, "critical"), labels);
    } finally {
      await toxiproxy(apiUrl, "POST", "/proxies/redis", { enabled: true });
    }
    await s.expectResolved(Date.now(), labels, resolveTimeout(ctx, ctx.spec.prometheus.scrapeInterval, "critical"));
  });

  const postgresLatency = scenario("Toxiproxy adds 3 s latency between postgres-exporter and PostgreSQL", "DatabaseConnectionFailures", "critical", async (s, ctx) => {
    const labels = { job: JOBS.postgresExporter, service: "postgresql" };
    const t = Date.now();
    await toxiproxy(apiUrl, "POST", "/proxies/postgresql/toxics", { name: "latency", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 3000, jitter: 0 } });
    s.result.notes.push(`latency toxic 3000 ms downstream; the scrape timeout is ${ctx.spec.prometheus.scrapeTimeout} s, so the exporter's scrape times out`);
    let reasons: string[] = [];
    try {
      const got = await s.expectFiring(t, detectionFloor(ctx, ctx.spec.alerts.DatabaseConnectionFailures.for, "critical"), labels);
      reasons = [...new Set(got.map((d) => d.labels.reason))];
    } finally {
      await toxiproxy(apiUrl, "DELETE", "/proxies/postgresql/toxics/latency");
    }
    s.result.notes.push(`reason label seen: ${reasons.join(", ") || "none"}`);
    await s.expectResolved(Date.now(), labels, resolveTimeout(ctx, ctx.spec.prometheus.scrapeInterval, "critical"));
  });
  return { redisCut, postgresLatency };
}

async function chain(ctx: ScenarioContext, fns: readonly ScenarioFn[], log: (l: string) => void): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const f of fns) {
    const r = await f(ctx);
    log(`  ${r.ok ? "pass" : "FAIL"} ${r.name}${r.detectionSeconds !== undefined ? ` (${r.detectionSeconds.toFixed(1)} s)` : ""}${r.ok ? "" : `: ${r.failures.join("; ")}`}`);
    out.push(r);
  }
  return out;
}

/** Every deployed scenario: at least one per receiver (heartbeat, chat, pager, emergency). */
export async function runDeployedScenarios(ctx: ScenarioContext, toxiproxyApi: string, log: (l: string) => void): Promise<ScenarioResult[]> {
  const toxi = toxiproxyScenarios(toxiproxyApi);
  const chains = await Promise.all([
    chain(ctx, [watchdog], log),
    // Before the escalation of service ci starts inhibiting ci's warnings (and their resolution).
    chain(ctx, [ciCoverage], log),
    chain(ctx, [redisDown(), toxi.redisCut], log),
    chain(ctx, [postgresDown(), toxi.postgresLatency], log),
    // The deployment failure and its escalation run side by side (one waits for the other).
    Promise.all(ciDeploymentAndEscalation().map((f) => chain(ctx, [f], log))).then((r) => r.flat()),
  ]);
  return chains.flat();
}
