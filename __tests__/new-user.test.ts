/**
 * A new user's tasks, end to end through the real bin (package.json's `civicpulse-check`): add an
 * environment by configuration, add receivers to it, and `npm run check` passes on each result; a
 * broken receiver fails with a message that names the field. Each run uses a temporary override file
 * and its own temp folder, which must be empty afterwards.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers/temp";

const ROOT = path.resolve(__dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
const BIN = path.join(ROOT, pkg.bin["civicpulse-check"]);

const work = tempDir("civicpulse-new-user-");
const cacheFile = path.join(work, "rule-tests.json");

beforeAll(() => {
  // The bin is the compiled CLI: compile first so it is this tree's code.
  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: ROOT, stdio: "pipe" });
}, 600_000);

function check(overrides: string, name: string) {
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(file, overrides);
  const tmp = tempDir(`civicpulse-new-user-${name}-tmp-`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CIVICPULSE_")));
  const r = spawnSync(process.execPath, [BIN, "--overrides", file, "--environment", "qa", "--cache-file", cacheFile], {
    cwd: work,
    env: { ...env, TMPDIR: tmp },
    encoding: "utf8",
    timeout: 1_500_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, leftovers: readdirSync(tmp) };
}

const QA = "qa:\n  basedOn: staging\n  team: qa\n  prometheus:\n    retentionTime: 2d\n";
const RECEIVERS = `${QA}  services:
    alertmanager:
      config:
        receivers:
          chat: { channel: "#qa-alerts" }
          security-mail:
            type: email
            to: security@example.com
            from: alertmanager@example.com
            smarthost: smtp.example.com:587
            authUsername: alertmanager
            match: { severities: [warning, critical], categories: [security] }
          ops: { type: opsgenie, teams: [QA], match: { severities: [emergency] } }
`;

test("an environment added by configuration passes every check", () => {
  const r = check(QA, "environment");
  expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.stringContaining("synthesizing qa") });
  expect(r.stdout).toContain("civicpulse check: qa from the presets and environment.yaml");
  for (const name of ["promtool check config", "promtool check rules", "promtool test rules", "amtool check-config", "amtool config routes test", "blackbox_exporter --config.check"]) {
    expect(r.stdout).toMatch(new RegExp(`^✓ qa +${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
  }
  expect(r.stdout).toMatch(/^\d+ passed, 0 failed/m);
  expect(r.leftovers).toEqual([]);
}, 1_500_000);

test("receivers added to it pass too (amtool proves every one); the rule tests it did not change are not rerun", () => {
  const r = check(RECEIVERS, "receivers");
  expect({ code: r.code, out: r.stdout.slice(-3000) }).toEqual({ code: 0, out: expect.stringMatching(/0 failed/) });
  expect(r.stdout).toMatch(/^✓ qa +amtool config routes test +\d+ cases$/m);
  expect(r.stdout).toMatch(/^✓ qa +promtool test rules +(\d+) files, \1 passed before on identical files$/m);
  expect(r.leftovers).toEqual([]);
}, 1_500_000);

test("a broken receiver fails the check with a message naming the field and the value", () => {
  const r = check(RECEIVERS.replace("to: security@example.com", "to: security-at-example.com"), "broken");
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^✗ qa +configuration/m);
  expect(r.stdout).toContain('services.alertmanager.config.receivers.security-mail.to: an email address such as oncall@example.com (got "security-at-example.com")');
  expect(r.stdout).toMatch(/^0 passed, 1 failed/m);
  expect(r.stdout).not.toContain("next:");
  expect(r.leftovers).toEqual([]);
}, 600_000);
