#!/usr/bin/env node
/**
 * civicpulse-ci-metrics: pushes one CI/CD pipeline run's metrics to a Prometheus Pushgateway.
 *
 * Every run gets its own group (grouping key job + run_id), so concurrent pipelines never
 * overwrite each other: the Pushgateway REPLACES a whole group on PUT. Before pushing, groups of
 * the same job whose run finished longer ago than --retention are deleted, so old runs do not
 * pile up in the Pushgateway (and in every scrape) forever.
 *
 * Metric names, types and help texts come from the catalog; nothing here retypes a metric name.
 * The pure parts (argument validation, exposition rendering, stale-group selection) are exported
 * for unit tests; main() only wires them to the network and the process.
 *
 * Contract: docs/ci-metrics.md.
 */
import { parseArgs as parseFlags } from "node:util";
import { catalog, type MetricDefinition } from "../spec/catalog";
import { parseDuration } from "../spec/duration";

export const DEFAULT_JOB = "civicpulse-ci";
export const DEFAULT_RETENTION = "7d";
export const URL_ENV = "PUSHGATEWAY_URL";
const HTTP_TIMEOUT_MS = 10_000;

/** A bad command line: exit code 2, nothing sent. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** The Pushgateway could not be reached or refused a request: exit code 1. */
export class PushError extends Error {
  readonly exitCode = 1;
}

export type RunStatus = "success" | "failure";

export interface PushRequest {
  /** Pushgateway base URL as given (may carry a path prefix and user:password); undefined only with dryRun. */
  readonly url?: string;
  readonly job: string;
  readonly pipeline: string;
  readonly branch: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly durationSeconds?: number;
  readonly testDurationSeconds?: number;
  /** 0..1 */
  readonly coverage?: number;
  /** Unix seconds. */
  readonly finishedAt: number;
  readonly deploy?: { readonly environment: string; readonly status: RunStatus };
  /** --retention as given (for messages) and in seconds. */
  readonly retention: string;
  readonly retentionSeconds: number;
  readonly dryRun: boolean;
}

export const USAGE = `Usage: civicpulse-ci-metrics push [flags]

Pushes one pipeline run's metrics to a Prometheus Pushgateway, in the group
/metrics/job/<job>/run_id/<run-id>, after deleting this job's groups older than --retention.

Required:
  --pipeline <name>              pipeline (workflow) name
  --branch <name>                branch the run built
  --run-id <id>                  unique id of the run, [A-Za-z0-9_.-]
  --status success|failure       outcome of the run
  --url <base URL>               Pushgateway base URL (or env ${URL_ENV}); not needed with --dry-run
Optional:
  --job <name>                   grouping job (default ${DEFAULT_JOB})
  --duration-seconds <n>         wall-clock duration of the run
  --test-duration-seconds <n>    duration of the test step
  --coverage <ratio>             line coverage, 0 to 1 (0.85 means 85%)
  --finished-at <unix seconds>   when the run finished (default now)
  --deploy-environment <env>     environment the run deployed to (with --deploy-status)
  --deploy-status success|failure outcome of that deployment (with --deploy-environment)
  --retention <duration>         delete this job's runs that finished longer ago (default ${DEFAULT_RETENTION})
  --dry-run                      print the exposition text, push nothing
  -h, --help                     this text

Exit codes: 0 pushed (or printed), 1 Pushgateway unreachable or refused, 2 bad command line.`;

const FLAG_SPEC = {
  url: { type: "string" },
  job: { type: "string" },
  pipeline: { type: "string" },
  branch: { type: "string" },
  "run-id": { type: "string" },
  status: { type: "string" },
  "duration-seconds": { type: "string" },
  "test-duration-seconds": { type: "string" },
  coverage: { type: "string" },
  "finished-at": { type: "string" },
  "deploy-environment": { type: "string" },
  "deploy-status": { type: "string" },
  retention: { type: "string" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
const DECIMAL_PATTERN = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
// Anything later than this is not plausible as Unix seconds (it is year 5138); it is milliseconds.
const MAX_UNIX_SECONDS = 1e11;

const show = (value: string): string => JSON.stringify(value);

function requireFlag(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== "string") throw new UsageError(`--${flag} is required`);
  return value;
}

/** A free-text label value: non-empty, no control characters. */
function labelValue(flag: string, value: string): string {
  if (value.trim() === "") throw new UsageError(`--${flag} must not be empty, got ${show(value)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UsageError(`--${flag} must not contain control characters, got ${show(value)}`);
  if (value.length > 256) throw new UsageError(`--${flag} is longer than 256 characters, got ${show(value.slice(0, 40) + "...")}`);
  return value;
}

/** A value used verbatim in the Pushgateway URL path. */
function idValue(flag: string, value: string): string {
  if (!ID_PATTERN.test(value) || value === "." || value === ".." || value.length > 128) {
    throw new UsageError(`--${flag} must be 1-128 characters of [A-Za-z0-9_.-] (and not "." or ".."), got ${show(value)}`);
  }
  return value;
}

function statusValue(flag: string, value: string): RunStatus {
  if (value !== "success" && value !== "failure") {
    throw new UsageError(`--${flag} must be success or failure, got ${show(value)}`);
  }
  return value;
}

function nonNegative(flag: string, value: string, what: string): number {
  if (!DECIMAL_PATTERN.test(value)) throw new UsageError(`--${flag} must be ${what}, got ${show(value)}`);
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} must be ${what}, got ${show(value)}`);
  return n;
}

function coverageValue(value: string): number {
  const what = "a ratio from 0 to 1 (0.85 means 85%)";
  const n = nonNegative("coverage", value, what);
  if (n > 1) {
    const hint = n <= 100 ? `; if you meant ${value}%, pass ${Number((n / 100).toFixed(6))}` : "";
    throw new UsageError(`--coverage must be ${what}, got ${show(value)}${hint}`);
  }
  return n;
}

/** Clock skew between the CI runner and this machine that a finish time may show. */
const MAX_FUTURE_SECONDS = 3600;

function finishedAtValue(value: string, nowSeconds: number): number {
  const n = nonNegative("finished-at", value, "Unix time in seconds (date +%s)");
  if (n === 0) throw new UsageError(`--finished-at must be Unix time in seconds (date +%s), got ${show(value)}`);
  if (n >= MAX_UNIX_SECONDS) {
    throw new UsageError(`--finished-at must be Unix time in seconds (date +%s), got ${show(value)}, which looks like milliseconds`);
  }
  // A run stamped in the future would stay the "latest" run until that date.
  if (n > nowSeconds + MAX_FUTURE_SECONDS) {
    throw new UsageError(`--finished-at must not be in the future (more than ${MAX_FUTURE_SECONDS} s ahead of now, ${Math.floor(nowSeconds)}), got ${show(value)}`);
  }
  return n;
}

function retentionValue(value: string): number {
  const d = parseDuration(value);
  if (d === undefined || d === 0) {
    throw new UsageError(`--retention must be a duration longer than 0 such as 7d, 24h or 90m, got ${show(value)}`);
  }
  return d / 1000;
}

/** The URL with any user:password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "***";
    u.password = "";
    return u.href;
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

function urlValue(source: string, value: string): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== "http:" && u.protocol !== "https:") || u.search !== "" || u.hash !== "") {
    throw new UsageError(`${source} must be an http(s) base URL such as http://pushgateway:9091, got ${show(redactUrl(value))}`);
  }
  return value;
}

function parseFlagsOrThrow(argv: readonly string[]) {
  try {
    return parseFlags({ args: [...argv], options: FLAG_SPEC, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    // node's messages already name the flag: "Unknown option '--foo'", "Option '--status <value>' argument missing".
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
}

/**
 * Validates a command line (`push --pipeline ... `, without the node/script prefix) into a
 * PushRequest. Throws UsageError naming the flag and the value for anything wrong; nothing is
 * sent before this has passed.
 */
export function parseArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  nowSeconds: number = Date.now() / 1000,
): PushRequest {
  const { values, positionals, tokens } = parseFlagsOrThrow(argv);

  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError(`missing command: expected "push"\n\n${USAGE}`);
  if (command !== "push") throw new UsageError(`unknown command ${show(command)}: expected "push"\n\n${USAGE}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${show(extra[0])} (every value needs its --flag)`);

  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} given more than once (last value ${show(String(values[token.name as keyof typeof values]))})`);
    seen.add(token.name);
  }

  const dryRun = values["dry-run"] === true;

  let url: string | undefined;
  if (values.url !== undefined) url = urlValue("--url", values.url);
  else if (env[URL_ENV] !== undefined && env[URL_ENV] !== "") url = urlValue(URL_ENV, env[URL_ENV]);
  else if (!dryRun) throw new UsageError(`--url is required: pass --url <Pushgateway base URL> or set ${URL_ENV} (or use --dry-run)`);

  const job = idValue("job", values.job ?? DEFAULT_JOB);
  const pipeline = labelValue("pipeline", requireFlag(values, "pipeline"));
  const branch = labelValue("branch", requireFlag(values, "branch"));
  const runId = idValue("run-id", requireFlag(values, "run-id"));
  const status = statusValue("status", requireFlag(values, "status"));

  const durationSeconds =
    values["duration-seconds"] === undefined ? undefined : nonNegative("duration-seconds", values["duration-seconds"], "a number of seconds >= 0");
  const testDurationSeconds =
    values["test-duration-seconds"] === undefined
      ? undefined
      : nonNegative("test-duration-seconds", values["test-duration-seconds"], "a number of seconds >= 0");
  const coverage = values.coverage === undefined ? undefined : coverageValue(values.coverage);
  const finishedAt = values["finished-at"] === undefined ? nowSeconds : finishedAtValue(values["finished-at"], nowSeconds);

  const deployEnv = values["deploy-environment"];
  const deployStatus = values["deploy-status"];
  if (deployStatus !== undefined && deployEnv === undefined) {
    throw new UsageError(`--deploy-status ${show(deployStatus)} needs --deploy-environment (give both or neither)`);
  }
  if (deployEnv !== undefined && deployStatus === undefined) {
    throw new UsageError(`--deploy-environment ${show(deployEnv)} needs --deploy-status success|failure (give both or neither)`);
  }
  const deploy =
    deployEnv !== undefined && deployStatus !== undefined
      ? { environment: labelValue("deploy-environment", deployEnv), status: statusValue("deploy-status", deployStatus) }
      : undefined;

  const retention = values.retention ?? DEFAULT_RETENTION;
  const retentionSeconds = retentionValue(retention);

  return {
    url,
    job,
    pipeline,
    branch,
    runId,
    status,
    durationSeconds,
    testDurationSeconds,
    coverage,
    finishedAt,
    deploy,
    retention,
    retentionSeconds,
    dryRun,
  };
}

// ---------------------------------------------------------------------------------------------
// Exposition

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Prometheus text-format number: integers plainly, others in JavaScript's shortest round-trip form. */
function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

interface Sample {
  readonly metric: MetricDefinition;
  readonly value: number;
}

/** The samples of one run, in catalog terms (no names typed here). */
export function runSamples(req: PushRequest): Sample[] {
  const ok = (s: RunStatus): number => (s === "success" ? 1 : 0);
  const samples: Sample[] = [
    { metric: catalog.ciBuildSuccess, value: ok(req.status) },
    { metric: catalog.ciBuildFinished, value: req.finishedAt },
  ];
  if (req.durationSeconds !== undefined) samples.push({ metric: catalog.ciBuildDuration, value: req.durationSeconds });
  if (req.testDurationSeconds !== undefined) samples.push({ metric: catalog.ciTestDuration, value: req.testDurationSeconds });
  if (req.coverage !== undefined) samples.push({ metric: catalog.ciTestCoverage, value: req.coverage });
  if (req.deploy) {
    samples.push({ metric: catalog.ciDeploymentSuccess, value: ok(req.deploy.status) });
    samples.push({ metric: catalog.ciDeploymentFinished, value: req.finishedAt });
  }
  return samples;
}

/**
 * The Prometheus text exposition (format 0.0.4) of one run: metric families sorted by name, each
 * with its catalog HELP and TYPE, labels sorted by name. No timestamps (the Pushgateway rejects
 * them). job is not a label here: it comes from the grouping key, as does run_id (which is also
 * written into the body so the text stands on its own in --dry-run).
 */
export function renderExposition(req: PushRequest): string {
  const labelSource: Record<string, string | undefined> = {
    pipeline: req.pipeline,
    branch: req.branch,
    run_id: req.runId,
    environment: req.deploy?.environment,
  };
  const lines: string[] = [];
  const samples = runSamples(req).sort((a, b) => (a.metric.name < b.metric.name ? -1 : a.metric.name > b.metric.name ? 1 : 0));
  for (const { metric, value } of samples) {
    const labels = [...metric.labels].sort().map((name) => {
      const v = labelSource[name];
      if (v === undefined) throw new Error(`catalog metric ${metric.name} declares label ${show(name)}, which ci-metrics has no value for`);
      return `${name}="${escapeLabelValue(v)}"`;
    });
    lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`);
    lines.push(`# TYPE ${metric.name} ${metric.type}`);
    lines.push(`${metric.name}${labels.length ? `{${labels.join(",")}}` : ""} ${formatValue(value)}`);
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Groups and retention

/**
 * The Pushgateway path of a group: /metrics/job/<job>/<label>/<value>... (other labels sorted).
 * Values the plain form cannot carry (empty, containing "/", "." or "..") use the base64url form.
 */
export function groupPath(labels: Readonly<Record<string, string>>): string {
  const job = labels.job;
  if (job === undefined) throw new Error(`group ${JSON.stringify(labels)} has no job label`);
  const part = (name: string, value: string): string =>
    value === "" || value.includes("/") || value === "." || value === ".."
      ? `${name}@base64/${value === "" ? "=" : Buffer.from(value, "utf8").toString("base64url")}`
      : `${name}/${encodeURIComponent(value)}`;
  const rest = Object.keys(labels)
    .filter((k) => k !== "job")
    .sort()
    .map((k) => part(k, labels[k]));
  return "/metrics/" + [part("job", job), ...rest].join("/");
}

export interface StaleGroup {
  readonly labels: Readonly<Record<string, string>>;
  readonly path: string;
  /** Unix seconds the age was judged by. */
  readonly finishedAt: number;
  /** Where finishedAt came from: the run's finished timestamp, or, for a group without one, its last push. */
  readonly basis: "finished" | "push";
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Largest sample value of a metric family in one group of /api/v1/metrics, or undefined. */
function familyMax(group: Record<string, unknown>, name: string): number | undefined {
  const family = group[name];
  if (!isRecord(family) || !Array.isArray(family.metrics)) return undefined;
  let max: number | undefined;
  for (const m of family.metrics) {
    if (!isRecord(m)) continue;
    const v = Number(m.value);
    if (typeof m.value === "string" && Number.isFinite(v)) max = max === undefined ? v : Math.max(max, v);
  }
  return max;
}

/**
 * Groups of `job` in a Pushgateway `/api/v1/metrics` response whose run finished more than
 * `retentionSeconds` before `now` (Unix seconds). A group is judged by its
 * civicpulse_ci_build_finished_timestamp_seconds; a group without one (pushed by something else,
 * or left behind by a rejected push) by its latest push_time_seconds / push_failure_time_seconds.
 * Groups of other jobs are never returned. Throws on a response that is not the API's shape.
 */
export function staleGroups(apiResponse: unknown, now: number, retentionSeconds: number, job: string = DEFAULT_JOB): StaleGroup[] {
  if (!isRecord(apiResponse) || apiResponse.status !== "success" || !Array.isArray(apiResponse.data)) {
    throw new Error(`not a Pushgateway /api/v1/metrics response: ${JSON.stringify(apiResponse).slice(0, 200)}`);
  }
  const cutoff = now - retentionSeconds;
  const stale: StaleGroup[] = [];
  for (const group of apiResponse.data) {
    if (!isRecord(group) || !isRecord(group.labels)) continue;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(group.labels)) if (typeof v === "string") labels[k] = v;
    if (labels.job !== job) continue;

    const finished = familyMax(group, catalog.ciBuildFinished.name);
    let basis: StaleGroup["basis"] = "finished";
    let finishedAt = finished;
    if (finishedAt === undefined) {
      basis = "push";
      const pushes = [familyMax(group, "push_time_seconds"), familyMax(group, "push_failure_time_seconds")].filter(
        (x): x is number => x !== undefined,
      );
      if (pushes.length === 0) continue; // nothing to judge its age by: leave it alone
      finishedAt = Math.max(...pushes);
    }
    if (finishedAt < cutoff) stale.push({ labels, path: groupPath(labels), finishedAt, basis });
  }
  return stale.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// HTTP

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

interface Endpoint {
  readonly href: string;
  /** For messages: credentials replaced. */
  readonly shown: string;
  readonly headers: Record<string, string>;
}

/** base URL + path; user:password in the base URL becomes a Basic Authorization header. */
export function endpoint(base: string, path: string): Endpoint {
  const u = new URL(base);
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`, "utf8").toString("base64")}`;
    u.username = "";
    u.password = "";
  }
  u.pathname = u.pathname.replace(/\/+$/, "") + path;
  return { href: u.href, shown: redactUrl(u.href), headers };
}

async function request(fetchImpl: FetchLike, method: string, ep: Endpoint, body?: string, contentType?: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetchImpl(ep.href, {
      method,
      body,
      headers: contentType ? { ...ep.headers, "content-type": contentType } : ep.headers,
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch (e) {
    const err = e as Error & { cause?: { message?: string; code?: string } };
    const why = err.cause?.message ?? err.cause?.code ?? err.message;
    throw new PushError(`${method} ${ep.shown} failed: ${why}`);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => "")).trim().slice(0, 300);
    throw new PushError(`${method} ${ep.shown} returned HTTP ${res.status} ${res.statusText}${text ? `: ${text}` : ""}`);
  }
  return res;
}

export interface PushResult {
  readonly pushedTo: string;
  readonly deleted: readonly StaleGroup[];
  readonly seriesCount: number;
}

/**
 * Deletes this job's stale groups, then PUTs the run's group. A failed clean-up does not stop the
 * push (the run's data matters more than tidiness), but it is still reported as a PushError after
 * the push so the pipeline shows it.
 */
export async function push(req: PushRequest, fetchImpl: FetchLike = fetch, nowSeconds: number = Date.now() / 1000): Promise<PushResult> {
  if (req.url === undefined) throw new UsageError(`--url is required: pass --url <Pushgateway base URL> or set ${URL_ENV}`);
  const body = renderExposition(req);

  let cleanupError: Error | undefined;
  const deleted: StaleGroup[] = [];
  try {
    const apiEp = endpoint(req.url, "/api/v1/metrics");
    const res = await request(fetchImpl, "GET", apiEp);
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw new PushError(`GET ${apiEp.shown} did not return JSON: ${(e as Error).message}`);
    }
    let stale: StaleGroup[];
    try {
      stale = staleGroups(json, nowSeconds, req.retentionSeconds, req.job);
    } catch (e) {
      throw new PushError(`GET ${apiEp.shown}: ${(e as Error).message}`);
    }
    for (const group of stale) {
      await request(fetchImpl, "DELETE", endpoint(req.url, group.path));
      deleted.push(group);
    }
  } catch (e) {
    cleanupError = e as Error;
  }

  const pushEp = endpoint(req.url, groupPath({ job: req.job, run_id: req.runId }));
  try {
    await request(fetchImpl, "PUT", pushEp, body, "text/plain; version=0.0.4; charset=utf-8");
  } catch (e) {
    const suffix = cleanupError ? ` (the retention clean-up before it also failed: ${cleanupError.message})` : "";
    throw new PushError(`${(e as Error).message}${suffix}`);
  }
  const result: PushResult = { pushedTo: pushEp.shown, deleted, seriesCount: runSamples(req).length };
  if (cleanupError) {
    throw new PushError(`pushed ${result.seriesCount} series to ${pushEp.shown}, but the retention clean-up failed: ${cleanupError.message}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// main

export interface MainIo {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stdout?: (line: string) => void;
  readonly stderr?: (line: string) => void;
  readonly fetch?: FetchLike;
  /** Unix seconds. */
  readonly now?: () => number;
}

/**
 * Whether the command line asks for the usage: `help`, or -h/--help as a flag of its own. Decided on
 * the parsed tokens, so a flag's value that happens to be "-h" (`--branch=-h`) is a value, not a
 * request for help that would exit 0 without pushing.
 */
function wantsHelp(argv: readonly string[]): boolean {
  if (argv[0] === "help") return true;
  try {
    return parseFlagsOrThrow(argv).tokens.some((t) => t.kind === "option" && t.name === "help");
  } catch {
    // An unparsable line is reported by parseArgs, with the flag it is about.
    return false;
  }
}

/** Runs the command line and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const out = io.stdout ?? ((s: string) => process.stdout.write(s + "\n"));
  const err = io.stderr ?? ((s: string) => process.stderr.write(s + "\n"));
  const now = io.now ?? (() => Date.now() / 1000);
  if (wantsHelp(argv)) {
    out(USAGE);
    return 0;
  }
  try {
    const req = parseArgs(argv, io.env ?? process.env, now());
    if (req.dryRun) {
      out(renderExposition(req).trimEnd());
      return 0;
    }
    const retention = req.retention;
    if (req.finishedAt < now() - req.retentionSeconds) {
      err(`warning: --finished-at ${req.finishedAt} is older than --retention ${retention}; the next push will delete this run`);
    }
    const result = await push(req, io.fetch ?? fetch, now());
    const deploy = req.deploy ? `, deploy ${req.deploy.environment} ${req.deploy.status}` : "";
    out(
      `pushed ${result.seriesCount} series for run ${req.runId} (pipeline ${show(req.pipeline)}, branch ${show(req.branch)}, ${req.status}${deploy}) ` +
        `to ${result.pushedTo}; deleted ${result.deleted.length} group(s) older than ${retention}`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof PushError) {
      err(`civicpulse-ci-metrics: ${e.message}`);
      return e.exitCode;
    }
    err(`civicpulse-ci-metrics: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`civicpulse-ci-metrics: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
