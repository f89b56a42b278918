import { readFileSync } from "node:fs";
import { HA_E2E_OVERRIDES, HaStack, RECEIVE_NODES, startHaStack } from "./ha-stack";
import { sleep, until } from "./supervisor";

/**
 * The four faults of the HA proof, on the live stack of e2e/ha-stack.ts, overlapped where they do
 * not measure each other: (1) the Alertmanager peer that sends first and (2) one Prometheus are
 * stopped together during an incident; (3) the whole store is down for STORE_OUTAGE_MS; (4) one
 * storage node is killed. Every check reads real processes over HTTP.
 */

export const STORE_OUTAGE_MS = 120_000;

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
  /** From the store answering again to both queues within two scrape intervals of the WAL head. */
  readonly catchUpSeconds: number;
  /** RSS in MiB by process name, taken before the storage node was killed. */
  readonly rssMiB: Record<string, number>;
  readonly startupSeconds: Record<string, number>;
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

/**
 * Every raw sample of `selector` in the `windowS` seconds before `time`: the instant query of a range
 * selector returns them as a matrix (count_over_time cannot be used on all series at once: it drops
 * the metric name and the results collide). Stale markers are left out on both sides alike.
 */
export async function rawSampleCount(url: string, selector: string, windowS: number, time: number, extra: Record<string, string> = {}): Promise<{ samples: number; series: number; warnings: string[] }> {
  const body = new URLSearchParams({ query: `${selector}[${windowS}s]`, time: time.toFixed(3) });
  for (const [k, v] of Object.entries(extra)) body.append(k, v);
  const res = await fetch(`${url}/api/v1/query`, { method: "POST", body, signal: AbortSignal.timeout(60_000) });
  const json = (await res.json()) as { status: string; error?: string; warnings?: string[]; data: { result: Array<{ values: unknown[] }> } };
  if (json.status !== "success") throw new Error(`${url}: ${selector}[${windowS}s]: ${json.error ?? res.status}`);
  return { samples: json.data.result.reduce((n, r) => n + r.values.length, 0), series: json.data.result.length, warnings: json.warnings ?? [] };
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
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
  log(`stopped ${names.alertmanager[amIndex]} (cluster position 0) and ${names.prometheus[1]}`);
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
  // Past one more peer timeout: a duplicate from a slow peer would have arrived by now.
  await sleep(stack.spec.services.alertmanager.cluster.peerTimeout + 2_000);
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
  await Promise.all(names.receive.map((n) => sup.stop(n)));
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
  // The store's copies of one replica's stream: deduplicated across receive nodes only.
  const fromStore = { dedup: "true", "replicaLabels[]": "receive_replica" };
  const storeCount = async (replica: string) => (await rawSampleCount(queryUrl, `{__name__=~".+",replica="${replica}"}`, windowS, evalAt, fromStore)).samples;
  const local = await Promise.all(promUrls.map(async (u) => (await rawSampleCount(u, `{__name__=~".+"}`, windowS, evalAt)).samples));
  const stored = await Promise.all(["a", "b"].map(storeCount));
  const lost = local.map((l, i) => l - stored[i]);
  rows.push({
    fault: `stop the remote store (all ${RECEIVE_NODES} Thanos Receive nodes) for ${STORE_OUTAGE_MS / 1000} s`,
    observed: `samples over the ${windowS} s around the outage, local TSDB vs store: replica a ${local[0]} vs ${stored[0]}, replica b ${local[1]} vs ${stored[1]}; caught up ${catchUpSeconds.toFixed(1)} s after the store returned`,
    delivered: null,
    duplicated: null,
    samplesLost: lost.reduce((a, b) => a + b, 0),
    ok: lost.every((l) => l === 0) && local.every((l) => l > 0),
  });

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
  const victim = names.receive[RECEIVE_NODES - 1];
  await sup.stop(victim, "SIGKILL");
  const killedAt = Date.now();
  const afterKill = await rawSampleCount(queryUrl, `{__name__=~".+",replica="a"}`, windowS, evalAt, fromStore);
  const after = { value: afterKill.samples, warnings: afterKill.warnings };
  await sleep(10_000);
  const lagsAfterKill = await Promise.all(promUrls.map(queueLag));
  rows.push({
    fault: `kill -9 one storage node (${victim}) of ${RECEIVE_NODES}, replication factor ${stack.store.receive.replicationFactor}`,
    observed: `Query answered in ${((Date.now() - killedAt - 10_000) / 1000).toFixed(1)} s with ${after.value} of ${stored[0]} samples (${after.warnings.length} partial-response warnings); writes kept flowing: queue lag ${lagsAfterKill.map((l) => l.toFixed(1)).join(" / ")} s 10 s later`,
    delivered: null,
    duplicated: null,
    samplesLost: stored[0] - after.value,
    ok: after.value === stored[0] && lagsAfterKill.every((l) => l <= 2 * scrape + 5),
  });

  const dupAll = counter.duplicates();
  if (dupAll.length > 0) reasons.push(`${dupAll.length} notification(s) delivered more than once: ${dupAll.slice(0, 3).map((d) => `${d.count}x ${d.key}`).join("; ")}`);
  for (const r of rows) if (!r.ok) reasons.push(`fault failed: ${r.fault}: ${r.observed}`);
  return {
    rows,
    measurements: {
      samplesPerSecond,
      peakLagSeconds: peakLag,
      catchUpSeconds,
      rssMiB: rssMiBByName,
      startupSeconds: stack.startup,
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
    `- queue lag peak during the outage: ${m.peakLagSeconds.map((s) => s.toFixed(0)).join(" / ")} s; catch-up after the store returned: ${m.catchUpSeconds.toFixed(1)} s`,
    `- RSS (MiB): ${Object.entries(m.rssMiB).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `- start-up (s): ${Object.entries(m.startupSeconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`,
    "",
    "## Departures from the deployed settings",
    "",
    ...r.overrides.map((o) => `- \`${o.field}\` = ${o.value}: ${o.reason}`),
    ...(r.reasons.length ? ["", "## Failures", "", ...r.reasons.map((x) => `- ${x}`)] : []),
  ].join("\n");
}
