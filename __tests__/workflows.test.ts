/**
 * The GitHub workflows, checked without GitHub: valid YAML of the expected shape, every npm script
 * and CLI flag they use exists, every job has a timeout and least-privilege permissions, actions
 * are pinned to a version, the PR comment marker is the one the diff CLI emits, the plan matrix and
 * the deployments come from `npm run environments` (one at a time, in its order) with monitoring-<env>
 * before grafana-<env>, and every shell step parses.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { USAGE as CI_METRICS_USAGE } from "../cli/ci-metrics";
import { USAGE as DIFF_USAGE } from "../cli/diff";
import { main as environmentsMain } from "../cli/environments";
import { environmentNames } from "../spec/load";
import { PRESETS } from "../spec/presets";
import { COMMENT_MARKER } from "../diff";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; bin: Record<string, string> };

type Job = Record<string, any>;
type Workflow = { name: string; on: any; permissions?: unknown; env?: Record<string, string>; concurrency?: unknown; jobs: Record<string, Job> };

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const workflows = new Map<string, { text: string; doc: Workflow }>(
  files.map((f) => {
    const text = readFileSync(path.join(DIR, f), "utf8");
    const parsed = parseDocument(text, { uniqueKeys: true });
    if (parsed.errors.length) throw new Error(`${f}: ${parsed.errors.map((e) => e.message).join("; ")}`);
    return [f, { text, doc: parsed.toJS() as Workflow }];
  }),
);
const wf = (f: string) => {
  const w = workflows.get(f);
  if (!w) throw new Error(`no workflow ${f}`);
  return w.doc;
};
const allJobs = [...workflows].flatMap(([f, { doc }]) => Object.entries(doc.jobs).map(([id, job]) => ({ file: f, id, job })));
const allSteps = allJobs.flatMap(({ file, id, job }) => ((job.steps ?? []) as Job[]).map((step, i) => ({ file, job: id, i, step })));
const runs = allSteps.filter((s) => typeof s.step.run === "string").map((s) => ({ ...s, run: s.step.run as string }));

/** Write scopes allowed, per job: everything else is read-only or none. */
const WRITE_ALLOWED: Record<string, string[]> = { "pr.yml#comment": ["pull-requests", "issues"] };

test("the four workflows exist and parse", () => {
  expect(files).toEqual(expect.arrayContaining(["deploy-environment.yml", "deploy.yml", "monitoring.yml", "pr.yml"]));
  for (const [f, { doc }] of workflows) {
    expect(typeof doc.name).toBe(`string`);
    expect(doc.on).toBeDefined();
    expect(Object.keys(doc.jobs).length).toBeGreaterThan(0);
    for (const [id, job] of Object.entries(doc.jobs)) {
      if (job.uses) continue;
      expect({ file: f, job: id, runsOn: typeof job["runs-on"] }).toEqual({ file: f, job: id, runsOn: "string" });
      expect(Array.isArray(job.steps) && job.steps.length > 0).toBe(true);
      for (const step of job.steps) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
    }
  }
});

test("triggers", () => {
  expect(Object.keys(wf("pr.yml").on)).toEqual(["pull_request"]);
  expect(wf("deploy.yml").on.push.branches).toEqual(["main"]);
  expect(wf("deploy-environment.yml").on.workflow_call.inputs.environment).toMatchObject({ required: true, type: "string" });
  expect(wf("monitoring.yml").on.workflow_run).toEqual({ workflows: [wf("pr.yml").name, wf("deploy.yml").name], types: ["completed"] });
});

test("every `npm run <script>` used exists in package.json", () => {
  const used = new Set<string>();
  for (const { run } of runs) for (const m of run.matchAll(/npm run (?:--silent |-s )?([A-Za-z0-9:_-]+)/g)) used.add(m[1]);
  expect([...used].sort()).toEqual(expect.arrayContaining(["build", "check", "diff", "synth"]));
  for (const s of used) expect({ script: s, exists: s in pkg.scripts }).toEqual({ script: s, exists: true });
  // npm test and npm ci are built in; npm test is the project's test command.
  expect(runs.some((r) => /^\s*npm test\b/m.test(r.run))).toBe(true);
  expect(pkg.scripts.test).toBeDefined();
});

test("every job has a timeout (reusable calls: every job of the called workflow)", () => {
  for (const { file, id, job } of allJobs) {
    if (job.uses) {
      const called = path.basename(job.uses);
      expect(job.uses).toBe(`./.github/workflows/${called}`);
      for (const [cid, cjob] of Object.entries(wf(called).jobs)) expect({ file: called, job: cid, t: typeof cjob["timeout-minutes"] }).toEqual({ file: called, job: cid, t: "number" });
      continue;
    }
    const t = job["timeout-minutes"];
    expect({ file, job: id, ok: typeof t === "number" && t > 0 && t <= 60 }).toEqual({ file, job: id, ok: true });
  }
});

test("least-privilege permissions: explicit everywhere, none at workflow level, write only where needed", () => {
  for (const [f, { doc, text }] of workflows) {
    expect({ file: f, workflowPermissions: doc.permissions }).toEqual({ file: f, workflowPermissions: {} });
    expect(text).not.toMatch(/write-all|read-all/);
  }
  for (const { file, id, job } of allJobs) {
    expect({ file, job: id, hasPermissions: typeof job.permissions === "object" && job.permissions !== null }).toEqual({ file, job: id, hasPermissions: true });
    const writes = Object.entries(job.permissions as Record<string, string>).filter(([, v]) => v === "write").map(([k]) => k).sort();
    expect({ file, job: id, writes }).toEqual({ file, job: id, writes: (WRITE_ALLOWED[`${file}#${id}`] ?? []).sort() });
    for (const v of Object.values(job.permissions as Record<string, string>)) expect(["read", "write", "none"]).toContain(v);
  }
});

test("actions are pinned to a version tag (or a full commit sha)", () => {
  const uses = allSteps.filter((s) => s.step.uses).map((s) => s.step.uses as string);
  expect(uses.length).toBeGreaterThan(10);
  for (const u of uses) expect(u).toMatch(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
});

test("the PR comment marker is the one the diff CLI emits, and the comment job finds the comment by it", () => {
  const { text } = workflows.get("pr.yml") as { text: string };
  const markers = [...text.matchAll(/<!--[^>]*-->/g)].map((m) => m[0]);
  expect(markers).toEqual([COMMENT_MARKER]);
  const script = wf("pr.yml").jobs.comment.steps.find((s: Job) => String(s.uses).startsWith("actions/github-script@")).with.script as string;
  expect(script).toContain(`const marker = "${COMMENT_MARKER}"`);
  expect(script).toMatch(/updateComment[\s\S]*createComment/);
  for (const label of ["monitoring:no-changes", "monitoring:changes", "monitoring:replaces"]) expect(script).toContain(`"${label}"`);
});

test("pr.yml: full history, node 20, install, test, synth, semantic diff, cdktf diff per stack", () => {
  const jobs = wf("pr.yml").jobs;
  const checkout = jobs["semantic-diff"].steps.find((s: Job) => String(s.uses).startsWith("actions/checkout@"));
  expect(checkout.with["fetch-depth"]).toBe(0);
  const nodeVersion = wf("pr.yml").env?.NODE_VERSION ?? "";
  for (const { file, step } of allSteps) {
    if (String(step.uses).startsWith("actions/setup-node@")) expect({ file, v: String(step.with["node-version"]).replace("${{ env.NODE_VERSION }}", nodeVersion) }).toEqual({ file, v: "20" });
  }
  const text = (job: string) => (jobs[job].steps as Job[]).map((s) => s.run ?? "").join("\n");
  expect(text("test")).toMatch(/npm ci[\s\S]*npm test[\s\S]*npm run check/);
  expect(text("semantic-diff")).toMatch(/npm run synth[\s\S]*npm run --silent diff -- --base "\$BASE_SHA" --head cdktf.out --format json/);
  expect(text("plan")).toContain('npx --yes "$CDKTF_CLI" diff "$stack"');
  expect(wf("pr.yml").env?.CDKTF_CLI).toBe("cdktf-cli@0.21.0");
  expectEnvironmentList(jobs);
  expect(jobs.plan.needs).toEqual(["environments"]);
  expect(jobs.plan.strategy.matrix.environment).toBe(FROM_LIST);
  expect(text("report")).toContain("--report .monitoring-diff/diff.json --plans .monitoring-diff/plans");
  // The job that can write runs no code from the pull request.
  expect(jobs.comment.steps.map((s: Job) => s.uses ?? "run")).toEqual(["actions/download-artifact@v4.3.0", "actions/github-script@v7.0.1"]);
});

test("every flag the workflows pass to the two CLIs exists", () => {
  const flags = (cmd: RegExp) =>
    runs.flatMap(({ run }) => run.split(/\n(?!\s*--)/).filter((l) => cmd.test(l))).flatMap((l) => [...l.matchAll(/(?<![\w-])(--[a-z][a-z-]+)/g)].map((m) => m[1]));
  const diffFlags = flags(/npm run --silent diff/).filter((f) => f !== "--silent");
  expect(diffFlags).toEqual(expect.arrayContaining(["--base", "--head", "--format", "--out", "--report", "--plans", "--label-out"]));
  for (const f of diffFlags) expect(DIFF_USAGE).toContain(`${f} `);
  const monitoring = (wf("monitoring.yml").jobs["push-metrics"].steps as Job[]).map((s) => s.run ?? "").join("\n");
  expect(monitoring).toContain('npx --no-install civicpulse-ci-metrics push "$@"');
  expect(pkg.bin["civicpulse-ci-metrics"]).toBe("dist/cli/ci-metrics.js");
  const pushFlags = [...monitoring.matchAll(/(?<![\w-])(--[a-z][a-z-]+)/g)].map((m) => m[1]).filter((f) => !["--no-install", "--no-audit", "--no-fund"].includes(f));
  expect(pushFlags).toEqual(expect.arrayContaining(["--pipeline", "--branch", "--run-id", "--status", "--duration-seconds", "--test-duration-seconds", "--coverage", "--deploy-environment", "--deploy-status", "--finished-at"]));
  for (const f of pushFlags) expect(CI_METRICS_USAGE).toContain(`${f} `);
});

/** Both the plan matrix and the deploy order are the list `npm run environments` prints. */
const FROM_LIST = "${{ fromJSON(needs.environments.outputs.list) }}";
function expectEnvironmentList(jobs: Record<string, Job>): void {
  const list = jobs.environments;
  expect(list.outputs).toEqual({ list: "${{ steps.list.outputs.list }}" });
  const step = (list.steps as Job[]).find((s) => s.id === "list");
  expect(step?.run.trim()).toBe('echo "list=$(npm run --silent environments -- --json)" >> "$GITHUB_OUTPUT"');
  expect((list.steps as Job[]).map((s) => s.run ?? "").join("\n")).toMatch(/npm ci[\s\S]*npm run --silent environments/);
}

test("npm run environments prints the deploy order as the JSON the matrix reads, a declared environment after its preset", () => {
  const root = mkdtempSync(path.join(tmpdir(), "civicpulse-environments-"));
  try {
    writeFileSync(path.join(root, "envs.yaml"), "qa:\n  basedOn: staging\nsandbox:\n  basedOn: dev\n");
    let out = "";
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (out += s) };
    expect(environmentsMain(["--json"], io, { CIVICPULSE_OVERRIDES: path.join(root, "envs.yaml") })).toBe(0);
    const listed = JSON.parse(out) as string[];
    expect(listed).toEqual(environmentNames({ declared: { qa: "staging", sandbox: "dev" } }));
    expect(listed).toEqual([...Object.keys(PRESETS).flatMap((p) => [p, ...(p === "dev" ? ["sandbox"] : p === "staging" ? ["qa"] : [])])]);
    expect(out.trim().split("\n")).toHaveLength(1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("deploy: one environment at a time in the list's order behind environments, monitoring-<env> before grafana-<env>", () => {
  const jobs = wf("deploy.yml").jobs;
  expectEnvironmentList(jobs);
  expect(Object.keys(jobs).sort()).toEqual(["deploy", "environments", "test"]);
  expect(jobs.deploy).toMatchObject({
    needs: ["test", "environments"],
    uses: "./.github/workflows/deploy-environment.yml",
    with: { environment: "${{ matrix.environment }}" },
    strategy: { "max-parallel": 1, "fail-fast": true, matrix: { environment: FROM_LIST } },
  });
  const deploy = wf("deploy-environment.yml").jobs.deploy;
  expect(deploy.environment).toEqual({ name: "${{ inputs.environment }}" });
  const steps = (deploy.steps as Job[]).map((s) => s.run ?? "");
  const monitoring = steps.findIndex((r) => r.includes('deploy "monitoring-${{ inputs.environment }}" --auto-approve'));
  const grafana = steps.findIndex((r) => r.includes('deploy "grafana-${{ inputs.environment }}" --auto-approve'));
  expect(monitoring).toBeGreaterThan(0);
  expect(grafana).toBeGreaterThan(monitoring);
  expect(wf("deploy.yml").concurrency).toEqual({ group: "deploy-main", "cancel-in-progress": false });
  // No workflow names an environment itself: the list is the only place.
  for (const [f, { text }] of workflows) expect({ file: f, named: text.match(/\[\s*dev\s*,|"dev"|environment: (dev|staging|prod)\b/g) }).toEqual({ file: f, named: null });
});

test("secrets reach steps only through env, never inline in a script", () => {
  for (const { file, job, run } of runs) expect({ file, job, inline: /\$\{\{\s*secrets\./.test(run) }).toEqual({ file, job, inline: false });
});

test("every shell step parses (bash -n)", () => {
  for (const { file, job, i, run } of runs) {
    const script = run.replace(/\$\{\{[^}]*\}\}/g, "EXPR");
    const r = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
    expect({ file, job, step: i, stderr: r.stderr }).toEqual({ file, job, step: i, stderr: "" });
  }
  expect(existsSync(path.join(DIR, "pr.yml"))).toBe(true);
});

test("receiver secrets: every job that plans or deploys exports ALERTMANAGER_RECEIVER_* as TF_VAR_* before it runs cdktf", () => {
  const jobs = [
    { file: "deploy-environment.yml", steps: wf("deploy-environment.yml").jobs.deploy.steps as Job[], cdktf: /"\$CDKTF_CLI" deploy/ },
    ...Object.values(wf("pr.yml").jobs)
      .filter((j) => ((j.steps ?? []) as Job[]).some((s) => /"\$CDKTF_CLI" diff/.test(s.run ?? "")))
      .map((j) => ({ file: "pr.yml", steps: j.steps as Job[], cdktf: /"\$CDKTF_CLI" diff/ })),
  ];
  expect(jobs.length).toBe(2);
  for (const { file, steps, cdktf } of jobs) {
    const exported = steps.findIndex((s) => s.run === "node scripts/receiver-secrets.js");
    const first = steps.findIndex((s) => cdktf.test(s.run ?? ""));
    expect(first).toBeGreaterThan(0);
    expect({ file, exported: exported >= 0, before: exported < first }).toEqual({ file, exported: true, before: true });
    expect(steps[exported].env).toEqual({ SECRETS_JSON: "${{ toJSON(secrets) }}" });
  }
});

test("scripts/receiver-secrets.js writes only receiver secrets, lower-cased, each value behind its own delimiter", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-receiver-secrets-"));
  try {
    const envFile = path.join(dir, "github_env");
    writeFileSync(envFile, "");
    const secrets = {
      ALERTMANAGER_RECEIVER_CHAT_API_URL: "https://hooks.slack.example/T0",
      ALERTMANAGER_RECEIVER_SECURITY_MAIL_AUTH_PASSWORD: "line one\nTF_VAR_grafana_auth=injected",
      GRAFANA_AUTH: "not a receiver secret",
      DOCKER_HOST: "ssh://deploy@example",
    };
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "receiver-secrets.js")], {
      env: { PATH: process.env.PATH, GITHUB_ENV: envFile, SECRETS_JSON: JSON.stringify(secrets) },
      encoding: "utf8",
    });
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toBe("receiver secrets: 2 exported as TF_VAR_* (alertmanager_receiver_chat_api_url, alertmanager_receiver_security_mail_auth_password)\n");
    // Parse GITHUB_ENV's heredoc form as the runner does: NAME<<DELIM, value lines, DELIM.
    const lines = readFileSync(envFile, "utf8").split("\n");
    const vars: Record<string, string> = {};
    for (let i = 0; i < lines.length && lines[i] !== ""; ) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)<<(EOF_[0-9a-f]{32})$/.exec(lines[i]);
      if (!m) throw new Error(`line ${i + 1} is not NAME<<DELIMITER: ${lines[i]}`);
      const end = lines.indexOf(m[2], i + 1);
      vars[m[1]] = lines.slice(i + 1, end).join("\n");
      i = end + 1;
    }
    expect(vars).toEqual({
      TF_VAR_alertmanager_receiver_chat_api_url: "https://hooks.slack.example/T0",
      TF_VAR_alertmanager_receiver_security_mail_auth_password: "line one\nTF_VAR_grafana_auth=injected",
    });
    const missing = spawnSync(process.execPath, [path.join(ROOT, "scripts", "receiver-secrets.js")], { env: { PATH: process.env.PATH }, encoding: "utf8" });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toBe("receiver-secrets: GITHUB_ENV is not set: run this as a GitHub Actions step\n");
    const before = readFileSync(envFile, "utf8");
    const bad = spawnSync(process.execPath, [path.join(ROOT, "scripts", "receiver-secrets.js")], { env: { PATH: process.env.PATH, GITHUB_ENV: envFile, SECRETS_JSON: "{not json" }, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^receiver-secrets: SECRETS_JSON is not JSON \(.+\): pass \$\{\{ toJSON\(secrets\) \}\}\n$/);
    expect(readFileSync(envFile, "utf8")).toBe(before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
