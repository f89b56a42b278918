import { Duration, scaleDuration, seconds, toSeconds } from "./duration";
import { describeIssues, EnvironmentError } from "./load";
import { EnvironmentInput, EnvironmentSpec, environmentSpecSchema } from "./environment";
import { AlertmanagerSpec, AlertmanagerSpecInput } from "./alertmanager";

/**
 * The `e2e` environment of the live verification (`npm run verify`, e2e/). It is an ordinary typed
 * environment validated by the same schema as dev/staging/prod, not text substitution on rendered
 * files: targets are 127.0.0.1 with ports chosen at run time, receivers are a local webhook
 * recorder, and every duration is the production default scaled down by E2E_TIME_SCALE through the
 * spec, so the rule files Prometheus loads are the generator's own output at a faster clock.
 *
 * It is deliberately not in PRESETS: `npm run synth` keeps generating dev, staging and prod.
 */

/** Every duration is the default divided by 60 (1 h becomes 1 min), never below the floors. */
export const E2E_TIME_SCALE = 1 / 60;
/** Nothing below one scrape/evaluation interval. */
export const E2E_MIN_DURATION: Duration = seconds(1);
/** A rate window needs several 1 s samples to be stable. */
export const E2E_MIN_WINDOW: Duration = seconds(5);

const scaled = (d: Duration, floor: Duration = E2E_MIN_DURATION): number => toSeconds(scaleDuration(d, E2E_TIME_SCALE, floor));
const win = (d: Duration): number => scaled(d, E2E_MIN_WINDOW);
/** `for` of 0 stays 0 (CI alerts fire on the first evaluation). */
const forOf = (d: Duration): number => (d === 0 ? 0 : scaled(d));

/** Loopback ports of the processes the harness starts; unused ones are free ports nobody listens on. */
export interface E2ePorts {
  readonly prometheus: number;
  readonly app: number;
  readonly appOtel: number;
  readonly nodeExporter: number;
  readonly cadvisor: number;
  readonly redisExporter: number;
  readonly postgresExporter: number;
  readonly blackboxExporter: number;
  readonly pushgateway: number;
  readonly alertmanager: number;
  readonly grafana: number;
  readonly loki: number;
  readonly jaeger: number;
  readonly promtail: number;
  /** The real redis-server and PostgreSQL the exporters watch. */
  readonly redis: number;
  readonly postgres: number;
}

/** Where the webhook recorder listens: one path per receiver integration. */
export interface RecorderUrls {
  readonly chat: string;
  readonly pager: string;
  readonly escalation: string;
  readonly heartbeat: string;
}

/** What the harness fills in at run time. */
export interface E2eRuntime {
  readonly ports: E2ePorts;
  readonly recorder: RecorderUrls;
  /** Alertmanager's secrets folder (no secret is needed: every receiver is a local webhook). */
  readonly secretsDir: string;
}

/**
 * Deliberate departures from "default / 60", each with its reason (reported by the harness).
 * Everything else follows the scale.
 */
export const E2E_OVERRIDES: ReadonlyArray<{ field: string; value: string; reason: string }> = [
  {
    field: "prometheus.scrapeInterval, prometheus.scrapeTimeout",
    value: "2s",
    reason:
      "postgres-exporter takes about 1.0 s to answer while PostgreSQL is down; with a 1 s timeout (10s / 60) the scrape times out, pg_up is never stored and DatabaseConnectionFailures cannot fire (only InstanceDown does). Rule evaluation and blackbox probes stay at 1 s",
  },
  {
    field: "alerts.AuditEventAnomaly.for",
    value: "3s",
    reason:
      "a z-score against the series' own baseline stays above 3 only while the burst is under ~10% of the baseline samples; the run has about a minute of baseline, so 10 s (10m / 60) would never be reached",
  },
  {
    field: "alerts.SecurityMiddlewareViolations.window",
    value: "10s",
    reason:
      "the first-CSRF-rejection scenario sends one rejection; 1m / 60 = 5 s holds only two 2 s scrapes of it, and one scrape of the Django app's multiprocess exposition timing out on the loaded machine left rate() a single sample (seen once in four runs)",
  },
  {
    field: "alerts.CIBuildFailureRateHigh.window",
    value: "30s",
    reason: "1h / 60 = 60 s; 30 s lets failed runs age out (the resolution) within the run",
  },
  {
    field: "slos.latency, slos.healthProbes",
    value: "enabled: false",
    reason:
      "the latency and readiness scenarios run concurrently with the others; their SLO pages (critical) would stay up past the 30 s escalation and the emergency would mute the civicpulse alerts other scenarios assert on. The availability SLO has its own scenario (SLO burn), run after the error burst",
  },
  {
    field: "slos.burnRates.page",
    value: "14.4x over 1m and 5s only",
    reason:
      "the second page pair (6x over 6m and 30s) keeps the page up 30 s after any error burst, past the 30 s escalation; the scaled first pair still proves the page path",
  },
];

const scaledPair = (b: { factor: number; long: Duration; short: Duration }) => ({ factor: b.factor, long: win(b.long), short: win(b.short) });

/** The defaults every environment starts from (the report's numbers). */
function defaults(): EnvironmentSpec {
  return environmentSpecSchema.parse({ name: "e2e" });
}

/** The e2e environment for the given ports, as an EnvironmentInput (what a preset would contain). */
export function e2eEnvironmentInput(runtime: E2eRuntime): EnvironmentInput {
  const { ports } = runtime;
  const base = defaults();
  const a = base.alerts;
  const local = (port: number) => `127.0.0.1:${port}`;
  return {
    name: "e2e",
    team: base.team,
    prometheus: {
      // 15s / 60 and 10s / 60 would both be 1 s; see E2E_OVERRIDES.
      scrapeInterval: Math.max(2, scaled(base.prometheus.scrapeInterval)),
      scrapeTimeout: Math.max(2, scaled(base.prometheus.scrapeTimeout)),
      evaluationInterval: scaled(base.prometheus.evaluationInterval),
      probeInterval: scaled(base.prometheus.probeInterval),
      retentionTime: "1h",
    },
    targets: {
      prometheus: [local(ports.prometheus)],
      app: [local(ports.app)],
      appOtel: [local(ports.appOtel)],
      appBaseUrl: `http://127.0.0.1:${ports.app}`,
      nodeExporter: [local(ports.nodeExporter)],
      cadvisor: [local(ports.cadvisor)],
      redisExporter: [local(ports.redisExporter)],
      postgresExporter: [local(ports.postgresExporter)],
      blackboxExporter: local(ports.blackboxExporter),
      pushgateway: [local(ports.pushgateway)],
      alertmanager: [local(ports.alertmanager)],
      grafana: [local(ports.grafana)],
      loki: [local(ports.loki)],
      jaeger: [local(ports.jaeger)],
      promtail: [local(ports.promtail)],
    },
    alerts: {
      CivicPulseHighErrorRate: { for: forOf(a.CivicPulseHighErrorRate.for), window: win(a.CivicPulseHighErrorRate.window) },
      CivicPulseHighLatency: { for: forOf(a.CivicPulseHighLatency.for), window: win(a.CivicPulseHighLatency.window) },
      CivicPulseLowRequestRate: { for: forOf(a.CivicPulseLowRequestRate.for), window: win(a.CivicPulseLowRequestRate.window) },
      CivicPulseHealthCheckFailing: { for: forOf(a.CivicPulseHealthCheckFailing.for) },
      HostHighCpuUsage: { for: forOf(a.HostHighCpuUsage.for), window: win(a.HostHighCpuUsage.window) },
      HostLowMemory: { for: forOf(a.HostLowMemory.for) },
      HostDiskSpaceLow: { for: forOf(a.HostDiskSpaceLow.for) },
      DatabaseConnectionFailures: { for: forOf(a.DatabaseConnectionFailures.for), window: win(a.DatabaseConnectionFailures.window) },
      RedisDown: { for: forOf(a.RedisDown.for) },
      AuthenticationFailureSpike: { for: forOf(a.AuthenticationFailureSpike.for), window: win(a.AuthenticationFailureSpike.window) },
      AuditEventAnomaly: {
        for: 3,
        window: win(a.AuditEventAnomaly.window),
        baseline: win(a.AuditEventAnomaly.baseline),
      },
      SecurityMiddlewareViolations: {
        for: forOf(a.SecurityMiddlewareViolations.for),
        window: 10,
      },
      CIBuildFailureRateHigh: { for: forOf(a.CIBuildFailureRateHigh.for), window: 30 },
      CITestCoverageLow: { for: forOf(a.CITestCoverageLow.for) },
      DeploymentFailed: { for: forOf(a.DeploymentFailed.for) },
    },
    slos: {
      availability: { window: win(base.slos.availability.window) },
      latency: { enabled: false, window: win(base.slos.latency.window) },
      healthProbes: { enabled: false, window: win(base.slos.healthProbes.window) },
      burnRates: {
        page: base.slos.burnRates.page.slice(0, 1).map(scaledPair),
        ticket: base.slos.burnRates.ticket.map(scaledPair),
      },
    },
    services: {
      alertmanager: { config: e2eAlertmanagerInput(base.services.alertmanager.config, runtime.recorder, runtime.secretsDir) },
      blackboxExporter: { config: { timeout: scaled(base.services.blackboxExporter.config.timeout) } },
      redisExporter: { redisAddr: `redis://127.0.0.1:${ports.redis}` },
      postgresExporter: { dataSourceUri: `127.0.0.1:${ports.postgres}/postgres?sslmode=disable`, user: "postgres" },
    },
    meta: {
      instanceDown: { for: forOf(base.meta.instanceDown.for) },
      escalation: { after: scaled(base.meta.escalation.after) },
    },
  };
}

/** Validates the e2e environment with the same schema and messages as every other environment. */
export function loadE2eEnvironment(runtime: E2eRuntime): EnvironmentSpec {
  const input = e2eEnvironmentInput(runtime);
  const result = environmentSpecSchema.safeParse(input);
  if (!result.success) {
    throw new EnvironmentError(
      `environment e2e is invalid:\n${describeIssues(result.error, input).map((l) => `  - ${l}`).join("\n")}`,
    );
  }
  return result.data;
}

/**
 * The Alertmanager part of the environment: the production routing tree and inhibitions with
 * every receiver a webhook on the local recorder and every tier's timing scaled like the rules.
 */
function e2eAlertmanagerInput(base: AlertmanagerSpec, urls: RecorderUrls, secretsDir: string): AlertmanagerSpecInput {
  const tier = (t: AlertmanagerSpec["routing"]["warning"]) => ({
    groupWait: t.groupWait === 0 ? 0 : scaled(t.groupWait),
    groupInterval: scaled(t.groupInterval),
    repeatInterval: scaled(t.repeatInterval),
  });
  return {
    secretsDir,
    resolveTimeout: scaled(base.resolveTimeout),
    receivers: {
      chat: { kind: "webhook", url: urls.chat },
      pager: { kind: "webhook", url: urls.pager },
      escalation: { kind: "webhook", url: urls.escalation },
      heartbeat: { kind: "webhook", url: urls.heartbeat },
    },
    routing: {
      warning: tier(base.routing.warning),
      critical: tier(base.routing.critical),
      emergency: tier(base.routing.emergency),
      heartbeat: tier(base.routing.heartbeat),
    },
  };
}
