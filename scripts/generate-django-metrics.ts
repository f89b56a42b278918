/**
 * Generates the Django package's copy of the metric contract from the TypeScript side, which owns
 * it: instrumentation/django/civicpulse_monitoring/metrics_catalog.py (every civicpulse-app metric
 * of spec/catalog.ts with its type, labels, help, buckets and zero-initialised label values; the
 * metrics and health paths; the path-normalization rules of rules/paths.ts) and the shared path
 * test vectors that pytest checks the package against. A jest test regenerates both and compares
 * (__tests__/django-catalog.test.ts), so a renamed metric or a changed bucket breaks both builds.
 *
 *   npm run gen:django          writes the files
 *   npm run gen:django -- --check   exits 1 when a file is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { catalog, CatalogKey, MetricDefinition } from "../spec/catalog";
import { APP_METRICS_PATH, DETAILED_HEALTH_PATH, HEALTH_PATHS } from "../spec/jobs";
import { PATH_CASES, PATH_ID_SEGMENT, PATH_NORMALIZE_PASSES } from "../rules/paths";

export const DJANGO_PACKAGE_DIR = path.join("instrumentation", "django");
export const CATALOG_MODULE = path.join(DJANGO_PACKAGE_DIR, "civicpulse_monitoring", "metrics_catalog.py");
export const PATH_VECTORS = path.join(DJANGO_PACKAGE_DIR, "tests", "path_cases.json");

/** Python's snake_case for a catalog key (requestsTotal -> requests_total). */
export function pythonName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** JSON of strings, numbers, lists and objects is also a Python literal; keys sorted for stable output. */
function literal(value: unknown, indent = 0): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, indent)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${pad}    ${JSON.stringify(k)}: ${literal(v, indent + 4)},`).join("\n")}\n${pad}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  if (typeof value === "boolean" || value === null || value === undefined) throw new Error(`no Python literal for ${String(value)}`);
  return JSON.stringify(value);
}

export function renderDjangoCatalog(): string {
  const metrics: Record<string, unknown> = {};
  for (const key of Object.keys(catalog) as CatalogKey[]) {
    const m: MetricDefinition = catalog[key];
    if (m.source !== "civicpulse-app") continue;
    metrics[pythonName(key)] = {
      name: m.name,
      type: m.type,
      labels: [...m.labels],
      help: m.help,
      ...(m.buckets ? { buckets: [...m.buckets] } : {}),
      initial_label_values: Object.fromEntries(Object.entries(m.initialLabelValues ?? {}).map(([k, v]) => [k, [...v]])),
    };
  }
  return [
    '"""The CivicPulse metric contract, generated from spec/catalog.ts by scripts/generate-django-metrics.ts.',
    "",
    "Do not edit: change the catalog and run `npm run gen:django`; a jest test fails while this file is stale.",
    '"""',
    "",
    `METRICS = ${literal(metrics)}`,
    "",
    "# Where the package serves its metrics: the scrape job's default metrics_path.",
    `METRICS_PATH = ${JSON.stringify(APP_METRICS_PATH)}`,
    "# Probed by blackbox: excluded from request metrics by default.",
    `HEALTH_PATHS = ${literal([...HEALTH_PATHS, DETAILED_HEALTH_PATH])}`,
    `DETAILED_HEALTH_PATH = ${JSON.stringify(DETAILED_HEALTH_PATH)}`,
    "",
    "# The scrape config's path relabeling (rules/paths.ts): an anchored full match, applied this many times.",
    `PATH_ID_SEGMENT = ${JSON.stringify(PATH_ID_SEGMENT)}`,
    `PATH_NORMALIZE_PASSES = ${PATH_NORMALIZE_PASSES}`,
    "",
  ].join("\n");
}

export function renderPathVectors(): string {
  return JSON.stringify(PATH_CASES.map((c) => ({ path: c.path, normalized: c.normalized })), null, 2) + "\n";
}

export function djangoGeneratedFiles(): Array<[string, string]> {
  return [
    [CATALOG_MODULE, renderDjangoCatalog()],
    [PATH_VECTORS, renderPathVectors()],
  ];
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..", __dirname.includes(`${path.sep}dist${path.sep}`) ? ".." : "");
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [rel, content] of djangoGeneratedFiles()) {
    const file = path.join(root, rel);
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {
      // missing: stale
    }
    if (current === content) continue;
    if (check) {
      console.error(`gen:django: ${rel} is stale; run npm run gen:django`);
      stale++;
    } else {
      writeFileSync(file, content);
      console.error(`gen:django: wrote ${rel}`);
    }
  }
  process.exit(stale > 0 ? 1 : 0);
}
