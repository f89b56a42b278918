import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { ALERTMANAGER_RECEIVERS } from "../constructs/alertmanager/config";
import { Duration, toSeconds } from "../rules/duration";
import { JOBS } from "../rules/jobs";
import { Severity } from "../rules/knobs";
import { EnvironmentSpec } from "../stacks/environment/schema";
import { alertmanagerAlerts, prometheusAlerts } from "./prom";
import { Delivery, DeliveryMatch, describe } from "./recorder";
import { LiveStack } from "./stack";
import { sleep, until } from "./supervisor";

/**
 * The fault scenarios of the live run. Each injects one fault through the synthetic app, a real
 * process or the CI metrics CLI, then asserts who was notified (receiver), with which labels, how
 * fast, and that the alert resolves once the fault ends. Scenarios that do not touch the same
 * alert or service run concurrently.
 */

const R = ALERTMANAGER_RECEIVERS;
/** Receivers each severity must reach (the Alertmanager route tree's contract). */
export const RECEIVERS_BY_SEVERITY: Record<Severity, string[]> = {
  warning: [R.chat],
  critical: [R.chat, R.pager],
  emergency: [R.emergency],
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
>;

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

async function control(ctx: ScenarioContext, what: string, body: Record<string, unknown> = {}): Promise<void> {
  const r = await fetch(`${ctx.stack.appUrl}/control/${what}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  if (!r.ok) throw new Error(`control ${what}: HTTP ${r.status}`);
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

export const errorBurst = scenario("Error burst (50% 5xx)", "CivicPulseHighErrorRate", "critical", async (s, ctx) => {
  const k = ctx.spec.alerts.CivicPulseHighErrorRate;
  const t = Date.now();
  await control(ctx, "faults", { errorRatio: 0.5 });
  await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), app);
  const end = Date.now();
  await control(ctx, "faults", { errorRatio: 0 });
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "critical"));
});

export const latency = scenario("Latency (+2.2 s on every request)", "CivicPulseHighLatency", "warning", async (s, ctx) => {
  const k = ctx.spec.alerts.CivicPulseHighLatency;
  const t = Date.now();
  await control(ctx, "faults", { latencySeconds: 2.2 });
  s.result.notes.push("a request's latency is observed when it completes, 2.2 s after it starts");
  await s.expectFiring(t, detectionFloor(ctx, k.for, "warning"), app);
  const end = Date.now();
  await control(ctx, "faults", { latencySeconds: 0 });
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "warning") + 5_000);
});

export const readiness = scenario("Readiness probe failing", "CivicPulseHealthCheckFailing", "critical", async (s, ctx) => {
  const k = ctx.spec.alerts.CivicPulseHealthCheckFailing;
  const labels = { endpoint: "/health/ready/", job: JOBS.blackboxHealth };
  const t = Date.now();
  await control(ctx, "faults", { ready: false });
  await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), labels);
  const detailed = ctx.stack.recorder.find({ alertname: s.alert, status: "firing", labels: { endpoint: "/health/detailed/" }, since: t });
  s.result.notes.push(detailed.length > 0 ? "/health/detailed/ (JSON status) failed with it" : "/health/detailed/ not (yet) reported");
  const end = Date.now();
  await control(ctx, "faults", { ready: true });
  await s.expectResolved(end, labels, resolveTimeout(ctx, ctx.spec.prometheus.probeInterval, "critical"));
});

export const redisDown = scenario("redis-server stopped, then restarted", "RedisDown", "critical", async (s, ctx) => {
  const k = ctx.spec.alerts.RedisDown;
  const labels = { job: JOBS.redisExporter, service: "redis" };
  const t = Date.now();
  await ctx.stack.stopRedis();
  s.result.notes.push(`redis-server stopped by PID (SIGTERM) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), labels);
  const end = Date.now();
  await ctx.stack.startRedis();
  await s.expectResolved(end, labels, resolveTimeout(ctx, ctx.spec.prometheus.scrapeInterval, "critical"));
});

export const postgresDown = scenario("PostgreSQL stopped, then restarted", "DatabaseConnectionFailures", "critical", async (s, ctx) => {
  const k = ctx.spec.alerts.DatabaseConnectionFailures;
  const labels = { job: JOBS.postgresExporter, reason: "unreachable", service: "postgresql" };
  const t = Date.now();
  await ctx.stack.stopPostgres();
  s.result.notes.push(`postgres stopped by PID (SIGINT, fast shutdown) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), labels);
  const end = Date.now();
  await ctx.stack.startPostgres();
  await s.expectResolved(end, labels, resolveTimeout(ctx, ctx.spec.prometheus.scrapeInterval, "critical"));
});

/** Repeats an injection every second until stopped (a fault that lasts, not a single blip). */
function repeatEverySecond(f: () => Promise<void>): () => void {
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

export const failedLogins = scenario("Failed-login burst (5/s)", "AuthenticationFailureSpike", "critical", async (s, ctx) => {
  const k = ctx.spec.alerts.AuthenticationFailureSpike;
  const t = Date.now();
  const stop = repeatEverySecond(() => control(ctx, "failed-logins", { count: 5 }));
  try {
    await s.expectFiring(t, detectionFloor(ctx, k.for, "critical"), app);
  } finally {
    stop();
  }
  const end = Date.now();
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "critical"));
});

export const securityViolations = scenario("Security middleware rejections (csrf)", "SecurityMiddlewareViolations", "warning", async (s, ctx) => {
  const k = ctx.spec.alerts.SecurityMiddlewareViolations;
  const labels = { ...app, violation: "csrf" };
  const t = Date.now();
  const stop = repeatEverySecond(() => control(ctx, "security-violations", { violation: "csrf", count: 2 }));
  try {
    await s.expectFiring(t, detectionFloor(ctx, k.for, "warning"), labels);
  } finally {
    stop();
  }
  const end = Date.now();
  await s.expectResolved(end, labels, resolveTimeout(ctx, k.window, "warning"));
});

/** The audit z-score needs a baseline: the burst starts once the app has this much history. */
export const AUDIT_BASELINE_SECONDS = 45;

export const auditBurst = scenario("Audit event burst (+60/s)", "AuditEventAnomaly", "warning", async (s, ctx) => {
  const k = ctx.spec.alerts.AuditEventAnomaly;
  const wait = ctx.stack.prometheusStartedAt + AUDIT_BASELINE_SECONDS * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  s.result.notes.push(`burst started after ${AUDIT_BASELINE_SECONDS} s of baseline traffic (~2 events/s)`);
  const t = Date.now();
  await control(ctx, "audit-burst", { perSecond: 60 });
  try {
    await s.expectFiring(t, detectionFloor(ctx, k.for, "warning"), app);
  } finally {
    await control(ctx, "audit-burst", { perSecond: 0 });
  }
  const end = Date.now();
  await s.expectResolved(end, app, resolveTimeout(ctx, k.window, "warning"));
});

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
        const pathsSeen = () => new Set(ctx.stack.recorder.find({ alertname: s.alert, receiver: R.emergency, status: "firing" }).map((d) => d.path));
        const paths = await until("both emergency webhooks", 5_000, () => {
          const p = pathsSeen();
          return p.has("/pager") && p.has("/escalation") ? p : undefined;
        }).catch(() => pathsSeen());
        if (!paths.has("/pager") || !paths.has("/escalation")) s.fail(`emergency reached ${[...paths].join(", ")}; expected both /pager and /escalation`);
        else s.result.notes.push("emergency receiver paged both the pager and the escalation contact");
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

/** Every scenario, in the order they are reported; all run concurrently. */
export function allScenarios(): ScenarioFn[] {
  return [
    watchdog,
    errorBurst,
    latency,
    readiness,
    redisDown,
    postgresDown,
    failedLogins,
    auditBurst,
    securityViolations,
    ciBuildFailures,
    ciCoverage,
    ...ciDeploymentAndEscalation(),
  ];
}

export type { DeliveryMatch };
