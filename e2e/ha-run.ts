import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { HA_E2E_OVERRIDES, HaStack, RECEIVE_NODES, startHaStack } from "./ha-stack";
import { sleep, until } from "./supervisor";
import { Notification } from "./ha-webhook";

/**
 * The four faults of the HA proof, on the live stack of e2e/ha-stack.ts, overlapped where they do
 * not measure each other: (1) the Alertmanager peer that sends first and (2) one Prometheus are
 * stopped together during an incident; (3) the whole store is down for STORE_OUTAGE_MS; (4) one
 * storage node is killed. Every check reads real processes over HTTP.
 */

export const STORE_OUTAGE_MS = 120_000;
/** gRPC's longest connection backoff (120 s) plus its 20 % jitter, and a margin for the dial itself. */
export const QUERY_REDIAL_MAX_MS = 150_000;

export interface FaultRow {
  readonly fault: string;
  readonly observed: string;
  readonly delivered: number | null;
  readonly duplicated: number | null;
  readonly samplesLost: number | null;
  readonly ok: boolean;
}

export interface HaMeasurements {
  /** remote_write samples/s per replica, steady state before the outage. */
  readonly samplesPerSecond: number[];
  /** Peak queue lag per replica during the outage (s behind the newest WAL sample). */
  readonly peakLagSeconds: number[];
  /** Samples each replica's remote_write gave up on (non-recoverable answers), since its last start. */
  readonly samplesFailed: number[];
  /** From the store answering again to both queues within two scrape intervals of the WAL head. */
  readonly catchUpSeconds: number;
  /** From the store answering again to Query answering from every receive node (gRPC redial). */
  readonly queryWholeSeconds: number;
  /** RSS in MiB by process name, taken before the storage node was killed. */
  readonly rssMiB: Record<string, number>;
  readonly startupSeconds: Record<string, number>;
  /** Receive nodes that crashed (not stopped by the proof) and were started again (see e2e/ha-stack.ts). */
  readonly receiveCrashes: readonly string[];
  readonly wallSeconds: number;
}

export interface HaResult {
  readonly rows: FaultRow[];
  readonly measurements: HaMeasurements;
  readonly ok: boolean;
  readonly reasons: string[];
  readonly overrides: typeof HA_E2E_OVERRIDES;
}

interface ApiVector {
  status: string;
  error?: string;
  warnings?: string[];
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

export async function instant(url: string, expr: string, extra: Record<string, string> = {}, time?: number): Promise<{ values: number[]; warnings: string[] }> {
  const body = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: time.toFixed(3) } : {}) });
  for (const [k, v] of Object.entries(extra)) body.append(k, v);
  const res = await fetch(`${url}/api/v1/query`, { method: "POST", body, signal: AbortSignal.timeout(20_000) });
  const json = (await res.json()) as ApiVector;
  if (json.status !== "success") throw new Error(`${url}: ${expr}: ${json.error ?? res.status}`);
  return { values: json.data.result.map((r) => Number(r.value[1])), warnings: json.warnings ?? [] };
}

export const one = async (url: string, expr: string, extra: Record<string, string> = {}, time?: number) => {
  const r = await instant(url, expr, extra, time);
  return { value: r.values.length === 0 ? 0 : r.values.reduce((a, b) => a + b, 0), warnings: r.warnings };
};

/** Labels every receive node adds to what it stores. */
const RECEIVE_LABELS = ["receive_replica", "tenant_id"];

/** The replica's external labels: remote_write adds them, its own TSDB does not have them. */
export async function externalLabelNames(promUrl: string): Promise<string[]> {
  const r = (await (await fetch(`${promUrl}/api/v1/status/config`, { signal: AbortSignal.timeout(10_000) })).json()) as { data: { yaml: string } };
  const config = parseYaml(r.data.yaml) as { global?: { external_labels?: Record<string, string> } };
  return Object.keys(config.global?.external_labels ?? {});
}

const seriesKey = (metric: Record<string, string>, drop: ReadonlySet<string>) =>
  Object.keys(metric)
    .filter((k) => !drop.has(k))
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`)
    .join(",");

/**
 * Every raw sample of `selector` in the `windowS` seconds before `time`, as series -> timestamps (ms):
 * the instant query of a range selector returns them as a matrix (count_over_time cannot be used on
 * all series at once: it drops the metric name and the results collide). `drop` names labels left
 * out of the series' identity: copies that differ only in them are merged into one set, so asked
 * with dedup=false the answer is the union of every receive node's copy: a sample counts as kept
 * when any node holds it. Stale markers are left out on both sides alike.
 */
export async function rawSamples(url: string, selector: string, windowS: number, time: number, extra: Record<string, string> = {}, drop: ReadonlySet<string> = new Set()): Promise<{ series: Map<string, Set<number>>; warnings: string[] }> {
  const body = new URLSearchParams({ query: `${selector}[${windowS}s]`, time: time.toFixed(3) });
  for (const [k, v] of Object.entries(extra)) body.append(k, v);
  const res = await fetch(`${url}/api/v1/query`, { method: "POST", body, signal: AbortSignal.timeout(60_000) });
  const json = (await res.json()) as { status: string; error?: string; warnings?: string[]; data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  if (json.status !== "success") throw new Error(`${url}: ${selector}[${windowS}s]: ${json.error ?? res.status}`);
  const series = new Map<string, Set<number>>();
  for (const r of json.data.result) {
    const k = seriesKey(r.metric, drop);
    const set = series.get(k) ?? new Set<number>();
    for (const [t] of r.values) set.add(Math.round(t * 1000));
    series.set(k, set);
  }
  return { series, warnings: json.warnings ?? [] };
}

export const sampleCount = (m: Map<string, Set<number>>) => [...m.values()].reduce((n, s) => n + s.size, 0);

/** Samples of `local` that `stored` lacks, and the series they belong to (most missing first). */
export function missingSamples(local: Map<string, Set<number>>, stored: Map<string, Set<number>>): { missing: number; bySeries: Array<[string, number]>; byTime: Map<number, number> } {
  const bySeries: Array<[string, number]> = [];
  const byTime = new Map<number, number>();
  let missing = 0;
  for (const [k, ts] of local) {
    const have = stored.get(k);
    let n = 0;
    for (const t of ts) {
      if (have?.has(t)) continue;
      n++;
      const second = Math.floor(t / 1000);
      byTime.set(second, (byTime.get(second) ?? 0) + 1);
    }
    if (n > 0) bySeries.push([k, n]);
    missing += n;
  }
  bySeries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { missing, bySeries, byTime };
}

/** Thanos Query's endpoints that failed their last health check (empty: all answer). */
export async function unhealthyEndpoints(queryUrl: string): Promise<string[]> {
  const r = (await (await fetch(`${queryUrl}/api/v1/stores`, { signal: AbortSignal.timeout(10_000) })).json()) as { data: Record<string, Array<{ name: string; lastError: string | null }>> };
  return Object.values(r.data)
    .flat()
    .filter((e) => e.lastError)
    .map((e) => `${e.name}: ${e.lastError}`);
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

/** Counters that tell a failed-and-retried send from a notification-log entry that never arrived. */
export const ALERTMANAGER_DIAGNOSTIC_METRICS = [
  "alertmanager_notifications_total",
  "alertmanager_notifications_failed_total",
  "alertmanager_nflog_gossip_messages_propagated_total",
  "alertmanager_cluster_messages_received_total",
  "alertmanager_cluster_messages_sent_total",
  "alertmanager_cluster_messages_pruned_total",
  "alertmanager_oversized_gossip_message_dropped_total",
  "alertmanager_peer_position",
  "alertmanager_cluster_members",
  "alertmanager_cluster_health_score",
  "alertmanager_cluster_alive_messages_total",
  "alertmanager_cluster_peers_left_total",
  "alertmanager_cluster_peers_joined_total",
  "alertmanager_cluster_failed_peers",
];

/**
 * One line for the report from an Alertmanager's /metrics text and its log: each diagnostic
 * metric's non-zero samples (labels and value; "0" when it has none), then its last warnings.
 */
export function summarizeAlertmanager(metricsText: string, output: string): string {
  const samples = metricsText.split("\n").flatMap((l) => {
    const m = /^(\w+)(\{[^}]*\})?\s+(\S+)/.exec(l);
    return m && Number(m[3]) !== 0 ? [{ name: m[1], labels: m[2] ?? "", value: m[3] }] : [];
  });
  const totals = ALERTMANAGER_DIAGNOSTIC_METRICS.map((m) => `${m} ${samples.filter((x) => x.name === m).map((x) => `${x.labels}${x.value}`).join(", ") || "0"}`);
  const warnings = output.split("\n").filter((l) => /level=(WARN|ERROR)/i.test(l)).slice(-5);
  return `${totals.join("; ")}; last warnings: ${warnings.join(" | ") || "none"}`;
}

/**
 * Every notification of the duplicate's group (same path, receiver and group key), in order: the
 * time from t0, the group status, each alert's status and instance, and the sending peer. Two
 * copies with nothing between them point at a log entry that never reached the second peer; a
 * "firing" between them at a flap the second peer saw late.
 */
export function groupTimeline(notifications: readonly Notification[], key: string, t0: number): string {
  const dup = notifications.find((n) => n.key === key);
  if (!dup) return "";
  return notifications
    .filter((n) => n.path === dup.path && n.receiver === dup.receiver && n.groupKey === dup.groupKey)
    .map((n) => `${((n.at - t0) / 1000).toFixed(1)} s ${n.status} [${n.alerts.map((a) => `${a.status} ${a.labels.instance ?? a.labels.alertname ?? "?"}`).join(", ")}] from ${n.sender}`)
    .join("; ");
}

async function alertmanagerDiagnostics(amUrl: string, output: string): Promise<string> {
  const text = await (await fetch(`${amUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  return summarizeAlertmanager(text, output);
}

/** Seconds the replica's remote_write queue is behind its newest WAL sample. */
export async function queueLag(promUrl: string): Promise<number> {
  const newest = await one(promUrl, "max(prometheus_remote_storage_highest_timestamp_in_seconds)");
  const sent = await one(promUrl, "max(prometheus_remote_storage_queue_highest_sent_timestamp_seconds)");
  return newest.value - sent.value;
}

export async function runHaVerification(log: (l: string) => void): Promise<HaResult> {
  const t0 = Date.now();
  const stack = await startHaStack(log);
  try {
    return await faults(stack, log, t0);
  } finally {
    await stack.stop();
  }
}

async function faults(stack: HaStack, log: (l: string) => void, t0: number): Promise<HaResult> {
  const { sup, counter, promUrls, amUrls, queryUrl, names, ports } = stack;
  const rows: FaultRow[] = [];
  const reasons: string[] = [];
  const scrape = stack.spec.prometheus.scrapeInterval / 1000;
  const instance = (port: number) => `127.0.0.1:${port}`;

  // --- the incident: the jobs nothing listens for are down; InstanceDown goes out ---
  await until("the incident's first notification", 60_000, () => (counter.firing({ alertname: "InstanceDown" }).length > 0 ? true : undefined), 250);
  log(`incident notified (${counter.notifications.length} notifications so far)`);

  // Steady-state remote_write throughput, before any fault.
  await sleep(10_000);
  const samplesPerSecond = await Promise.all(promUrls.map(async (u) => (await one(u, "sum(rate(prometheus_remote_storage_samples_total[10s]))")).value));

  // --- faults 1 + 2: the Alertmanager peer at cluster position 0, and Prometheus replica b ---
  const status = (await (await fetch(`${amUrls[0]}/api/v2/status`)).json()) as { cluster: { peers: Array<{ name: string; address: string }> } };
  const first = [...status.cluster.peers].sort((a, b) => a.name.localeCompare(b.name))[0];
  const amIndex = ports.alertmanagerCluster.findIndex((p) => first.address.endsWith(`:${p}`));
  if (amIndex < 0) throw new Error(`cannot map cluster peer ${first.address} to a started Alertmanager`);
  const faultAt = Date.now();
  const before = counter.notifications.length;
  await Promise.all([sup.stop(names.alertmanager[amIndex]), sup.stop(names.prometheus[1])]);
  log(`stopped ${names.alertmanager[amIndex]} (cluster position 0) and ${names.prometheus[1]} at ${((faultAt - t0) / 1000).toFixed(1)} s`);
  const amDown = { alertname: "InstanceDown", instance: instance(ports.alertmanager[amIndex]) };
  const promDown = { alertname: "InstanceDown", instance: instance(ports.prometheus[1]) };
  let amNotified = false;
  let promNotified = false;
  try {
    await until("InstanceDown for the stopped peer and the stopped replica to be notified", 90_000, () =>
      counter.firing(amDown, faultAt).length > 0 && counter.firing(promDown, faultAt).length > 0 ? true : undefined, 250);
    amNotified = promNotified = true;
  } catch {
    amNotified = counter.firing(amDown, faultAt).length > 0;
    promNotified = counter.firing(promDown, faultAt).length > 0;
  }
  // The incident goes on past the longest wait a surviving peer can be in: a peer that still counts
  // the stopped one waits (peers - 1) x peerTimeout, 30 s here. Its copy of a notification would
  // have arrived by now. (Restarting replica b sooner resolves the alert while that peer still
  // waits; it then sends its stale "firing" after the "resolved", and the first peer resends
  // "resolved": seen here with a 20 s outage. Alertmanager's cluster is exactly-once only for
  // alerts that last longer than that wait, which production's `for` durations do.)
  const slowestWait = (stack.spec.services.alertmanager.cluster.peers - 1) * stack.spec.services.alertmanager.cluster.peerTimeout;
  await sleep(slowestWait + 2_000);
  const during = counter.notifications.slice(before);
  const dupDuring = new Set(counter.duplicates().map((d) => d.key));
  const dupCount = during.filter((n) => dupDuring.has(n.key)).length;
  const survivorAms = amUrls.filter((_, i) => i !== amIndex);
  const activeOnSurvivors = await Promise.all(survivorAms.map(async (u) => ((await (await fetch(`${u}/api/v2/alerts?active=true`)).json()) as unknown[]).length));
  const firingOnA = (await one(promUrls[0], 'count(ALERTS{alertstate="firing"})')).value;
  rows.push({
    fault: `stop the Alertmanager peer at cluster position 0 (${names.alertmanager[amIndex]}) during the incident`,
    observed: `${during.length} notifications from the 2 survivors in ${((Date.now() - faultAt) / 1000).toFixed(0)} s; InstanceDown for the stopped peer ${amNotified ? "delivered" : "NOT delivered"}`,
    delivered: during.length,
    duplicated: dupCount,
    samplesLost: null,
    ok: amNotified && dupCount === 0,
  });
  rows.push({
    fault: `stop Prometheus replica b (${names.prometheus[1]}) at the same time`,
    observed: `replica a: ${firingOnA} alerts firing; survivors hold ${activeOnSurvivors.join(" and ")} active alerts; InstanceDown for replica b ${promNotified ? "routed and delivered" : "NOT delivered"}`,
    delivered: counter.firing(promDown, faultAt).length,
    duplicated: null,
    samplesLost: null,
    ok: promNotified && firingOnA > 0 && activeOnSurvivors.every((n) => n > 0),
  });
  await stack.startPrometheus(1);
  log(`${names.prometheus[1]} back`);

  // --- fault 3: the whole store down for STORE_OUTAGE_MS ---
  const outageStart = Date.now();
  await Promise.all(names.receive.map((_, i) => stack.stopReceive(i)));
  log(`store down (all ${RECEIVE_NODES} receive nodes) for ${STORE_OUTAGE_MS / 1000} s`);
  const peakLag = promUrls.map(() => 0);
  while (Date.now() - outageStart < STORE_OUTAGE_MS) {
    await sleep(5_000);
    const lags = await Promise.all(promUrls.map(queueLag));
    lags.forEach((l, i) => (peakLag[i] = Math.max(peakLag[i], l)));
  }
  await Promise.all(names.receive.map((_, i) => stack.startReceive(i)));
  const outageEnd = Date.now();
  log(`store back after ${((outageEnd - outageStart) / 1000).toFixed(0)} s; queue lag peaked at ${peakLag.map((l) => l.toFixed(0)).join(" / ")} s`);
  await until("both remote_write queues to catch up", 180_000, async () => {
    const lags = await Promise.all(promUrls.map(queueLag));
    return lags.every((l) => l <= 2 * scrape) ? true : undefined;
  }, 500);
  const catchUpSeconds = (Date.now() - outageEnd) / 1000;
  log(`caught up in ${catchUpSeconds.toFixed(1)} s`);
  // The window covers the outage with margin on both sides; it is evaluated once everything up to
  // its end has been sent (one batch deadline later).
  const evalAt = outageEnd / 1000 + 10;
  const windowS = Math.ceil(evalAt - (outageStart / 1000 - 10));
  const wait = evalAt * 1000 + stack.store.queue.batchSendDeadline + 2_000 - Date.now();
  if (wait > 0) await sleep(wait);
  // Counted once Query asks every node again, so a node Query has not re-checked yet is not
  // mistaken for lost data.
  // With strict endpoints Query always asks every node; an answer without a partial-response
  // warning is one every node gave. Query keeps one gRPC connection per strict node and redials it
  // on gRPC's connection backoff (1 s, x1.6 per failed dial, +-20 %, at most 120 s; Thanos sets no
  // other), so after a long outage the next dial can come up to QUERY_REDIAL_MAX_MS after the node
  // is back (seen in CI: not within 75 s). The wait is bounded by that, from the store's return.
  const storeOnly = new Set([...(await externalLabelNames(promUrls[0])), ...RECEIVE_LABELS]);
  const probe = `{__name__="up",replica="a"}`;
  let queryWholeSeconds = 0;
  try {
    await until("every receive node to answer through Thanos Query", Math.max(0, outageEnd + QUERY_REDIAL_MAX_MS - Date.now()), async () => ((await rawSamples(queryUrl, probe, 60, Date.now() / 1000, { dedup: "false" })).warnings.length === 0 ? true : undefined), 500);
    queryWholeSeconds = (Date.now() - outageEnd) / 1000;
    log(`Query answered from every receive node ${queryWholeSeconds.toFixed(1)} s after the store returned`);
  } catch (e) {
    const running = names.receive.map((n) => `${n} ${sup.get(n).running() ? "running" : "NOT running"}`).join(", ");
    throw new Error(`${String(e)}; ${running}; Query's endpoint errors: ${(await unhealthyEndpoints(queryUrl)).join("; ") || "none"}`);
  }
  // Sample by sample: each of the replica's local samples must be on at least one receive node
  // (dedup=false: every node's copy, merged; a deduplicated answer picks one copy per stretch and
  // may skip samples at a switch, so it cannot prove completeness).
  const everyCopy = { dedup: "false" };
  const all = `{__name__=~".+"}`;
  const inStore = (replica: string) => rawSamples(queryUrl, `{__name__=~".+",replica="${replica}"}`, windowS, evalAt, everyCopy, storeOnly);
  const local = await Promise.all(promUrls.map(async (u) => (await rawSamples(u, all, windowS, evalAt)).series));
  const stored = await Promise.all(["a", "b"].map(async (r) => (await inStore(r)).series));
  const lost = local.map((l, i) => missingSamples(l, stored[i]));
  lost.forEach((l, i) => {
    const when = [...l.byTime].sort((x, y) => x[0] - y[0]).slice(0, 8).map(([t, n]) => `${n} at ${(t - outageStart / 1000).toFixed(0)} s`).join(", ");
    if (l.missing > 0) reasons.push(`replica ${"ab"[i]}: ${l.missing} local samples not in the store (by second from the outage's start: ${when}), in ${l.bySeries.length} series, most in ${l.bySeries.slice(0, 3).map(([k, n]) => `${n} of {${k}}`).join("; ")}`);
  });
  const localCount = local.map(sampleCount);
  rows.push({
    fault: `stop the remote store (all ${RECEIVE_NODES} Thanos Receive nodes) for ${STORE_OUTAGE_MS / 1000} s`,
    observed: `every sample of the ${windowS} s around the outage looked up in the store: replica a ${localCount[0] - lost[0].missing} of ${localCount[0]}, replica b ${localCount[1] - lost[1].missing} of ${localCount[1]} found; queues caught up ${catchUpSeconds.toFixed(1)} s after the store returned${stack.receiveCrashes.length ? ` (${stack.receiveCrashes.length} receive node crash${stack.receiveCrashes.length === 1 ? "" : "es"}, restarted, as the restart policy does)` : ""}`,
    delivered: null,
    duplicated: null,
    samplesLost: lost[0].missing + lost[1].missing,
    ok: lost.every((l) => l.missing === 0) && localCount.every((l) => l > 0),
  });

  const samplesFailed = await Promise.all(promUrls.map(async (u) => (await one(u, "sum(prometheus_remote_storage_samples_failed_total)")).value));
  // Memory of every running process, with the store warm again.
  const rssMiBByName: Record<string, number> = {};
  for (const n of [...names.prometheus, ...names.alertmanager, ...names.receive, names.query]) {
    const p = sup.get(n);
    if (p.running()) rssMiBByName[n] = rssMiB(p.pid);
  }

  // Grafana's view is deduplicated: `up` through Query counts each target once, not once per replica.
  const upLocal = (await one(promUrls[0], "count(up)")).value;
  const upQuery = (await one(queryUrl, "count(up)")).value;
  if (upLocal !== upQuery) reasons.push(`count(up) through Thanos Query is ${upQuery}, one replica has ${upLocal}: not deduplicated`);

  // --- fault 4: kill one storage node (not an ingress of either replica) ---
  // Asked right after the kill, before Query's next health check: the dead node is still in its
  // endpoint set (strict), so the answer must come from the two others, with a warning.
  const victim = names.receive[RECEIVE_NODES - 1];
  await stack.stopReceive(RECEIVE_NODES - 1, "SIGKILL");
  const killedAt = Date.now();
  const afterKill = await inStore("a");
  const answeredS = (Date.now() - killedAt) / 1000;
  const killLost = missingSamples(stored[0], afterKill.series);
  const upAfterKill = (await one(queryUrl, "count(up)")).value;
  if (killLost.missing > 0) reasons.push(`after the kill: ${killLost.missing} samples of replica a no longer answered, most in ${killLost.bySeries.slice(0, 3).map(([k, n]) => `${n} of {${k}}`).join("; ")}`);
  await sleep(10_000);
  const lagsAfterKill = await Promise.all(promUrls.map(queueLag));
  const storedA = sampleCount(stored[0]);
  rows.push({
    fault: `kill -9 one storage node (${victim}) of ${RECEIVE_NODES}, replication factor ${stack.store.receive.replicationFactor}`,
    observed: `Query answered in ${answeredS.toFixed(1)} s with ${storedA - killLost.missing} of replica a's ${storedA} samples (${afterKill.warnings.length} partial-response warning${afterKill.warnings.length === 1 ? "" : "s"}, naming the dead node); deduplicated count(up) ${upAfterKill} (was ${upQuery}); writes kept flowing: queue lag ${lagsAfterKill.map((l) => l.toFixed(1)).join(" / ")} s 10 s later`,
    delivered: null,
    duplicated: null,
    samplesLost: killLost.missing,
    ok: killLost.missing === 0 && upAfterKill === upQuery && lagsAfterKill.every((l) => l <= 2 * scrape + 5),
  });

  const dupAll = counter.duplicates();
  if (dupAll.length > 0) {
    const copies = (key: string) => counter.notifications.filter((n) => n.key === key).map((n) => `${((n.at - t0) / 1000).toFixed(1)} s from ${n.sender}`).join(", ");
    reasons.push(`${dupAll.length} notification(s) delivered more than once: ${dupAll.slice(0, 3).map((d) => `${d.count}x ${d.key} (at ${copies(d.key)})`).join("; ")}`);
    for (const d of dupAll.slice(0, 3)) reasons.push(`its group, every notification: ${groupTimeline(counter.notifications, d.key, t0)}`);
    // What each peer that is still up says about its sends and its gossip, for the report: a
    // duplicate is either a send that failed and was retried, or a log entry that did not arrive.
    for (const [i, n] of names.alertmanager.entries()) {
      if (sup.get(n).running()) reasons.push(`${n}: ${await alertmanagerDiagnostics(amUrls[i], sup.get(n).output())}`);
    }
  }
  for (const r of rows) if (!r.ok) reasons.push(`fault failed: ${r.fault}: ${r.observed}`);
  return {
    rows,
    measurements: {
      samplesPerSecond,
      peakLagSeconds: peakLag,
      samplesFailed,
      catchUpSeconds,
      queryWholeSeconds,
      rssMiB: rssMiBByName,
      startupSeconds: stack.startup,
      receiveCrashes: stack.receiveCrashes,
      wallSeconds: (Date.now() - t0) / 1000,
    },
    ok: reasons.length === 0,
    reasons,
    overrides: HA_E2E_OVERRIDES,
  };
}

/** The report: fault table, measurements, departures from the deployed settings. */
export function renderHaReport(r: HaResult, when: string): string {
  const cell = (v: number | null) => (v === null ? "-" : String(v));
  const m = r.measurements;
  return [
    `# HA live proof (npm run verify:ha, ${when})`,
    "",
    `Verdict: **${r.ok ? "passed" : "FAILED"}** in ${m.wallSeconds.toFixed(0)} s.`,
    "",
    "| fault | what was observed | notifications delivered | duplicated | samples lost | ok |",
    "|---|---|---|---|---|---|",
    ...r.rows.map((row) => `| ${row.fault} | ${row.observed} | ${cell(row.delivered)} | ${cell(row.duplicated)} | ${cell(row.samplesLost)} | ${row.ok ? "yes" : "NO"} |`),
    "",
    "## Measured in this run",
    "",
    `- remote_write, steady state: ${m.samplesPerSecond.map((s) => s.toFixed(0)).join(" / ")} samples/s (replica a / b)`,
    `- samples remote_write gave up on (non-recoverable answers from the store): ${m.samplesFailed.join(" / ")}`,
    `- queue lag peak during the outage: ${m.peakLagSeconds.map((s) => s.toFixed(0)).join(" / ")} s; catch-up after the store returned: ${m.catchUpSeconds.toFixed(1)} s; Query answered from every receive node ${m.queryWholeSeconds.toFixed(1)} s after it returned`,
    `- RSS (MiB): ${Object.entries(m.rssMiB).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `- start-up (s): ${Object.entries(m.startupSeconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`,
    `- receive nodes that crashed and were started again: ${m.receiveCrashes.length === 0 ? "none" : m.receiveCrashes.join("; ")}`,
    "",
    "## Departures from the deployed settings",
    "",
    ...r.overrides.map((o) => `- \`${o.field}\` = ${o.value}: ${o.reason}`),
    ...(r.reasons.length ? ["", "## Failures", "", ...r.reasons.map((x) => `- ${x}`)] : []),
  ].join("\n");
}
