import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { checkDashboards, checkHostAlerts, checkTargets, instanceDownJobs, measureUnderLoad } from "./measure";
import { renderReport, RunReport, verdict, Verdict } from "./report";
import { allScenarios, ScenarioContext } from "./scenarios";
import { startStack } from "./stack";
import { venvBinary } from "./django-app";
import { sleep, until } from "./supervisor";
import { repoRoot, tool } from "./tools";
import { query } from "./prom";
import { JOBS } from "../spec/jobs";

/**
 * One live verification run: start the stack, run every scenario concurrently, check targets,
 * host alerts and dashboard queries, measure rule cost under load, stop everything, report.
 */

export interface RunOptions {
  /** Skip the load benchmark (faster; the report says so). */
  readonly skipBenchmark?: boolean;
  readonly log?: (line: string) => void;
}

function versionOf(name: string): string {
  try {
    const out = execFileSync(tool(name), ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 5_000 });
    return /version[= ]v?([\d.]+)/.exec(out)?.[1] ?? out.split("\n")[0];
  } catch {
    return "?";
  }
}

/** Versions of the app's Python packages, from the venv the app runs in. */
function pythonPackageVersions(): Record<string, string> {
  const names = ["django", "gunicorn", "prometheus-client", "opentelemetry-sdk", "opentelemetry-instrumentation-django", "opentelemetry-exporter-otlp-proto-http", "psycopg", "redis"];
  try {
    const out = execFileSync(venvBinary("python"), ["-c", "import sys, importlib.metadata as m; print('\\n'.join(n + ' ' + m.version(n) for n in sys.argv[1:]))", ...names], { encoding: "utf8", timeout: 20_000 });
    return Object.fromEntries(out.trim().split("\n").map((l) => l.split(" ") as [string, string]));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The Jaeger build's module version (scripts/go/jaeger/go.mod; the binary carries no version stamp). */
function jaegerVersion(): string {
  try {
    const mod = readFileSync(path.join(repoRoot(), "scripts", "go", "jaeger", "go.mod"), "utf8");
    const v = /github\.com\/jaegertracing\/jaeger v([\d.]+)/.exec(mod)?.[1];
    return v ? `module v${v} (built by scripts/install-jaeger.sh)` : "?";
  } catch {
    return "?";
  }
}

export async function runVerification(options: RunOptions = {}): Promise<{ report: RunReport; markdown: string; verdict: Verdict }> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const errors: string[] = [];
  log("starting the stack");
  const stack = await startStack();
  const startupSeconds = (Date.now() - started) / 1000;
  let report: RunReport | undefined;
  try {
    log(`stack up in ${startupSeconds.toFixed(1)} s (prometheus ${stack.promUrl}, alertmanager ${stack.amUrl})`);
    // Every target scraped once before faults are injected.
    await until("first scrape of every running target", 20_000, async () => {
      const r = await checkTargets(stack);
      return r.every((t) => t.health !== "unknown") ? true : undefined;
    }).catch((e) => errors.push(String(e)));
    const rules = (await (await fetch(`${stack.promUrl}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; type: string; health: string; lastError?: string }> }> };
    };
    const loadedAlerts = new Set(rules.data.groups.flatMap((g) => g.rules.filter((r) => r.type === "alerting").map((r) => r.name)));
    for (const g of rules.data.groups) for (const r of g.rules) if (r.health === "err") errors.push(`rule ${r.name} fails to evaluate: ${r.lastError}`);
    // A healthy app, before any fault: every application panel must already have data (the
    // series an alert or panel reads exist at zero from start-up, they do not wait for an event).
    log("checking that every application panel returns data on the healthy app");
    await sleep(stack.spec.prometheus.scrapeInterval * 3);
    const healthyDashboards = await checkDashboards(stack);
    const ctx: ScenarioContext = { stack, spec: stack.spec, loadedAlerts };
    log(`running ${allScenarios().length} scenarios concurrently`);
    const scenarios = await Promise.all(
      allScenarios().map(async (s) => {
        const r = await s(ctx);
        log(`  ${r.ok ? "pass" : "FAIL"} ${r.name}${r.detectionSeconds !== undefined ? ` (${r.detectionSeconds.toFixed(1)} s)` : ""}${r.ok ? "" : `: ${r.failures.join("; ")}`}`);
        return r;
      }),
    );
    log("checking targets, host alerts and dashboard queries");
    const targets = await checkTargets(stack);
    const host = await checkHostAlerts(stack);
    const dashboards = await checkDashboards(stack);
    const downJobs = await instanceDownJobs(stack);
    let load: RunReport["load"];
    let loadError: string | undefined;
    if (options.skipBenchmark) loadError = "skipped (--skip-benchmark)";
    else {
      log("benchmark: 50 paths x 5 methods x 3 statuses");
      try {
        load = await measureUnderLoad(stack);
      } catch (e) {
        loadError = (e as Error).message;
      }
    }
    // The OTel exporter has a registry of its own: no civicpulse_* series may arrive twice.
    const doubled = await query(stack.promUrl, `count by (__name__) ({job="${JOBS.appOtel}",__name__=~"civicpulse_.*"})`).catch((e) => {
      errors.push(`could not check the OTel job for doubled series: ${(e as Error).message}`);
      return [];
    });
    if (doubled.length > 0) errors.push(`job ${JOBS.appOtel} exports catalog series too: ${doubled.map((d) => d.metric.__name__).join(", ")}`);
    for (const p of ["prometheus", "alertmanager"]) {
      const out = stack.sup.get(p).output();
      if (!stack.sup.get(p).running()) errors.push(`${p} exited during the run: ${out.slice(-1000)}`);
    }
    report = {
      startedAt: new Date(started),
      totalSeconds: 0,
      startupSeconds,
      startup: stack.startup,
      scenarios,
      targets,
      instanceDownJobs: downJobs,
      host,
      dashboards,
      healthyDashboards,
      app: `the example \`civicpulse\` Django project (instrumentation/django/example) with civicpulse_monitoring, under gunicorn (2 workers x 8 threads, prometheus_client multiprocess), on PostgreSQL 15 and redis-server, tracing to Jaeger v2 over OTLP/HTTP`,
      packages: pythonPackageVersions(),
      load,
      loadError,
      errors,
      versions: {
        prometheus: versionOf("prometheus"),
        alertmanager: versionOf("prometheus-alertmanager"),
        "node-exporter": versionOf("prometheus-node-exporter"),
        "blackbox-exporter": versionOf("prometheus-blackbox-exporter"),
        pushgateway: versionOf("prometheus-pushgateway"),
        jaeger: jaegerVersion(),
      },
    };
  } finally {
    log("stopping every process");
    await stack.stop();
  }
  const final: RunReport = { ...report!, totalSeconds: (Date.now() - started) / 1000 };
  return { report: final, markdown: renderReport(final), verdict: verdict(final) };
}
