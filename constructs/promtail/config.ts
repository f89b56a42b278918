import { z } from "zod";
import { formatDuration } from "../../spec/duration";
import { toYaml } from "../../serialize/yaml";
import { PromtailSpec } from "../../spec/promtail";

/**
 * Promtail: ships the logs of every container on the Docker host to Loki.
 *
 * END OF LIFE: Promtail reached end of life on 2026-03-02; Grafana Alloy replaces it (its
 * `loki.source.docker` + `loki.process` components cover this file: `alloy convert
 * --source-format=promtail` translates it). We ship Promtail because the report asks for it.
 *
 * Logs are read through the Docker API (`docker_sd_configs`), which returns each line already
 * demultiplexed and decoded, so no `docker: {}` stage is needed (that stage parses the JSON lines of
 * the json-file driver when tailing /var/lib/docker/containers/*.log directly).
 *
 * Pipeline, in order:
 *   1. `replace` stages mask credentials before anything is stored (see PROMTAIL_MASKING_RULES);
 *   2. a `regex` stage extracts a W3C trace id (32 lowercase hex) from JSON (`"trace_id": "..."`),
 *      logfmt/text (`trace_id=...`, `otelTraceID=...`) or a `traceparent` value;
 *   3. `structured_metadata` attaches it to the entry. NOT a label: every request has its own trace
 *      id, so as a label it would create one Loki stream per request (unbounded cardinality: a huge
 *      index, tiny chunks, and the per-tenant stream limit hit within minutes). Structured metadata
 *      is stored beside the line, is not indexed, and is still queryable:
 *      `{service="civicpulse-web"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"`.
 *      It needs Loki's schema v13 and `allow_structured_metadata: true` (constructs/loki).
 *
 * Every regex here is valid in Go RE2 (what Promtail compiles) and in JavaScript (what the tests run):
 * no lookaround, no backreferences, no inline flags (case-insensitivity is spelled out as [Aa]
 * classes). The replace stage substitutes every capture group of every match, so each masking
 * expression has only the secret itself in capture groups; everything around it is (?:...).
 */

export const PROMTAIL_CONFIG_PATH = "/etc/promtail/config.yml";
/** Volume holding the positions file (where each container's log was read up to). */
export const PROMTAIL_POSITIONS_DIR = "/var/lib/promtail";

/** Case-insensitive spelling of a word without the (?i) flag, which JavaScript does not accept inline. */
export function caseless(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"))).join("");
}

/** Words that make a key a secret (matched anywhere inside the key: db_password, X-Api-Key, csrftoken). */
const SECRET_WORD = `(?:${[
  caseless("password"),
  caseless("passwd"),
  caseless("secret"),
  caseless("token"),
  `${caseless("api")}[_-]?${caseless("key")}`,
  caseless("sessionid"),
  caseless("credential"),
].join("|")})`;

export interface MaskingRule {
  readonly name: string;
  readonly description: string;
  /** RE2/JS expression; each capture group is a secret to replace. */
  readonly expression: string;
}

export const PROMTAIL_MASKING_RULES: readonly MaskingRule[] = [
  {
    name: "url-userinfo",
    description: "password in a URL's user info: postgres://user:PASSWORD@host, redis://:PASSWORD@host",
    expression: String.raw`[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:([^\s@/]+)@`,
  },
  {
    name: "authorization-header",
    description: "Authorization: Bearer|Basic|Token CREDENTIAL (headers, Django META dumps)",
    expression: `${caseless("authorization")}["']?\\s*[:=]\\s*["']?(?:${caseless("bearer")}|${caseless("basic")}|${caseless("token")})\\s+([^\\s"',;]+)`,
  },
  {
    name: "json-field",
    description: 'JSON string field whose key names a secret: "password": "VALUE", "api_key": "VALUE"',
    expression: `"[^"]*${SECRET_WORD}[^"]*"\\s*:\\s*"((?:[^"\\\\]|\\\\.)+)"`,
  },
  {
    name: "python-repr-field",
    description: "single-quoted dict field (Python repr in tracebacks): 'password': 'VALUE'",
    expression: `'[^']*${SECRET_WORD}[^']*'\\s*:\\s*'((?:[^'\\\\]|\\\\.)+)'`,
  },
  {
    name: "key-value",
    description: "key=VALUE / key: VALUE in query strings, form bodies, logfmt, headers (X-Api-Key: VALUE), cookies",
    expression: `(?:^|[^A-Za-z0-9_])[A-Za-z0-9_.-]*${SECRET_WORD}[A-Za-z0-9_.-]*\\s*[=:]\\s*(?:"((?:[^"\\\\]|\\\\.)+)"|'((?:[^'\\\\]|\\\\.)+)'|([^\\s&"',;}]+))`,
  },
];

/** Regex stage: the trace id into the extracted map as `trace_id` (named groups use RE2's (?P<...>)). */
export const TRACE_ID_EXPRESSION = String.raw`(?:(?:otel)?[Tt]race_?[Ii][Dd]["']?\s*[:=]\s*["']?|traceparent["']?\s*[:=]\s*["']?00-)(?P<trace_id>[0-9a-f]{32})\b`;

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/** Prometheus-style service discovery turns a container label into this meta label. */
export function dockerLabelMetaName(label: string): string {
  return `__meta_docker_container_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

export function buildPromtailConfig(spec: PromtailSpec): Record<string, unknown> {
  const externalLabels = Object.fromEntries(Object.entries(spec.externalLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    server: { http_listen_port: spec.httpPort, grpc_listen_port: 0, log_level: spec.logLevel },
    positions: { filename: `${PROMTAIL_POSITIONS_DIR}/positions.yaml` },
    clients: [
      {
        url: spec.lokiPushUrl,
        ...(Object.keys(externalLabels).length > 0 ? { external_labels: externalLabels } : {}),
      },
    ],
    scrape_configs: [
      {
        job_name: "docker",
        docker_sd_configs: [{ host: spec.dockerHost, refresh_interval: formatDuration(spec.refreshInterval) }],
        relabel_configs: [
          { source_labels: ["__meta_docker_container_name"], regex: "/(.*)", target_label: "container" },
          { source_labels: ["__meta_docker_container_label_com_docker_compose_service"], regex: "(.+)", target_label: "compose_service" },
          // service: the explicit container label, else the compose service, else the container name.
          { source_labels: ["container"], regex: "(.+)", target_label: "service" },
          { source_labels: ["compose_service"], regex: "(.+)", target_label: "service" },
          { source_labels: [dockerLabelMetaName(spec.serviceContainerLabel)], regex: "(.+)", target_label: "service" },
          { source_labels: ["__meta_docker_container_log_stream"], target_label: "stream" },
        ],
        pipeline_stages: [
          ...PROMTAIL_MASKING_RULES.map((rule) => ({ replace: { expression: rule.expression, replace: spec.maskReplacement } })),
          { regex: { expression: TRACE_ID_EXPRESSION } },
          { structured_metadata: { trace_id: "trace_id" } },
        ],
      },
    ],
  };
}

export function renderPromtailConfig(spec: PromtailSpec): string {
  const header = [
    "Generated by constructs/promtail/config.ts - do not edit by hand.",
    "Promtail reached end of life on 2026-03-02; Grafana Alloy replaces it.",
    "trace_id is structured metadata, not a label: one value per request would mean one stream per request.",
  ].join("\n");
  return toYaml(buildPromtailConfig(spec), header);
}

/** Container command line for the rendered file. */
export function promtailCommand(): string[] {
  return [`-config.file=${PROMTAIL_CONFIG_PATH}`];
}

// ---------------------------------------------------------------------------------------------
// Structure of the emitted file (what tests check in place of a Promtail binary)
// ---------------------------------------------------------------------------------------------

const port = z.number().int().min(1).max(65535);
const relabelSchema = z.strictObject({
  source_labels: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)).min(1),
  regex: z.string().optional(),
  target_label: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
});

const stageSchema = z.union([
  z.strictObject({ replace: z.strictObject({ expression: z.string().min(1), replace: z.string() }) }),
  z.strictObject({ regex: z.strictObject({ expression: z.string().min(1) }) }),
  z.strictObject({ structured_metadata: z.record(z.string(), z.string()) }),
]);

export const promtailConfigFileSchema = z.strictObject({
  server: z.strictObject({
    http_listen_port: port,
    grpc_listen_port: z.literal(0),
    log_level: z.enum(["debug", "info", "warn", "error"]),
  }),
  positions: z.strictObject({ filename: z.string().regex(/^\/\S+$/) }),
  clients: z
    .array(
      z.strictObject({
        url: z.url({ protocol: /^https?$/ }).regex(/\/loki\/api\/v1\/push$/, "the Loki push endpoint"),
        external_labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).optional(),
      }),
    )
    .length(1),
  scrape_configs: z
    .array(
      z.strictObject({
        job_name: z.string().min(1),
        docker_sd_configs: z.array(z.strictObject({ host: z.string(), refresh_interval: z.string().regex(/^(\d+[smh])+$/) })).min(1),
        relabel_configs: z.array(relabelSchema),
        pipeline_stages: z.array(stageSchema),
      }),
    )
    .min(1),
});

export type PromtailConfigFile = z.output<typeof promtailConfigFileSchema>;
