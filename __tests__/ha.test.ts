import { Testing } from "cdktf";
import { parse } from "yaml";
import { alertmanagerClusterFlags } from "../constructs/alertmanager/ha";
import { datasourceDefinitions } from "../constructs/grafana/datasources";
import { haDatasourceUrls } from "../constructs/grafana/ha-datasources";
import { haTargets } from "../constructs/prometheus/ha";
import { queryFlags, receiveEndpoints, receiveFlags, remoteWriteUrl, renderHashring } from "../constructs/thanos/config";
import { seconds } from "../spec/duration";
import { environmentSpecSchema } from "../spec/environment";
import { ALERTMANAGER_DIAGNOSTIC_METRICS, groupTimeline, missingSamples, sampleCount, summarizeAlertmanager } from "../e2e/ha-run";
import { Notification } from "../e2e/ha-webhook";
import { builtIn } from "./helpers/environments";
import { prometheusFiles } from "../stacks/monitoring-files";
import { MonitoringStack } from "../stacks/monitoring-stack";

/**
 * The HA settings as the stack generates them. What the programs make of these files and flags is
 * proven live by `npm run verify:ha` (scripts/verify-ha.ts) and by promtool in promtool.test.ts
 * (prod's prometheus.yml, remote_write and alert relabelling included).
 */

const env = builtIn;

type Container = { name: string; command?: string[]; ports?: Array<{ external: number }> };
function containers(name: string): Record<string, Container> {
  const stack = new MonitoringStack(Testing.app(), env(name));
  const json = JSON.parse(Testing.synth(stack)) as { resource: { docker_container: Record<string, Container> } };
  return Object.fromEntries(Object.values(json.resource.docker_container).map((c) => [c.name, c]));
}

describe("HA topology in the generated stack", () => {
  const prod = containers("prod");
  const dev = containers("dev");

  test("prod: a Prometheus pair, three Alertmanager peers, three receive nodes and Thanos Query", () => {
    const names = Object.keys(prod).filter((n) => /prometheus|alertmanager|thanos/.test(n)).sort();
    expect(names).toEqual([
      "civicpulse-prod-alertmanager",
      "civicpulse-prod-alertmanager-1",
      "civicpulse-prod-alertmanager-2",
      "civicpulse-prod-prometheus",
      "civicpulse-prod-prometheus-1",
      "civicpulse-prod-thanos-query",
      "civicpulse-prod-thanos-receive-0",
      "civicpulse-prod-thanos-receive-1",
      "civicpulse-prod-thanos-receive-2",
    ]);
  });

  test("dev stays a single Prometheus and Alertmanager without gossip", () => {
    expect(Object.keys(dev).filter((n) => /prometheus-\d|alertmanager-\d|thanos/.test(n))).toEqual([]);
    expect(dev["civicpulse-dev-alertmanager"].command).toContain("--cluster.listen-address=");
    expect(prometheusFiles(env("dev")).get("prometheus.yml")).not.toMatch(/remote_write|replica/);
  });

  test("each Alertmanager peer gossips with the two others; no gossip port is published", () => {
    for (const [i, name] of ["alertmanager", "alertmanager-1", "alertmanager-2"].entries()) {
      const c = prod[`civicpulse-prod-${name}`];
      const peers = (c.command ?? []).filter((f) => f.startsWith("--cluster.peer=")).sort();
      const others = ["alertmanager", "alertmanager-1", "alertmanager-2"].filter((_, j) => j !== i).map((n) => `--cluster.peer=${n}:9094`).sort();
      expect(peers).toEqual(others);
      expect(c.command).toContain("--cluster.listen-address=0.0.0.0:9094");
      expect((c.ports ?? []).map((p) => p.external)).toEqual(i === 0 ? [9093] : []);
    }
  });

  test("the replicas differ only in the replica label and their ingress receive node", () => {
    const spec = env("prod");
    const a = parse(prometheusFiles(spec, undefined, { index: 0 }).get("prometheus.yml")!);
    const b = parse(prometheusFiles(spec, undefined, { index: 1 }).get("prometheus.yml")!);
    expect(a.global.external_labels.replica).toBe("a");
    expect(b.global.external_labels.replica).toBe("b");
    expect(a.remote_write[0].url).toBe("http://thanos-receive-0:19291/api/v1/receive");
    expect(b.remote_write[0].url).toBe("http://thanos-receive-1:19291/api/v1/receive");
    const strip = (c: Record<string, any>) => ({ ...c, global: { ...c.global, external_labels: {} }, remote_write: c.remote_write.map((r: object) => ({ ...r, url: "" })) });
    expect(strip(b)).toEqual(strip(a));
    // Without the labeldrop, Alertmanager would get the pair's copies as two alerts.
    expect(a.alerting.alert_relabel_configs).toEqual([{ action: "labeldrop", regex: "replica" }]);
    expect(a.alerting.alertmanagers[0].static_configs[0].targets).toEqual(["alertmanager:9093", "alertmanager-1:9093", "alertmanager-2:9093"]);
    expect(a.scrape_configs.find((j: { job_name: string }) => j.job_name === "prometheus").static_configs[0].targets).toEqual(["prometheus:9090", "prometheus-1:9090"]);
  });

  test("the hashring names every node's gRPC endpoint and each node finds itself in it", () => {
    const spec = env("prod");
    if (spec.store.kind !== "thanos-receive") throw new Error("prod store should be thanos-receive");
    const endpoints = receiveEndpoints(3);
    expect(JSON.parse(renderHashring(endpoints))).toEqual([{ hashring: "default", endpoints: ["thanos-receive-0:10901", "thanos-receive-1:10901", "thanos-receive-2:10901"] }]);
    for (let i = 0; i < 3; i++) {
      expect(prod[`civicpulse-prod-thanos-receive-${i}`].command).toEqual(receiveFlags({ store: spec.store, index: i, localEndpoint: endpoints[i] }));
      expect(prod[`civicpulse-prod-thanos-receive-${i}`].command).toContain(`--receive.local-endpoint=${endpoints[i]}`);
    }
    expect(prod["civicpulse-prod-thanos-query"].command).toEqual(queryFlags({ endpoints }));
    expect(prod["civicpulse-prod-thanos-query"].command).toEqual(expect.arrayContaining(["--query.replica-label=replica", "--query.replica-label=receive_replica"]));
    // Strict: a node that failed a health check is still asked (a partial-response warning while it
    // is down), instead of silently dropping out of answers until Query's next check.
    const endpointFlags = (prod["civicpulse-prod-thanos-query"].command ?? []).filter((f: string) => f.startsWith("--endpoint"));
    expect(endpointFlags).toEqual(["--endpoint-strict=thanos-receive-0:10901", "--endpoint-strict=thanos-receive-1:10901", "--endpoint-strict=thanos-receive-2:10901"]);
  });
});

describe("HA settings are validated", () => {
  const issues = (input: object) => {
    const r = environmentSpecSchema.safeParse({ name: "x", ...input });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  test("a pair without a deduplicating store is refused, naming the field", () => {
    expect(issues({ prometheus: { replicas: 2 } })).toEqual([expect.stringMatching(/^prometheus\.replicas: 2 replicas need a store/)]);
  });

  test("a replication factor above the node count is refused", () => {
    expect(issues({ store: { kind: "thanos-receive", receive: { nodes: 2, replicationFactor: 3 } } })).toEqual([
      "store.receive.replicationFactor: replicationFactor must not exceed nodes",
    ]);
  });

  test("an external store needs both URLs; a setting of the other kind is an error", () => {
    expect(issues({ store: { kind: "external", writeUrl: "https://m.example.org/api/v1/write" } })).toEqual([expect.stringMatching(/^store\.queryUrl/)]);
    expect(issues({ store: { kind: "none", receive: {} } })).toEqual([expect.stringMatching(/receive/)]);
  });

  test("an explicit replica external label clashes with the per-replica one", () => {
    expect(issues({ prometheus: { replicas: 2, externalLabels: { replica: "x" } }, store: { kind: "thanos-receive" } })).toEqual([
      expect.stringMatching(/^prometheus\.externalLabels\.replica: /),
    ]);
  });

  test("a clustered Alertmanager's group interval must outlast the slowest peer's wait", () => {
    const cluster = (groupInterval: string, peerTimeout = "15s") => ({
      services: { alertmanager: { cluster: { peers: 3, peerTimeout }, config: { routing: { emergency: { groupInterval } } } } },
    });
    // 3 peers: the last waits 2 x 15s = 30s; the emergency tier's 30s is not longer, 31s is.
    expect(issues(cluster("30s"))).toEqual([
      expect.stringMatching(/^services\.alertmanager\.config\.routing\.emergency\.groupInterval: 30s is not longer than the slowest Alertmanager peer's wait \(2 x services\.alertmanager\.cluster\.peerTimeout 15s = 30s\)/),
    ]);
    expect(issues(cluster("31s"))).toEqual([]);
    expect(issues(cluster("30s", "10s"))).toEqual([]);
    // One Alertmanager: nothing waits, any interval is fine.
    expect(issues({ services: { alertmanager: { config: { routing: { emergency: { groupInterval: "5s" } } } } } })).toEqual([]);
  });

  test("receive nodes take late samples within the out-of-order window (a queue catching up after an outage)", () => {
    const spec = env("prod");
    if (spec.store.kind !== "thanos-receive") throw new Error("prod store should be thanos-receive");
    expect(receiveFlags({ store: spec.store, index: 0, localEndpoint: "n:1" })).toContain("--tsdb.out-of-order.time-window=2h");
    const custom = environmentSpecSchema.parse({ name: "x", store: { kind: "thanos-receive", receive: { outOfOrderWindow: "30m" } } });
    if (custom.store.kind !== "thanos-receive") throw new Error("store should be thanos-receive");
    expect(receiveFlags({ store: custom.store, index: 0, localEndpoint: "n:1" })).toContain("--tsdb.out-of-order.time-window=30m");
  });

  test("an external store: every replica writes there, Grafana's long-range datasource reads its query URL", () => {
    const spec = environmentSpecSchema.parse({
      name: "x",
      prometheus: { replicas: 2 },
      store: { kind: "external", writeUrl: "https://m.example.org/api/v1/write", queryUrl: "https://m.example.org/prometheus" },
    });
    expect([0, 1].map((i) => remoteWriteUrl(spec.store, i))).toEqual(["https://m.example.org/api/v1/write", "https://m.example.org/api/v1/write"]);
    const urls = haDatasourceUrls({ replicas: 2, store: spec.store });
    expect(urls).toEqual({ prometheus: "https://m.example.org/prometheus", longRange: "https://m.example.org/prometheus" });
  });
});

describe("Grafana reads deduplicated data", () => {
  test("prod: the default datasource is Thanos Query, and a long-range datasource exists", () => {
    const spec = env("prod");
    const ds = datasourceDefinitions(spec.grafana, { scrapeInterval: "15s", urls: haDatasourceUrls({ replicas: spec.prometheus.replicas, store: spec.store }) });
    const byKey = Object.fromEntries(ds.map((d) => [d.key, d]));
    expect(byKey.prometheus.url).toBe("http://thanos-query:10902");
    expect(byKey.longRange).toMatchObject({ url: "http://thanos-query:10902", type: "prometheus", isDefault: false });
  });

  test("dev: one Prometheus, no long-range datasource", () => {
    const spec = env("dev");
    const ds = datasourceDefinitions(spec.grafana, { scrapeInterval: "15s", urls: haDatasourceUrls({ replicas: spec.prometheus.replicas, store: spec.store }) });
    expect(ds.map((d) => d.key)).not.toContain("longRange");
    expect(ds.find((d) => d.key === "prometheus")!.url).toBe("http://prometheus:9090");
  });

  test("an explicitly set datasource URL wins over the HA default", () => {
    expect(haDatasourceUrls({ replicas: 2, store: { kind: "none" }, prometheusUrl: "http://p:9090" }).prometheus).toBe("http://p:9090");
  });
});

describe("flags", () => {
  test("a single Alertmanager keeps gossip off; a peer waits its position times the peer timeout", () => {
    expect(alertmanagerClusterFlags({ peers: 1, index: 0, peerTimeout: seconds(15) })).toEqual(["--cluster.listen-address="]);
    expect(alertmanagerClusterFlags({ peers: 3, index: 1, peerTimeout: seconds(15) })).toEqual([
      "--cluster.listen-address=0.0.0.0:9094",
      "--cluster.peer=alertmanager:9094",
      "--cluster.peer=alertmanager-2:9094",
      "--cluster.peer-timeout=15s",
    ]);
  });

  test("explicit targets are kept when HA is on", () => {
    expect(haTargets({ prometheus: ["p:1"], alertmanager: ["a:2"] }, 2, 3)).toEqual({ prometheus: ["p:1"], alertmanager: ["a:2"] });
  });
});

describe("the HA proof's sample-by-sample store check", () => {
  test("counts the local samples the store lacks, by series and by second, and ignores what only the store has", () => {
    const local = new Map([
      ['__name__="up",job="a"', new Set([1_000, 2_000, 3_000])],
      ['__name__="up",job="b"', new Set([1_000, 2_500])],
    ]);
    const stored = new Map([
      ['__name__="up",job="a"', new Set([1_000, 3_000, 4_000])],
      ['__name__="other"', new Set([1_000])],
    ]);
    const r = missingSamples(local, stored);
    expect(r.missing).toBe(3);
    expect(r.bySeries).toEqual([
      ['__name__="up",job="b"', 2],
      ['__name__="up",job="a"', 1],
    ]);
    expect([...r.byTime].sort((x, y) => x[0] - y[0])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(missingSamples(local, local).missing).toBe(0);
    expect(sampleCount(local)).toBe(5);
  });
});

describe("the HA proof's report on a duplicate", () => {
  test("each peer's diagnostic counters: non-zero samples with their labels, the rest 0, then its last warnings", () => {
    const metrics = [
      "# HELP alertmanager_notifications_total The total number of attempted notifications.",
      "# TYPE alertmanager_notifications_total counter",
      'alertmanager_notifications_total{integration="email"} 0',
      'alertmanager_notifications_total{integration="webhook"} 7',
      'alertmanager_notifications_failed_total{integration="webhook",reason="other"} 1',
      "alertmanager_peer_position 1",
      "alertmanager_cluster_health_score 0",
      "alertmanager_cluster_members 2",
      // Another metric whose name starts like a diagnostic one is not taken for it.
      "alertmanager_cluster_members_extra 9",
      "",
    ].join("\n");
    const log = [
      'time=2026-12-03T17:00:00Z level=INFO msg="Completed loading of configuration file"',
      'time=2026-12-03T17:00:05Z level=WARN msg="Notify attempt failed, will retry later" attempts=1',
      'time=2026-12-03T17:00:06Z level=ERROR msg="Notify for alerts failed" num_alerts=1',
    ].join("\n");
    const line = summarizeAlertmanager(metrics, log);
    const parts = line.split("; ");
    expect(parts).toHaveLength(ALERTMANAGER_DIAGNOSTIC_METRICS.length + 1);
    expect(parts[0]).toBe('alertmanager_notifications_total {integration="webhook"}7');
    expect(parts[1]).toBe('alertmanager_notifications_failed_total {integration="webhook",reason="other"}1');
    expect(parts).toContain("alertmanager_peer_position 1");
    expect(parts).toContain("alertmanager_cluster_members 2");
    expect(parts).toContain("alertmanager_cluster_health_score 0");
    expect(parts).toContain("alertmanager_cluster_failed_peers 0");
    expect(parts[parts.length - 1]).toBe(
      'last warnings: time=2026-12-03T17:00:05Z level=WARN msg="Notify attempt failed, will retry later" attempts=1 | time=2026-12-03T17:00:06Z level=ERROR msg="Notify for alerts failed" num_alerts=1',
    );
    expect(summarizeAlertmanager("", "").endsWith("last warnings: none")).toBe(true);
  });

  test("the duplicate's group timeline: every notification of that receiver and group, in order, and nothing of other groups", () => {
    const n = (at: number, groupKey: string, status: string, alerts: Array<[string, string]>, sender: string, receiver = "chat"): Notification => ({
      at,
      path: `/${receiver}`,
      receiver,
      groupKey,
      status,
      alerts: alerts.map(([st, instance]) => ({ status: st, labels: { alertname: "InstanceDown", instance } })),
      sender,
      key: [`/${receiver}`, receiver, groupKey, status, ...alerts.map(([st, i]) => `${st}{${i}}`)].join("|"),
    });
    const g = '{}:{alertname="InstanceDown"}';
    const log = [
      n(1_000, g, "firing", [["firing", "b:9090"]], "http://am-1"),
      n(2_000, '{}:{alertname="Other"}', "resolved", [["resolved", "c:9090"]], "http://am-1"),
      n(40_000, g, "resolved", [["resolved", "b:9090"]], "http://am-1"),
      n(40_500, g, "resolved", [["resolved", "b:9090"]], "http://am-1", "pager"),
      n(55_000, g, "resolved", [["resolved", "b:9090"]], "http://am-2"),
    ];
    expect(groupTimeline(log, log[2].key, 0)).toBe(
      "1.0 s firing [firing b:9090] from http://am-1; 40.0 s resolved [resolved b:9090] from http://am-1; 55.0 s resolved [resolved b:9090] from http://am-2",
    );
    expect(groupTimeline(log, "no such key", 0)).toBe("");
  });
});
