import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import * as path from "node:path";
import { catalog } from "../spec/catalog";
import { JOBS } from "../spec/jobs";
import { buildRuleSet } from "../rules";
import { renderRecordingRules } from "../rules/render";
import { PRESETS } from "../spec/presets";
import { environmentSpecSchema } from "../spec/environment";
import { ruleContext } from "../stacks/monitoring-files";
import { freePort, Supervisor, until } from "../e2e/supervisor";
import { tool } from "../e2e/tools";
import { lineChart } from "./bench/svg";

/**
 * Rule evaluation cost on a real Prometheus 3.5 (`npm run bench:rules`): a loopback target serves
 * the app's request metrics at a given number of paths (x 5 methods x 6 statuses, and the latency
 * histogram per method and path), Prometheus scrapes it and evaluates a recording rules file, and
 * each group's evaluation time is read from /api/v1/rules after every evaluation.
 *
 *   node dist/scripts/bench-rules.js [--paths 20,200,2000] [--rules FILE --label NAME]... [--out DIR]
 *
 * Without --rules it measures the prod environment's recording rules of this tree. Each --rules
 * adds another file (e.g. an older revision's, for a before/after in one run).
 * Writes DIR/rules.json, DIR/rules.md and DIR/rules.svg (default .bench/).
 */

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const STATUSES = ["200", "201", "301", "404", "500", "503"] as const;
const SCRAPE_SECONDS = 5;
// From 1,000 paths (over 100,000 series) a scrape of the loopback target does not finish within
// 5 s on a loaded 2-core machine: scrape and evaluate every 15 s, the production interval. A
// group's evaluation time does not depend on the interval.
const scrapeSecondsFor = (paths: number) => (paths >= 1000 ? 15 : SCRAPE_SECONDS);
const WARMUP_SCRAPES = 3;
const MEASURED_EVALUATIONS = 6;

interface RuleFile {
  readonly label: string;
  readonly text: string;
}

interface GroupCost {
  readonly group: string;
  readonly rules: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

interface RunResult {
  readonly label: string;
  readonly paths: number;
  readonly samplesPerScrape: number;
  readonly groups: GroupCost[];
}

/** The app's request counter and latency histogram for `paths` paths; counters grow with `tick`. */
function exposition(paths: number, tick: number): string {
  const lines: string[] = [];
  const req = catalog.requestsTotal.name;
  const hist = catalog.requestDuration.name;
  const bounds = [...catalog.requestDuration.buckets.map(String), "+Inf"];
  lines.push(`# TYPE ${req} counter`);
  for (let p = 0; p < paths; p++) {
    for (const m of METHODS) {
      for (const [i, s] of STATUSES.entries()) lines.push(`${req}{method="${m}",path="/api/bench/r${p}/",status="${s}"} ${tick * (6 - i)}`);
    }
  }
  lines.push(`# TYPE ${hist} histogram`);
  for (let p = 0; p < paths; p++) {
    for (const m of METHODS) {
      const labels = `method="${m}",path="/api/bench/r${p}/"`;
      bounds.forEach((le, i) => lines.push(`${hist}_bucket{${labels},le="${le}"} ${tick * Math.min(i + 1, 10)}`));
      lines.push(`${hist}_sum{${labels}} ${tick * 3.5}`, `${hist}_count{${labels}} ${tick * 10}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function target(paths: number): Promise<{ server: Server; port: number }> {
  let tick = 0;
  const server = createServer((req, res) => {
    if (req.url !== "/metrics/") return void res.writeHead(404).end();
    tick++;
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition(paths, tick));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port })));
}

interface ApiGroup {
  name: string;
  rules: unknown[];
  evaluationTime: number;
  lastEvaluation: string;
}

async function groups(promUrl: string): Promise<ApiGroup[]> {
  const r = (await (await fetch(`${promUrl}/api/v1/rules?type=record`, { signal: AbortSignal.timeout(10_000) })).json()) as {
    data: { groups: ApiGroup[] };
  };
  return r.data.groups;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function measure(file: RuleFile, paths: number): Promise<RunResult> {
  const sup = new Supervisor("civicpulse-bench-rules-");
  const { server, port: targetPort } = await target(paths);
  const every = scrapeSecondsFor(paths);
  try {
    const dir = sup.subdir("prometheus");
    writeFileSync(path.join(dir, "recording_rules.yml"), file.text);
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global:",
        `  scrape_interval: ${every}s`,
        `  scrape_timeout: ${every}s`,
        `  evaluation_interval: ${every}s`,
        "rule_files: [recording_rules.yml]",
        "scrape_configs:",
        `  - job_name: ${JOBS.app}`,
        "    metrics_path: /metrics/",
        `    static_configs: [{ targets: ["127.0.0.1:${targetPort}"] }]`,
        "",
      ].join("\n"),
    );
    const promPort = await freePort();
    const promUrl = `http://127.0.0.1:${promPort}`;
    sup.start("prometheus", tool("prometheus"), [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    await sup.waitHttp("prometheus", `${promUrl}/-/ready`, 30_000);
    // Rates need two scrapes in their window: measure only evaluations after the third scrape.
    await until("three scrapes of the target", 30 * every * 1000, async () => {
      const r = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent("count_over_time(scrape_samples_scraped[10m])")}`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      return Number(r.data.result[0]?.value[1] ?? 0) >= WARMUP_SCRAPES ? true : undefined;
    }, 500);
    const from = Date.now();
    const samples = new Map<string, Map<string, number>>();
    const rules = new Map<string, number>();
    // Bounded: every group evaluates every `every` seconds; allow twice that per evaluation.
    await until("rule evaluations", (MEASURED_EVALUATIONS + 2) * every * 2000, async () => {
      for (const g of await groups(promUrl)) {
        if (Date.parse(g.lastEvaluation) <= from) continue;
        const seen = samples.get(g.name) ?? new Map<string, number>();
        seen.set(g.lastEvaluation, g.evaluationTime * 1000);
        samples.set(g.name, seen);
        rules.set(g.name, g.rules.length);
      }
      const counts = [...samples.values()].map((m) => m.size);
      return counts.length > 0 && Math.min(...counts) >= MEASURED_EVALUATIONS ? true : undefined;
    }, 500);
    const scraped = (await (await fetch(`${promUrl}/api/v1/query?query=scrape_samples_scraped`)).json()) as {
      data: { result: Array<{ value: [number, string] }> };
    };
    return {
      label: file.label,
      paths,
      samplesPerScrape: Number(scraped.data.result[0]?.value[1] ?? 0),
      groups: [...samples.entries()].map(([group, byTime]) => {
        const ms = [...byTime.values()];
        return { group, rules: rules.get(group) ?? 0, medianMs: median(ms), maxMs: Math.max(...ms) };
      }),
    };
  } finally {
    server.close();
    await sup.stopAll();
  }
}

function args(argv: string[]): { paths: number[]; files: RuleFile[]; out: string } {
  let paths = [20, 200, 2000];
  const files: RuleFile[] = [];
  let out = path.join(__dirname, "..", "..", ".bench");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--paths") {
      paths = value().split(",").map((p) => {
        const n = Number(p);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--paths: not a positive integer: ${JSON.stringify(p)}`);
        return n;
      });
    } else if (a === "--rules") {
      const file = value();
      const next = argv[i + 1] === "--label" ? (i++, value()) : path.basename(file);
      files.push({ label: next, text: readFileSync(file, "utf8") });
    } else if (a === "--out") out = value();
    else throw new Error(`unknown argument ${JSON.stringify(a)} (use --paths, --rules FILE [--label NAME], --out DIR)`);
  }
  if (files.length === 0) {
    const spec = environmentSpecSchema.parse(PRESETS.prod);
    files.push({ label: "this tree (prod)", text: renderRecordingRules("prod", buildRuleSet(ruleContext(spec))) });
  }
  return { paths, files, out };
}

/** Groups of the application's recording rules: the one the issue measured, or its shards. */
const isApplication = (g: string) => g.startsWith("civicpulse-recording-application");

function report(results: RunResult[]): string {
  const out = ["| rules | paths | samples/scrape | application groups | slowest application group | its median ms | sum of application medians ms | all groups ms |", "|---|---:|---:|---:|---|---:|---:|---:|"];
  for (const r of results) {
    const app = r.groups.filter((g) => isApplication(g.group));
    const slowest = app.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
    const sum = (gs: GroupCost[]) => gs.reduce((s, g) => s + g.medianMs, 0);
    out.push(
      `| ${r.label} | ${r.paths} | ${r.samplesPerScrape} | ${app.length} | \`${slowest.group}\` | ${slowest.medianMs.toFixed(1)} | ${sum(app).toFixed(1)} | ${sum(r.groups).toFixed(1)} |`,
    );
  }
  return `${out.join("\n")}\n`;
}

async function main(): Promise<void> {
  const { paths, files, out } = args(process.argv.slice(2));
  const results: RunResult[] = [];
  for (const n of paths) {
    for (const f of files) {
      process.stderr.write(`bench-rules: ${f.label}, ${n} paths ...\n`);
      results.push(await measure(f, n));
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "rules.json"), `${JSON.stringify(results, null, 2)}\n`);
  const md = report(results);
  writeFileSync(path.join(out, "rules.md"), md);
  const series = files.flatMap((f) => {
    const mine = results.filter((r) => r.label === f.label);
    const app = (r: RunResult) => r.groups.filter((g) => isApplication(g.group));
    return [
      { name: `${f.label}: slowest application group`, points: mine.map((r) => [r.samplesPerScrape, Math.max(...app(r).map((g) => g.medianMs))] as [number, number]) },
      ...(app(mine[0]).length > 1
        ? [{ name: `${f.label}: all application groups together`, points: mine.map((r) => [r.samplesPerScrape, app(r).reduce((s, g) => s + g.medianMs, 0)] as [number, number]) }]
        : []),
    ];
  });
  writeFileSync(
    path.join(out, "rules.svg"),
    lineChart({ title: "Recording rule evaluation (median per evaluation)", xLabel: "samples per scrape of the app", yLabel: "ms", series, logX: true }),
  );
  process.stdout.write(md);
}

main().catch((e) => {
  process.stderr.write(`bench-rules: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
