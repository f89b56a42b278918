import * as path from "node:path";
import { Testing } from "cdktf";
import { routeTestCases } from "../constructs/alertmanager/config";
import { RenderedFiles } from "../constructs/common/rendered-files";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { builtInEnvironments, writeTree } from "./helpers/environments";
import { runTool } from "./helpers/tools";

/**
 * The files each environment's stack actually ships, judged by the real tools: every
 * environment's Alertmanager file by amtool (config and routes), its blackbox modules by
 * blackbox_exporter. (prometheus.yml and the rules are covered by promtool.test.ts.)
 */
describe.each(builtInEnvironments().map((s) => [s.name, s] as const))("%s stack's shipped configs", (_name, spec) => {
  const stack = new MonitoringStack(Testing.app(), spec);
  const dir = writeTree(RenderedFiles.of(stack).entries(), `civicpulse-shipped-${spec.name}-`);

  test("amtool check-config accepts alertmanager.yml", () => {
    const r = runTool("amtool", ["check-config", path.join(dir, "alertmanager", "alertmanager.yml")]);
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  test("amtool config routes test: each severity and category reaches its receivers", () => {
    const file = path.join(dir, "alertmanager", "alertmanager.yml");
    for (const c of routeTestCases(spec.services.alertmanager.config)) {
      const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
      const r = runTool("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${c.expectReceivers.join(",")}`, ...labels]);
      expect({ case: c.name, status: r.status, got: r.stdout.trim() }).toEqual({ case: c.name, status: 0, got: c.expectReceivers.join(",") });
    }
  });

  test("blackbox_exporter --config.check accepts the modules", () => {
    const r = runTool("prometheus-blackbox-exporter", ["--config.check", `--config.file=${path.join(dir, "blackbox-exporter", "config.yml")}`]);
    expect(r.status).toBe(0);
  });
});
