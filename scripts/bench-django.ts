/**
 * Benchmarks of the Django package (not a test; figures depend on the machine):
 *  1. samples per scrape per (method, path) pair on the real app under gunicorn, and the number of
 *     paths at which the app job's default sample_limit would be reached;
 *  2. the middleware's added latency per request: wrk on loopback against the same view with and
 *     without civicpulse_monitoring's middleware (tracing off in both), p50 and p99.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/bench-django.js [--paths 200] [--seconds 10]
 */
import { execFileSync } from "node:child_process";

import { parseArgs } from "node:util";
import { prometheusSpecSchema } from "../spec/prometheus";
import { postgresServer, redisServer } from "../e2e/datastores";
import * as path from "node:path";
import { DJANGO_DIR, DjangoApp, djangoEnv, EXAMPLE_DIR, venvBinary } from "../e2e/django-app";
import { freePort, Supervisor } from "../e2e/supervisor";
import { JOBS } from "../spec/jobs";

function samples(text: string): string[] {
  return text.split("\n").filter((l) => l && !l.startsWith("#"));
}

async function scrape(app: DjangoApp): Promise<string[]> {
  const r = await app.request("GET", "/metrics/");
  if (r.status !== 200) throw new Error(`/metrics/ answered ${r.status}`);
  return samples(r.body);
}

function wrk(url: string, seconds: number): { p50: number; p99: number; rps: number } {
  const out = execFileSync("wrk", ["-t1", "-c1", `-d${seconds}s`, "--latency", url], { encoding: "utf8", timeout: (seconds + 30) * 1000 });
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)$`, "m").exec(out);
    if (!m) throw new Error(`no ${label}th percentile in wrk output:\n${out}`);
    return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  return { p50: ms("50"), p99: ms("99"), rps };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { paths: { type: "string", default: "200" }, seconds: { type: "string", default: "10" }, runs: { type: "string", default: "3" } } });
  const paths = Number(values.paths);
  const seconds = Number(values.seconds);
  const runs = Number(values.runs);
  const sup = new Supervisor("civicpulse-bench-");
  try {
    const [pg, redis] = [await freePort(), await freePort()];
    await redisServer(sup, redis)();
    await postgresServer(sup, pg)();
    const telemetryEnv = { OTEL_TRACES_EXPORTER: "none", CIVICPULSE_TRACING: "0" };

    // 1. samples per (method, path) pair
    const app = new DjangoApp(sup, { port: await freePort(), pgPort: pg, redisPort: redis, telemetryEnv, otelMetricsPort: await freePort(), trafficPerSecond: 0 });
    await app.start();
    const base = (await scrape(app)).length;
    for (let i = 0; i < paths; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, paths - i) }, (_, j) => app.request("GET", `/api/e2e/bench/bench-${i + j}/?status=200`)));
    }
    const one = (await scrape(app)).length;
    for (let i = 0; i < paths; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, paths - i) }, (_, j) => app.request("GET", `/api/e2e/bench/bench-${i + j}/?status=404`)));
    }
    const two = (await scrape(app)).length;
    const scrapeMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      await scrape(app);
      scrapeMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    await app.stop();
    const perPair = (one - base) / paths;
    const perExtraStatus = (two - one) / paths;
    const limit = prometheusSpecSchema.parse({}).jobLimits[JOBS.app]?.sampleLimit ?? prometheusSpecSchema.parse({}).limits.sampleLimit;
    console.log(`## Samples per scrape (real app under gunicorn, 2 workers)`);
    console.log(`baseline (no traffic, zero-initialised series only): ${base} samples`);
    console.log(`per (method, path) pair with one status: ${perPair.toFixed(1)} samples (${paths} paths); each further status: +${perExtraStatus.toFixed(1)}`);
    console.log(`one scrape of ${two} samples (multiprocess aggregation over 2 workers): median ${[...scrapeMs].sort((x, y) => x - y)[2].toFixed(0)} ms of 5`);
    console.log(`default sample_limit of ${JOBS.app}: ${limit} -> reached at ${Math.floor((limit - base) / perPair)} paths (one status each), ${Math.floor((limit - base) / (perPair + perExtraStatus))} paths (two statuses each)`);

    // 2. middleware overhead
    console.log(`\n## Middleware overhead (wrk -t1 -c1 -d${seconds}s, 1 worker x 1 thread, tracing off; ${runs} alternating runs)`);
    const rows: Array<{ variant: string; p50: number; p99: number; rps: number }> = [];
    for (let r = 0; r < runs; r++) {
      for (const variant of ["without", "with"] as const) {
        const port = await freePort();
        const a = new DjangoApp(sup, {
          port, pgPort: pg, redisPort: redis, otelMetricsPort: await freePort(), trafficPerSecond: 0, workers: 1, threads: 1,
          telemetryEnv: { ...telemetryEnv, ...(variant === "without" ? { CIVICPULSE_BENCH_WITHOUT_MIDDLEWARE: "1" } : {}) },
        });
        await a.start();
        await a.request("GET", "/api/e2e/bench/warm/");
        rows.push({ variant, ...wrk(`${a.url}/api/e2e/bench/warm/`, seconds) });
        await a.stop();
      }
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    for (const v of ["without", "with"]) {
      const r = rows.filter((x) => x.variant === v);
      console.log(`${v} middleware: p50 ${median(r.map((x) => x.p50)).toFixed(3)} ms, p99 ${median(r.map((x) => x.p99)).toFixed(3)} ms, ${median(r.map((x) => x.rps)).toFixed(0)} req/s (runs: ${r.map((x) => x.p50.toFixed(3)).join(", ")} ms p50)`);
    }
    const added = median(rows.filter((x) => x.variant === "with").map((x) => x.p50)) - median(rows.filter((x) => x.variant === "without").map((x) => x.p50));
    console.log(`added by the middleware: p50 ${added.toFixed(3)} ms per request`);

    // 3. the middleware alone, in process (the load generator's figures carry the machine's noise)
    const inProcess = (extra: NodeJS.ProcessEnv) =>
      execFileSync(venvBinary("python"), [path.join(DJANGO_DIR, "bench_middleware.py")], {
        cwd: EXAMPLE_DIR,
        env: djangoEnv(pg, redis, { OTEL_TRACES_EXPORTER: "none", ...extra }),
        encoding: "utf8",
        timeout: 300_000,
      }).trim();
    console.log(`\n## Middleware alone (in process, RequestFactory, trivial view)`);
    console.log(`single process: ${inProcess({})}`);
    console.log(`multiprocess mode (as under gunicorn): ${inProcess({ PROMETHEUS_MULTIPROC_DIR: sup.subdir("bench-multiproc") })}`);
  } finally {
    await sup.stopAll();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`bench-django: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  });
}

