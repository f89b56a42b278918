import { deepMerge, describeIssues, EnvironmentError } from "./load";
import { e2eEnvironmentInput, E2ePorts } from "./e2e";
import { EnvironmentInput, EnvironmentSpec, environmentSpecSchema } from "./environment";
import { ALERTMANAGER_SECRETS_DIR } from "./alertmanager";

/**
 * The `deploy` environment of `npm run verify:deploy`: the e2e environment's clock (every duration
 * the production default / 60, same overrides) deployed for real with `cdktf deploy` onto the
 * private Docker Engine. Prometheus scrapes every target by its network alias (the defaults),
 * images are the local builds of scripts/build-deploy-images.sh selected through
 * `services.<name>.image`, and every receiver is a webhook whose URL Alertmanager reads from a
 * secret file, as in production: the values (the harness's recorder on the engine's bridge
 * gateway) come from sensitive variables at deploy time, never from cdk.tf.json.
 * Not in PRESETS: `npm run synth` keeps generating dev, staging and prod.
 */

/** The local images (name:tag carries the version of the binary inside). */
export const DEPLOYED_IMAGES = {
  prometheus: "civicpulse-local/prometheus:3.5.3",
  alertmanager: "civicpulse-local/alertmanager:0.33.1",
  nodeExporter: "civicpulse-local/node-exporter:1.11.1",
  blackboxExporter: "civicpulse-local/blackbox-exporter:0.28.0",
  pushgateway: "civicpulse-local/pushgateway:1.11.2",
  postgresExporter: "civicpulse-local/postgres-exporter:0.19.1",
  redisExporter: "civicpulse-local/redis-exporter:1.86.0",
  toxiproxy: "civicpulse-local/toxiproxy:2.12.0",
  jaeger: "civicpulse-local/jaeger:2.13.0",
} as const;

/** The databases the exporters watch: run by the harness beside the stack (not Terraform resources). */
export const DEPLOYED_DATABASE_IMAGES = { redis: "civicpulse-local/redis:7.0.15", postgres: "civicpulse-local/postgres:15" } as const;

/** Services the deployed environment leaves out, with the reason the report gives. */
export const DEPLOYED_DISABLED: Readonly<Record<string, string>> = {
  grafana: "Grafana's sources are AGPL (not built here) and there is no package: schema + snapshot only",
  loki: "Loki's sources are AGPL (not built here) and there is no package: schema + snapshot only",
  promtail: "Promtail lives in the Loki repository (AGPL) and has no package: schema + snapshot only",
  cadvisor:
    "its module needs a wrapper replacing github.com/google/cadvisor and a second long Go build on a 2-core machine shared by 5 builds; it also reads /var/lib/docker of the system engine, not the private one",
};

/** Alerts on the CivicPulse app itself: no app runs in the deployed environment (the process-based `npm run verify` drives them with its synthetic app). */
const APP_ALERTS = [
  "CivicPulseHighErrorRate",
  "CivicPulseHighLatency",
  "CivicPulseLowRequestRate",
  "CivicPulseHealthCheckFailing",
  "AuthenticationFailureSpike",
  "AuditEventAnomaly",
  "SecurityMiddlewareViolations",
] as const;

/** The kreuzwerker/docker build the deployment runs with (see scripts/install-deploy-tools.sh). */
export const DEPLOYED_DOCKER_PROVIDER_VERSION = "4.6.0";

/** Host ports (127.0.0.1) of the deployed stack, away from the defaults other local tools use. */
export const DEPLOYED_PORTS = { prometheus: 19090, alertmanager: 19093, pushgateway: 19091, toxiproxy: 18474 } as const;

export interface DeployedRuntime {
  /** Whether the Jaeger image could be built (its Go build is the longest step). */
  readonly jaeger: boolean;
}

/** The e2e input's timing sections; its loopback targets and ports are replaced below. */
function e2eTiming(): EnvironmentInput {
  const unused: E2ePorts = {
    prometheus: 1, app: 1, appOtel: 1, nodeExporter: 1, cadvisor: 1, redisExporter: 1, postgresExporter: 1, blackboxExporter: 1,
    pushgateway: 1, alertmanager: 1, grafana: 1, loki: 1, jaeger: 1, promtail: 1, redis: 1, postgres: 1,
  };
  const base = "http://recorder.invalid";
  return e2eEnvironmentInput({
    ports: unused,
    recorder: { chat: `${base}/chat`, pager: `${base}/pager`, escalation: `${base}/escalation`, heartbeat: `${base}/heartbeat` },
    secretsDir: ALERTMANAGER_SECRETS_DIR,
  });
}

export function deployedEnvironmentInput(runtime: DeployedRuntime, patch: unknown = {}): EnvironmentInput {
  const e2e = e2eTiming();
  const off = { enabled: false };
  const alerts = { ...(e2e.alerts as Record<string, object>) };
  for (const a of APP_ALERTS) alerts[a] = { ...(alerts[a] ?? {}), enabled: false };
  const e2eAm = (e2e.services?.alertmanager?.config ?? {}) as Record<string, unknown>;
  const input: EnvironmentInput = {
    name: "deploy",
    team: e2e.team,
    // 1 min / 60, as the process-based harness passes it: the Watchdog fires before Alertmanager is discovered.
    prometheus: { ...e2e.prometheus, alertResendDelay: 1 },
    alerts: alerts as EnvironmentInput["alerts"],
    meta: e2e.meta,
    // Network aliases everywhere (the schema's defaults), minus what does not run here.
    targets: { app: [], appOtel: [], cadvisor: [], grafana: [], loki: [], promtail: [], ...(runtime.jaeger ? {} : { jaeger: [] }) },
    providers: { dockerVersion: DEPLOYED_DOCKER_PROVIDER_VERSION },
    services: {
      prometheus: { image: DEPLOYED_IMAGES.prometheus, ports: { ui: DEPLOYED_PORTS.prometheus }, memoryMb: 512, reloadConfigInPlace: true },
      alertmanager: {
        image: DEPLOYED_IMAGES.alertmanager,
        ports: { ui: DEPLOYED_PORTS.alertmanager },
        config: {
          ...e2eAm,
          receivers: {
            chat: { kind: "webhook", urlFile: "chat_webhook_url" },
            pager: { kind: "webhook", urlFile: "pager_webhook_url" },
            escalation: { kind: "webhook", urlFile: "escalation_webhook_url" },
            heartbeat: { kind: "webhook", urlFile: "heartbeat_url" },
          },
        },
      },
      // The sandbox's / is not a shared mount, so dockerd refuses the rslave host-root mount (see README).
      nodeExporter: { image: DEPLOYED_IMAGES.nodeExporter, mountHostRoot: false },
      blackboxExporter: { image: DEPLOYED_IMAGES.blackboxExporter, config: e2e.services?.blackboxExporter?.config },
      pushgateway: { image: DEPLOYED_IMAGES.pushgateway, ports: { api: DEPLOYED_PORTS.pushgateway } },
      // The exporters reach the databases through Toxiproxy, so its toxics are faults they see.
      redisExporter: { image: DEPLOYED_IMAGES.redisExporter, redisAddr: "redis://toxiproxy:16379" },
      postgresExporter: {
        image: DEPLOYED_IMAGES.postgresExporter,
        dataSourceUri: "toxiproxy:15432/postgres?sslmode=disable",
        user: "postgres",
        // Docker 20.10 (Debian 12) refuses `docker cp` into a container whose root filesystem is
        // read-only even when the target is a volume ("container rootfs is marked read-only"), and
        // this one receives its password file as an upload. Every other hardening switch stays on.
        hardening: { readOnlyRootFilesystem: false },
      },
      toxiproxy: { image: DEPLOYED_IMAGES.toxiproxy, ports: { api: DEPLOYED_PORTS.toxiproxy } },
      jaeger: runtime.jaeger ? { image: DEPLOYED_IMAGES.jaeger, ports: { ui: null, otlpGrpc: null, otlpHttp: null } } : off,
      grafana: off,
      loki: off,
      promtail: off,
      cadvisor: off,
    },
  };
  return deepMerge(input, patch) as EnvironmentInput;
}

/**
 * The sensitive variables a deploy needs (TF_VAR_<name>): each receiver's URL file points at the
 * recorder path of that integration; the exporters' database password is unused (trust auth).
 */
export function deployedSecretVariables(recorderBaseUrl: string): Record<string, string> {
  return {
    TF_VAR_chat_webhook_url: `${recorderBaseUrl}/chat`,
    TF_VAR_pager_routing_key: `${recorderBaseUrl}/pager`,
    TF_VAR_escalation_routing_key: `${recorderBaseUrl}/escalation`,
    TF_VAR_heartbeat_url: `${recorderBaseUrl}/heartbeat`,
    TF_VAR_postgres_exporter_password: "unused-trust-auth",
  };
}

/** Validates the deployed environment with the same schema and messages as every other one. */
export function loadDeployedEnvironment(runtime: DeployedRuntime, patch: unknown = {}): EnvironmentSpec {
  const input = deployedEnvironmentInput(runtime, patch);
  const result = environmentSpecSchema.safeParse(input);
  if (!result.success) {
    throw new EnvironmentError(`environment deploy is invalid:\n${describeIssues(result.error, input).map((l) => `  - ${l}`).join("\n")}`);
  }
  return result.data;
}
