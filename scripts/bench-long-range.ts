/**
 * `npm run bench:long-range`: the latency of a 30-day range query on the store (Thanos Query over
 * the three Thanos Receive nodes, with the generator's flags) against the same query on a local
 * Prometheus TSDB. A receive node refuses samples older than its out-of-order window, so 30 days of
 * history cannot be written through remote_write in a benchmark; instead promtool makes the blocks
 * once (`promtool tsdb create-blocks-from openmetrics`, 24 h blocks) and every node's tenant folder
 * and the Prometheus data folder get a copy of the same blocks, as replication factor 3 leaves
 * them. Query deduplicates the three copies, as it does in the stack. A report, not a test.
 *
 *   node dist/scripts/bench-long-range.js [--series 100] [--days 30] [--step-seconds 60] [--runs 7] [--out DIR]
 * Writes DIR/long-range.json and DIR/long-range.md (default .bench/).
 */
import { cpSync, createWriteStream, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { queryFlags, receiveEndpoints, receiveFlags, renderHashring } from "../constructs/thanos/config";
import { thanosBinary } from "../e2e/ha-stack";
import { freePort, Supervisor } from "../e2e/supervisor";
import { repoRoot, runToolAsync, tool } from "../e2e/tools";
import { environmentSpecSchema } from "../spec/environment";

const positiveInt = (name: string, v: string | undefined, fallback: number): number => {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: a positive integer, got ${v}`);
  return n;
};

/** OpenMetrics counters, time-major, ending three hours ago (clear of any head block). */
async function writeHistory(file: string, series: number, days: number, stepS: number): Promise<number> {
  const end = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600;
  const start = end - days * 86_400;
  const out = createWriteStream(file);
  const write = (s: string) => new Promise<void>((resolve) => (out.write(s) ? resolve() : out.once("drain", resolve)));
  await write("# TYPE bench_long counter\n");
  let samples = 0;
  for (let t = start; t <= end; t += stepS) {
    const lines: string[] = [];
    for (let i = 0; i < series; i++) lines.push(`bench_long_total{path="/p${i % 20}",series="${i}"} ${(t - start) / stepS * (1 + (i % 7))} ${t}`);
    samples += series;
    await write(lines.join("\n") + "\n");
  }
  await write("# EOF\n");
  await new Promise<void>((resolve) => out.end(resolve));
  return samples;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timedRange(url: string, expr: string, start: number, end: number, step: number): Promise<{ ms: number; points: number }> {
  const body = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
  const t = process.hrtime.bigint();
  const res = await fetch(`${url}/api/v1/query_range`, { method: "POST", body, signal: AbortSignal.timeout(120_000) });
  const json = (await res.json()) as { status: string; error?: string; data: { result: Array<{ values: unknown[] }> } };
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (json.status !== "success") throw new Error(`${url}: ${expr}: ${json.error ?? res.status}`);
  return { ms, points: json.data.result.reduce((n, r) => n + r.values.length, 0) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { series: { type: "string" }, days: { type: "string" }, "step-seconds": { type: "string" }, runs: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const series = positiveInt("series", values.series, 100);
  const days = positiveInt("days", values.days, 30);
  const stepS = positiveInt("step-seconds", values["step-seconds"], 60);
  const runs = positiveInt("runs", values.runs, 7);
  const out = path.resolve(repoRoot(), values.out ?? ".bench");
  const t0 = Date.now();
  const log = (l: string) => console.error(`[bench:long-range ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${l}`);

  const spec = environmentSpecSchema.parse({ name: "bench", store: { kind: "thanos-receive" } });
  if (spec.store.kind !== "thanos-receive") throw new Error("bench: store must be thanos-receive");
  const store = spec.store;
  const sup = new Supervisor("civicpulse-long-range-");
  try {
    const history = path.join(sup.dir, "history.om");
    const samples = await writeHistory(history, series, days, stepS);
    log(`${samples} samples written (${series} series x ${days} d every ${stepS} s)`);
    const blocks = sup.subdir("blocks");
    const made = await runToolAsync("promtool", ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", history, blocks], undefined, 600_000);
    if (made.code !== 0) throw new Error(`promtool create-blocks-from failed (${made.code}): ${made.output.slice(-2000)}`);
    rmSync(history);
    log(`${readdirSync(blocks).length} blocks made by promtool`);

    // Prometheus over a copy of the blocks.
    const promData = sup.subdir("prometheus-data");
    cpSync(blocks, promData, { recursive: true });
    const promConfig = path.join(sup.dir, "prometheus.yml");
    writeFileSync(promConfig, "global: {}\n");
    const promPort = await freePort();
    sup.start("prometheus", tool("prometheus"), [
      `--config.file=${promConfig}`,
      `--storage.tsdb.path=${promData}`,
      `--storage.tsdb.retention.time=${days + 30}d`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);

    // The receive hashring (the generator's flags), each node's tenant folder holding the blocks.
    const nodes = store.receive.nodes;
    const grpc = await Promise.all(Array.from({ length: nodes }, () => freePort()));
    const endpoints = receiveEndpoints(nodes, () => "127.0.0.1", (i) => grpc[i]);
    const hashring = path.join(sup.dir, "hashring.json");
    writeFileSync(hashring, renderHashring(endpoints));
    const thanos = thanosBinary();
    const receiveHttp: number[] = [];
    for (let i = 0; i < nodes; i++) {
      const data = sup.subdir(`receive-${i}`);
      cpSync(blocks, path.join(data, "default-tenant"), { recursive: true });
      const listen = { grpc: `127.0.0.1:${grpc[i]}`, http: `127.0.0.1:${await freePort()}`, remoteWrite: `127.0.0.1:${await freePort()}`, capnproto: `127.0.0.1:${await freePort()}` };
      receiveHttp.push(Number(listen.http.split(":")[1]));
      sup.start(`thanos-receive-${i}`, thanos, receiveFlags({ store, index: i, localEndpoint: endpoints[i], dataDir: data, hashringFile: hashring, listen }));
    }
    const queryHttp = await freePort();
    sup.start("thanos-query", thanos, queryFlags({ endpoints, listen: { grpc: `127.0.0.1:${await freePort()}`, http: `127.0.0.1:${queryHttp}` } }));
    await sup.waitHttp("prometheus", `http://127.0.0.1:${promPort}/-/ready`, 120_000);
    for (let i = 0; i < nodes; i++) await sup.waitHttp(`thanos-receive-${i}`, `http://127.0.0.1:${receiveHttp[i]}/-/ready`, 120_000);
    await sup.waitHttp("thanos-query", `http://127.0.0.1:${queryHttp}/-/ready`, 60_000);

    const end = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600;
    const start = end - days * 86_400;
    const step = 3600;
    const expr = "sum by (path) (rate(bench_long_total[1h]))";
    const targets = { "local Prometheus TSDB": `http://127.0.0.1:${promPort}`, "store (Thanos Query, 3 receive nodes, deduplicated)": `http://127.0.0.1:${queryHttp}` };
    const timings: Record<string, { ms: number[]; points: number }> = {};
    // Query waits for its endpoints' first health check; the first answer with every point counts as warm-up.
    for (const [name, url] of Object.entries(targets)) {
      let warm = await timedRange(url, expr, start, end, step);
      for (let i = 0; i < 30 && warm.points === 0; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        warm = await timedRange(url, expr, start, end, step);
      }
      if (warm.points === 0) throw new Error(`${name}: the 30-day query returned no points`);
      timings[name] = { ms: [], points: warm.points };
    }
    // Interleaved, so both see the same machine.
    for (let r = 0; r < runs; r++) {
      for (const [name, url] of Object.entries(targets)) {
        const t = await timedRange(url, expr, start, end, step);
        if (t.points !== timings[name].points) throw new Error(`${name}: ${t.points} points, the warm-up had ${timings[name].points}`);
        timings[name].ms.push(t.ms);
      }
    }
    const [localName, storeName] = Object.keys(targets);
    const result = {
      date: new Date().toISOString(),
      series,
      days,
      stepSeconds: stepS,
      samples,
      blocks: readdirSync(blocks).length,
      query: { expr, rangeDays: days, stepSeconds: step },
      runs,
      medianMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Number(median(v.ms).toFixed(1))])),
      points: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v.points])),
      loadavg: loadavg().map((l) => Number(l.toFixed(2))),
    };
    const ratio = median(timings[storeName].ms) / median(timings[localName].ms);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "long-range.json"), JSON.stringify({ ...result, timingsMs: timings }, null, 2) + "\n");
    const md = [
      `\`node dist/scripts/bench-long-range.js --series ${series} --days ${days} --step-seconds ${stepS} --runs ${runs}\`, ${result.date.slice(0, 16)} UTC, load average ${result.loadavg.join(", ")}`,
      "",
      `\`${expr}\` over ${days} days, step 1h (${series} series, ${samples} samples in ${result.blocks} blocks of at most 24 h), ${runs} runs each, interleaved:`,
      "",
      "| where | median | min | max | points |",
      "|---|---:|---:|---:|---:|",
      ...Object.entries(timings).map(([k, v]) => `| ${k} | ${median(v.ms).toFixed(1)} ms | ${Math.min(...v.ms).toFixed(1)} ms | ${Math.max(...v.ms).toFixed(1)} ms | ${v.points} |`),
      "",
      `store / local: ${ratio.toFixed(2)}x`,
    ].join("\n");
    writeFileSync(path.join(out, "long-range.md"), md + "\n");
    console.log(md);
  } finally {
    await sup.stopAll();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench:long-range could not run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(2);
  },
);
