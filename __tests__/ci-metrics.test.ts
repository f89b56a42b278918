/**
 * ci-metrics CLI: unit tests of the pure parts, then a real Pushgateway scraped by a real
 * Prometheus 3.5, queried with the expressions the CI alert rules use.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { catalog } from "../spec/catalog";
import {
  groupPath,
  main,
  parseArgs,
  PushError,
  PushRequest,
  renderExposition,
  staleGroups,
  UsageError,
  type FetchLike,
} from "../cli/ci-metrics";
import { bundled } from "./helpers/bundle";
import { tool } from "./helpers/tools";
import { freePort } from "../e2e/supervisor";

const PROJECT = path.resolve(__dirname, "..");
const BASE = ["push", "--url", "http://127.0.0.1:9091", "--pipeline", "web", "--branch", "main", "--run-id", "1234", "--status", "success"];
const NOW = 1_800_000_000;

function usageErrorOf(argv: string[], env: Record<string, string> = {}): UsageError {
  try {
    parseArgs(argv, env, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`expected ${argv.join(" ")} to be rejected`);
}

/** A fetch that records calls and answers from a script. */
function fakeFetch(answer: (method: string, url: string) => Response | Error = () => new Response("", { status: 202 })) {
  const calls: { method: string; url: string; body?: string; headers: Record<string, string> }[] = [];
  const impl: FetchLike = async (url, init) => {
    const method = init?.method ?? "GET";
    calls.push({ method, url, body: init?.body as string | undefined, headers: (init?.headers ?? {}) as Record<string, string> });
    const a = answer(method, url);
    if (a instanceof Error) throw a;
    return a;
  };
  return { impl, calls };
}

const emptyApi = () => new Response(JSON.stringify({ status: "success", data: [] }), { status: 200 });

async function runMain(argv: string[], fetchImpl: FetchLike, env: Record<string, string> = {}, now = NOW) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { env, fetch: fetchImpl, now: () => now, stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, out, err };
}

describe("parseArgs", () => {
  test("a full command line becomes a PushRequest", () => {
    const req = parseArgs(
      [
        "push",
        "--url",
        "http://127.0.0.1:9091",
        "--pipeline",
        "web",
        "--branch",
        "main",
        "--run-id",
        "1234",
        "--status",
        "failure",
        "--coverage",
        "0.85",
        "--duration-seconds",
        "301.5",
        "--test-duration-seconds",
        "120",
        "--finished-at",
        "1700000000",
        "--deploy-environment",
        "staging",
        "--deploy-status",
        "failure",
        "--retention",
        "24h",
        "--job",
        "ci-x",
      ],
      {},
      NOW,
    );
    expect(req).toEqual({
      url: "http://127.0.0.1:9091",
      job: "ci-x",
      pipeline: "web",
      branch: "main",
      runId: "1234",
      status: "failure",
      coverage: 0.85,
      durationSeconds: 301.5,
      testDurationSeconds: 120,
      finishedAt: 1700000000,
      deploy: { environment: "staging", status: "failure" },
      retention: "24h",
      retentionSeconds: 86400,
      dryRun: false,
    });
  });

  test("defaults: job civicpulse-ci, finished now, retention 7d; URL from PUSHGATEWAY_URL", () => {
    const req = parseArgs(["push", "--pipeline", "web", "--branch", "main", "--run-id", "r.1_a-b", "--status", "success"], { PUSHGATEWAY_URL: "http://pg:9091" }, NOW);
    expect(req.job).toBe("civicpulse-ci");
    expect(req.finishedAt).toBe(NOW);
    expect(req.retentionSeconds).toBe(7 * 86400);
    expect(req.url).toBe("http://pg:9091");
    expect(req.coverage).toBeUndefined();
    expect(req.deploy).toBeUndefined();
  });

  test("--dry-run needs no URL", () => {
    expect(parseArgs(["push", "--dry-run", "--pipeline", "web", "--branch", "main", "--run-id", "1", "--status", "success"], {}, NOW).url).toBeUndefined();
  });

  const replace = (flag: string, value: string) => {
    const argv = [...BASE];
    const i = argv.indexOf(flag);
    if (i >= 0) argv[i + 1] = value;
    else argv.push(flag, value);
    return argv;
  };

  test.each<[string, string[], RegExp[]]>([
    ["unknown status", replace("--status", "ok"), [/--status/, /"ok"/]],
    ["coverage 1.7", replace("--coverage", "1.7"), [/--coverage/, /"1\.7"/, /0\.85 means 85%/]],
    ["coverage 85 (a percentage)", replace("--coverage", "85"), [/--coverage/, /"85"/, /pass 0\.85/]],
    ["negative coverage", replace("--coverage", "-0.5"), [/--coverage/]],
    ["unknown flag", [...BASE, "--colour", "red"], [/--colour/]],
    ["deploy-status without deploy-environment", [...BASE, "--deploy-status", "success"], [/--deploy-status/, /"success"/, /--deploy-environment/]],
    ["deploy-environment without deploy-status", [...BASE, "--deploy-environment", "prod"], [/--deploy-environment/, /"prod"/, /--deploy-status/]],
    ["bad deploy-status", [...BASE, "--deploy-environment", "prod", "--deploy-status", "done"], [/--deploy-status/, /"done"/]],
    ["run-id with a slash", replace("--run-id", "a/b"), [/--run-id/, /"a\/b"/]],
    ["run-id ..", replace("--run-id", ".."), [/--run-id/, /"\.\."/]],
    ["job with a space", [...BASE, "--job", "my job"], [/--job/, /"my job"/]],
    ["empty branch", replace("--branch", ""), [/--branch/, /""/]],
    ["finished-at in milliseconds", [...BASE, "--finished-at", "1700000000000"], [/--finished-at/, /"1700000000000"/, /milliseconds/]],
    ["finished-at not a number", [...BASE, "--finished-at", "yesterday"], [/--finished-at/, /"yesterday"/]],
    ["finished-at in year 2286", [...BASE, "--finished-at", "9999999999"], [/--finished-at/, /"9999999999"/, /future/]],
    ["finished-at two hours ahead", [...BASE, "--finished-at", String(Math.floor(NOW) + 7200)], [/--finished-at/, /future/]],
    ["duration not a number", [...BASE, "--duration-seconds", "5m"], [/--duration-seconds/, /"5m"/]],
    ["retention not a duration", [...BASE, "--retention", "7days"], [/--retention/, /"7days"/]],
    ["retention zero", [...BASE, "--retention", "0s"], [/--retention/, /"0s"/]],
    ["url not http", replace("--url", "ftp://pg:9091"), [/--url/, /"ftp:\/\/pg:9091"/]],
    ["flag without its value", [...BASE.slice(0, -1)], [/--status/]],
    ["flag given twice", [...BASE, "--status", "failure"], [/--status/, /more than once/, /"failure"/]],
    ["stray positional", [...BASE, "extra"], [/"extra"/]],
    ["unknown command", ["pull", ...BASE.slice(1)], [/"pull"/]],
  ])("%s is rejected naming the flag and the value", (_name, argv, patterns) => {
    const e = usageErrorOf(argv);
    expect(e.exitCode).toBe(2);
    for (const p of patterns) expect(e.message).toMatch(p);
  });

  test("missing URL names --url and PUSHGATEWAY_URL", () => {
    const e = usageErrorOf(BASE.filter((_, i) => i !== 1 && i !== 2));
    expect(e.message).toMatch(/--url/);
    expect(e.message).toMatch(/PUSHGATEWAY_URL/);
    expect(usageErrorOf(BASE.filter((_, i) => i !== 1 && i !== 2), { PUSHGATEWAY_URL: "not a url" }).message).toMatch(/PUSHGATEWAY_URL.*"not a url"/);
  });

  test("each required flag, when missing, is named", () => {
    for (const flag of ["--pipeline", "--branch", "--run-id", "--status"]) {
      const i = BASE.indexOf(flag);
      const argv = BASE.filter((_, j) => j !== i && j !== i + 1);
      expect(usageErrorOf(argv).message).toContain(`${flag} is required`);
    }
  });

  test("a password in the URL never appears in a message", () => {
    const e = usageErrorOf(["push", "--url", "ftp://ci:hunter2@pg:9091", ...BASE.slice(3)]);
    expect(e.message).not.toContain("hunter2");
  });
});

describe("renderExposition", () => {
  const fixture: PushRequest = {
    url: undefined,
    job: "civicpulse-ci",
    pipeline: "web",
    branch: "main",
    runId: "1234",
    status: "failure",
    durationSeconds: 300,
    testDurationSeconds: 120.5,
    coverage: 0.79,
    finishedAt: 1700000000,
    deploy: { environment: "staging", status: "success" },
    retention: "7d",
    retentionSeconds: 604800,
    dryRun: true,
  };

  test("one sample per metric with its catalog HELP and TYPE, labels sorted", () => {
    const lines = renderExposition(fixture).split("\n");
    // A failed run: success 0; its labels are branch, pipeline, run_id in that (sorted) order.
    expect(lines).toContain('civicpulse_ci_build_success{branch="main",pipeline="web",run_id="1234"} 0');
    expect(lines).toContain('civicpulse_ci_build_finished_timestamp_seconds{branch="main",pipeline="web",run_id="1234"} 1700000000');
    expect(lines).toContain('civicpulse_ci_build_duration_seconds{branch="main",pipeline="web",run_id="1234"} 300');
    expect(lines).toContain('civicpulse_ci_test_duration_seconds{branch="main",pipeline="web",run_id="1234"} 120.5');
    expect(lines).toContain('civicpulse_ci_test_coverage_ratio{branch="main",pipeline="web",run_id="1234"} 0.79');
    // Deployment series carry environment instead of branch; the deployment finished with the run.
    expect(lines).toContain('civicpulse_ci_deployment_success{environment="staging",pipeline="web",run_id="1234"} 1');
    expect(lines).toContain('civicpulse_ci_deployment_finished_timestamp_seconds{environment="staging",pipeline="web",run_id="1234"} 1700000000');
    expect(lines).toContain("# HELP civicpulse_ci_build_success 1 when the pipeline run succeeded, 0 when it failed.");
    expect(lines).toContain("# TYPE civicpulse_ci_test_coverage_ratio gauge");
    // 7 families x (HELP, TYPE, sample), and the text ends with a newline.
    expect(lines).toHaveLength(7 * 3 + 1);
    expect(lines[lines.length - 1]).toBe("");
    // No job label (that comes from the grouping key) and no timestamps (the Pushgateway rejects them).
    for (const l of lines.filter((x) => x && !x.startsWith("#"))) {
      expect(l).not.toContain("job=");
      expect(l.split(" ")).toHaveLength(2);
    }
  });

  test("families come sorted by name, HELP then TYPE then the sample", () => {
    const lines = renderExposition(fixture).trimEnd().split("\n");
    const names = lines.filter((l) => l.startsWith("# HELP ")).map((l) => l.split(" ")[2]);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe(catalog.ciBuildDuration.name);
    names.forEach((name, i) => {
      expect(lines[i * 3]).toMatch(new RegExp(`^# HELP ${name} `));
      expect(lines[i * 3 + 1]).toBe(`# TYPE ${name} gauge`);
      expect(lines[i * 3 + 2].startsWith(`${name}{`)).toBe(true);
    });
    expect(renderExposition(fixture)).toBe(renderExposition({ ...fixture }));
  });

  test("optional metrics are absent when not given; a successful run is 1", () => {
    const text = renderExposition({ ...fixture, status: "success", coverage: undefined, durationSeconds: undefined, testDurationSeconds: undefined, deploy: undefined });
    expect(text).toBe(
      [
        "# HELP civicpulse_ci_build_finished_timestamp_seconds Unix time at which the pipeline run finished.",
        "# TYPE civicpulse_ci_build_finished_timestamp_seconds gauge",
        'civicpulse_ci_build_finished_timestamp_seconds{branch="main",pipeline="web",run_id="1234"} 1700000000',
        "# HELP civicpulse_ci_build_success 1 when the pipeline run succeeded, 0 when it failed.",
        "# TYPE civicpulse_ci_build_success gauge",
        'civicpulse_ci_build_success{branch="main",pipeline="web",run_id="1234"} 1',
        "",
      ].join("\n"),
    );
  });

  test("label values are escaped", () => {
    const text = renderExposition({ ...fixture, branch: 'feat/"q"\\x' });
    expect(text).toContain('branch="feat/\\"q\\"\\\\x"');
  });
});

describe("staleGroups and groupPath", () => {
  const now = NOW;
  const day = 86400;
  const family = (name: string, labels: Record<string, string>, value: number) => ({
    [name]: { time_stamp: "2027-01-15T08:00:00Z", type: "GAUGE", help: "h", metrics: [{ labels: { ...labels, instance: "" }, value: value.toExponential() }] },
  });
  const runGroup = (job: string, runId: string, finished: number | undefined, pushed: number, failed = 0) => ({
    labels: { job, run_id: runId },
    last_push_successful: failed === 0,
    ...(finished === undefined ? {} : family(catalog.ciBuildFinished.name, { job, run_id: runId, pipeline: "web", branch: "main" }, finished)),
    ...family("push_time_seconds", { job, run_id: runId }, pushed),
    ...family("push_failure_time_seconds", { job, run_id: runId }, failed),
  });
  const api = {
    status: "success",
    data: [
      runGroup("civicpulse-ci", "old", now - 8 * day, now - 60), // finished 8 days ago, re-pushed a minute ago: stale
      runGroup("civicpulse-ci", "recent", now - 3600, now - 3600),
      runGroup("civicpulse-ci", "edge", now - 7 * day, now), // exactly at the cutoff: kept
      runGroup("other-job", "old", now - 30 * day, now - 30 * day), // another job: never touched
      runGroup("civicpulse-ci", "foreign", undefined, now - 9 * day), // no finished timestamp: judged by its last push
      runGroup("civicpulse-ci", "rejected", undefined, 0, now - 60), // only a recent failed push: kept
      runGroup("civicpulse-ci", "a/b", now - 10 * day, now),
    ],
  };

  test("selects this job's groups that finished before now - retention", () => {
    const stale = staleGroups(api, now, 7 * day, "civicpulse-ci");
    expect(stale.map((g) => [g.labels.run_id, g.basis, g.finishedAt])).toEqual([
      ["foreign", "push", now - 9 * day],
      ["old", "finished", now - 8 * day],
      ["a/b", "finished", now - 10 * day],
    ]);
    expect(stale.map((g) => g.path)).toEqual([
      "/metrics/job/civicpulse-ci/run_id/foreign",
      "/metrics/job/civicpulse-ci/run_id/old",
      "/metrics/job/civicpulse-ci/run_id@base64/YS9i",
    ]);
    expect(staleGroups(api, now, 30 * day, "civicpulse-ci")).toEqual([]);
  });

  test("rejects a response that is not the API's", () => {
    expect(() => staleGroups({ status: "error" }, now, day)).toThrow(/not a Pushgateway/);
    expect(() => staleGroups("<html>", now, day)).toThrow(/not a Pushgateway/);
  });

  test("groupPath: job first, other labels sorted, base64url for values a path cannot carry", () => {
    expect(groupPath({ run_id: "42", job: "civicpulse-ci" })).toBe("/metrics/job/civicpulse-ci/run_id/42");
    expect(groupPath({ job: "j", z: "", a: ".." })).toBe(`/metrics/job/j/a@base64/${Buffer.from("..").toString("base64url")}/z@base64/=`);
  });
});

describe("main (fake network)", () => {
  test("bad flag: exit 2, message on stderr, nothing sent", async () => {
    const { impl, calls } = fakeFetch();
    const r = await runMain([...BASE, "--coverage", "1.7"], impl);
    expect(r.code).toBe(2);
    expect(r.err.join("\n")).toMatch(/--coverage.*"1\.7"/);
    expect(r.out).toEqual([]);
    expect(calls).toEqual([]);
  });

  test("GET the API, DELETE stale groups, PUT the run's group; one line on stdout", async () => {
    const stale = {
      status: "success",
      data: [{ labels: { job: "civicpulse-ci", run_id: "ancient" }, [catalog.ciBuildFinished.name]: { metrics: [{ labels: {}, value: "1" }] } }],
    };
    const { impl, calls } = fakeFetch((method) =>
      method === "GET" ? new Response(JSON.stringify(stale), { status: 200 }) : new Response("", { status: method === "PUT" ? 200 : 202 }),
    );
    const r = await runMain([...BASE.slice(0, 2), "http://ci:s3cret@pg.example:9091/prefix/", ...BASE.slice(3)], impl);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "GET http://pg.example:9091/prefix/api/v1/metrics",
      "DELETE http://pg.example:9091/prefix/metrics/job/civicpulse-ci/run_id/ancient",
      "PUT http://pg.example:9091/prefix/metrics/job/civicpulse-ci/run_id/1234",
    ]);
    expect(calls.every((c) => c.headers.authorization === `Basic ${Buffer.from("ci:s3cret").toString("base64")}`)).toBe(true);
    expect(calls[2].body).toBe(renderExposition(parseArgs(BASE, {}, NOW)));
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^pushed 2 series for run 1234 .* to http:\/\/pg\.example:9091\/prefix\/metrics\/job\/civicpulse-ci\/run_id\/1234; deleted 1 group/);
    expect(r.out[0]).not.toContain("s3cret");
  });

  test("the Pushgateway refusing the push: exit 1 with the URL and the status", async () => {
    const { impl } = fakeFetch((method) => (method === "GET" ? emptyApi() : new Response("inconsistent", { status: 400, statusText: "Bad Request" })));
    const r = await runMain(BASE, impl);
    expect(r.code).toBe(1);
    expect(r.err.join("\n")).toMatch(/PUT http:\/\/127\.0\.0\.1:9091\/metrics\/job\/civicpulse-ci\/run_id\/1234 returned HTTP 400 Bad Request: inconsistent/);
    expect(r.out).toEqual([]);
  });

  test("a failed clean-up still pushes, then exits 1 saying so", async () => {
    const { impl, calls } = fakeFetch((method) => (method === "GET" ? new Response("down", { status: 503 }) : new Response("", { status: 200 })));
    const r = await runMain(BASE, impl);
    expect(calls.map((c) => c.method)).toEqual(["GET", "PUT"]);
    expect(r.code).toBe(1);
    expect(r.err.join("\n")).toMatch(/pushed 2 series .* but the retention clean-up failed: GET http:\/\/127\.0\.0\.1:9091\/api\/v1\/metrics returned HTTP 503/);
  });

  test("--dry-run prints the exposition and sends nothing", async () => {
    const { impl, calls } = fakeFetch();
    const r = await runMain(["push", "--dry-run", ...BASE.slice(3)], impl);
    expect(r.code).toBe(0);
    expect(calls).toEqual([]);
    expect(r.out.join("\n") + "\n").toBe(renderExposition(parseArgs(["push", "--dry-run", ...BASE.slice(3)], {}, NOW)));
  });

  test("--help exits 0 with the usage", async () => {
    const r = await runMain(["push", "--help"], fakeFetch().impl);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Usage: civicpulse-ci-metrics push/);
  });

  const withBranch = (...branch: string[]) => {
    const i = BASE.indexOf("--branch");
    return [...BASE.slice(0, i), ...branch, ...BASE.slice(i + 2)];
  };
  test.each([
    ["--branch -h", withBranch("--branch", "-h")],
    ["--branch=-h", withBranch("--branch=-h")],
    ["--branch --help", withBranch("--branch", "--help")],
  ])("a flag whose value is -h (%s) neither prints the usage nor exits 0 without pushing", async (_name, argv) => {
    const { impl, calls } = fakeFetch();
    const r = await runMain(argv, impl);
    expect(r.out.join("\n")).not.toMatch(/Usage:/);
    // Either the value is taken as the branch (and the run is pushed) or it is rejected naming --branch.
    expect({ pushed: calls.length > 0, namesFlag: /--branch/.test(r.err.join("\n")) }).not.toEqual({ pushed: false, namesFlag: false });
  });

  test("error classes carry their exit codes", () => {
    expect(new UsageError("x").exitCode).toBe(2);
    expect(new PushError("x").exitCode).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Real Pushgateway + Prometheus


interface Server {
  readonly child: ChildProcess;
  readonly base: string;
  log: string;
}

async function startServer(bin: string, args: string[], base: string): Promise<Server> {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const server: Server = { child, base, log: "" };
  child.stdout!.on("data", (d) => (server.log += d));
  child.stderr!.on("data", (d) => (server.log += d));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}:\n${server.log}`);
    try {
      const res = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`${bin} not ready at ${base} within 15 s:\n${server.log}`);
}

async function stopServer(server: Server | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

describe("real Pushgateway scraped by Prometheus 3.5", () => {
  let tmp: string;
  let pushgateway: Server | undefined;
  let prometheus: Server | undefined;
  const startedAt = Date.now() / 1000;

  const query = async (expr: string): Promise<PromSample[]> => {
    const res = await fetch(`${prometheus!.base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; data: { resultType: string; result: PromSample[] }; error?: string };
    if (body.status !== "success") throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data.result;
  };
  /** Polls until `check` accepts the result (Prometheus scrapes every second), at most 15 s. */
  const eventually = async (expr: string, check: (r: PromSample[]) => boolean): Promise<PromSample[]> => {
    const deadline = Date.now() + 15_000;
    let last: PromSample[] = [];
    while (Date.now() < deadline) {
      last = await query(expr);
      if (check(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${expr} did not reach the expected value within 15 s; last result ${JSON.stringify(last)}`);
  };
  const scalar = (r: PromSample[]): number => {
    expect(r).toHaveLength(1);
    return Number(r[0].value[1]);
  };
  const push = (args: string[], now?: number) => {
    const out: string[] = [];
    const err: string[] = [];
    return main(["push", "--url", pushgateway!.base, ...args], {
      env: {},
      now: now === undefined ? undefined : () => now,
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
    }).then((code) => ({ code, out, err }));
  };
  const groups = async (): Promise<Record<string, string>[]> => {
    const body = (await (await fetch(`${pushgateway!.base}/api/v1/metrics`)).json()) as { data: { labels: Record<string, string> }[] };
    return body.data.map((g) => g.labels);
  };

  beforeAll(async () => {
    // tool() throws if a binary is missing: the test fails, it never skips.
    const pushgatewayBin = tool("prometheus-pushgateway");
    const prometheusBin = tool("prometheus");
    tmp = mkdtempSync(path.join(tmpdir(), "ci-metrics-"));
    const pgPort = await freePort();
    pushgateway = await startServer(pushgatewayBin, [`--web.listen-address=127.0.0.1:${pgPort}`], `http://127.0.0.1:${pgPort}`);
    const promPort = await freePort();
    const config = path.join(tmp, "prometheus.yml");
    writeFileSync(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: pushgateway",
        "    honor_labels: true",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${pgPort}"]`,
        "",
      ].join("\n"),
    );
    prometheus = await startServer(
      prometheusBin,
      [`--config.file=${config}`, `--storage.tsdb.path=${path.join(tmp, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`],
      `http://127.0.0.1:${promPort}`,
    );
  }, 40_000);

  afterAll(async () => {
    await stopServer(prometheus);
    await stopServer(pushgateway);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 20_000);

  const now = Math.floor(Date.now() / 1000);
  // Five runs of "web" in the last hour, two of them failed; the two latest have coverage below 0.8.
  // A sixth, older run (2 h ago, failed) must not count in the 1 h window nor in the last two.
  const runs = [
    { id: "web-1", ago: 3000, status: "success", coverage: "0.90" },
    { id: "web-2", ago: 2400, status: "failure", coverage: "0.85" },
    { id: "web-3", ago: 1800, status: "success", coverage: "0.82", deploy: ["staging", "success"] },
    { id: "web-4", ago: 1200, status: "failure", coverage: "0.75", deploy: ["production", "success"] },
    { id: "web-5", ago: 600, status: "success", coverage: "0.78", deploy: ["staging", "failure"] },
    { id: "web-0", ago: 7200, status: "failure", coverage: "0.60" },
  ];

  test("concurrent pushes each land in their own group", async () => {
    const results = await Promise.all(
      runs.map((r) =>
        push([
          "--pipeline",
          "web",
          "--branch",
          "main",
          "--run-id",
          r.id,
          "--status",
          r.status,
          "--coverage",
          r.coverage,
          "--duration-seconds",
          "300",
          "--finished-at",
          String(now - r.ago),
          ...(r.deploy ? ["--deploy-environment", r.deploy[0], "--deploy-status", r.deploy[1]] : []),
        ]),
      ),
    );
    for (const r of results) {
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out).toHaveLength(1);
      expect(r.out[0]).toMatch(new RegExp(`^pushed .* to ${pushgateway!.base}/metrics/job/civicpulse-ci/run_id/web-\\d; deleted 0 group`));
    }
    const ids = (await groups()).filter((g) => g.job === "civicpulse-ci").map((g) => g.run_id);
    expect(ids.sort()).toEqual(runs.map((r) => r.id).sort());
  });

  test("Prometheus sees every run with pipeline, branch, run_id and job from the grouping key", async () => {
    const success = catalog.ciBuildSuccess.name;
    const r = await eventually(`${success}{pipeline="web"}`, (x) => x.length === runs.length);
    const web4 = r.find((s) => s.metric.run_id === "web-4")!;
    // honor_labels keeps the Pushgateway's labels: job is the grouping job, and the empty instance=""
    // the Pushgateway adds means no instance label at all (not the Pushgateway's address).
    expect(web4.metric).toEqual({ __name__: success, job: "civicpulse-ci", pipeline: "web", branch: "main", run_id: "web-4" });
    expect(web4.value[1]).toBe("0");
    // The Pushgateway's own per-group series also reach Prometheus, one per run.
    expect(scalar(await query(`count(push_time_seconds{job="civicpulse-ci"})`))).toBe(runs.length);
  });

  test("build failure ratio over the last hour = failed runs finished within 1h / runs finished within 1h = 0.4", async () => {
    const success = catalog.ciBuildSuccess.name;
    const finished = catalog.ciBuildFinished.name;
    const recent = `(${finished} > time() - 3600)`;
    const ratio = `count((${success} == 0) and on(pipeline, run_id) ${recent}) / count(${recent})`;
    expect(scalar(await eventually(ratio, (x) => x.length === 1))).toBeCloseTo(0.4, 10);
    // The per-pipeline form, which is 0 (not empty) when no run failed.
    const byPipeline = `sum by (pipeline) ((1 - ${success}) and on(pipeline, run_id) ${recent}) / count by (pipeline) (${recent})`;
    const r = await query(byPipeline);
    expect(r.map((s) => [s.metric.pipeline, Number(s.value[1])])).toEqual([["web", 0.4]]);
  });

  test("coverage of the last 2 runs (by finished timestamp): min 0.75, max 0.78, so all below 0.8", async () => {
    const coverage = catalog.ciTestCoverage.name;
    const finished = catalog.ciBuildFinished.name;
    const lastTwo = `${coverage} and on(pipeline, run_id) topk by (pipeline) (2, ${finished})`;
    const max = await query(`max by (pipeline) (${lastTwo})`);
    const min = await query(`min by (pipeline) (${lastTwo})`);
    expect(max.map((s) => [s.metric.pipeline, Number(s.value[1])])).toEqual([["web", 0.78]]);
    expect(min.map((s) => [s.metric.pipeline, Number(s.value[1])])).toEqual([["web", 0.75]]);
    expect((await query(`${lastTwo}`)).map((s) => s.metric.run_id).sort()).toEqual(["web-4", "web-5"]);
    expect(await query(`max by (pipeline) (${lastTwo}) < 0.8`)).toHaveLength(1);
    // The last three include web-3 at 0.82: not all below.
    expect(await query(`max by (pipeline) (${coverage} and on(pipeline, run_id) topk by (pipeline) (3, ${finished})) < 0.8`)).toHaveLength(0);
  });

  test("latest deployment per environment: staging failed (web-5), production succeeded (web-4)", async () => {
    const ok = catalog.ciDeploymentSuccess.name;
    const finished = catalog.ciDeploymentFinished.name;
    const latest = `${ok} and on(environment, run_id) topk by (environment) (1, ${finished})`;
    const r = await query(latest);
    expect(r.map((s) => [s.metric.environment, s.metric.run_id, s.value[1]]).sort()).toEqual([
      ["production", "web-4", "1"],
      ["staging", "web-5", "0"],
    ]);
    const failing = await query(`(${latest}) == 0`);
    expect(failing.map((s) => s.metric.environment)).toEqual(["staging"]);
    // Runs that did not deploy have no deployment series at all.
    expect(await query(`${ok}{run_id=~"web-[012]"}`)).toHaveLength(0);
  });

  test("retention: a run older than --retention is deleted by the next push, and its series go away", async () => {
    const old = await push(
      ["--pipeline", "nightly", "--branch", "main", "--run-id", "nightly-old", "--status", "success", "--finished-at", String(now - 8 * 86400)],
    );
    expect(old.code).toBe(0);
    expect(old.err.join("\n")).toMatch(/older than --retention 7d/);
    expect((await groups()).map((g) => g.run_id)).toContain("nightly-old");
    await eventually(`${catalog.ciBuildSuccess.name}{run_id="nightly-old"}`, (x) => x.length === 1);

    const fresh = await push(["--pipeline", "nightly", "--branch", "main", "--run-id", "nightly-new", "--status", "success", "--retention", "7d"]);
    expect(fresh.code).toBe(0);
    expect(fresh.out[0]).toMatch(/deleted 1 group\(s\) older than 7d$/);
    const ids = (await groups()).map((g) => g.run_id).sort();
    expect(ids).toEqual([...runs.map((r) => r.id), "nightly-new"].sort());
    // Once deleted, the run's series are stale in Prometheus at the next scrape.
    await eventually(`${catalog.ciBuildSuccess.name}{run_id="nightly-old"}`, (x) => x.length === 0);

    // A shorter retention removes the 2 h old web-0 but keeps the runs of the last hour.
    const tidy = await push(["--pipeline", "nightly", "--branch", "main", "--run-id", "nightly-new", "--status", "success", "--retention", "90m"]);
    expect(tidy.out[0]).toMatch(/deleted 1 group\(s\) older than 90m$/);
    expect((await groups()).map((g) => g.run_id)).not.toContain("web-0");
  });

  test("as a process: exit 2 for a bad flag with nothing pushed, exit 1 when unreachable, exit 0 and one line on success", async () => {
    // Bundled once instead of ts-node transpiling the CLI's imports in each of the three processes.
    const cli = bundled(path.join(PROJECT, "cli", "ci-metrics.ts"));
    const env = { ...process.env, PUSHGATEWAY_URL: pushgateway!.base };
    const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: PROJECT, env, encoding: "utf8", timeout: 30_000 });
    const common = ["push", "--pipeline", "proc", "--branch", "main", "--status", "success"];

    const bad = run([...common, "--run-id", "proc-bad", "--coverage", "85"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--coverage must be .* got "85"; if you meant 85%, pass 0\.85/);
    expect((await groups()).map((g) => g.run_id)).not.toContain("proc-bad");

    const closedPort = await freePort();
    const down = run([...common, "--run-id", "proc-down", "--url", `http://127.0.0.1:${closedPort}`]);
    expect(down.status).toBe(1);
    expect(down.stderr).toContain(`PUT http://127.0.0.1:${closedPort}/metrics/job/civicpulse-ci/run_id/proc-down failed: connect ECONNREFUSED`);

    const ok = run([...common, "--run-id", "proc-ok"]);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect((await groups()).map((g) => g.run_id)).toContain("proc-ok");
  });

  test("the whole real-tool run stays bounded", () => {
    expect(Date.now() / 1000 - startedAt).toBeLessThan(60);
  });
});
