import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthesizeAll } from "../stacks/app";
import { BUILT_IN_NAMES, EMPTY_ROOT } from "./helpers/environments";

/**
 * Known secret values are put where a user would put them (TF_VAR_* for the Terraform variables,
 * and CIVICPULSE_* names someone might try), then every stack is synthesized to disk the way
 * `npm run synth` does. None of the values may appear in any output file: cdk.tf.json, the bodies
 * of its base64 uploads (decoded), or the rendered/ files.
 */

const SECRETS: Record<string, string> = {
  TF_VAR_grafana_admin_password: "Gr4fana-SECRET-pw-7f3a9c",
  TF_VAR_alertmanager_receiver_chat_api_url: "https://hooks.slack.com/services/T0SECRET/B0SECRET/slackSECRET8d2e",
  TF_VAR_alertmanager_receiver_pager_routing_key: "pd-routing-SECRET-41b7e0c2d9",
  TF_VAR_alertmanager_receiver_escalation_routing_key: "pd-escalation-SECRET-90ac13f5e7",
  TF_VAR_alertmanager_receiver_heartbeat_url: "https://deadman.example.com/ping/SECRET-hb-5e6f",
  TF_VAR_postgres_exporter_password: "pg-exporter-SECRET-c0ffee",
  TF_VAR_redis_password: "redis-SECRET-b4dc0de",
  CIVICPULSE_GRAFANA_ADMIN_PASSWORD: "cp-grafana-SECRET-a1b2c3",
  CIVICPULSE_PROD_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T1/B1/cpSECRETslack",
  CIVICPULSE_PAGERDUTY_ROUTING_KEY: "cp-pd-SECRET-d4e5f6",
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every text a reader of the output could see: each file, and each base64 upload decoded. */
function visibleTexts(outdir: string): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  for (const file of filesUnder(outdir)) {
    const text = readFileSync(file, "utf8");
    out.push({ where: file, text });
    if (file.endsWith(".json")) {
      JSON.parse(text, (key, value) => {
        if (key === "content_base64" && typeof value === "string") out.push({ where: `${file} (decoded upload)`, text: Buffer.from(value, "base64").toString("utf8") });
        return value;
      });
    }
  }
  return out;
}

const leaks = (texts: Array<{ where: string; text: string }>, values: string[]) =>
  texts.flatMap((t) => values.filter((v) => t.text.includes(v) || t.text.includes(Buffer.from(v).toString("base64"))).map((v) => `${v} in ${t.where}`));

describe("secrets never land in synthesized output", () => {
  const saved: Record<string, string | undefined> = {};
  let outdir = "";
  let texts: Array<{ where: string; text: string }> = [];

  beforeAll(() => {
    for (const [k, v] of Object.entries(SECRETS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    outdir = path.join(mkdtempSync(path.join(tmpdir(), "civicpulse-secrets-")), "cdktf.out");
    synthesizeAll({ rootDir: EMPTY_ROOT, env: process.env, outdir });
    texts = visibleTexts(outdir);
  });

  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(path.dirname(outdir), { recursive: true, force: true });
  });

  test("the output is there: every stack (monitoring and grafana), rendered files, decoded uploads", () => {
    const stacks = texts.filter((t) => t.where.endsWith("cdk.tf.json")).map((t) => path.basename(path.dirname(t.where)));
    expect(stacks).toEqual(expect.arrayContaining(BUILT_IN_NAMES.map((e) => `monitoring-${e}`)));
    expect(texts.some((t) => t.where.includes("/rendered/alertmanager/alertmanager.yml"))).toBe(true);
    // About nine config uploads per monitoring stack.
    expect(texts.filter((t) => t.where.endsWith("(decoded upload)")).length).toBeGreaterThan(20);
  });

  test("no secret value (nor its base64) appears in any file or decoded upload", () => {
    expect(leaks(texts, Object.values(SECRETS))).toEqual([]);
  });

  test("the scan would find a leak (control)", () => {
    const value = SECRETS.TF_VAR_alertmanager_receiver_pager_routing_key;
    expect(leaks([{ where: "x", text: `routing_key: ${value}` }], [value])).toEqual([`${value} in x`]);
    expect(leaks([{ where: "y", text: Buffer.from(value).toString("base64") }], [value])).toHaveLength(1);
  });

  test("secret files are uploads whose content is a reference to a sensitive variable", () => {
    const json = JSON.parse(readFileSync(path.join(outdir, "stacks", "monitoring-prod", "cdk.tf.json"), "utf8"));
    const receivers = ["chat_api_url", "pager_routing_key", "escalation_routing_key", "heartbeat_url"];
    for (const name of ["grafana_admin_password", ...receivers.map((r) => `alertmanager_receiver_${r}`), "postgres_exporter_password", "redis_password"]) {
      expect(json.variable[name]).toMatchObject({ sensitive: true, type: "string" });
    }
    // Only the optional Redis password has a default (empty): the rest must be set by the user.
    expect(Object.entries(json.variable as Record<string, { default?: unknown }>).filter(([, v]) => "default" in v).map(([k]) => k)).toEqual(["redis_password"]);
    const containers = Object.values(json.resource.docker_container as Record<string, { name: string; upload?: Array<{ file: string; content?: string }>; env?: string[] }>);
    const byName = Object.fromEntries(containers.map((c) => [c.name, c]));
    const plain = (c: { upload?: Array<{ file: string; content?: string }> }) =>
      Object.fromEntries((c.upload ?? []).filter((u) => u.content !== undefined).map((u) => [u.file, u.content]));
    // Each receiver's secret: the file <receiver>_<field>, from the variable alertmanager_receiver_<receiver>_<field>.
    expect(plain(byName["civicpulse-prod-alertmanager"])).toEqual(
      Object.fromEntries(receivers.map((r) => [`/etc/alertmanager/secrets/${r}`, `\${var.alertmanager_receiver_${r}}`])),
    );
    expect(plain(byName["civicpulse-prod-grafana"])).toEqual({ "/run/secrets/grafana_admin_password": "${var.grafana_admin_password}" });
    // No admin/admin: the password is only ever read from the file.
    const grafanaEnv = byName["civicpulse-prod-grafana"].env ?? [];
    expect(grafanaEnv).toContain("GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password");
    expect(grafanaEnv.some((e) => e.startsWith("GF_SECURITY_ADMIN_PASSWORD="))).toBe(false);
    // Every plain `content` upload in every container is a variable reference, never a literal.
    for (const c of containers) for (const content of Object.values(plain(c))) expect(content).toMatch(/^\$\{var\.[a-z_]+\}$/);
  });
});
