import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { Supervisor } from "./supervisor";
import { POSTGRES_BIN, repoRoot } from "./tools";

/**
 * The real CivicPulse app of the live run: the example `civicpulse` Django project
 * (instrumentation/django/example) with the civicpulse_monitoring package, under gunicorn with two
 * workers (prometheus_client multiprocess mode), on the run's PostgreSQL and Redis, exporting
 * traces over OTLP. Faults come through real requests: a view that raises, a slow view, logins
 * with a wrong password, POSTs without a CSRF token, bulk inserts that write audit events.
 */

export const DJANGO_DIR = path.join(repoRoot(), "instrumentation", "django");
export const EXAMPLE_DIR = path.join(DJANGO_DIR, "example");
const VENV_BIN = path.join(repoRoot(), ".tools", "venv", "bin");

export function venvBinary(name: "python" | "gunicorn"): string {
  const p = path.join(VENV_BIN, name);
  if (!existsSync(p)) throw new Error(`${p} is missing; run bash scripts/install-python.sh (npm run tools does)`);
  return p;
}

/** The environment the example project reads its database and cache from. */
export function djangoEnv(pgPort: number, redisPort: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: [DJANGO_DIR, EXAMPLE_DIR].join(path.delimiter),
    DJANGO_SETTINGS_MODULE: "civicpulse.settings",
    CIVICPULSE_DB_HOST: "127.0.0.1",
    CIVICPULSE_DB_PORT: String(pgPort),
    CIVICPULSE_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    CIVICPULSE_E2E: "1",
    ...extra,
  };
}

/** Creates the example project's database on a running server and applies its migrations. */
export function prepareDatabase(env: NodeJS.ProcessEnv, port: number, name = "civicpulse"): void {
  const created = spawnSync(path.join(POSTGRES_BIN, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name], { encoding: "utf8", timeout: 30_000 });
  // Idempotent: a second app on the same server (the benchmark's) finds the database there.
  if (created.status !== 0 && !/already exists/.test(created.stderr)) throw new Error(`createdb ${name} failed: ${created.stderr}`);
  const migrated = spawnSync(venvBinary("python"), ["manage.py", "migrate", "--noinput", "-v", "0"], {
    cwd: EXAMPLE_DIR,
    env: { ...env, OTEL_TRACES_EXPORTER: "none" },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (migrated.status !== 0) throw new Error(`manage.py migrate failed: ${migrated.stderr}${migrated.stdout}`);
}

/** The seeded user (migration 0001) and its password. */
export const CLERK = { username: "clerk", password: "correct-horse-battery" };
const SEEDED_ISSUES = 20;

export interface DjangoAppOptions {
  readonly port: number;
  readonly pgPort: number;
  readonly redisPort: number;
  /** The app's OTEL_* variables (the stack's app_telemetry_env output, endpoint on loopback). */
  readonly telemetryEnv: Record<string, string>;
  readonly otelMetricsPort: number;
  readonly workers?: number;
  readonly threads?: number;
  /** Background requests per second (bounded). */
  readonly trafficPerSecond?: number;
}

export interface TrafficMix {
  /** Share of background requests sent to the view that raises (500). */
  errorRatio: number;
  /** Share sent to the slow view, and how long it sleeps. */
  slowRatio: number;
  slowSeconds: number;
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

export class DjangoApp {
  readonly mix: TrafficMix = { errorRatio: 0, slowRatio: 0, slowSeconds: 0 };
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private timers: NodeJS.Timeout[] = [];
  private inFlight = 0;
  private served = 0;
  private auditPerSecond = 0;
  private benchmarkTimer?: NodeJS.Timeout;

  constructor(
    private readonly sup: Supervisor,
    readonly options: DjangoAppOptions,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get servedRequests(): number {
    return this.served;
  }

  async start(): Promise<void> {
    const env = djangoEnv(this.options.pgPort, this.options.redisPort, {
      ...this.options.telemetryEnv,
      // Spans leave the worker within half a second, so the trace scenario need not wait 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "500",
      PROMETHEUS_MULTIPROC_DIR: this.sup.subdir("prometheus-multiproc"),
      GUNICORN_BIND: `127.0.0.1:${this.options.port}`,
      GUNICORN_WORKERS: String(this.options.workers ?? 2),
      GUNICORN_THREADS: String(this.options.threads ?? 8),
      CIVICPULSE_OTEL_METRICS_PORT: String(this.options.otelMetricsPort),
      DJANGO_ALLOWED_HOSTS: "127.0.0.1,localhost",
    });
    prepareDatabase(env, this.options.pgPort);
    this.sup.start("gunicorn", venvBinary("gunicorn"), ["-c", path.join(EXAMPLE_DIR, "gunicorn.conf.py"), "--chdir", EXAMPLE_DIR], { env });
    await this.sup.waitHttp("gunicorn", `${this.url}/health/live/`, 30_000);
    const rps = this.options.trafficPerSecond ?? 10;
    if (rps > 0) this.timers.push(setInterval(() => this.backgroundRequest(), Math.max(10, Math.round(1000 / rps))));
    this.timers.push(setInterval(() => this.backgroundEvents(), 250));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.benchmarkLabels(false);
    this.agent.destroy();
    await this.sup.stop("gunicorn");
  }

  /** One request to the app; never throws (a refused connection is status 0). */
  request(method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve) => {
      const req = http.request(
        { host: "127.0.0.1", port: this.options.port, method, path: p, agent: this.agent, timeout: 15_000, headers: { "user-agent": "civicpulse-e2e", ...headers } },
        (res) => {
          let data = "";
          res.on("data", (c: Buffer) => (data += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => resolve({ status: 0, body: "" }));
      req.end(body);
    });
  }

  private json(method: string, p: string, value: unknown): Promise<Reply> {
    return this.request(method, p, JSON.stringify(value), { "content-type": "application/json" });
  }

  // ------------------------------------------------------------------ background traffic

  private pick(): string {
    const r = Math.random();
    if (r < this.mix.errorRatio) return "/api/e2e/boom/";
    if (r < this.mix.errorRatio + this.mix.slowRatio) return `/api/e2e/slow/?seconds=${this.mix.slowSeconds}`;
    const normal = ["/api/issues/", `/api/issues/${1 + Math.floor(Math.random() * SEEDED_ISSUES)}/`, "/api/reports/"];
    return normal[Math.floor(Math.random() * normal.length)];
  }

  private backgroundRequest(): void {
    if (this.inFlight >= 64) return;
    this.inFlight++;
    void this.request("GET", this.pick()).then(() => {
      this.inFlight--;
      this.served++;
    });
  }

  private backgroundEvents(): void {
    // About two audit events a second with a little spread (the AuditEventAnomaly baseline).
    if (Math.random() < 0.5) void this.request("POST", `/api/e2e/issues/${1 + Math.floor(Math.random() * SEEDED_ISSUES)}/touch/`);
    if (this.auditPerSecond > 0) void this.request("POST", `/api/e2e/issues/bulk/?count=${Math.max(1, Math.round(this.auditPerSecond / 4))}`);
    if (Math.random() < 0.1) void this.json("POST", "/api/login/", CLERK);
  }

  // ------------------------------------------------------------------ faults, through real requests

  /** `count` logins with a wrong password (Django's user_login_failed). */
  async failedLogins(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.json("POST", "/api/login/", { username: CLERK.username, password: "wrong" })));
  }

  /** `count` POSTs without a CSRF token to a protected view (CSRF_FAILURE_VIEW answers 403). */
  async csrfViolations(count: number): Promise<number[]> {
    const replies = await Promise.all(Array.from({ length: count }, () => this.request("POST", "/api/issues/", "title=x", { "content-type": "application/x-www-form-urlencoded" })));
    return replies.map((r) => r.status);
  }

  /** Audit events per second written by bulk inserts (0 stops). */
  setAuditBurst(perSecond: number): void {
    this.auditPerSecond = Math.max(0, perSecond);
  }

  /**
   * The benchmark's realistic label set through real requests: `paths` distinct routes x 5 methods
   * x a few statuses once, then a random 2% of them every second (what 2 cores can serve).
   */
  benchmarkLabels(enabled: boolean, paths = 200): void {
    if (this.benchmarkTimer) clearInterval(this.benchmarkTimer);
    this.benchmarkTimer = undefined;
    if (!enabled) return;
    const all: string[][] = [];
    for (let i = 0; i < paths; i++) for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE"]) for (const s of [200, 201, 404]) all.push([m, `/api/e2e/bench/resource-${i}/?status=${s}`]);
    const send = async (batch: string[][]) => {
      for (let i = 0; i < batch.length; i += 16) await Promise.all(batch.slice(i, i + 16).map(([m, p]) => this.request(m, p)));
    };
    void send(all);
    this.benchmarkTimer = setInterval(() => void send(all.filter(() => Math.random() < 0.02)), 1000);
  }

  // ------------------------------------------------------------------ logs

  /** JSON log records the workers wrote (the last 64 KiB of their output). */
  logRecords(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.sup.get("gunicorn").output().split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by the output limit
      }
    }
    return out;
  }
}
