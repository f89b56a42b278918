import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { renderPrometheusConfig } from "../constructs/prometheus/config";
import { prometheusSpecSchema, targetsSpecSchema } from "../spec/prometheus";
import { catalog } from "../spec/catalog";
import { APP_METRICS_PATH, JOBS } from "../spec/jobs";
import { normalizePath, PATH_CASES, PATH_ID_SEGMENT } from "../rules/paths";
import { djangoGeneratedFiles, renderDjangoCatalog } from "../scripts/generate-django-metrics";

/**
 * The Django package's copy of the contract (instrumentation/django) is generated from the catalog:
 * the checked-in files must equal a fresh render, and the scrape side must apply the same rules.
 */

const ROOT = path.resolve(__dirname, "..");

describe("generated Django metric definitions", () => {
  test.each(djangoGeneratedFiles().map(([rel, content]) => [rel, content] as const))("%s is fresh (npm run gen:django)", (rel, content) => {
    expect(readFileSync(path.join(ROOT, rel), "utf8")).toBe(content);
  });

  test("every app metric is there with its buckets, and nothing else", () => {
    const py = renderDjangoCatalog();
    for (const m of Object.values(catalog)) {
      if (m.source === "civicpulse-app") expect(py).toContain(`"name": "${m.name}"`);
      else expect(py).not.toContain(`"${m.name}"`);
    }
    expect(py).toContain(`"buckets": [${catalog.requestDuration.buckets.join(", ")}]`);
    expect(py).toContain(`METRICS_PATH = "${APP_METRICS_PATH}"`);
  });
});

describe("path normalization: one rule set for the scrape config and the package", () => {
  test.each(PATH_CASES.map((c) => [c.path, c.normalized] as const))("%s -> %s", (p, expected) => {
    expect(normalizePath(p)).toBe(expected);
  });
});

function scrapeJobs(prometheus: unknown = {}): Array<Record<string, unknown>> {
  const yml = renderPrometheusConfig({
    environment: "test",
    prometheus: prometheusSpecSchema.parse(prometheus),
    targets: targetsSpecSchema.parse({}),
    ruleFiles: [],
    alertmanagers: ["alertmanager:9093"],
  });
  return (parse(yml) as { scrape_configs: Array<Record<string, unknown>> }).scrape_configs;
}
const job = (jobs: Array<Record<string, unknown>>, name: string) => jobs.find((j) => j.job_name === name)!;

describe("scrape side of the app contract", () => {
  test("the app job scrapes what the package serves, drops _created and normalizes paths with the shared rule", () => {
    const app = job(scrapeJobs(), JOBS.app);
    expect(app.metrics_path).toBe(APP_METRICS_PATH);
    const relabels = app.metric_relabel_configs as Array<Record<string, unknown>>;
    expect(relabels[0]).toEqual({ source_labels: ["__name__"], regex: ".+_created", action: "drop" });
    expect(relabels.filter((r) => r.regex === PATH_ID_SEGMENT)).toHaveLength(2);
    expect(job(scrapeJobs(), JOBS.appOtel).metric_relabel_configs).toContainEqual({ source_labels: ["__name__"], regex: ".+_created", action: "drop" });
  });

  test("metrics_path is configurable per job; other jobs keep Prometheus' default", () => {
    const jobs = scrapeJobs({ metricsPaths: { [JOBS.app]: "/metrics", [JOBS.appOtel]: "/otel/metrics" } });
    expect(job(jobs, JOBS.app).metrics_path).toBe("/metrics");
    expect(job(jobs, JOBS.appOtel).metrics_path).toBe("/otel/metrics");
    expect(job(jobs, JOBS.nodeExporter).metrics_path).toBeUndefined();
    // Overriding another job keeps the app's default.
    expect(job(scrapeJobs({ metricsPaths: { [JOBS.appOtel]: "/x" } }), JOBS.app).metrics_path).toBe(APP_METRICS_PATH);
  });

  test.each([
    [{ "no-such-job": "/metrics" }, 'unknown job "no-such-job"'],
    [{ [JOBS.app]: "metrics" }, 'an absolute URL path such as "/metrics"'],
  ])("a bad metricsPaths entry is rejected, naming it: %j", (metricsPaths, message) => {
    const r = prometheusSpecSchema.safeParse({ metricsPaths });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")).toContain(message);
  });
});
