import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { alertmanagerCommand, renderAlertmanagerConfig } from "../constructs/alertmanager/config";
import { withClusterFlags } from "../constructs/alertmanager/ha";
import { prometheusFlags } from "../constructs/prometheus";
import { HASHRING_FILE, queryFlags, receiveEndpoints, receiveFlags, renderHashring } from "../constructs/thanos/config";
import { ThanosReceiveStoreSpec } from "../spec/store";
import { formatDuration, minutes, scaleDuration } from "../spec/duration";
import { describeIssues, EnvironmentError } from "../spec/load";
import { E2E_TIME_SCALE, E2ePorts, e2eEnvironmentInput } from "../spec/e2e";
import { EnvironmentSpec, environmentSpecSchema } from "../spec/environment";
import { prometheusFiles, rulesFor } from "../stacks/monitoring-files";
import { alertmanagerLaunch } from "./alertmanager";
import { NotificationCounter } from "./ha-webhook";
import { freePort, Supervisor, until } from "./supervisor";
import { tool, TOOLS_BIN } from "./tools";

/**
 * The HA topology of the prod preset on 127.0.0.1, as real processes: a Prometheus pair, a
 * three-peer Alertmanager cluster and a three-node Thanos Receive hashring (replication factor 3)
 * behind Thanos Query. Every file and flag comes from the generator (constructs/*): the `ha-e2e`
 * environment is the `e2e` one (durations / 60, receivers on a local webhook) with the prod HA
 * settings on, and each deliberate departure listed in HA_E2E_OVERRIDES.
 */

export const HA_E2E_OVERRIDES: ReadonlyArray<{ field: string; value: string; reason: string }> = [
  {
    field: "services.alertmanager.config.routing.*.repeatInterval",
    value: "1h (emergency 30m)",
    reason: "longer than the run, so any second copy of a notification is a duplicate, never a planned repeat",
  },
  {
    field: "services.alertmanager.config.routing.*.groupInterval",
    value: "35s (not scaled)",
    reason: "longer than the slowest peer's wait (2 x 15s), as spec/ha-checks.ts requires of every clustered environment; the e2e clock's 5 s would let a waiting peer send a stale firing after the resolved",
  },
  {
    field: "services.alertmanager.cluster.peerTimeout",
    value: "15s (not scaled)",
    reason: "the production value: failover delay and notification-log gossip are measured as deployed",
  },
];

export const REPLICAS = 2;
export const PEERS = 3;
export const RECEIVE_NODES = 3;
/** Crashes of receive nodes in one run that are restarted (as Docker's restart policy would). */
export const RECEIVE_RESTARTS = 3;

export interface HaPorts {
  readonly prometheus: number[];
  readonly alertmanager: number[];
  readonly alertmanagerCluster: number[];
  readonly receiveGrpc: number[];
  readonly receiveHttp: number[];
  readonly receiveWrite: number[];
  readonly receiveCapnp: number[];
  readonly queryHttp: number;
  readonly queryGrpc: number;
}

export interface HaStack {
  readonly sup: Supervisor;
  readonly spec: EnvironmentSpec;
  readonly store: ThanosReceiveStoreSpec;
  readonly ports: HaPorts;
  readonly counter: NotificationCounter;
  readonly promUrls: string[];
  readonly amUrls: string[];
  readonly queryUrl: string;
  readonly startup: Record<string, number>;
  /** Receive nodes that crashed (exited without being stopped) and were started again (node: panic line). */
  readonly receiveCrashes: readonly string[];
  /** Process names, as the supervisor knows them. */
  readonly names: { prometheus: string[]; alertmanager: string[]; receive: string[]; query: string };
  startPrometheus(i: number): Promise<void>;
  startReceive(i: number): Promise<void>;
  /** Stops receive node i on purpose (it is not restarted until startReceive). */
  stopReceive(i: number, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** Thanos as scripts/install-thanos.sh builds it; missing, the proof fails loudly. */
export function thanosBinary(): string {
  const p = path.join(TOOLS_BIN, "..", "go", "bin", "thanos");
  if (!existsSync(p)) throw new Error(`required tool thanos is missing at ${p}; run \`bash scripts/install-thanos.sh\``);
  return p;
}

const base = (port: number) => `http://127.0.0.1:${port}`;

async function ports(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort());
  return out;
}

/** The ha-e2e environment: e2e plus the prod HA settings, validated by the ordinary schema. */
export function haEnvironment(e2ePorts: E2ePorts, ha: HaPorts, counter: NotificationCounter, secretsDir: string, appPort?: number): EnvironmentSpec {
  const input = e2eEnvironmentInput({
    ports: e2ePorts,
    recorder: { chat: counter.url("/chat"), pager: counter.url("/pager"), escalation: counter.url("/escalation"), heartbeat: counter.url("/heartbeat") },
    secretsDir,
  });
  const am = input.services!.alertmanager!.config!;
  const tier = (t: { groupWait?: unknown } | undefined, repeat: string) => ({ ...(t ?? {}), groupInterval: "35s", repeatInterval: repeat });
  const r = am.routing!;
  const withHa = {
    ...input,
    name: "ha-e2e",
    prometheus: { ...input.prometheus, replicas: REPLICAS },
    targets: {
      ...input.targets,
      prometheus: ha.prometheus.map((p) => `127.0.0.1:${p}`),
      ...(appPort !== undefined ? { app: [`127.0.0.1:${appPort}`] } : {}),
      alertmanager: ha.alertmanager.map((p) => `127.0.0.1:${p}`),
    },
    store: { kind: "thanos-receive", receive: { nodes: RECEIVE_NODES, replicationFactor: 3 } },
    services: {
      ...input.services,
      alertmanager: {
        ...input.services!.alertmanager,
        cluster: { peers: PEERS, peerTimeout: "15s" },
        config: {
          ...am,
          routing: {
            warning: tier(r.warning, "1h"),
            critical: tier(r.critical, "1h"),
            emergency: tier(r.emergency, "30m"),
            heartbeat: tier(r.heartbeat, "1h"),
          },
        },
      },
    },
  };
  const result = environmentSpecSchema.safeParse(withHa);
  if (!result.success) {
    throw new EnvironmentError(`environment ha-e2e is invalid:\n${describeIssues(result.error, withHa).map((l) => `  - ${l}`).join("\n")}`);
  }
  return result.data;
}

/** `appPort`: a loopback target the app job scrapes instead (the benchmark's synthetic series). */
export async function startHaStack(log: (l: string) => void = () => undefined, options: { appPort?: number } = {}): Promise<HaStack> {
  const startup: Record<string, number> = {};
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      startup[what] = (Date.now() - t) / 1000;
    }
  };
  const sup = new Supervisor("civicpulse-ha-");
  const counter = new NotificationCounter();
  try {
    await counter.start();
    const ha: HaPorts = {
      prometheus: await ports(REPLICAS),
      alertmanager: await ports(PEERS),
      alertmanagerCluster: await ports(PEERS),
      receiveGrpc: await ports(RECEIVE_NODES),
      receiveHttp: await ports(RECEIVE_NODES),
      receiveWrite: await ports(RECEIVE_NODES),
      receiveCapnp: await ports(RECEIVE_NODES),
      queryHttp: await freePort(),
      queryGrpc: await freePort(),
    };
    // The single-stack ports of the e2e environment: nothing listens on them here (no exporters,
    // no app), so their jobs are down and InstanceDown is the incident the proof runs during.
    const names = ["prometheus", "app", "appOtel", "nodeExporter", "cadvisor", "redisExporter", "postgresExporter", "blackboxExporter", "pushgateway", "alertmanager", "grafana", "loki", "jaeger", "promtail", "redis", "postgres"] as const;
    const e2ePorts = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()] as const))) as unknown as E2ePorts;
    const spec = haEnvironment(e2ePorts, ha, counter, sup.subdir("alertmanager-secrets"), options.appPort);
    if (spec.store.kind !== "thanos-receive") throw new Error("ha-e2e: store must be thanos-receive");
    const store = spec.store;
    const rules = rulesFor(spec);

    // --- Thanos Receive hashring and Thanos Query ---
    const endpoints = receiveEndpoints(RECEIVE_NODES, () => "127.0.0.1", (i) => ha.receiveGrpc[i]);
    const hashring = path.join(sup.dir, HASHRING_FILE);
    writeFileSync(hashring, renderHashring(endpoints));
    const receiveNames = endpoints.map((_, i) => `thanos-receive-${i}`);
    const receiveArgs = endpoints.map((ep, i) =>
      receiveFlags({
        store,
        index: i,
        localEndpoint: ep,
        dataDir: sup.subdir(`receive-${i}`),
        hashringFile: hashring,
        listen: { grpc: `127.0.0.1:${ha.receiveGrpc[i]}`, http: `127.0.0.1:${ha.receiveHttp[i]}`, remoteWrite: `127.0.0.1:${ha.receiveWrite[i]}`, capnproto: `127.0.0.1:${ha.receiveCapnp[i]}` },
      }),
    );
    const thanos = thanosBinary();
    // Thanos Receive 0.42.4 can panic on start over existing data (its pruning job reads the
    // tenant's TSDB before it is open: thanos-io/thanos#8990, fixed after 0.42.4), before or just
    // after it reports ready. The deployed container comes back by its restart policy
    // (unless-stopped), so here a node that exits without being stopped by the proof is started
    // again the same way, at most RECEIVE_RESTARTS times in a run, and each crash is reported.
    const crashes: string[] = [];
    const stoppedOnPurpose = new Set<number>();
    let stopping = false;
    const crashed = (i: number): string => {
      const p = sup.get(receiveNames[i]);
      const panic = /panic: [^\n]*/.exec(p.output())?.[0] ?? `exit ${p.child.exitCode ?? p.child.signalCode}`;
      crashes.push(`${receiveNames[i]}: ${panic}`);
      log(`${receiveNames[i]} crashed (${panic}); starting it again, as the container's restart policy would`);
      if (crashes.length > RECEIVE_RESTARTS) throw new Error(`thanos receive crashed ${crashes.length} times: ${crashes.join("; ")}`);
      return panic;
    };
    const startReceive = async (i: number): Promise<void> => {
      stoppedOnPurpose.delete(i);
      for (;;) {
        const proc = sup.start(receiveNames[i], thanos, receiveArgs[i]);
        try {
          await sup.waitHttp(receiveNames[i], `${base(ha.receiveHttp[i])}/-/ready`, 60_000);
        } catch (e) {
          if (proc.running()) throw e;
          crashed(i);
          continue;
        }
        proc.child.once("exit", () => {
          if (stopping || stoppedOnPurpose.has(i)) return;
          try {
            crashed(i);
          } catch (e) {
            log(String(e));
            return;
          }
          startReceive(i).catch((e) => log(`${receiveNames[i]} did not come back: ${String(e)}`));
        });
        return;
      }
    };
    const stopReceive = async (i: number, signal?: NodeJS.Signals) => {
      stoppedOnPurpose.add(i);
      await sup.stop(receiveNames[i], signal);
    };
    await timed("thanos receive x3", () => Promise.all(endpoints.map((_, i) => startReceive(i))));
    sup.start("thanos-query", thanos, queryFlags({ endpoints, listen: { grpc: `127.0.0.1:${ha.queryGrpc}`, http: `127.0.0.1:${ha.queryHttp}` } }));
    await timed("thanos query", () => sup.waitHttp("thanos-query", `${base(ha.queryHttp)}/-/ready`, 60_000));

    // --- Alertmanager cluster ---
    const amConfig = path.join(sup.dir, "alertmanager.yml");
    writeFileSync(amConfig, renderAlertmanagerConfig(spec.services.alertmanager.config));
    const amNames = ha.alertmanager.map((_, i) => `alertmanager-${i}`);
    for (let i = 0; i < PEERS; i++) {
      const data = sup.subdir(`alertmanager-${i}`);
      const flags = withClusterFlags(alertmanagerCommand(), {
        peers: PEERS,
        index: i,
        peerTimeout: spec.services.alertmanager.cluster.peerTimeout,
        listen: `127.0.0.1:${ha.alertmanagerCluster[i]}`,
        peerAddress: (j) => `127.0.0.1:${ha.alertmanagerCluster[j]}`,
      }).map((f) =>
        f.startsWith("--config.file=")
          ? `--config.file=${amConfig}`
          : f.startsWith("--storage.path=")
            ? `--storage.path=${data}`
            : f.startsWith("--web.listen-address=")
              ? `--web.listen-address=127.0.0.1:${ha.alertmanager[i]}`
              : f,
      );
      const launch = alertmanagerLaunch(flags);
      sup.start(amNames[i], launch.cmd, launch.args);
    }
    await timed("alertmanager x3", () => Promise.all(amNames.map((n, i) => sup.waitHttp(n, `${base(ha.alertmanager[i])}/-/ready`))));
    await timed("alertmanager gossip (3 peers each)", () =>
      until("every Alertmanager to see 3 cluster peers", 30_000, async () => {
        const counts = await Promise.all(ha.alertmanager.map(async (p) => ((await (await fetch(`${base(p)}/api/v2/status`)).json()) as { cluster: { peers: unknown[] } }).cluster.peers.length));
        return counts.every((c) => c === PEERS) ? true : undefined;
      }),
    );

    // --- the Prometheus pair ---
    const promNames = ha.prometheus.map((_, i) => `prometheus-${i}`);
    const promArgs = ha.prometheus.map((port, i) => {
      const files = prometheusFiles(spec, rules, { index: i, remoteWriteUrl: `${base(ha.receiveWrite[i % RECEIVE_NODES])}/api/v1/receive` });
      const dir = sup.subdir(`prometheus-${i}`);
      for (const [rel, content] of files) {
        const p = path.join(dir, rel);
        mkdirSync(path.dirname(p), { recursive: true });
        writeFileSync(p, content);
      }
      return [
        ...prometheusFlags(spec.prometheus, dir, sup.subdir(`prometheus-${i}-data`)).map((f) => (f.startsWith("--web.listen-address=") ? `--web.listen-address=127.0.0.1:${port}` : f)),
        // As in the single-stack proof: the 1 min resend delay at the e2e clock.
        `--rules.alert.resend-delay=${formatDuration(scaleDuration(minutes(1), E2E_TIME_SCALE))}`,
      ];
    });
    const startPrometheus = async (i: number) => {
      sup.start(promNames[i], tool("prometheus"), promArgs[i]);
      await sup.waitHttp(promNames[i], `${base(ha.prometheus[i])}/-/ready`, 30_000);
      await until(`prometheus-${i} to discover ${PEERS} Alertmanagers`, 30_000, async () => {
        const r = (await (await fetch(`${base(ha.prometheus[i])}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: unknown[] } };
        return r.data.activeAlertmanagers.length === PEERS ? true : undefined;
      });
    };
    await timed("prometheus x2", () => Promise.all(ha.prometheus.map((_, i) => startPrometheus(i))));
    log(`started: ${Object.entries(startup).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ")}`);

    return {
      sup,
      spec,
      store,
      ports: ha,
      counter,
      promUrls: ha.prometheus.map(base),
      amUrls: ha.alertmanager.map(base),
      queryUrl: base(ha.queryHttp),
      startup,
      receiveCrashes: crashes,
      names: { prometheus: promNames, alertmanager: amNames, receive: receiveNames, query: "thanos-query" },
      startPrometheus,
      startReceive,
      stopReceive,
      stop: async () => {
        stopping = true;
        await counter.stop();
        await sup.stopAll();
      },
    };
  } catch (e) {
    await counter.stop().catch(() => undefined);
    await sup.stopAll();
    throw e;
  }
}
