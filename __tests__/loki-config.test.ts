import { parse as parseYaml } from "yaml";
import { formatGoDuration, lokiConfigFileSchema, renderLokiConfig } from "../constructs/loki/config";
import { hours, minutes, ms, parseDuration } from "../spec/duration";
import { lokiSpecSchema } from "../spec/loki";

const rendered = renderLokiConfig(lokiSpecSchema.parse({}));
const doc = () => parseYaml(rendered) as Record<string, any>;

describe("rendered Loki config", () => {
  test("parses against the schema of the fields we emit", () => {
    const result = lokiConfigFileSchema.safeParse(doc());
    expect(result.error?.issues).toBeUndefined();
  });

  test("the file schema rejects what Loki would reject or we never mean to ship", () => {
    const wrongSchema = doc();
    wrongSchema.schema_config.configs[0].schema = "v12";
    expect(lokiConfigFileSchema.safeParse(wrongSchema).success).toBe(false);
    const unknownKey = doc();
    unknownKey.compactor.shared_store = "filesystem"; // removed in Loki 3: Loki would refuse to start
    const r = lokiConfigFileSchema.safeParse(unknownKey);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(["compactor"]);
  });

  test("single binary on one volume: tsdb v13, filesystem, in-memory ring, 24h index period", () => {
    const d = doc();
    expect(d.auth_enabled).toBe(false);
    expect(d.server).toEqual({ http_listen_port: 3100, grpc_listen_port: 9095, log_level: "info" });
    expect(d.common.ring.kvstore.store).toBe("inmemory");
    expect(d.common.replication_factor).toBe(1);
    expect(d.schema_config.configs).toEqual([
      { from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } },
    ]);
    for (const p of [d.common.path_prefix, d.common.storage.filesystem.chunks_directory, d.compactor.working_directory]) {
      expect(p.startsWith("/loki")).toBe(true);
    }
  });

  test("retention: compactor enabled with a delete-request store, 30 days by default", () => {
    const d = doc();
    expect(d.compactor).toMatchObject({ retention_enabled: true, delete_request_store: "filesystem" });
    expect(d.limits_config.retention_period).toBe("720h");
    expect(d.limits_config).toMatchObject({ reject_old_samples: true, reject_old_samples_max_age: "168h", allow_structured_metadata: true });
  });

  test("overrides reach the file", () => {
    const r = parseYaml(renderLokiConfig(lokiSpecSchema.parse({ retentionPeriod: "14d", httpPort: 3200, schemaFrom: "2025-01-01" })));
    expect(r.limits_config.retention_period).toBe("336h");
    expect(r.server.http_listen_port).toBe(3200);
    expect(r.schema_config.configs[0].from).toBe("2025-01-01");
    expect(lokiConfigFileSchema.safeParse(r).success).toBe(true);
  });

  test("matches the snapshot and is deterministic", () => {
    expect(rendered).toMatchSnapshot();
    expect(renderLokiConfig(lokiSpecSchema.parse({}))).toBe(rendered);
  });
});

describe("Go durations", () => {
  test("never use days or weeks (time.ParseDuration knows neither)", () => {
    expect(formatGoDuration(parseDuration("30d")!)).toBe("720h");
    expect(formatGoDuration(parseDuration("1w2d3h")!)).toBe("219h");
    expect(formatGoDuration(hours(1.5))).toBe("1h30m");
    expect(formatGoDuration(minutes(10))).toBe("10m");
    expect(formatGoDuration(ms(1500))).toBe("1s500ms");
    expect(formatGoDuration(ms(0))).toBe("0s");
  });
});

describe("spec validation", () => {
  test("a retention below 24h names the field path", () => {
    const result = lokiSpecSchema.safeParse({ retentionPeriod: "12h" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["retentionPeriod"]);
  });

  test("an impossible schema date names the field path", () => {
    const result = lokiSpecSchema.safeParse({ schemaFrom: "2024-02-30" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["schemaFrom"]);
  });

  test("unknown keys are refused", () => {
    expect(lokiSpecSchema.safeParse({ retention: "30d" }).success).toBe(false);
  });
});
