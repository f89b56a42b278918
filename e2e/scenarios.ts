import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Duration, toSeconds } from "../spec/duration";
import { JOBS } from "../spec/jobs";
import { Severity } from "../spec/alert-knobs";
import { EnvironmentSpec } from "../spec/environment";
import { alertmanagerAlerts, prometheusAlerts } from "./prom";
import { Delivery, DeliveryMatch, describe } from "./recorder";
import { LiveStack } from "./stack";
import { jaegerTrace } from "./jaeger";
import { sleep, until } from "./supervisor";
import { ALERTMANAGER_RECEIVERS } from "../spec/alertmanager";

/**
 * The fault scenarios of the live run. Each injects one fault through real requests to the Django
 * app, a real process (stopped by PID) or the CI metrics CLI, then asserts who was notified (receiver), with which labels, how
 * fast, and that the alert resolves once the fault ends. Scenarios that do not touch the same
 * alert or service run concurrently.
 */

const R = ALERTMANAGER_RECEIVERS;
/** Receivers each severity must reach (the Alertmanager route tree's contract). */
export const RECEIVERS_BY_SEVERITY: Record<Severity, string[]> = {
  warning: [R.chat],
  critical: [R.chat, R.pager],
  emergency: [R.pager, R.escalation],
};

export interface ScenarioResult {
  readonly name: string;
  readonly alert: string;
  readonly receivers: string[];
  ok: boolean;
  readonly failures: string[];
  readonly notes: string[];
  /** Seconds from injection to the last expected receiver's first firing notification. */
  detectionSeconds?: number;
  /** scrape interval + evaluation interval + for + group_wait (+ escalation delay). */
  floorSeconds?: number;
  /** Seconds from the end of the fault to the resolved notification. */
  resolutionSeconds?: number;
  /** Whether resolution was asserted for this scenario. */
  resolutionChecked: boolean;
  /** Set when the scenario could not run at all (a missing rule). */
  missing?: string;
}

/** What the scenarios use of a running stack: the process-based one (e2e/stack.ts) or the deployed one (e2e/deploy). */
export type ScenarioStack = Pick<
  LiveStack,
  | "recorder" | "alertmanager" | "promUrl" | "amUrl" | "pushgatewayUrl" | "appUrl" | "prometheusStartedAt" | "alertmanagerDiscoveredAt"
  | "stopRedis" | "startRedis" | "stopPostgres" | "startPostgres"
> &
  /** The real Django app and Jaeger run only in the process-based harness; the deployed stack has neither. */
  Partial<Pick<LiveStack, "app" | "jaegerQueryUrl">>;

/** The app of a stack that runs one; a scenario that needs it fails (it does not skip) on a stack without. */
function appOf(ctx: ScenarioContext): NonNullable<ScenarioStack["app"]> {
  if (!ctx.stack.app) throw new Error("this scenario drives the Django app, and this stack runs none");
  return ctx.stack.app;
}

function jaegerOf(ctx: ScenarioContext): string {
  if (!ctx.stack.jaegerQueryUrl) throw new Error("this scenario reads traces from Jaeger, and this stack runs none");
  return ctx.stack.jaegerQueryUrl;
}

export interface ScenarioContext {
  readonly stack: ScenarioStack;
  readonly spec: EnvironmentSpec;
  /** Alert names present in the loaded rule files. */
  readonly loadedAlerts: ReadonlySet<string>;
}

const sec = (d: Duration) => toSeconds(d);

/** The floor of an alert's detection latency in this environment. */
export function detectionFloor(ctx: ScenarioContext, alertFor: Duration, severity: Severity | "none", extraSeconds = 0): number {
  const p = ctx.spec.prometheus;
  const tier = severity === "none" ? ctx.stack.alertmanager.routing.heartbeat : ctx.stack.alertmanager.routing[severity];
  return sec(p.scrapeInterval) + sec(p.evaluationInterval) + sec(alertFor) + sec(tier.groupWait) + extraSeconds;
}

class Scenario {
  readonly result: ScenarioResult;
  constructor(
    private readonly ctx: ScenarioContext,
    name: string,
    readonly alert: string,
    readonly severity: Severity,
  ) {
    this.result = {
      name,
      alert,
      receivers: [...RECEIVERS_BY_SEVERITY[severity]],
      ok: true,
      failures: [],
      notes: [],
      resolutionChecked: false,
    };
  }

  fail(message: string): void {
    this.result.ok = false;
    this.result.failures.push(message);
  }

  /** Waits for a firing notification at every expected receiver; checks the labels. */
  async expectFiring(injectedAt: number, floorSeconds: number, labels: Record<string, string>, receivers = this.result.receivers): Promise<Delivery[]> {
    this.result.floorSeconds = floorSeconds;
    const timeout = Math.max(20_000, floorSeconds * 3_000 + 10_000);
    const got = await Promise.all(
      receivers.map((receiver) =>
        this.ctx.stack.recorder.waitFor({ alertname: this.alert, receiver, status: "firing", labels, since: injectedAt }, timeout).catch(() => {
          this.fail(`no ${describe({ alertname: this.alert, receiver, status: "firing", labels })} within ${timeout / 1000} s`);
          return undefined;
        }),
      ),
    );
    const ok = got.filter((d): d is Delivery => d !== undefined);
    if (ok.length === receivers.length) this.result.detectionSeconds = (Math.max(...ok.map((d) => d.at)) - injectedAt) / 1000;
    for (const d of ok) {
      for (const k of ["severity", "category", "team", "service"]) {
        if (!d.labels[k]) this.fail(`${d.receiver}: notification without a ${k} label`);
      }
      if (d.labels.severity !== this.severity) this.fail(`${d.receiver}: severity ${d.labels.severity}, expected ${this.severity}`);
      if (!d.annotations.runbook_url) this.fail(`${d.receiver}: notification without a runbook_url`);
    }
    // Nobody else: a warning must not page.
    const others = this.ctx.stack.recorder
      .find({ alertname: this.alert, status: "firing", labels, since: injectedAt })
      .filter((d) => !receivers.includes(d.receiver));
    if (others.length > 0) this.fail(`also notified: ${[...new Set(others.map((d) => d.receiver))].join(", ")}`);
    return ok;
  }

  async expectResolved(endedAt: number, labels: Record<string, string>, timeoutMs: number, receivers = this.result.receivers): Promise<void> {
    this.result.resolutionChecked = true;
    const got = await Promise.all(
      receivers.map((receiver) =>
        this.ctx.stack.recorder.waitFor({ alertname: this.alert, receiver, status: "resolved", labels, since: endedAt }, timeoutMs).catch(() => {
          this.fail(`no ${describe({ alertname: this.alert, receiver, status: "resolved", labels })} within ${timeoutMs / 1000} s`);
          return undefined;
        }),
      ),
    );
    const ok = got.filter((d): d is Delivery => d !== undefined);
    if (ok.length === receivers.length) this.result.resolutionSeconds = (Math.max(...ok.map((d) => d.at)) - endedAt) / 1000;
  }
}

export type ScenarioFn = (ctx: ScenarioContext) => Promise<ScenarioResult>;

/** Runs a scenario body, turning an exception into a failure of that scenario. */
export function scenario(name: string, alert: string, severity: Severity, body: (s: Scenario, ctx: ScenarioContext) => Promise<void>): ScenarioFn {
  return async (ctx) => {
    const s = new Scenario(ctx, name, alert, severity);
    if (!ctx.loadedAlerts.has(alert)) {
      s.result.missing = `alert ${alert} is not in the generated rule files`;
      s.fail(s.result.missing);
      return s.result;
    }
    try {
      await body(s, ctx);
    } catch (e) {
      s.fail(`error: ${(e as Error).message}`);
    }
    return s.result;
  };
}

/** Timeout for a resolution: the alert's window plus Alertmanager's group interval, with slack. */
export function resolveTimeout(ctx: ScenarioContext, window: Duration, severity: Severity): number {
  return (sec(window) + sec(ctx.stack.alertmanager.routing[severity].groupInterval)) * 2_000 + 15_000;
}

const app = { job: JOBS.app, service: "civicpulse" };

/**
 * Scenarios whose traffic needs PostgreSQL finish before PostgreSQL is stopped: a database outage
 * really does fail those requests (and raise the error ratio), which would blur their alerts.
 */
class Gate {
  private readonly pending: Promise<unknown>[] = [];
  guard(fn: ScenarioFn): ScenarioFn {
    return (ctx) => {
      const run = fn(ctx);
      this.pending.push(run.catch(() => undefined));
      return run;
    };
  }
  after(fn: ScenarioFn): ScenarioFn {
    // Every guarded scenario has been started (and registered) before a gated one awaits them.
    return async (ctx) => {
      await sleep(0);
      await Promise.all(this.pending);
      return fn(ctx);
    };
  }
}

export const errorBurst = scenario("Error burst (50% of requests hit a view that raises)", "CivicPulseHighErrorRate", "critical", async (s, ctx) => {
  const k = ctx.spec.alerts.CivicPulseHighErrorRate;
  const t = Date.now();
  appOf(ctx).mix.errorRatio = 0.5;
  await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), app);
  const end = Date.now();
  appOf(ctx).mix.errorRatio = 0;
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "critical"));
});

/**
 * The error burst, then an SLO burn through the same fault injection: 3 % 5xx (below the error-rate
 * alert's 5 %, a 30x burn of the 99.9 % availability budget) must page through Alertmanager as
 * CivicPulseAvailabilityFastBurn. The burn waits for the burst to end and its page to clear, since
 * both drive the app's error ratio (the share of requests that hit a view that raises).
 */
export function errorBurstAndSloBurn(): ScenarioFn[] {
  let done: () => void = () => undefined;
  const burstOver = new Promise<void>((r) => (done = r));
  const burst: ScenarioFn = async (ctx) => {
    try {
      return await errorBurst(ctx);
    } finally {
      done();
    }
  };
  const burn = scenario("SLO burn (3% 5xx, 30x the availability budget)", "CivicPulseAvailabilityFastBurn", "critical", async (s, ctx) => {
    await burstOver;
    const labels = { ...app, slo: "availability" };
    await until("no availability page firing", 120_000, async () =>
      (await prometheusAlerts(ctx.stack.promUrl)).some((a) => a.labels.alertname === s.alert) ? undefined : true,
    ).catch(() => s.result.notes.push("the error burst's page had not cleared after 120 s"));
    // Cleared in Prometheus is not yet resolved at the receivers: Alertmanager sends the "resolved"
    // at the group's next interval. A page firing again before that is, to Alertmanager, the alert
    // it already notified still firing, and that receiver hears nothing new (seen once beside jest:
    // the pager got the burn's "firing", chat only its "resolved").
    const cleared = Date.now();
    await until("the error burst's page resolved at every receiver", 120_000, async () =>
      s.result.receivers.every((receiver) => ctx.stack.recorder.latest({ alertname: s.alert, receiver, labels })?.status !== "firing") ? true : undefined,
    ).then(
      () => s.result.notes.push(`the error burst's page was resolved at every receiver ${((Date.now() - cleared) / 1000).toFixed(1)} s after it cleared in Prometheus`),
      () => s.result.notes.push("the error burst's page had not been resolved at every receiver after 120 s"),
    );
    const t = Date.now();
    appOf(ctx).mix.errorRatio = 0.03;
    const page = ctx.spec.slos.burnRates.page[0];
    s.result.notes.push(`page: burn > ${page.factor}x over ${sec(page.long)} s and ${sec(page.short)} s (1h and 5m at the e2e clock)`);
    await s.expectFiring(t, detectionFloor(ctx, 0 as Duration, "critical"), labels);
    const end = Date.now();
    appOf(ctx).mix.errorRatio = 0;
    await s.expectResolved(end, labels, resolveTimeout(ctx, page.short, "critical"));
  });
  return [burst, burn];
}

export const latency = scenario("Latency (a quarter of requests take 2.2 s)", "CivicPulseHighLatency", "warning", async (s, ctx) => {
  const k = ctx.spec.alerts.CivicPulseHighLatency;
  const t = Date.now();
  Object.assign(appOf(ctx).mix, { slowRatio: 0.25, slowSeconds: 2.2 });
  s.result.notes.push("a request's latency is observed when it completes, 2.2 s after it starts");
  await s.expectFiring(t, detectionFloor(ctx, k.for, "warning"), app);
  const end = Date.now();
  Object.assign(appOf(ctx).mix, { slowRatio: 0, slowSeconds: 0 });
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "warning") + 5_000);
});

/** One real outage shared by the scenarios that watch it (started once, ended when all are done). */
function sharedOutage(stop: (ctx: ScenarioContext) => Promise<void>, start: (ctx: ScenarioContext) => Promise<void>, watchers: number) {
  let stopped: Promise<number> | undefined;
  let remaining = watchers;
  let ended: Promise<number> | undefined;
  return {
    begin: (ctx: ScenarioContext) => (stopped ??= stop(ctx).then(() => Date.now())),
    /** Resolves with the time the outage ended, once every watcher has seen its alert fire. */
    end: (ctx: ScenarioContext) => {
      remaining--;
      if (remaining <= 0) ended ??= start(ctx).then(() => Date.now());
      // A watcher that never began (its alert missing) must not hold the outage open for ever.
      const deadline = Date.now() + 180_000;
      return new Promise<number>((resolve) => {
        const wait = () => {
          if (!ended && Date.now() > deadline) ended = start(ctx).then(() => Date.now());
          if (ended) void ended.then(resolve);
          else setTimeout(wait, 100);
        };
        wait();
      });
    },
  };
}

type Outage = ReturnType<typeof sharedOutage>;
const postgresOutage = (watchers: number): Outage => sharedOutage((ctx) => ctx.stack.stopPostgres(), (ctx) => ctx.stack.startPostgres(), watchers);
const redisOutage = (watchers: number): Outage => sharedOutage((ctx) => ctx.stack.stopRedis(), (ctx) => ctx.stack.startRedis(), watchers);

/** The database alert alone, on an outage of its own (the deployed stack's harness runs it so). */
export function postgresDown(outage: Outage = postgresOutage(1)): ScenarioFn {
  return scenario("PostgreSQL stopped, then restarted", "DatabaseConnectionFailures", "critical", async (s, ctx) => {
    const k = ctx.spec.alerts.DatabaseConnectionFailures;
    const labels = { job: JOBS.postgresExporter, reason: "unreachable", service: "postgresql" };
    const t = Date.now();
    await outage.begin(ctx);
    s.result.notes.push(`postgres stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    try {
      await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), labels);
    } finally {
      const end = await outage.end(ctx);
      await s.expectResolved(end, labels, resolveTimeout(ctx, ctx.spec.prometheus.scrapeInterval, "critical"));
    }
  });
}

function postgresOutageScenarios(): ScenarioFn[] {
  const outage = postgresOutage(2);
  const down = postgresDown(outage);
  const readiness = scenario("Readiness probe failing (PostgreSQL stopped)", "CivicPulseHealthCheckFailing", "critical", async (s, ctx) => {
    const k = ctx.spec.alerts.CivicPulseHealthCheckFailing;
    const labels = { endpoint: "/health/ready/", job: JOBS.blackboxHealth };
    const t = Date.now();
    await outage.begin(ctx);
    try {
      await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), labels);
      const detailed = ctx.stack.recorder.find({ alertname: s.alert, status: "firing", labels: { endpoint: "/health/detailed/" }, since: t });
      s.result.notes.push(detailed.length > 0 ? "/health/detailed/ (unhealthy, 503) failed with it" : "/health/detailed/ not (yet) reported");
    } finally {
      const end = await outage.end(ctx);
      await s.expectResolved(end, labels, resolveTimeout(ctx, ctx.spec.prometheus.probeInterval, "critical"));
    }
  });
  return [down, readiness];
}

/** The Redis alert alone, on an outage of its own (the deployed stack's harness runs it so). */
export function redisDown(outage: Outage = redisOutage(1)): ScenarioFn {
  return scenario("redis-server stopped, then restarted", "RedisDown", "critical", async (s, ctx) => {
    const k = ctx.spec.alerts.RedisDown;
    const labels = { job: JOBS.redisExporter, service: "redis" };
    const t = Date.now();
    await outage.begin(ctx);
    s.result.notes.push(`redis-server stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    try {
      await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), labels);
    } finally {
      const end = await outage.end(ctx);
      await s.expectResolved(end, labels, resolveTimeout(ctx, ctx.spec.prometheus.scrapeInterval, "critical"));
    }
  });
}

function redisOutageScenarios(): ScenarioFn[] {
  const outage = redisOutage(2);
  const down = redisDown(outage);
  const degraded = scenario("Detailed health degraded (Redis stopped, app up, nested checks healthy)", "CivicPulseHealthCheckFailing", "critical", async (s, ctx) => {
    const k = ctx.spec.alerts.CivicPulseHealthCheckFailing;
    const labels = { endpoint: "/health/detailed/", job: JOBS.blackboxHealthDetailed };
    const t = Date.now();
    await outage.begin(ctx);
    try {
      const body = await appOf(ctx).request("GET", "/health/detailed/");
      s.result.notes.push(`/health/detailed/ answered ${body.status} ${body.body.slice(0, 160)}`);
      if (body.status !== 200 || !body.body.startsWith('{"status": "degraded"')) s.fail(`expected 200 with a degraded status, got ${body.status} ${body.body.slice(0, 200)}`);
      await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), labels);
      const ready = ctx.stack.recorder.find({ alertname: s.alert, status: "firing", labels: { endpoint: "/health/ready/" }, since: t });
      if (ready.length > 0) s.fail("/health/ready/ failed too: a cache outage must not fail readiness");
    } finally {
      const end = await outage.end(ctx);
      await s.expectResolved(end, labels, resolveTimeout(ctx, ctx.spec.prometheus.probeInterval, "critical"));
    }
  });
  return [down, degraded];
}

/** Repeats an injection every second until stopped (a fault that lasts, not a single blip). */
function repeatEverySecond(f: () => Promise<unknown>): () => void {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      await f().catch(() => undefined);
      await sleep(1000);
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

export const failedLogins = scenario("Failed-login burst (5/s, wrong password at the login view)", "AuthenticationFailureSpike", "critical", async (s, ctx) => {
  const k = ctx.spec.alerts.AuthenticationFailureSpike;
  const t = Date.now();
  const stop = repeatEverySecond(() => appOf(ctx).failedLogins(5));
  try {
    await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), app);
  } finally {
    stop();
  }
  const end = Date.now();
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "critical"));
});

export const securityViolations = scenario("First CSRF rejection since start (one POST without a token)", "SecurityMiddlewareViolations", "warning", async (s, ctx) => {
  const k = ctx.spec.alerts.SecurityMiddlewareViolations;
  const labels = { ...app, violation: "csrf" };
  const t = Date.now();
  // The app has rejected nothing before this request: the series exists at 0 from start-up, so
  // this one increase is visible to rate().
  const statuses = await appOf(ctx).csrfViolations(1);
  if (statuses[0] !== 403) s.fail(`the POST without a CSRF token was answered ${statuses[0]}, expected 403`);
  s.result.notes.push(`one rejected POST (HTTP ${statuses[0]}); threshold ${k.maxViolations} per ${sec(k.window)} s`);
  await s.expectFiring(t, detectionFloor(ctx, k.for, "warning"), labels);
  const end = Date.now();
  await s.expectResolved(end, labels, resolveTimeout(ctx, k.window, "warning"));
});

/** The audit z-score needs a baseline: the burst starts once the app has this much history. */
export const AUDIT_BASELINE_SECONDS = 45;

export const auditBurst = scenario("Audit event burst (+60/s from bulk inserts)", "AuditEventAnomaly", "warning", async (s, ctx) => {
  const k = ctx.spec.alerts.AuditEventAnomaly;
  const wait = ctx.stack.prometheusStartedAt + AUDIT_BASELINE_SECONDS * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  s.result.notes.push(`burst started after ${AUDIT_BASELINE_SECONDS} s of baseline traffic (~2 events/s)`);
  const t = Date.now();
  appOf(ctx).setAuditBurst(60);
  try {
    await s.expectFiring(t, detectionFloor(ctx, k.for, "warning"), app);
  } finally {
    appOf(ctx).setAuditBurst(0);
  }
  const end = Date.now();
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "warning"));
});

/** A failing request's trace, found in Jaeger by the trace id the app logged with the exception. */
export const failingRequestTrace: ScenarioFn = async (ctx) => {
  const result: ScenarioResult = { name: "Failing request's trace in Jaeger (by the logged trace_id)", alert: "(Jaeger query API)", receivers: [], ok: true, failures: [], notes: [], resolutionChecked: false };
  const t = Date.now();
  try {
    const reply = await appOf(ctx).request("GET", "/api/e2e/boom/?trace-scenario=1");
    if (reply.status !== 500) throw new Error(`the raising view answered ${reply.status}, expected 500`);
    const record = await until("the app's JSON log record of the exception", 10_000, () =>
      appOf(ctx).logRecords().find((r) => r.message === "unhandled exception in GET /api/e2e/boom/" && r.trace_sampled === true && typeof r.trace_id === "string" && (r.trace_id as string).length === 32 && Date.parse(String(r.time)) >= t - 1000),
    );
    const traceId = record.trace_id as string;
    const trace = await until(`trace ${traceId} in Jaeger`, 20_000, () => jaegerTrace(jaegerOf(ctx), traceId), 250);
    result.detectionSeconds = (Date.now() - t) / 1000;
    const services = [...new Set(Object.values(trace.processes).map((p) => p.serviceName))];
    const serviceName = ctx.spec.services.app.serviceName;
    if (!services.includes(serviceName)) throw new Error(`trace ${traceId} has services ${services.join(", ")}, not ${serviceName}`);
    const failed = trace.spans.filter((sp) => sp.tags.some((g) => (g.key === "http.response.status_code" || g.key === "http.status_code") && Number(g.value) === 500));
    if (failed.length === 0) throw new Error(`trace ${traceId} has no span with HTTP status 500 (${trace.spans.map((sp) => sp.operationName).join(", ")})`);
    const env = Object.values(trace.processes).flatMap((p) => p.tags).find((g) => g.key === "deployment.environment");
    result.notes.push(`trace ${traceId}: ${trace.spans.length} span(s), server span "${failed[0].operationName}" with status 500, service ${serviceName}, deployment.environment=${String(env?.value)}; log record carried exception_type=${String(record.exception_type)}`);
  } catch (e) {
    result.ok = false;
    result.failures.push((e as Error).message);
  }
  return result;
};

// ------------------------------------------------------------------ CI/CD (the project's CLI)

function ciCli(): { cmd: string; args: string[] } {
  const js = path.join(__dirname, "..", "cli", "ci-metrics.js");
  if (existsSync(js)) return { cmd: process.execPath, args: [js] };
  const ts = path.join(__dirname, "..", "cli", "ci-metrics.ts");
  return { cmd: process.execPath, args: ["-r", "ts-node/register/transpile-only", ts] };
}

export interface CiRun {
  readonly pipeline: string;
  readonly runId: string;
  readonly status: "success" | "failure";
  readonly coverage?: number;
  readonly finishedAt: number;
  readonly deploy?: { environment: string; status: "success" | "failure" };
}

/** Pushes one run with `civicpulse-ci-metrics push`, as a pipeline would. */
export function pushRun(pushgatewayUrl: string, run: CiRun): Promise<void> {
  const cli = ciCli();
  const args = [
    ...cli.args,
    "push",
    "--url", pushgatewayUrl,
    "--pipeline", run.pipeline,
    "--branch", "main",
    "--run-id", run.runId,
    "--status", run.status,
    "--duration-seconds", "300",
    "--test-duration-seconds", "120",
    "--finished-at", String(run.finishedAt),
    ...(run.coverage !== undefined ? ["--coverage", String(run.coverage)] : []),
    ...(run.deploy ? ["--deploy-environment", run.deploy.environment, "--deploy-status", run.deploy.status] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile(cli.cmd, args, { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`civicpulse-ci-metrics push ${run.runId} failed: ${stderr || stdout || err.message}`)) : resolve(),
    );
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const ciBuildFailures = scenario("CI: 3 failed runs pushed with the CLI", "CIBuildFailureRateHigh", "warning", async (s, ctx) => {
  const k = ctx.spec.alerts.CIBuildFailureRateHigh;
  const labels = { pipeline: "e2e-build", service: "ci" };
  const t = Date.now();
  const now = nowSeconds();
  await Promise.all([0, 1, 2].map((i) => pushRun(ctx.stack.pushgatewayUrl, { pipeline: "e2e-build", runId: `build-${i}`, status: "failure", finishedAt: now - 2 + i })));
  s.result.notes.push(`push took ${((Date.now() - t) / 1000).toFixed(1)} s; resolves when the runs leave the ${sec(k.window)} s window`);
  await s.expectFiring(t, detectionFloor(ctx, k.for, "warning"), labels);
  await s.expectResolved(t, labels, sec(k.window) * 1000 + 30_000);
  // The fault "ends" when the oldest failed run leaves the window (fewer than minBuilds remain).
  if (s.result.resolutionSeconds !== undefined) s.result.resolutionSeconds -= now - 2 + sec(k.window) - t / 1000;
});

export const ciCoverage = scenario("CI: 2 runs below 80% coverage", "CITestCoverageLow", "warning", async (s, ctx) => {
  const labels = { pipeline: "e2e-coverage", service: "ci" };
  const t = Date.now();
  const now = nowSeconds();
  await Promise.all([0, 1].map((i) => pushRun(ctx.stack.pushgatewayUrl, { pipeline: "e2e-coverage", runId: `cov-${i}`, status: "success", coverage: 0.5, finishedAt: now - 2 + i })));
  await s.expectFiring(t, detectionFloor(ctx, ctx.spec.alerts.CITestCoverageLow.for, "warning"), labels);
  const end = Date.now();
  await pushRun(ctx.stack.pushgatewayUrl, { pipeline: "e2e-coverage", runId: "cov-2", status: "success", coverage: 0.95, finishedAt: nowSeconds() + 1 });
  await s.expectResolved(end, labels, 30_000);
});

/**
 * A failed deployment left unresolved: DeploymentFailed pages (critical), then after
 * meta.escalation.after the escalation rule raises CriticalAlertUnresolved (emergency) for the
 * service, which reaches the emergency receiver and inhibits the service's critical and warning
 * alerts in Alertmanager. A newer successful deployment resolves both.
 */
export function ciDeploymentAndEscalation(): ScenarioFn[] {
  let release: () => void = () => undefined;
  const escalated = new Promise<void>((r) => (release = r));
  let deployFiredAt: number | undefined;
  let deployInjectedAt = 0;
  const deploymentLabels = { environment: "e2e-target", pipeline: "e2e-deploy", service: "ci" };

  const deploy = scenario("CI: failed deployment", "DeploymentFailed", "critical", async (s, ctx) => {
    const t = Date.now();
    deployInjectedAt = t;
    try {
      await pushRun(ctx.stack.pushgatewayUrl, { pipeline: "e2e-deploy", runId: "deploy-1", status: "failure", finishedAt: nowSeconds(), deploy: { environment: "e2e-target", status: "failure" } });
      const got = await s.expectFiring(t, detectionFloor(ctx, ctx.spec.alerts.DeploymentFailed.for, "critical"), deploymentLabels);
      deployFiredAt = got.length ? Math.min(...got.map((d) => d.at)) : undefined;
      // Left firing until the escalation scenario is done with it.
      await escalated;
    } finally {
      release();
    }
    const end = Date.now();
    await pushRun(ctx.stack.pushgatewayUrl, { pipeline: "e2e-deploy", runId: "deploy-2", status: "success", finishedAt: nowSeconds() + 1, deploy: { environment: "e2e-target", status: "success" } });
    const firing = await until("DeploymentFailed to stop firing in Prometheus", 20_000, async () => {
      const alerts = await prometheusAlerts(ctx.stack.promUrl);
      return alerts.some((a) => a.labels.alertname === s.alert && a.labels.environment === "e2e-target") ? undefined : true;
    }).catch(() => false);
    s.result.resolutionChecked = true;
    if (!firing) s.fail("DeploymentFailed still active in Prometheus 20 s after a newer successful deployment");
    else s.result.resolutionSeconds = (Date.now() - end) / 1000;
    s.result.notes.push("resolved by a newer successful deployment; its resolved notification is muted while the emergency inhibits it");
  });

  const escalation = scenario("Critical left firing escalates; the service's alerts are inhibited", "CriticalAlertUnresolved", "emergency", async (s, ctx) => {
    try {
      const labels = { service: "ci", escalated_alertname: "DeploymentFailed" };
      const after = ctx.spec.meta.escalation.after;
      // The deployment's series is scraped and DeploymentFailed evaluated (scrape + evaluation + its
      // `for`), then the escalation rule holds for `after` and fires on an evaluation, then the
      // emergency route's group_wait.
      const floor = detectionFloor(ctx, (ctx.spec.alerts.DeploymentFailed.for + after) as Duration, "emergency") + sec(ctx.spec.prometheus.evaluationInterval);
      // Wait for the deployment to fail first (the escalation's input).
      await until("DeploymentFailed to fire", 30_000, () => (deployFiredAt !== undefined ? true : undefined));
      const deliveries = await s.expectFiring(deployInjectedAt, floor, labels);
      s.result.notes.push(`escalation.after = ${sec(after)} s; floor counts from the failed push`);
      if (deliveries.length > 0) {
        // The receiver's two webhooks notify independently: give the second a moment (bounded).
        const pathsSeen = () =>
          new Set([R.pager, R.escalation].flatMap((receiver) => ctx.stack.recorder.find({ alertname: s.alert, receiver, status: "firing" }).map((d) => d.path)));
        const paths = await until("both emergency webhooks", 5_000, () => {
          const p = pathsSeen();
          return p.has("/pager") && p.has("/escalation") ? p : undefined;
        }).catch(() => pathsSeen());
        if (!paths.has("/pager") || !paths.has("/escalation")) s.fail(`emergency reached ${[...paths].join(", ")}; expected both /pager and /escalation`);
        else s.result.notes.push("the emergency paged both the pager and the escalation contact");
      }
      // The critical that escalated is now muted by the emergency of its service.
      const suppressed = await until("DeploymentFailed to be inhibited", 10_000, async () => {
        const am = await alertmanagerAlerts(ctx.stack.amUrl);
        const a = am.find((x) => x.labels.alertname === "DeploymentFailed" && x.labels.environment === "e2e-target");
        return a && a.status.state === "suppressed" && a.status.inhibitedBy.length > 0 ? a : undefined;
      }).catch(() => undefined);
      if (!suppressed) s.fail("DeploymentFailed (critical) is not inhibited by the emergency of service ci");
      else s.result.notes.push("DeploymentFailed (critical, service ci) inhibited");
      // A warning of the same service raised during the emergency is inhibited and never delivered.
      const t = Date.now();
      const now = nowSeconds();
      await Promise.all([0, 1].map((i) => pushRun(ctx.stack.pushgatewayUrl, { pipeline: "e2e-inhibited", runId: `inh-${i}`, status: "success", coverage: 0.4, finishedAt: now - 2 + i })));
      const warning = await until("CITestCoverageLow{pipeline=e2e-inhibited} in Alertmanager", 20_000, async () => {
        const am = await alertmanagerAlerts(ctx.stack.amUrl);
        return am.find((x) => x.labels.alertname === "CITestCoverageLow" && x.labels.pipeline === "e2e-inhibited");
      }).catch(() => undefined);
      if (!warning) s.fail("the warning raised during the emergency never reached Alertmanager");
      else if (warning.status.state !== "suppressed") s.fail(`the warning raised during the emergency is ${warning.status.state}, not suppressed`);
      else s.result.notes.push("CITestCoverageLow (warning, service ci) raised during the emergency: inhibited");
      await sleep((sec(ctx.stack.alertmanager.routing.warning.groupWait) + 2) * 1000);
      if (ctx.stack.recorder.find({ alertname: "CITestCoverageLow", labels: { pipeline: "e2e-inhibited" }, since: t }).length > 0) {
        s.fail("the inhibited warning was delivered");
      }
      release();
      const end = Date.now();
      await s.expectResolved(end, labels, 30_000);
      await pushRun(ctx.stack.pushgatewayUrl, { pipeline: "e2e-inhibited", runId: "inh-2", status: "success", coverage: 0.95, finishedAt: nowSeconds() + 1 });
    } finally {
      release();
    }
  });
  return [deploy, escalation];
}

export const watchdog = scenario("Watchdog heartbeat", "Watchdog", "warning", async (s, ctx) => {
  // Alerts evaluated before Prometheus discovered Alertmanager cannot be delivered: count from then.
  const t = ctx.stack.alertmanagerDiscoveredAt;
  // Severity "none": only the heartbeat receiver.
  const d = await ctx.stack.recorder
    .waitFor({ alertname: "Watchdog", receiver: R.heartbeat, status: "firing" }, 30_000)
    .catch(() => undefined);
  s.result.receivers.splice(0, s.result.receivers.length, R.heartbeat);
  // vector(1) reads no scrape: one evaluation plus the heartbeat route's group_wait.
  s.result.floorSeconds = detectionFloor(ctx, 0 as Duration, "none") - sec(ctx.spec.prometheus.scrapeInterval);
  if (!d) {
    s.fail("no Watchdog notification at the heartbeat receiver within 30 s of Alertmanager's discovery");
    return;
  }
  if (d.labels.severity !== "none" || !d.labels.service) s.fail(`Watchdog labels: severity ${d.labels.severity}, service ${d.labels.service}`);
  s.result.detectionSeconds = (d.at - t) / 1000;
  s.result.notes.push(
    `counted from Prometheus discovering Alertmanager (${((t - ctx.stack.prometheusStartedAt) / 1000).toFixed(1)} s after Prometheus started); ${((d.at - ctx.stack.prometheusStartedAt) / 1000).toFixed(1)} s from Prometheus' start`,
  );
  const elsewhere = ctx.stack.recorder.find({ alertname: "Watchdog" }).filter((x) => x.receiver !== R.heartbeat);
  if (elsewhere.length) s.fail(`Watchdog also reached ${elsewhere.map((x) => x.receiver).join(", ")}`);
  // A heartbeat repeats: wait for a second one.
  const second = await until("a second heartbeat", 15_000, () => {
    const all = ctx.stack.recorder.find({ alertname: "Watchdog", receiver: R.heartbeat });
    return all.length >= 2 ? all : undefined;
  }).catch(() => undefined);
  if (!second) s.fail("the heartbeat did not repeat");
  else s.result.notes.push(`repeated every ~${((second[1].at - second[0].at) / 1000).toFixed(1)} s (repeat_interval ${sec(ctx.stack.alertmanager.routing.heartbeat.repeatInterval)} s)`);
});

/** Every scenario, in the order they are reported; all run concurrently except the PostgreSQL outage. */
export function allScenarios(): ScenarioFn[] {
  const gate = new Gate();
  const postgresOutage = postgresOutageScenarios();
  const redisOutage = redisOutageScenarios();
  return [
    watchdog,
    ...errorBurstAndSloBurn().map((s) => gate.guard(s)),
    latency,
    ...postgresOutage.map((s) => gate.after(s)),
    ...redisOutage.map((s) => gate.guard(s)),
    gate.guard(failedLogins),
    gate.guard(auditBurst),
    securityViolations,
    failingRequestTrace,
    ciBuildFailures,
    ciCoverage,
    ...ciDeploymentAndEscalation(),
  ];
}

export type { DeliveryMatch };
