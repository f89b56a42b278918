/**
 * `npm run bench:ha`: remote_write at the app's series count on the HA topology of e2e/ha-stack.ts
 * (real Prometheus pair, Alertmanager cluster, Thanos Receive x3 + Query on 127.0.0.1). A loopback
 * target serves SERIES counter series as the app job (bench:rules measured ~21,000 samples per
 * scrape for the app at 200 paths); the run measures the steady remote_write rate, then stops the
 * whole store for the outage, and measures the backlog (seconds and samples behind), the catch-up
 * time and the peak send rate, and each process's RSS. A report, not a test.
 *
 *   node dist/scripts/bench-ha.js [--series 21000] [--outage-seconds 120] [--out DIR]
 * Writes DIR/ha.json and DIR/ha.md (default .bench/).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { loadavg } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { one, queueLag, rssMiB } from "../e2e/ha-run";
import { startHaStack } from "../e2e/ha-stack";
import { sleep, until } from "../e2e/supervisor";
import { repoRoot } from "../e2e/tools";

function syntheticTarget(series: number): Promise<{ close: () => void; port: number }> {
  let tick = 0;
  const server = createServer((_req, res) => {
    tick++;
    const lines = ["# TYPE bench_ha_samples_total counter"];
    for (let i = 0; i < series; i++) lines.push(`bench_ha_samples_total{shard="${i % 100}",series="${i}"} ${tick}`);
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${lines.join("\n")}\n`);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ close: () => server.close(), port: (server.address() as { port: number }).port })),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { series: { type: "string" }, "outage-seconds": { type: "string" }, out: { type: "string" } }, strict: true });
  const series = Number(values.series ?? 21_000);
  const outageMs = Number(values["outage-seconds"] ?? 120) * 1000;
  if (!Number.isInteger(series) || series < 1) throw new Error(`--series: a positive integer, got ${values.series}`);
  if (!(outageMs > 0)) throw new Error(`--outage-seconds: a positive number, got ${values["outage-seconds"]}`);
  const out = path.resolve(repoRoot(), values.out ?? ".bench");
  const t = Date.now();
  const log = (l: string) => console.error(`[bench:ha ${((Date.now() - t) / 1000).toFixed(0).padStart(4)}s] ${l}`);
  const target = await syntheticTarget(series);
  const stack = await startHaStack(log, { appPort: target.port });
  try {
    const { promUrls, sup, names } = stack;
    const rate = async (u: string, w: string) => (await one(u, `sum(rate(prometheus_remote_storage_samples_total[${w}]))`)).value;
    await until("the synthetic series in both replicas", 60_000, async () => {
      const n = await Promise.all(promUrls.map(async (u) => (await one(u, "count(bench_ha_samples_total)")).value));
      return n.every((x) => x === series) ? true : undefined;
    }, 1000);
    await sleep(30_000);
    const steady = await Promise.all(promUrls.map((u) => rate(u, "20s")));
    log(`steady remote_write: ${steady.map((s) => s.toFixed(0)).join(" / ")} samples/s`);
    const outageStart = Date.now();
    await Promise.all(names.receive.map((_, i) => stack.stopReceive(i)));
    let peakLag = 0;
    while (Date.now() - outageStart < outageMs) {
      await sleep(5_000);
      peakLag = Math.max(peakLag, ...(await Promise.all(promUrls.map(queueLag))));
    }
    await Promise.all(names.receive.map((_, i) => stack.startReceive(i)));
    const back = Date.now();
    const scrape = stack.spec.prometheus.scrapeInterval / 1000;
    let peakRate = 0;
    await until("catch-up", 600_000, async () => {
      peakRate = Math.max(peakRate, ...(await Promise.all(promUrls.map((u) => rate(u, "5s")))));
      const lags = await Promise.all(promUrls.map(queueLag));
      return lags.every((l) => l <= 2 * scrape) ? true : undefined;
    }, 1000);
    const catchUp = (Date.now() - back) / 1000;
    const rss: Record<string, number> = {};
    for (const n of [...names.prometheus, ...names.alertmanager, ...names.receive, names.query]) rss[n] = rssMiB(sup.get(n).pid);
    const result = {
      date: new Date().toISOString(),
      series,
      scrapeIntervalSeconds: scrape,
      steadySamplesPerSecond: steady,
      outageSeconds: outageMs / 1000,
      peakLagSeconds: peakLag,
      backlogSamples: Math.round(peakLag * Math.max(...steady)),
      catchUpSeconds: catchUp,
      peakSendRate: peakRate,
      rssMiB: rss,
      loadavg: loadavg().map((l) => Number(l.toFixed(2))),
    };
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "ha.json"), JSON.stringify(result, null, 2) + "\n");
    const md = [
      `\`node dist/scripts/bench-ha.js --series ${series} --outage-seconds ${outageMs / 1000}\`, ${result.date.slice(0, 16)} UTC, load average ${result.loadavg.join(", ")}`,
      "",
      "| measure | value |",
      "|---|---:|",
      `| series per replica (scrape every ${scrape} s) | ${series} |`,
      `| remote_write steady, replica a / b (samples/s) | ${steady.map((s) => s.toFixed(0)).join(" / ")} |`,
      `| queue lag at the end of the ${outageMs / 1000} s outage (s) | ${peakLag.toFixed(0)} |`,
      `| backlog (samples, per replica) | ${result.backlogSamples} |`,
      `| catch-up after the store returned (s) | ${catchUp.toFixed(1)} |`,
      `| peak send rate during catch-up (samples/s) | ${peakRate.toFixed(0)} |`,
      ...Object.entries(rss).map(([k, v]) => `| RSS ${k} (MiB) | ${v} |`),
    ].join("\n");
    writeFileSync(path.join(out, "ha.md"), md + "\n");
    console.log(md);
  } finally {
    await stack.stop();
    target.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench:ha could not run: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(2);
  },
);
