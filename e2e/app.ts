import * as http from "node:http";
import { AddressInfo } from "node:net";
import { Counter, Histogram, Registry } from "prom-client";
import { catalog, CatalogKey, MetricDefinition } from "../rules/catalog";
import { DETAILED_HEALTH_PATH, HEALTH_PATHS } from "../rules/jobs";

/**
 * A synthetic CivicPulse app: serves every `civicpulse_*` metric of the catalog (names, labels,
 * buckets and help text taken from rules/catalog.ts, never retyped) on /metrics/, the four health
 * endpoints, a few API routes behind a metrics middleware, and an HTTP control API (/control/...)
 * that injects the faults the live scenarios need. It drives its own background traffic through
 * real HTTP requests to itself, at a bounded rate and concurrency.
 */

/** Catalog keys of the metrics the app emits (source civicpulse-app), checked at compile time. */
export const APP_METRIC_KEYS = (Object.keys(catalog) as CatalogKey[]).filter((k) => catalog[k].source === "civicpulse-app");

type Labels = Record<string, string>;

export interface Faults {
  /** Share of API requests answered 500 (0..1). */
  errorRatio: number;
  /** Extra latency of every API request, seconds. */
  latencySeconds: number;
  /** False: /health/ready/ answers 503 and /health/detailed/ reports unhealthy. */
  ready: boolean;
}

const ROUTES: ReadonlyArray<{ method: string; path: string; normalized: string }> = [
  { method: "GET", path: "/api/issues/", normalized: "/api/issues/" },
  { method: "GET", path: "/api/issues/{id}/", normalized: "/api/issues/:id/" },
  { method: "POST", path: "/api/issues/", normalized: "/api/issues/" },
  { method: "GET", path: "/api/reports/", normalized: "/api/reports/" },
  { method: "PUT", path: "/api/issues/{id}/", normalized: "/api/issues/:id/" },
  { method: "GET", path: "/", normalized: "/" },
];

const BENCH_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** Status codes of the benchmark label set, with how often each occurs (5xx rare, like production). */
const BENCH_STATUSES: ReadonlyArray<[string, number]> = [
  ["200", 100],
  ["201", 10],
  ["301", 3],
  ["404", 5],
  ["500", 0.05],
  ["503", 0.05],
];

export interface AppOptions {
  readonly port: number;
  /** Background API requests per second (bounded; 0 disables). */
  readonly trafficPerSecond?: number;
  /** Background audit events per second. */
  readonly auditPerSecond?: number;
  readonly maxInFlight?: number;
}

function metricOf(def: MetricDefinition, registry: Registry): Counter<string> | Histogram<string> {
  const common = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] };
  if (def.type === "counter") return new Counter(common);
  if (def.type === "histogram") return new Histogram({ ...common, buckets: [...(def.buckets ?? [])] });
  throw new Error(`synthetic app: no emitter for ${def.type} ${def.name}`);
}

export class SyntheticApp {
  readonly registry = new Registry();
  readonly faults: Faults = { errorRatio: 0, latencySeconds: 0, ready: true };
  private server?: http.Server;
  private timers: NodeJS.Timeout[] = [];
  private inFlight = 0;
  private served = 0;
  private benchmarkTimer?: NodeJS.Timeout;
  private auditBurst = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  port = 0;

  readonly requests: Counter<string>;
  readonly duration: Histogram<string>;
  readonly dbQuery: Histogram<string>;
  readonly dbErrors: Counter<string>;
  readonly cache: Counter<string>;
  readonly audit: Counter<string>;
  readonly auth: Counter<string>;
  readonly security: Counter<string>;

  constructor(private readonly options: AppOptions) {
    const m = (k: CatalogKey) => metricOf(catalog[k], this.registry);
    this.requests = m("requestsTotal") as Counter<string>;
    this.duration = m("requestDuration") as Histogram<string>;
    this.dbQuery = m("databaseQueryDuration") as Histogram<string>;
    this.dbErrors = m("databaseConnectionErrors") as Counter<string>;
    this.cache = m("cacheOperations") as Counter<string>;
    this.audit = m("auditEvents") as Counter<string>;
    this.auth = m("authenticationEvents") as Counter<string>;
    this.security = m("securityViolations") as Counter<string>;
    // Series that faults make rise exist at 0 from the start, so a rate sees the first increase.
    for (const r of ROUTES) {
      for (const status of ["200", "201", "500"]) this.requests.inc({ method: r.method, path: r.normalized, status }, 0);
    }
    this.dbErrors.inc({ database: "default" }, 0);
    for (const result of ["success", "failure"]) this.auth.inc({ event: "login", result }, 0);
    for (const v of ["csrf", "rate_limit", "forbidden_host"]) this.security.inc({ violation: v }, 0);
    for (const t of ["record_created", "record_updated", "login", "permission_changed"]) this.audit.inc({ event_type: t }, 0);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
      });
    });
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.options.port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    const rps = this.options.trafficPerSecond ?? 20;
    if (rps > 0) this.timers.push(setInterval(() => this.backgroundRequest(), Math.max(5, Math.round(1000 / rps))));
    this.timers.push(setInterval(() => this.backgroundEvents(), 250));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.benchmarkTimer) clearInterval(this.benchmarkTimer);
    this.agent.destroy();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise((r) => this.server!.close(r));
    }
  }

  /** Requests the app has answered on its API routes. */
  get servedRequests(): number {
    return this.served;
  }

  // ------------------------------------------------------------------ background load

  private backgroundRequest(): void {
    if (this.inFlight >= (this.options.maxInFlight ?? 200)) return;
    const r = ROUTES[Math.floor(Math.random() * ROUTES.length)];
    const path = r.path.replace("{id}", String(1 + Math.floor(Math.random() * 500)));
    this.inFlight++;
    const req = http.request({ host: "127.0.0.1", port: this.port, method: r.method, path, agent: this.agent, timeout: 30_000 }, (res) => {
      res.resume();
      res.on("end", () => this.inFlight--);
    });
    req.on("error", () => this.inFlight--);
    req.end();
  }

  private backgroundEvents(): void {
    const perTick = (this.options.auditPerSecond ?? 2) / 4;
    // Poisson-ish: the base rate with jitter, so the audit baseline has a small, real spread.
    const n = Math.max(0, Math.round(perTick * (0.5 + Math.random())));
    if (n > 0) this.audit.inc({ event_type: "record_updated" }, n);
    if (this.auditBurst > 0) this.audit.inc({ event_type: "record_created" }, this.auditBurst / 4);
    if (Math.random() < 0.25) this.auth.inc({ event: "login", result: "success" });
    if (Math.random() < 0.05) this.auth.inc({ event: "logout", result: "success" });
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://app");
    const p = url.pathname;
    if (p === "/metrics/") {
      const body = await this.registry.metrics();
      res.writeHead(200, { "content-type": this.registry.contentType });
      res.end(body);
      return;
    }
    if ((HEALTH_PATHS as readonly string[]).includes(p) || p === DETAILED_HEALTH_PATH) return this.health(p, res);
    if (p.startsWith("/control/")) return this.control(req, p, res);
    return this.api(req, p, res);
  }

  private health(p: string, res: http.ServerResponse): void {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const ready = this.faults.ready;
    if (p === "/health/ready/") return json(ready ? 200 : 503, { status: ready ? "ready" : "not_ready" });
    if (p === DETAILED_HEALTH_PATH) {
      const state = ready ? "healthy" : "unhealthy";
      return json(ready ? 200 : 503, {
        status: state,
        checks: { database: { status: state }, cache: { status: "healthy" }, migrations: { status: "healthy" } },
      });
    }
    return json(200, { status: "ok" });
  }

  private async api(req: http.IncomingMessage, p: string, res: http.ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    req.resume();
    const method = req.method ?? "GET";
    // What Django's resolver gives the middleware: the route pattern, not the raw path.
    const normalized = p.replace(/\/\d+\//g, "/:id/");
    const known = ROUTES.some((r) => r.method === method && r.normalized === normalized);
    const operation = method === "GET" ? "select" : method === "POST" ? "insert" : method === "DELETE" ? "delete" : "update";
    this.dbQuery.observe({ operation }, 0.002 + Math.random() * 0.01);
    this.cache.inc({ operation: "get", result: Math.random() < 0.9 ? "hit" : "miss" });
    if (this.faults.latencySeconds > 0) await new Promise((r) => setTimeout(r, this.faults.latencySeconds * 1000));
    let status = !known ? 404 : method === "POST" ? 201 : 200;
    if (known && Math.random() < this.faults.errorRatio) status = 500;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9 + Math.random() * 0.02;
    this.duration.observe({ method, path: normalized }, seconds);
    this.requests.inc({ method, path: normalized, status: String(status) });
    this.served++;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: status < 400 }));
  }

  private async control(req: http.IncomingMessage, p: string, res: http.ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const num = (k: string, dflt: number) => (typeof body[k] === "number" ? (body[k] as number) : dflt);
    switch (p) {
      case "/control/faults":
        if (typeof body.errorRatio === "number") this.faults.errorRatio = Math.min(1, Math.max(0, body.errorRatio));
        if (typeof body.latencySeconds === "number") this.faults.latencySeconds = Math.max(0, Math.min(10, body.latencySeconds));
        if (typeof body.ready === "boolean") this.faults.ready = body.ready;
        break;
      case "/control/failed-logins":
        this.auth.inc({ event: "login", result: "failure" }, num("count", 50));
        break;
      case "/control/audit-burst":
        this.auditBurst = Math.max(0, num("perSecond", 50));
        break;
      case "/control/security-violations":
        this.security.inc({ violation: typeof body.violation === "string" ? body.violation : "csrf" }, num("count", 5));
        break;
      case "/control/db-connection-errors":
        this.dbErrors.inc({ database: "default" }, num("count", 10));
        break;
      case "/control/benchmark-labels":
        this.benchmarkLabels(body.enabled !== false, num("paths", 200));
        break;
      case "/control/reset":
        Object.assign(this.faults, { errorRatio: 0, latencySeconds: 0, ready: true });
        this.auditBurst = 0;
        this.benchmarkLabels(false, 0);
        break;
      case "/control/state":
        break;
      default:
        res.writeHead(404).end();
        return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ faults: this.faults, auditBurstPerSecond: this.auditBurst, benchmark: this.benchmarkTimer !== undefined }));
  }

  /**
   * The realistic label set of the benchmark: `paths` paths x 5 methods x 6 statuses of requests,
   * and their latency histograms, all moving every second.
   */
  private benchmarkLabels(enabled: boolean, paths: number): void {
    if (this.benchmarkTimer) clearInterval(this.benchmarkTimer);
    this.benchmarkTimer = undefined;
    if (!enabled) return;
    const tick = () => {
      for (let i = 0; i < paths; i++) {
        const path = `/api/bench/resource-${i}/`;
        for (const method of BENCH_METHODS) {
          for (const [status, weight] of BENCH_STATUSES) {
            const labels: Labels = { method, path, status };
            this.requests.inc(labels, weight * Math.random() * 0.2);
          }
          this.duration.observe({ method, path }, 0.01 + Math.random() * 0.2);
        }
      }
    };
    tick();
    this.benchmarkTimer = setInterval(tick, 1000);
  }
}

/** Standalone: `node dist/e2e/app.js [port]` serves the synthetic app until interrupted. */
if (require.main === module) {
  const app = new SyntheticApp({ port: Number(process.argv[2] ?? 8000) });
  app.start().then(() => console.log(`synthetic CivicPulse app on http://127.0.0.1:${app.port}/metrics/`));
  process.on("SIGINT", () => app.stop().then(() => process.exit(0)));
}
