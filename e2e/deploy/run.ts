import { cpSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { toSeconds } from "../../spec/duration";
import { deployedSecretVariables, DEPLOYED_DISABLED, DEPLOYED_DOCKER_PROVIDER_VERSION, DEPLOYED_IMAGES, DEPLOYED_PORTS, loadDeployedEnvironment } from "../../spec/deployed";
import { EnvironmentSpec } from "../../spec/environment";
import { WebhookRecorder } from "../recorder";
import { pushRun, ScenarioResult, ScenarioStack } from "../scenarios";
import { sleep, until } from "../supervisor";
import { applyCounts, cdktf, DeployEnv, OUT, setPatch, STACK, STACK_DIR, terraform, WORK, writeProject } from "./cdktf";
import { activeTargets, Check, check, ContainerHealth, getJson, loadedRules, waitHealthy } from "./checks";
import { DATABASES, removeDatabases, runDatabases, startDatabase, stopDatabase } from "./databases";
import { comparePlanToDiff, PlanRow } from "./plan-vs-diff";
import { runDeployedScenarios } from "./scenarios";
import { docker, ROOT, runAsync, StepError, tail } from "./tools";

/**
 * `npm run verify:deploy`: a real `cdktf deploy` of the deployed e2e environment's monitoring
 * stack onto the private engine, then health, scrape targets, rule files and routing, the live
 * scenarios, the day-2 operations (no-change plan, a threshold change against the PR preview's
 * prediction, scrape gap, pending alerts, kept samples) and `cdktf destroy`.
 */

export const NETWORK = "civicpulse-deploy-monitoring";
/** The docker0 gateway of the private engine (scripts/deploy-engine.sh, DEPLOY_BRIDGE_CIDR). */
export const BRIDGE_GATEWAY = (process.env.DEPLOY_BRIDGE_CIDR ?? "172.31.250.1/24").split("/")[0];
export const RECORDER_PORT = 18090;
const LABEL = "civicpulse.environment=deploy";

/** The threshold change of the day-2 measurement (a rule file edit) and the pending-alert probe. */
export const PENDING_PROBE = { alert: "CITestCoverageLow", for: 120, pipeline: "day2-pending" } as const;
export const THRESHOLD_CHANGE = { alerts: { HostHighCpuUsage: { cpuPercent: 95 } } } as const;

export interface DeployReport {
  readonly providerVersion: string;
  readonly terraform: string;
  readonly disabled: Readonly<Record<string, string>>;
  readonly timings: Record<string, number>;
  readonly containers: ContainerHealth[];
  readonly scenarios: ScenarioResult[];
  readonly checks: Check[];
  readonly planVsDiff: PlanRow[];
  readonly day2: {
    secondDeploy?: { added: number; changed: number; destroyed: number };
    noChangePlanChanges?: number;
    ruleChange?: { planned: string[]; scrapeGapSeconds?: number; scrapeIntervalSeconds: number; samplesBefore?: number; samplesAfter?: number; pending?: string };
  };
  readonly volumesAfterDestroy: string[];
  /** The hardening each deployed service ran with (services.<name>.hardening). */
  readonly hardening: Record<string, string>;
  readonly error?: string;
}

interface HardeningView {
  dropAllCapabilities: boolean;
  capAdd: readonly string[];
  noNewPrivileges: boolean;
  readOnlyRootFilesystem: boolean;
  user: string | null;
}

function describeHardening(h: HardeningView): string {
  const parts = [
    h.dropAllCapabilities ? `cap_drop ALL${h.capAdd.length ? ` + ${h.capAdd.join(", ")}` : ""}` : "capabilities kept",
    h.noNewPrivileges ? "no-new-privileges" : "new privileges allowed",
    h.readOnlyRootFilesystem ? "read-only rootfs" : "writable rootfs",
    ...(h.user ? [`user ${h.user}`] : []),
  ];
  return parts.join(", ");
}

function hardeningOf(spec: EnvironmentSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, svc] of Object.entries(spec.services)) {
    const s = svc as { enabled?: boolean; hardening?: HardeningView };
    if (s.enabled && s.hardening) out[name] = describeHardening(s.hardening);
  }
  return out;
}

const promUrl = `http://127.0.0.1:${DEPLOYED_PORTS.prometheus}`;
const amUrl = `http://127.0.0.1:${DEPLOYED_PORTS.alertmanager}`;
const pushgatewayUrl = `http://127.0.0.1:${DEPLOYED_PORTS.pushgateway}`;
const toxiproxyUrl = `http://127.0.0.1:${DEPLOYED_PORTS.toxiproxy}`;

/** Containers, network and volumes of an earlier run that did not finish (also the databases). */
function removeLeftovers(): void {
  removeDatabases();
  const ids = docker(["ps", "-aq", "--filter", `label=${LABEL}`], "list leftover containers").split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids], "remove leftover containers");
  docker(["network", "rm", NETWORK], "remove leftover network", true);
  const vols = docker(["volume", "ls", "-q", "--filter", "name=civicpulse-deploy-"], "list leftover volumes").split("\n").filter(Boolean);
  if (vols.length) docker(["volume", "rm", ...vols], "remove leftover volumes");
  rmSync(WORK, { recursive: true, force: true });
}

function preflight(jaeger: boolean): void {
  try {
    docker(["version", "--format", "{{.Server.Version}}"], "engine");
  } catch (e) {
    throw new StepError("engine", `no Docker Engine answers on the private socket (bash scripts/deploy-engine.sh start): ${(e as Error).message}`);
  }
  const images = Object.entries(DEPLOYED_IMAGES).filter(([k]) => jaeger || k !== "jaeger").map(([, v]) => v);
  const missing = [...images, ...Object.values(DATABASES).map((d) => d.image)].filter((i) => docker(["image", "inspect", i], "image", true) === "");
  if (missing.length) throw new StepError("images", `missing in the engine: ${missing.join(", ")} (bash scripts/build-deploy-images.sh)`);
}

/** The long-running containers (with a healthcheck) and the one-shot ones (must_run false: the config loader). */
function containersOfStack(): { services: string[]; oneShot: string[] } {
  const tf = JSON.parse(readFileSync(path.join(STACK_DIR, "cdk.tf.json"), "utf8")) as { resource: { docker_container: Record<string, { name: string; must_run?: boolean }> } };
  const all = Object.values(tf.resource.docker_container);
  return { services: all.filter((c) => c.must_run !== false).map((c) => c.name).sort(), oneShot: all.filter((c) => c.must_run === false).map((c) => c.name).sort() };
}

function exitCode(container: string): string {
  return docker(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", container], "inspect one-shot container");
}

/** Raw samples of a series over the last `seconds`, as [unix seconds] timestamps. */
async function sampleTimes(expr: string, seconds: number, at?: number): Promise<number[]> {
  const q = new URLSearchParams({ query: `${expr}[${Math.round(seconds)}s]`, ...(at ? { time: String(at) } : {}) });
  const r = await getJson<{ data: { result: Array<{ values: Array<[number, string]> }> } }>(`${promUrl}/api/v1/query?${q}`);
  return (r.data.result[0]?.values ?? []).map(([t]) => t);
}

async function pendingAlert(): Promise<{ state: string; activeAt: string } | undefined> {
  const r = await getJson<{ data: { alerts: Array<{ labels: Record<string, string>; state: string; activeAt: string }> } }>(`${promUrl}/api/v1/alerts`);
  return r.data.alerts.find((a) => a.labels.alertname === PENDING_PROBE.alert && a.labels.pipeline === PENDING_PROBE.pipeline);
}

export async function runDeployVerification(log: (l: string) => void, jaeger: boolean): Promise<DeployReport> {
  const timings: Record<string, number> = {};
  const checks: Check[] = [];
  const report: DeployReport = {
    providerVersion: DEPLOYED_DOCKER_PROVIDER_VERSION,
    terraform: (await runAsync("terraform", ["version"])).out.split("\n")[0],
    disabled: { ...DEPLOYED_DISABLED, ...(jaeger ? {} : { jaeger: "the Jaeger binary is not built (.tools/go/bin/jaeger)" }) },
    timings,
    containers: [],
    scenarios: [],
    checks,
    planVsDiff: [],
    day2: {},
    volumesAfterDestroy: [],
    hardening: {},
  };
  const recorder = new WebhookRecorder();
  const secrets = deployedSecretVariables(`http://${BRIDGE_GATEWAY}:${RECORDER_PORT}`);
  const d: DeployEnv = { secrets, jaeger };
  const spec: EnvironmentSpec = loadDeployedEnvironment({ jaeger });
  Object.assign(report.hardening, hardeningOf(spec));
  let deployed = false;
  try {
    preflight(jaeger);
    removeLeftovers();
    writeProject();
    await recorder.start(BRIDGE_GATEWAY, RECORDER_PORT).catch((e) => {
      throw new StepError("recorder", `cannot listen on ${BRIDGE_GATEWAY}:${RECORDER_PORT} (the engine's bridge gateway): ${(e as Error).message}`);
    });

    // When Prometheus first knows Alertmanager (the Watchdog's clock starts there): polled from
    // before the deploy, so waiting for health does not shift it.
    const discovery = until("Prometheus to discover Alertmanager", 300_000, async () => {
      const r = await getJson<{ data: { activeAlertmanagers: Array<{ url: string }> } }>(`${promUrl}/api/v1/alertmanagers`).catch(() => undefined);
      return r?.data.activeAlertmanagers.length ? { at: Date.now(), urls: r.data.activeAlertmanagers.map((a) => a.url) } : undefined;
    }, 200).catch(() => ({ at: Date.now(), urls: [] as string[] }));
    log("cdktf deploy (cold)");
    deployed = true;
    const cold = await cdktf("cold deploy", ["deploy", STACK, "--auto-approve"], d);
    timings.coldDeploySeconds = cold.seconds;
    checks.push(check("cold deploy: cdktf deploy exits 0", true, `${cold.seconds.toFixed(1)} s; ${JSON.stringify(applyCounts(cold.out))}`));
    const containers = containersOfStack();
    await runDatabases(NETWORK);

    log(`waiting for ${containers.services.length} containers to be healthy`);
    const t0 = Date.now();
    report.containers.push(...(await waitHealthy(containers.services, 120_000)));
    for (const c of containers.oneShot) checks.push(check(`one-shot container ran to completion: ${c}`, exitCode(c) === "exited 0", exitCode(c)));
    timings.allHealthySeconds = (Date.now() - t0) / 1000;
    for (const c of report.containers) checks.push(check(`healthy: ${c.container}`, c.status === "healthy", `${c.status}${c.secondsToHealthy !== undefined ? `, ${c.secondsToHealthy.toFixed(1)} s after start` : ""}`));

    // Every target up, scraped by its network alias (no IPs, no localhost except Prometheus itself).
    const targets = await until("every target up", 60_000, async () => {
      const t = await activeTargets(promUrl);
      return t.length > 0 && t.every((x) => x.health === "up") ? t : undefined;
    }).catch(async () => activeTargets(promUrl));
    for (const t of targets) {
      const host = new URL(t.scrapeUrl).hostname;
      const alias = /^[a-z][a-z-]*$/.test(host);
      checks.push(check(`scraped by alias: ${t.job} ${host}`, t.health === "up" && alias, `${t.scrapeUrl}: ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`));
    }
    const promYaml = parseYaml(readFileSync(path.join(STACK_DIR, "rendered", "prometheus", "prometheus.yml"), "utf8")) as { rule_files: string[] };
    const rules = await loadedRules(promUrl);
    const expected = promYaml.rule_files.map((f) => path.posix.join("/etc/prometheus", f)).sort();
    checks.push(check("every rule file loaded", JSON.stringify(rules.files) === JSON.stringify(expected), `loaded ${rules.files.join(", ")}; expected ${expected.join(", ")}`));
    checks.push(check("no rule fails to evaluate", rules.errors.length === 0, rules.errors.join("; ") || `${rules.alerts.size} alerting rules`));
    const { at: alertmanagerDiscoveredAt, urls: ams } = await discovery;
    checks.push(check("Prometheus sends to Alertmanager by alias", ams.some((u) => new URL(u).hostname === "alertmanager"), ams.join(", ") || "none"));

    log("scenarios");
    const prometheusStartedAt = Date.parse(docker(["inspect", "--format", "{{.State.StartedAt}}", "civicpulse-deploy-prometheus"], "inspect prometheus"));
    const stack: ScenarioStack = {
      recorder,
      alertmanager: spec.services.alertmanager.config,
      promUrl,
      amUrl,
      pushgatewayUrl,
      appUrl: "http://127.0.0.1:1/no-app-in-the-deployed-environment",
      prometheusStartedAt,
      alertmanagerDiscoveredAt,
      stopRedis: () => stopDatabase("redis"),
      startRedis: () => startDatabase("redis"),
      stopPostgres: () => stopDatabase("postgres"),
      startPostgres: () => startDatabase("postgres"),
    };
    const t1 = Date.now();
    report.scenarios.push(...(await runDeployedScenarios({ stack, spec, loadedAlerts: rules.alerts }, toxiproxyUrl, log)));
    timings.scenariosSeconds = (Date.now() - t1) / 1000;
    for (const s of report.scenarios) checks.push(check(`scenario: ${s.name}`, s.ok, s.failures.join("; ") || `detected in ${s.detectionSeconds?.toFixed(1)} s (floor ${s.floorSeconds} s)`));

    await day2(d, spec, report, log);

    log("cdktf destroy");
    // The databases are attached to the stack's network: Docker refuses to remove it before they go.
    removeDatabases();
    const destroy = await cdktf("destroy", ["destroy", STACK, "--auto-approve"], d);
    deployed = false;
    timings.destroySeconds = destroy.seconds;
    const left = docker(["ps", "-aq", "--filter", `label=${LABEL}`], "list containers");
    checks.push(check("destroy: every container gone", left === "", left || "none left"));
    const net = docker(["network", "ls", "-q", "--filter", `name=^${NETWORK}$`], "list networks");
    checks.push(check("destroy: network gone", net === "", net || "gone"));
    report.volumesAfterDestroy.push(...docker(["volume", "ls", "-q", "--filter", "name=civicpulse-deploy-"], "list volumes").split("\n").filter(Boolean));
    checks.push(
      check("destroy: named volumes removed with the stack (Terraform resources, as the README says)", report.volumesAfterDestroy.length === 0, report.volumesAfterDestroy.join(", ") || "none left"),
    );
  } catch (e) {
    const message = e instanceof StepError ? e.message : ((e as Error).stack ?? String(e));
    checks.push(check(`step failed: ${e instanceof StepError ? e.step : "harness"}`, false, message));
    (report as { error?: string }).error = message;
    if (deployed) {
      log("cleaning up after the failure");
      removeDatabases();
      await cdktf("destroy after failure", ["destroy", STACK, "--auto-approve"], d).catch(() => undefined);
    }
    removeDatabases();
  } finally {
    await recorder.stop();
  }
  return report;
}

/** Second deploy and diff with no change, then the threshold change with its measurements. */
async function day2(d: DeployEnv, spec: EnvironmentSpec, report: DeployReport, log: (l: string) => void): Promise<void> {
  const { checks, timings } = report;
  log("day 2: second deploy and cdktf diff with no change");
  const second = await cdktf("second deploy", ["deploy", STACK, "--auto-approve"], d);
  timings.secondDeploySeconds = second.seconds;
  report.day2.secondDeploy = applyCounts(second.out);
  const sc = report.day2.secondDeploy;
  checks.push(check("second deploy with no change: 0 changes", sc !== undefined && sc.added + sc.changed + sc.destroyed === 0, `${JSON.stringify(sc)} in ${second.seconds.toFixed(1)} s`));
  const diff = await cdktf("cdktf diff", ["diff", STACK], d);
  timings.noChangeDiffSeconds = diff.seconds;
  const plan = await terraform("no-change plan", ["plan", "-input=false", "-lock=false", "-detailed-exitcode"], d, [0, 2]);
  timings.noChangePlanSeconds = plan.seconds;
  report.day2.noChangePlanChanges = plan.code === 0 ? 0 : Number(/(\d+) to add, (\d+) to change, (\d+) to destroy/.exec(plan.out)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? -1);
  checks.push(check("cdktf diff and terraform plan with no change: 0 changes", /No changes/.test(diff.out) && plan.code === 0, `cdktf diff ${diff.seconds.toFixed(1)} s; terraform plan ${plan.seconds.toFixed(1)} s, exit ${plan.code}`));

  // A pending alert to watch across the change: CITestCoverageLow held for PENDING_PROBE.for.
  log("day 2: hold an alert pending (for raised, low coverage pushed)");
  const p1 = { alerts: { [PENDING_PROBE.alert]: { for: PENDING_PROBE.for } } };
  setPatch(p1);
  const first = await cdktf("apply the longer for", ["deploy", STACK, "--auto-approve"], d);
  timings.forChangeApplySeconds = first.seconds;
  await waitHealthy(["civicpulse-deploy-prometheus"], 90_000);
  const now = Date.now() / 1000;
  await Promise.all([0, 1].map((i) => pushRun(pushgatewayUrl, { pipeline: PENDING_PROBE.pipeline, runId: `p-${i}`, status: "success", coverage: 0.5, finishedAt: now - 2 + i })));
  const pendingBefore = await until("the probe alert to be pending", 30_000, async () => {
    const a = await pendingAlert();
    return a?.state === "pending" ? a : undefined;
  });

  // The PR preview's prediction for the threshold change, before anything is applied.
  log("day 2: threshold change — predicted by npm run diff, planned by terraform");
  const baseOut = path.join(WORK, "base.out");
  rmSync(baseOut, { recursive: true, force: true });
  cpSync(OUT, baseOut, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
  setPatch({ ...p1, ...THRESHOLD_CHANGE, alerts: { ...p1.alerts, ...THRESHOLD_CHANGE.alerts } });
  await cdktf("synth the threshold change", ["synth"], d);
  const predicted = await runAsync("node", [path.join(ROOT, "dist", "cli", "diff.js"), "--base", baseOut, "--head", OUT, "--format", "json"]);
  if (predicted.code !== 2) throw new StepError("npm run diff", `expected exit 2 (changes), got ${predicted.code}:\n${tail(predicted.out)}`);
  await terraform("init", ["init", "-input=false"], d);
  await terraform("plan the threshold change", ["plan", "-input=false", "-lock=false", "-out=threshold.tfplan"], d);
  const shown = await terraform("show the plan", ["show", "-json", "threshold.tfplan"], d);
  report.planVsDiff.push(...comparePlanToDiff(JSON.parse(shown.out), JSON.parse(predicted.out)));
  const disagree = report.planVsDiff.filter((r) => !r.agree);
  checks.push(
    check("threshold change: terraform's plan agrees with npm run diff resource by resource", report.planVsDiff.length > 0 && disagree.length === 0, disagree.map((r) => `${r.address}: planned ${r.planned} [${r.plannedForcedBy}] predicted ${r.predicted} [${r.predictedForcedBy}]`).join("; ") || `${report.planVsDiff.length} resource(s) agree`),
  );

  const interval = toSeconds(spec.prometheus.scrapeInterval);
  const before = Date.now() / 1000;
  const samplesBefore = (await sampleTimes('up{job="prometheus"}', 120, before)).length;
  const apply = await cdktf("apply the threshold change", ["deploy", STACK, "--auto-approve"], d);
  timings.ruleChangeApplySeconds = apply.seconds;
  await waitHealthy(["civicpulse-deploy-prometheus"], 90_000);
  await sleep(interval * 3000);
  const after = Date.now() / 1000;
  const times = await sampleTimes('up{job="prometheus"}', after - before + 30, after);
  const around = times.filter((t) => t >= before - interval);
  const gap = around.slice(1).reduce((m, t, i) => Math.max(m, t - around[i]), 0);
  const samplesAfter = (await sampleTimes('up{job="prometheus"}', 120, before)).length;
  const pendingAfter = await until("the probe alert after the change", 20_000, async () => pendingAlert()).catch(() => undefined);
  const kept = pendingAfter !== undefined && pendingAfter.activeAt === pendingBefore.activeAt;
  report.day2.ruleChange = {
    planned: report.planVsDiff.map((r) => `${r.address}: ${r.planned}`),
    scrapeGapSeconds: gap,
    scrapeIntervalSeconds: interval,
    samplesBefore,
    samplesAfter,
    pending: kept
      ? `kept: still ${pendingAfter!.state}, active since ${pendingAfter!.activeAt}`
      : `lost: active since ${pendingBefore.activeAt} before; ${pendingAfter ? `${pendingAfter.state} since ${pendingAfter.activeAt}` : "absent"} after`,
  };
  checks.push(check("samples written before the change are still queryable (named volume)", samplesBefore > 0 && samplesAfter === samplesBefore, `${samplesBefore} samples of up{job="prometheus"} in the 120 s before the change; ${samplesAfter} after it`));
  await pushRun(pushgatewayUrl, { pipeline: PENDING_PROBE.pipeline, runId: "p-2", status: "success", coverage: 0.95, finishedAt: Date.now() / 1000 + 1 });
}
