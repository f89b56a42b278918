import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { parse } from "yaml";
import { catalog } from "../spec/catalog";
import { JOBS } from "../spec/jobs";
import { buildRuleSet } from "../rules";
import { ALERTING_RULES_FILE, RECORDING_RULES_FILE, renderAlertingRules, renderRecordingRules } from "../rules/render";
import { comparisons, describeSeconds } from "../rules/slo/compare";
import { resolvedSlos } from "../rules/slo/rules";
import { slothSpec } from "../rules/slo/sloth";
import { query } from "../e2e/prom";
import { freePort, sleep, Supervisor } from "../e2e/supervisor";
import { repoRoot, tool } from "../e2e/tools";
import { loadEnvironment } from "../spec/load";
import { ruleContext } from "../stacks/monitoring-files";

/**
 * `npm run bench:slo`: our SLO rules and Sloth's for the same SLOs (prod), loaded together into one
 * real Prometheus 3.5 on 127.0.0.1 that scrapes a realistic label set (PATHS paths x 5 methods x 6
 * statuses of civicpulse_requests_total and the latency histogram, about 21 000 series), evaluating
 * every rule group every 5 s. Prints the rule counts, each side's median group evaluation time, and
 * the detection times of both on the promtool cases (rules/slo/compare.ts), as a Markdown table for
 * the README. A fresh TSDB has minutes of history, not days: the 1d/3d/30d windows of both read only
 * what exists, so long-window costs here are a floor (see README).
 */

const PATHS = Number(process.env.PATHS ?? 200);
const SECONDS = Number(process.env.SECONDS_MEASURED ?? 60);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const STATUSES: Array<[string, number]> = [["200", 100], ["201", 10], ["301", 3], ["404", 5], ["500", 0.05], ["503", 0.05]];

/** A static /metrics/ whose counters grow by a fixed amount per scrape (deterministic load). */
function exporter(): http.Server {
  let scrapes = 0;
  const buckets = [...catalog.requestDuration.buckets.map((b) => (Number.isInteger(b) ? `${b}.0` : String(b))), "+Inf"];
  return http.createServer((req, res) => {
    scrapes++;
    const lines: string[] = [];
    if (req.url?.startsWith("/probe")) {
      lines.push(`# TYPE ${catalog.probeSuccess.name} gauge`, `${catalog.probeSuccess.name} 1`);
    } else {
      lines.push(`# TYPE ${catalog.requestsTotal.name} counter`);
      for (let p = 0; p < PATHS; p++) {
        for (const m of METHODS) for (const [s, w] of STATUSES) lines.push(`${catalog.requestsTotal.name}{method="${m}",path="/api/bench/${p}/",status="${s}"} ${w * scrapes}`);
      }
      lines.push(`# TYPE ${catalog.requestDuration.name} histogram`);
      for (let p = 0; p < PATHS; p++) {
        for (const m of METHODS) {
          buckets.forEach((le, i) => lines.push(`${catalog.requestDuration.name}_bucket{method="${m}",path="/api/bench/${p}/",le="${le}"} ${Math.min(i + 1, 10) * scrapes}`));
          lines.push(`${catalog.requestDuration.name}_sum{method="${m}",path="/api/bench/${p}/"} ${scrapes}`);
          lines.push(`${catalog.requestDuration.name}_count{method="${m}",path="/api/bench/${p}/"} ${10 * scrapes}`);
        }
      }
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(`${lines.join("\n")}\n`);
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

async function main(): Promise<void> {
  const root = repoRoot();
  const spec = loadEnvironment("prod", { rootDir: path.join(root, "scripts"), env: {} });
  const ctx = ruleContext(spec);
  const rules = buildRuleSet(ctx);
  const r = resolvedSlos(ctx);
  const sloth = path.join(root, ".tools", "go", "bin", "sloth");
  if (!existsSync(sloth)) throw new Error(`sloth is missing at ${sloth}; run bash scripts/install-sloth.sh`);

  const sup = new Supervisor("civicpulse-bench-slo-");
  const server = exporter();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const appPort = (server.address() as AddressInfo).port;
  try {
    const dir = sup.subdir("prometheus");
    writeFileSync(path.join(dir, RECORDING_RULES_FILE), renderRecordingRules("prod", rules));
    writeFileSync(path.join(dir, ALERTING_RULES_FILE), renderAlertingRules("prod", rules));
    writeFileSync(path.join(dir, "sloth.slo.yml"), slothSpec(r));
    const gen = spawnSync(sloth, ["generate", "--no-log", "-i", "sloth.slo.yml", "-o", "sloth_rules.yml"], { cwd: dir, encoding: "utf8" });
    if (gen.status !== 0) throw new Error(`sloth generate failed: ${gen.stderr}`);
    const slothGroups = (parse(require("node:fs").readFileSync(path.join(dir, "sloth_rules.yml"), "utf8")) as { groups: Array<{ name: string; rules: unknown[] }> }).groups;
    const promPort = await freePort();
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 5s, evaluation_interval: 5s }",
        `rule_files: [${RECORDING_RULES_FILE}, ${ALERTING_RULES_FILE}, sloth_rules.yml]`,
        "scrape_configs:",
        `  - { job_name: ${JOBS.app}, metrics_path: /metrics/, static_configs: [{ targets: ["127.0.0.1:${appPort}"] }] }`,
        `  - { job_name: ${JOBS.blackboxHealth}, metrics_path: /probe, static_configs: [{ targets: ["127.0.0.1:${appPort}"] }] }`,
        "",
      ].join("\n"),
    );
    sup.start("prometheus", tool("prometheus"), [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${sup.subdir("data")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const url = `http://127.0.0.1:${promPort}`;
    await sup.waitHttp("prometheus", `${url}/-/ready`, 30_000);
    await sleep(20_000);
    const samples = new Map<string, number[]>();
    for (let t = 0; t < SECONDS; t += 5) {
      // /api/v1/rules gives each group's last evaluation time (what prometheus_rule_group_last_duration_seconds exports).
      const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: Array<{ name: string; evaluationTime: number }> } };
      for (const g of body.data.groups) samples.set(g.name, [...(samples.get(g.name) ?? []), g.evaluationTime * 1000]);
      await sleep(5_000);
    }
    if (samples.size === 0) throw new Error(`Prometheus reported no rule groups:\n${sup.get("prometheus").output().slice(-2000)}`);
    const series = (await query(url, `scrape_samples_scraped{job="${JOBS.app}"}`))[0]?.value ?? 0;
    const ms = (groups: string[]) =>
      groups.reduce((sum, g) => {
        const xs = samples.get(g);
        if (!xs) throw new Error(`no evaluation time for rule group ${g} (have: ${[...samples.keys()].join(", ")})`);
        return sum + median(xs);
      }, 0);
    const ourSlo = ["civicpulse-recording-slo", "civicpulse-slo"];
    const slothNames = slothGroups.map((g) => g.name);
    const ourCount = rules.recording.filter((x) => x.group === "slo").length + rules.alerts.filter((a) => a.group === "slo").length;
    const slothCount = slothGroups.reduce((n, g) => n + g.rules.length, 0);
    const rows = comparisons(ctx, rules.alerts);
    const out = [
      `Measured by \`npm run bench:slo\` (Prometheus 3.5 on 127.0.0.1, ${series} samples per scrape of the app, every group evaluated every 5 s, median of ${Math.floor(SECONDS / 5)} readings of each group's last evaluation time (/api/v1/rules) after 20 s of warm-up; shared 2-core machine under load).`,
      "",
      "| | ours (rules/slo) | Sloth 0.16 |",
      "|---|---|---|",
      `| rules for ${r.slos.length} SLOs | ${ourCount} | ${slothCount} |`,
      `| alert names | ${2 * r.slos.length} (one per SLO and speed) | ${r.slos.length} (page and ticket share a name) |`,
      `| evaluation per cycle, ms | ${ms(ourSlo).toFixed(2)} | ${ms(slothNames).toFixed(2)} |`,
      `| shared base they read (civicpulse-recording-application, recorded anyway), ms | ${ms(["civicpulse-recording-application"]).toFixed(2)} | – |`,
      "",
      "| case (the promtool input of our alert's case) | ours fires after | Sloth fires after |",
      "|---|---|---|",
      ...rows.filter((c) => c.plan.name !== "no traffic").map((c) => `| ${c.alert}: ${c.plan.name} | ${describeSeconds(c.ours)} | ${describeSeconds(c.sloth)} |`),
      "",
    ].join("\n");
    mkdirSync(path.join(root, ".bench"), { recursive: true });
    writeFileSync(path.join(root, ".bench", "slo.md"), out);
    process.stdout.write(out);
  } finally {
    await sup.stopAll();
    server.close();
  }
}

main().catch((e) => {
  console.error(`bench-slo: ${(e as Error).message}`);
  process.exit(1);
});
