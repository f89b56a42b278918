import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { alertmanagerCommand, renderAlertmanagerConfig } from "../constructs/alertmanager/config";
import { blackboxExporterCommand, renderBlackboxConfig } from "../constructs/blackbox-exporter/config";
import { nodeExporterCommand } from "../constructs/node-exporter";
import { postgresExporterCommand } from "../constructs/postgres-exporter";
import { prometheusFlags } from "../constructs/prometheus";
import { pushgatewayCommand } from "../constructs/pushgateway";
import { redisExporterCommand } from "../constructs/redis-exporter";
import { formatDuration, minutes, scaleDuration } from "../spec/duration";
import { E2E_TIME_SCALE, E2ePorts, loadE2eEnvironment } from "../spec/e2e";
import { EnvironmentSpec } from "../spec/environment";
import { appTelemetryEnv } from "../stacks/monitoring-stack";
import { prometheusFiles } from "../stacks/monitoring-files";
import { alertmanagerLaunch } from "./alertmanager";
import { DjangoApp } from "./django-app";
import { startJaeger } from "./jaeger";
import { WebhookRecorder } from "./recorder";
import { postgresServer, redisServer } from "./datastores";
import { freePort, Supervisor, until } from "./supervisor";
import { tool } from "./tools";
import { AlertmanagerSpec } from "../spec/alertmanager";

/**
 * Starts the whole live stack on 127.0.0.1: the webhook recorder in this
 * process, and as child processes redis-server, PostgreSQL 15, node-, redis-, postgres- and
 * blackbox-exporter, the Pushgateway, Alertmanager and Prometheus, each with the files the
 * generator renders for the `e2e` environment.
 */

export interface LiveStack {
  readonly sup: Supervisor;
  readonly ports: E2ePorts;
  readonly spec: EnvironmentSpec;
  readonly alertmanager: AlertmanagerSpec;
  readonly files: Map<string, string>;
  /** The real Django app (gunicorn) and the traffic this harness sends it. */
  readonly app: DjangoApp;
  /** Jaeger v2's query API (traces the app exported over OTLP). */
  readonly jaegerQueryUrl: string;
  readonly recorder: WebhookRecorder;
  readonly promUrl: string;
  readonly amUrl: string;
  readonly pushgatewayUrl: string;
  readonly appUrl: string;
  /** When Prometheus was started (ms since epoch). */
  readonly prometheusStartedAt: number;
  /** When Prometheus had discovered Alertmanager: alerts can be delivered from then on. */
  readonly alertmanagerDiscoveredAt: number;
  /** Seconds each start step took. */
  readonly startup: Record<string, number>;
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stop(): Promise<void>;
}

/** Services the harness cannot run here: their ports stay closed and their jobs are expected down. */
export const EXPECTED_DOWN: Readonly<Record<string, string>> = {
  cadvisor: "no cAdvisor binary here (no image registry, no Debian package)",
  grafana: "no Grafana binary here (no image registry, no Debian package)",
  loki: "no Loki binary here (no image registry, no Debian package)",
  promtail: "no Promtail binary here (no image registry, no Debian package)",
};

export async function startStack(): Promise<LiveStack> {
  const startup: Record<string, number> = {};
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      startup[what] = (Date.now() - t) / 1000;
    }
  };
  const sup = new Supervisor();
  const recorder = new WebhookRecorder();
  let app: DjangoApp | undefined;
  try {
    const portNames = [
      "prometheus", "app", "appOtel", "nodeExporter", "cadvisor", "redisExporter", "postgresExporter", "blackboxExporter",
      "pushgateway", "alertmanager", "grafana", "loki", "jaeger", "promtail", "redis", "postgres",
    ] as const;
    const ports = {} as Record<(typeof portNames)[number], number>;
    const taken = new Set<number>();
    for (const n of portNames) {
      let p = await freePort();
      while (taken.has(p)) p = await freePort();
      taken.add(p);
      ports[n] = p;
    }
    const redisPort = ports.redis;
    const postgresPort = ports.postgres;

    await recorder.start();
    // The whole environment, receivers and exporter addresses included, is one typed spec.
    const spec = loadE2eEnvironment({
      ports,
      recorder: { chat: recorder.url("/chat"), pager: recorder.url("/pager"), escalation: recorder.url("/escalation"), heartbeat: recorder.url("/heartbeat") },
      secretsDir: sup.subdir("alertmanager-secrets"),
    });
    const alertmanager = spec.services.alertmanager.config;

    // --- Redis and PostgreSQL (real servers) ---
    const startRedis = redisServer(sup, redisPort);
    await timed("redis-server", startRedis);
    const startPostgres = await timed("initdb", async () => postgresServer(sup, postgresPort));
    await timed("postgres", startPostgres);

    // --- Jaeger v2 (OTLP in, query API out) and the real Django app sending it traces ---
    const jaeger = await timed("jaeger", () => startJaeger(sup, spec.services.jaeger.config, ports.jaeger));
    app = new DjangoApp(sup, {
      port: ports.app,
      pgPort: postgresPort,
      redisPort,
      telemetryEnv: { ...appTelemetryEnv(spec), OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl },
      otelMetricsPort: ports.appOtel,
    });
    await timed("django app (gunicorn, migrate)", () => app!.start());

    // --- exporters, Pushgateway, Alertmanager, Prometheus ---
    const dir = sup.dir;
    const listen = (port: number) => `--web.listen-address=127.0.0.1:${port}`;
    // The containers' own command lines (constructs/*), with the listen address on a loopback port
    // and container paths mapped to this machine.
    const onLoopback = (flags: string[], port: number) =>
      flags.map((f) => f.replace(/^(-{1,2}web\.listen-address=):\d+$/, `$1127.0.0.1:${port}`));
    const nodeFlags = onLoopback(nodeExporterCommand(), ports.nodeExporter).map((f) => {
      const m = /^(--path\.\w+)=\/host(.*)$/.exec(f);
      return m ? `${m[1]}=${m[2] || "/"}` : f;
    });
    // Debian's build enables the systemd collector, which fails without systemd.
    sup.start("node-exporter", tool("prometheus-node-exporter"), [...nodeFlags, "--no-collector.systemd"]);
    sup.start("redis-exporter", tool("prometheus-redis-exporter"), onLoopback(redisExporterCommand(spec.services.redisExporter.redisAddr), ports.redisExporter));
    // The container's variables: DATA_SOURCE_URI and _USER from the spec, the password from a file
    // (PostgreSQL trusts loopback here, so its content does not matter).
    const pgPassFile = path.join(dir, "postgres_exporter_password");
    writeFileSync(pgPassFile, "unused-with-trust-auth\n", { mode: 0o600 });
    sup.start("postgres-exporter", tool("prometheus-postgres-exporter"), onLoopback(postgresExporterCommand(), ports.postgresExporter), {
      env: {
        ...process.env,
        DATA_SOURCE_URI: spec.services.postgresExporter.dataSourceUri,
        DATA_SOURCE_USER: spec.services.postgresExporter.user,
        DATA_SOURCE_PASS_FILE: pgPassFile,
      },
    });
    const blackboxFile = path.join(dir, "blackbox.yml");
    writeFileSync(blackboxFile, renderBlackboxConfig(spec.services.blackboxExporter.config));
    const bbFlags = blackboxExporterCommand().map((f) =>
      f.startsWith("--config.file=") ? `--config.file=${blackboxFile}` : f.startsWith("--web.listen-address=") ? listen(ports.blackboxExporter) : f,
    );
    sup.start("blackbox-exporter", tool("prometheus-blackbox-exporter"), bbFlags);
    sup.start(
      "pushgateway",
      tool("prometheus-pushgateway"),
      onLoopback(pushgatewayCommand(), ports.pushgateway).map((f) =>
        f.startsWith("--persistence.file=") ? `--persistence.file=${path.join(dir, "pushgateway.store")}` : f,
      ),
    );

    const amDir = path.join(dir, "alertmanager");
    mkdirSync(path.join(amDir, "data"), { recursive: true });
    const amConfig = path.join(amDir, "alertmanager.yml");
    writeFileSync(amConfig, renderAlertmanagerConfig(alertmanager));
    const amFlags = alertmanagerCommand().map((f) =>
      f.startsWith("--config.file=")
        ? `--config.file=${amConfig}`
        : f.startsWith("--storage.path=")
          ? `--storage.path=${path.join(amDir, "data")}`
          : f.startsWith("--web.listen-address=")
            ? listen(ports.alertmanager)
            : f,
    );
    const am = alertmanagerLaunch(amFlags);
    sup.start("alertmanager", am.cmd, am.args);

    const files = prometheusFiles(spec);
    const promDir = path.join(dir, "prometheus");
    for (const [rel, content] of files) {
      const p = path.join(promDir, rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    const promData = path.join(dir, "prometheus-data");
    mkdirSync(promData);
    const promFlags = [
      ...prometheusFlags(spec.prometheus, promDir, promData).map((f) => (f.startsWith("--web.listen-address=") ? listen(ports.prometheus) : f)),
      // Prometheus re-sends firing alerts every minute by default; at the e2e clock that is one
      // second. It also makes the first alerts arrive as soon as Alertmanager is discovered.
      `--rules.alert.resend-delay=${formatDuration(scaleDuration(minutes(1), E2E_TIME_SCALE))}`,
    ];
    const base = (port: number) => `http://127.0.0.1:${port}`;
    await timed("exporters, pushgateway, alertmanager", () =>
      Promise.all([
        sup.waitHttp("node-exporter", `${base(ports.nodeExporter)}/metrics`),
        sup.waitHttp("redis-exporter", `${base(ports.redisExporter)}/metrics`),
        sup.waitHttp("postgres-exporter", `${base(ports.postgresExporter)}/metrics`),
        sup.waitHttp("blackbox-exporter", `${base(ports.blackboxExporter)}/-/healthy`),
        sup.waitHttp("pushgateway", `${base(ports.pushgateway)}/-/ready`),
        sup.waitHttp("alertmanager", `${base(ports.alertmanager)}/-/ready`),
      ]),
    );
    const prometheusStartedAt = Date.now();
    sup.start("prometheus", tool("prometheus"), promFlags);
    await timed("prometheus", () => sup.waitHttp("prometheus", `${base(ports.prometheus)}/-/ready`, 30_000));
    // Alerts evaluated before Prometheus has discovered Alertmanager are not delivered.
    await timed("alertmanager discovered by prometheus", () =>
      until("Prometheus to discover Alertmanager", 30_000, async () => {
        const r = (await (await fetch(`${base(ports.prometheus)}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: unknown[] } };
        return r.data.activeAlertmanagers.length > 0 ? true : undefined;
      }),
    );

    const alertmanagerDiscoveredAt = Date.now();
    const theApp = app!;
    return {
      sup,
      ports,
      spec,
      alertmanager,
      files,
      app: theApp,
      recorder,
      promUrl: base(ports.prometheus),
      amUrl: base(ports.alertmanager),
      pushgatewayUrl: base(ports.pushgateway),
      appUrl: base(ports.app),
      jaegerQueryUrl: jaeger.queryUrl,
      prometheusStartedAt,
      alertmanagerDiscoveredAt,
      startup,
      stopRedis: () => sup.stop("redis-server"),
      startRedis,
      stopPostgres: () => sup.stop("postgres", "SIGINT", 10_000),
      startPostgres,
      stop: async () => {
        await theApp.stop();
        await recorder.stop();
        await sup.stopAll();
      },
    };
  } catch (e) {
    await app?.stop().catch(() => undefined);
    await recorder.stop().catch(() => undefined);
    await sup.stopAll();
    throw e;
  }
}
