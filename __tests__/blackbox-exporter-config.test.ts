import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { BLACKBOX_MODULES, healthyBodyCel, renderBlackboxConfig } from "../constructs/blackbox-exporter/config";
import { BLACKBOX_MODULES as JOB_MODULES } from "../spec/jobs";
import { runTool } from "./helpers/tools";
import { blackboxExporterSpecSchema } from "../spec/blackbox-exporter";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "blackbox-config-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (name: string, content: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return runTool("prometheus-blackbox-exporter", ["--config.check", `--config.file=${file}`]);
};

describe("rendered blackbox.yml", () => {
  const spec = blackboxExporterSpecSchema.parse({});
  const rendered = renderBlackboxConfig(spec);

  test("blackbox_exporter --config.check accepts it", () => {
    const res = check("ok.yml", rendered);
    expect({ status: res.status, out: res.stdout + res.stderr }).toMatchObject({ status: 0 });
  });

  test("--config.check rejects a broken file (an invalid CEL expression, an unknown field)", () => {
    const broken = rendered.replace('"healthy", "ok"]', '"healthy", "ok"');
    expect(broken).not.toBe(rendered);
    const badCel = check("bad-cel.yml", broken);
    expect(badCel.status).not.toBe(0);
    expect(badCel.stdout + badCel.stderr).toMatch(/cel/i);
    const unknownField = check("unknown-field.yml", rendered.replace("prober: tcp", "prober: tcp\n    retries: 3"));
    expect(unknownField.status).not.toBe(0);
    expect(unknownField.stdout + unknownField.stderr).toMatch(/field retries not found/);
  });

  test("defines exactly the modules prometheus.yml refers to, with the promised settings", () => {
    const doc = parseYaml(rendered) as { modules: Record<string, any> };
    expect(Object.keys(doc.modules).sort()).toEqual(Object.values(JOB_MODULES).sort());
    expect(BLACKBOX_MODULES).toBe(JOB_MODULES);
    const http2xx = doc.modules[BLACKBOX_MODULES.http2xx];
    expect(http2xx).toMatchObject({ prober: "http", timeout: "5s", http: { method: "GET", follow_redirects: true, preferred_ip_protocol: "ip4" } });
    expect(http2xx.http.valid_status_codes).toBeUndefined(); // exporter default: any 2xx
    const detailed = doc.modules[BLACKBOX_MODULES.healthDetailed];
    expect(detailed.http.fail_if_body_json_not_matches_cel).toBe('has(body.status) && body.status in ["healthy", "ok"]');
    expect(detailed.http.fail_if_body_not_matches_regexp).toBeUndefined();
    expect(doc.modules[BLACKBOX_MODULES.tcpConnect]).toMatchObject({ prober: "tcp", tcp: { preferred_ip_protocol: "ip4" } });
  });

  test("the CEL check lists the spec's healthy statuses", () => {
    expect(healthyBodyCel(blackboxExporterSpecSchema.parse({ healthyStatuses: ["green"] }))).toBe('has(body.status) && body.status in ["green"]');
  });

  test("matches the snapshot and is deterministic", () => {
    expect(rendered).toMatchSnapshot();
    expect(renderBlackboxConfig(blackboxExporterSpecSchema.parse({}))).toBe(rendered);
  });
});

describe("spec validation", () => {
  test("a bad value names the field path", () => {
    const result = blackboxExporterSpecSchema.safeParse({ healthyStatuses: ["healthy", "ok|.*"] });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["healthyStatuses", 1]);
    const timeout = blackboxExporterSpecSchema.safeParse({ timeout: "0s" });
    expect(timeout.success).toBe(false);
    expect(timeout.error!.issues[0].path).toEqual(["timeout"]);
  });

  test("overrides reach the file", () => {
    const rendered = renderBlackboxConfig(blackboxExporterSpecSchema.parse({ timeout: "3s", preferredIpProtocol: "ip6", healthyStatuses: ["pass"] }));
    expect(rendered).toContain("timeout: 3s");
    expect(rendered).toContain("preferred_ip_protocol: ip6");
    expect(rendered).toContain('body.status in ["pass"]');
    expect(check("override.yml", rendered).status).toBe(0);
  });
});
