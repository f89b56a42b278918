import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { routeTestCases } from "../constructs/alertmanager/config";
import type { EnvironmentSpec } from "../spec/environment";

/**
 * What `npm run check` runs on one environment's rendered files: the same programs, with the same
 * arguments, that the tests run on the built-in presets (__tests__/promtool.test.ts,
 * alertmanager-config.test.ts, blackbox-exporter-config.test.ts), here on the user's configuration.
 * Pure: it reads the rendered folder, runs nothing.
 */

export type ToolName = "promtool" | "amtool" | "prometheus-blackbox-exporter";
export const CHECK_TOOLS: readonly ToolName[] = ["promtool", "amtool", "prometheus-blackbox-exporter"];

/** One process. */
export interface ToolJob {
  readonly tool: ToolName;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Which file or route case it is about, shown above the tool's own message when it fails. */
  readonly subject: string;
  /** Files whose bytes decide the result (with the tool binary): such a job's pass may be cached. */
  readonly cacheInputs?: readonly string[];
  /** Relative cost, so the longest jobs start first instead of finishing last, alone. */
  readonly weight: number;
  /**
   * A `promtool test rules` job whose test file (the last argument, relative to `cwd`) may run
   * against its rule closure (check/rule-closure.ts) instead of the whole rule files.
   */
  readonly ruleTest?: boolean;
}

/** One line of the summary: a check of one environment, made of one or more tool runs. */
export interface PlannedCheck {
  readonly environment: string;
  readonly name: string;
  /** "2 files", "21 cases": what the jobs are, counted. */
  readonly what: string;
  readonly jobs: readonly ToolJob[];
  /** Why the check does not apply to this environment (the service is disabled). */
  readonly skipped?: string;
}

const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** The rule files a promtool test file loads, as paths (its `rule_files`, relative to the test file). */
export function ruleFilesOf(testFile: string): string[] {
  const doc = parseYaml(readFileSync(testFile, "utf8")) as { rule_files?: unknown };
  const files = Array.isArray(doc?.rule_files) ? doc.rule_files.filter((f): f is string => typeof f === "string") : [];
  return files.map((f) => path.resolve(path.dirname(testFile), f));
}

function prometheusChecks(environment: string, prom: string): PlannedCheck[] {
  const testsDir = path.join(prom, "tests");
  const tests = existsSync(testsDir) ? readdirSync(testsDir).filter((f) => f.endsWith(".test.yml")).sort() : [];
  return [
    {
      environment,
      name: "promtool check config",
      what: "prometheus.yml",
      jobs: [{ tool: "promtool", args: ["check", "config", "prometheus.yml"], cwd: prom, subject: "prometheus.yml", weight: 1 }],
    },
    {
      environment,
      name: "promtool check rules",
      what: "2 files",
      jobs: [{ tool: "promtool", args: ["check", "rules", "recording_rules.yml", "alerting_rules.yml"], cwd: prom, subject: "recording_rules.yml, alerting_rules.yml", weight: 1 }],
    },
    {
      environment,
      name: "promtool test rules",
      what: count(tests.length, "file"),
      jobs: tests.map((f) => {
        const file = path.join(testsDir, f);
        return {
          tool: "promtool" as const,
          args: ["test", "rules", path.join("tests", f)],
          cwd: prom,
          subject: `tests/${f}`,
          cacheInputs: [file, ...ruleFilesOf(file)],
          // The longest cases (days of samples) are also the largest files.
          weight: statSync(file).size,
          ruleTest: true,
        };
      }),
    },
  ];
}

function alertmanagerChecks(spec: EnvironmentSpec, rendered: string): PlannedCheck[] {
  const environment = spec.name;
  const dir = path.join(rendered, "alertmanager");
  const file = "alertmanager.yml";
  if (!spec.services.alertmanager.enabled) {
    const skipped = "services.alertmanager.enabled is false";
    return [
      { environment, name: "amtool check-config", what: file, jobs: [], skipped },
      { environment, name: "amtool config routes test", what: "", jobs: [], skipped },
    ];
  }
  const cases = routeTestCases(spec.services.alertmanager.config);
  return [
    {
      environment,
      name: "amtool check-config",
      what: file,
      jobs: [{ tool: "amtool", args: ["check-config", file], cwd: dir, subject: file, weight: 1 }],
    },
    {
      environment,
      name: "amtool config routes test",
      what: count(cases.length, "case"),
      jobs: cases.map((c) => ({
        tool: "amtool" as const,
        args: [
          "config",
          "routes",
          "test",
          `--config.file=${file}`,
          `--verify.receivers=${c.expectReceivers.join(",")}`,
          ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`),
        ],
        cwd: dir,
        subject: `${c.name}: expected ${c.expectReceivers.join(", ")}`,
        weight: 1,
      })),
    },
  ];
}

function blackboxChecks(spec: EnvironmentSpec, rendered: string): PlannedCheck[] {
  const name = "blackbox_exporter --config.check";
  if (!spec.services.blackboxExporter.enabled) {
    return [{ environment: spec.name, name, what: "", jobs: [], skipped: "services.blackboxExporter.enabled is false" }];
  }
  const dir = path.join(rendered, "blackbox-exporter");
  return [
    {
      environment: spec.name,
      name,
      what: "config.yml",
      jobs: [{ tool: "prometheus-blackbox-exporter", args: ["--config.check", "--config.file=config.yml"], cwd: dir, subject: "config.yml", weight: 1 }],
    },
  ];
}

/** Every tool check of one environment, given the folder its monitoring stack's files were rendered to. */
export function planEnvironment(spec: EnvironmentSpec, rendered: string): PlannedCheck[] {
  return [...prometheusChecks(spec.name, path.join(rendered, "prometheus")), ...alertmanagerChecks(spec, rendered), ...blackboxChecks(spec, rendered)];
}
