import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { caseless, PROMTAIL_MASKING_RULES, promtailConfigFileSchema, renderPromtailConfig, TRACE_ID_EXPRESSION } from "../constructs/promtail/config";
import { toYaml } from "../serialize/yaml";
import { runTool } from "./helpers/tools";
import { promtailSpecSchema } from "../spec/promtail";

const spec = promtailSpecSchema.parse({});
const rendered = renderPromtailConfig(spec);
const doc = () => parseYaml(rendered) as Record<string, any>;
const stages = (): any[] => doc().scrape_configs[0].pipeline_stages;

/**
 * Promtail's `replace` stage, as implemented in clients/pkg/logentry/stages/replace.go: for every
 * match (FindAllStringSubmatchIndex), every capture group that took part is replaced by the
 * (templated) replacement; text outside capture groups is kept; a group that starts before the end
 * of the previous replacement is skipped.
 */
function simulateReplaceStage(expression: string, replacement: string, input: string): string {
  const matches = [...input.matchAll(new RegExp(expression, "gd"))];
  if (matches.length === 0) return input;
  let result = "";
  let previousEnd = 0;
  for (const m of matches) {
    const indices = m.indices!;
    for (let i = 1; i < indices.length; i++) {
      const span = indices[i];
      if (span === undefined) continue;
      const [start, end] = span;
      if (previousEnd === 0 || previousEnd < start) {
        result += input.slice(previousEnd, start) + replacement;
        previousEnd = end;
      }
    }
  }
  return result + input.slice(previousEnd);
}

/** The rendered pipeline's replace stages, in order, on one line. */
function mask(line: string): string {
  return stages()
    .filter((s) => "replace" in s)
    .reduce((acc: string, s) => simulateReplaceStage(s.replace.expression, s.replace.replace, acc), line);
}

/** RE2 named groups are (?P<name>...); JavaScript spells them (?<name>...). */
const jsRegex = (re2: string) => new RegExp(re2.replace(/\(\?P</g, "(?<"));

function traceId(line: string): string | undefined {
  const stage = stages().find((s) => "regex" in s);
  return jsRegex(stage.regex.expression).exec(line)?.groups?.trace_id;
}

describe("rendered Promtail config", () => {
  test("parses against the schema of the fields we emit", () => {
    const result = promtailConfigFileSchema.safeParse(doc());
    expect(result.error?.issues).toBeUndefined();
  });

  test("the file schema rejects an unknown stage and a wrong push URL", () => {
    const badStage = doc();
    badStage.scrape_configs[0].pipeline_stages.push({ labels: { trace_id: "" } });
    expect(promtailConfigFileSchema.safeParse(badStage).success).toBe(false);
    const badUrl = doc();
    badUrl.clients[0].url = "http://loki:3100/api/prom/push";
    expect(promtailConfigFileSchema.safeParse(badUrl).success).toBe(false);
  });

  test("discovers containers through the Docker socket and pushes to Loki", () => {
    const d = doc();
    expect(d.clients).toEqual([{ url: "http://loki:3100/loki/api/v1/push" }]);
    expect(d.positions.filename).toBe("/var/lib/promtail/positions.yaml");
    const sc = d.scrape_configs[0];
    expect(sc.docker_sd_configs).toEqual([{ host: "unix:///var/run/docker.sock", refresh_interval: "5s" }]);
    const targets = sc.relabel_configs.map((r: any) => r.target_label);
    expect(targets).toEqual(expect.arrayContaining(["container", "compose_service", "service"]));
    expect(sc.relabel_configs[0]).toEqual({ source_labels: ["__meta_docker_container_name"], regex: "/(.*)", target_label: "container" });
  });

  test("trace_id goes to structured metadata, never to a label", () => {
    const s = stages();
    expect(s.map((x) => Object.keys(x)[0])).toEqual(["replace", "replace", "replace", "replace", "replace", "regex", "structured_metadata"]);
    expect(s[s.length - 1]).toEqual({ structured_metadata: { trace_id: "trace_id" } });
    expect(s.some((x) => "labels" in x)).toBe(false);
    expect(doc().scrape_configs[0].relabel_configs.some((r: any) => /trace/.test(r.target_label))).toBe(false);
  });

  test("mentions Promtail's end of life", () => {
    expect(rendered).toContain("end of life on 2026-03-02");
  });

  test("overrides reach the file", () => {
    const d = parseYaml(
      renderPromtailConfig(promtailSpecSchema.parse({ lokiPushUrl: "http://127.0.0.1:3100/loki/api/v1/push", externalLabels: { environment: "prod", cluster: "a" }, serviceContainerLabel: "com.example.svc" })),
    );
    expect(d.clients[0]).toEqual({ url: "http://127.0.0.1:3100/loki/api/v1/push", external_labels: { cluster: "a", environment: "prod" } });
    expect(JSON.stringify(d)).toContain("__meta_docker_container_label_com_example_svc");
    expect(promtailConfigFileSchema.safeParse(d).success).toBe(true);
  });

  test("matches the snapshot and is deterministic", () => {
    expect(rendered).toMatchSnapshot();
    expect(renderPromtailConfig(promtailSpecSchema.parse({}))).toBe(rendered);
  });
});

describe("masking regexes", () => {
  const MASK = "****";

  const positive: Array<[string, string, string]> = [
    ["query string password", "GET /api/login?username=alice&password=hunter2&next=/home HTTP/1.1", "GET /api/login?username=alice&password=****&next=/home HTTP/1.1"],
    ["form body, two secrets", "POST body: password=a1&token=b2&remember=1", "POST body: password=****&token=****&remember=1"],
    ["bearer header", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "Authorization: Bearer ****"],
    ["basic header, lower case", "authorization: Basic dXNlcjpwYXNz", "authorization: Basic ****"],
    ["Django META dump", "{'HTTP_AUTHORIZATION': 'Bearer abc.def', 'HTTP_HOST': 'civicpulse'}", "{'HTTP_AUTHORIZATION': 'Bearer ****', 'HTTP_HOST': 'civicpulse'}"],
    ["JSON password", '{"event": "login", "username": "alice", "password": "hunter2", "ok": true}', '{"event": "login", "username": "alice", "password": "****", "ok": true}'],
    ["JSON api_key, compact", '{"api_key":"sk_live_123","status":"ok"}', '{"api_key":"****","status":"ok"}'],
    ["JSON escaped quote in the secret", '{"new_password": "ab\\"cd", "user": "bob"}', '{"new_password": "****", "user": "bob"}'],
    ["Python repr", "{'username': 'bob', 'password': 'pa ss'}", "{'username': 'bob', 'password': '****'}"],
    ["settings line", "SECRET_KEY = 'django-insecure-abc123'", "SECRET_KEY = '****'"],
    ["quoted logfmt value with a space", 'level=warn msg="refresh failed" refresh_token="abc def" user=bob', 'level=warn msg="refresh failed" refresh_token="****" user=bob'],
    ["api key header", "X-Api-Key: abc123 forwarded", "X-Api-Key: **** forwarded"],
    ["cookies", "Cookie: sessionid=abc123; csrftoken=def456; theme=dark", "Cookie: sessionid=****; csrftoken=****; theme=dark"],
    ["client credentials", "client_secret=xyz&grant_type=client_credentials", "client_secret=****&grant_type=client_credentials"],
    ["database URL", "DATABASE_URL=postgres://civicpulse:s3cr3t@postgres:5432/civicpulse", "DATABASE_URL=postgres://civicpulse:****@postgres:5432/civicpulse"],
    ["redis URL without user", "connecting to redis://:redispass@redis:6379/0", "connecting to redis://:****@redis:6379/0"],
    ["line starts with the key", "password=topsecret", "password=****"],
  ];

  test.each(positive)("%s: the secret is gone, the rest intact", (_name, line, expected) => {
    expect(mask(line)).toBe(expected);
  });

  const negative: string[] = [
    "User alice logged in from 10.0.0.1",
    '{"status": "healthy", "database": "ok", "cache": "ok"}',
    "Password reset email sent to alice@example.com",
    "GET /api/tokens/ 200 12ms",
    "GET http://civicpulse-web:8000/health/ 200",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "Invalid token signature for user bob",
    '{"msg": "token expired", "user": "bob"}',
    "grant_type=client_credentials scope=read",
  ];

  test.each(negative)("leaves a line without secrets unchanged: %s", (line) => {
    expect(mask(line)).toBe(line);
  });

  test("the simulation can fail: an unmasked secret is noticed", () => {
    expect(simulateReplaceStage(String.raw`password=(\S+)`, MASK, "password=x user=y")).toBe("password=**** user=y");
    expect(mask("passcode=1234")).toContain("1234"); // not a secret word: documents the limit
  });

  test("every capture group of every masking rule is the secret only (no prefix text in groups)", () => {
    for (const rule of PROMTAIL_MASKING_RULES) {
      const groups = rule.expression.match(/\((?!\?)/g) ?? [];
      expect({ rule: rule.name, groups: groups.length }).toEqual({ rule: rule.name, groups: rule.name === "key-value" ? 3 : 1 });
    }
  });

  test("no regex uses constructs RE2 lacks (lookaround, backreferences, inline flags, possessive)", () => {
    for (const expr of [...PROMTAIL_MASKING_RULES.map((r) => r.expression), TRACE_ID_EXPRESSION]) {
      expect(expr).not.toMatch(/\(\?<?[=!]|\\[1-9]|\(\?[imsU]+[:)]|[+*?}]\+/);
      expect(expr).not.toMatch(/\(\?<[a-z]/); // named groups: RE2's (?P<name>...) only
    }
    expect(caseless("api-key")).toBe("[Aa][Pp][Ii]\\-[Kk][Ee][Yy]");
  });
});

describe("RE2 validity (Prometheus compiles relabel regexes with Go's regexp, as Promtail does)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "promtail-re2-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const promtoolCheck = (expressions: string[]) => {
    const file = path.join(dir, `prometheus-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(
      file,
      toYaml({
        scrape_configs: [
          {
            job_name: "re2",
            static_configs: [{ targets: ["127.0.0.1:1"] }],
            relabel_configs: expressions.map((regex) => ({ source_labels: ["__address__"], regex, target_label: "re2" })),
          },
        ],
      }),
    );
    return runTool("promtool", ["check", "config", file]);
  };

  test("every masking regex and the trace id regex compile in RE2", () => {
    const res = promtoolCheck([...PROMTAIL_MASKING_RULES.map((r) => r.expression), TRACE_ID_EXPRESSION]);
    expect({ status: res.status, out: res.stdout + res.stderr }).toMatchObject({ status: 0 });
  });

  test("the check fails on a regex RE2 rejects (lookbehind)", () => {
    const res = promtoolCheck(["(?<=Bearer )\\S+"]);
    expect(res.status).not.toBe(0);
  });
});

describe("trace id extraction", () => {
  const ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  test.each([
    ["JSON", `{"level": "info", "trace_id": "${ID}", "msg": "ok"}`],
    ["JSON camelCase", `{"traceId":"${ID}"}`],
    ["logfmt", `level=info trace_id=${ID} span_id=00f067aa0ba902b7 msg=ok`],
    ["OpenTelemetry logging format", `INFO [civicpulse.views] [trace_id=${ID} span_id=00f067aa0ba902b7] ok`],
    ["otelTraceID", `otelTraceID=${ID} otelSpanID=00f067aa0ba902b7`],
    ["traceparent", `traceparent: 00-${ID}-00f067aa0ba902b7-01`],
  ])("from %s", (_name, line) => {
    expect(traceId(line)).toBe(ID);
  });

  test.each([
    ["too short", `trace_id=${ID.slice(1)}`],
    ["too long", `trace_id=${ID}0`],
    ["a span id", "span_id=00f067aa0ba902b7"],
    ["no key", `request ${ID} done`],
  ])("not from %s", (_name, line) => {
    expect(traceId(line)).toBeUndefined();
  });

  test("survives masking, and masking happens first", () => {
    const line = `{"trace_id": "${ID}", "password": "hunter2"}`;
    const masked = mask(line);
    expect(masked).toBe(`{"trace_id": "${ID}", "password": "****"}`);
    expect(traceId(masked)).toBe(ID);
    const order = stages().map((s) => Object.keys(s)[0]);
    expect(order.lastIndexOf("replace")).toBeLessThan(order.indexOf("regex"));
  });
});

describe("spec validation", () => {
  test("a bad push URL names the field path", () => {
    const result = promtailSpecSchema.safeParse({ lokiPushUrl: "loki:3100" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["lokiPushUrl"]);
  });

  test("a template in the mask replacement is refused", () => {
    const result = promtailSpecSchema.safeParse({ maskReplacement: "{{ .Value }}" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["maskReplacement"]);
  });

  test("a bad external label name names the field path", () => {
    const result = promtailSpecSchema.safeParse({ externalLabels: { "bad-name": "x" } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path[0]).toBe("externalLabels");
  });
});
