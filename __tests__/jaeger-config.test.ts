import { parse as parseYaml } from "yaml";
import { jaegerConfigFileSchema, jaegerHealthcheckUrl, renderJaegerConfig } from "../constructs/jaeger/config";
import { jaegerSpecSchema } from "../spec/jaeger";

const render = (input: Parameters<typeof jaegerSpecSchema.parse>[0] = {}) => renderJaegerConfig(jaegerSpecSchema.parse(input));
const rendered = render();
const doc = () => parseYaml(rendered) as Record<string, any>;

describe("rendered Jaeger v2 config", () => {
  test("parses against the schema of the fields we emit", () => {
    const result = jaegerConfigFileSchema.safeParse(doc());
    expect(result.error?.issues).toBeUndefined();
  });

  test("the file schema catches a dangling storage reference and an unknown key", () => {
    const dangling = doc();
    dangling.exporters.jaeger_storage_exporter.trace_storage = "elsewhere";
    const r = jaegerConfigFileSchema.safeParse(dangling);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(["exporters", "jaeger_storage_exporter", "trace_storage"]);
    const unknown = doc();
    unknown.extensions.jaeger_query.ui_config = "./ui.json"; // the pre-2.x spelling
    expect(jaegerConfigFileSchema.safeParse(unknown).success).toBe(false);
    const notEnabled = doc();
    notEnabled.service.extensions = ["jaeger_storage", "jaeger_query"];
    expect(jaegerConfigFileSchema.safeParse(notEnabled).success).toBe(false);
  });

  test("OTLP in on 4317/4318, UI on 16686, health on 13133, own metrics on 8888", () => {
    const d = doc();
    expect(d.service.pipelines.traces).toEqual({ receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] });
    expect(d.service.extensions).toEqual(["jaeger_storage", "jaeger_query", "healthcheckv2"]);
    expect(d.receivers.otlp.protocols).toEqual({ grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } });
    expect(d.extensions.jaeger_query.http.endpoint).toBe("0.0.0.0:16686");
    expect(d.extensions.healthcheckv2).toEqual({ use_v2: true, http: { endpoint: "0.0.0.0:13133" } });
    expect(d.service.telemetry.metrics.readers[0].pull.exporter.prometheus).toEqual({ host: "0.0.0.0", port: 8888 });
    expect(jaegerHealthcheckUrl(jaegerSpecSchema.parse({}))).toBe("http://127.0.0.1:13133/status");
  });

  test("memory storage by default, with a trace cap", () => {
    expect(doc().extensions.jaeger_storage.backends).toEqual({ traces_store: { memory: { max_traces: 100000 } } });
    expect(doc().extensions.jaeger_query.storage.traces).toBe("traces_store");
  });

  test("badger storage on a volume, TTL written as a Go duration", () => {
    const d = parseYaml(render({ storage: { kind: "badger", spanTtl: "7d" } }));
    expect(d.extensions.jaeger_storage.backends.traces_store).toEqual({
      badger: { directories: { keys: "/badger/keys", values: "/badger/values" }, ephemeral: false, ttl: { spans: "168h" } },
    });
    expect(jaegerConfigFileSchema.safeParse(d).success).toBe(true);
    expect(render({ storage: { kind: "badger" } })).toMatchSnapshot("badger");
  });

  test("matches the snapshot and is deterministic", () => {
    expect(rendered).toMatchSnapshot();
    expect(render()).toBe(rendered);
  });
});

describe("spec validation", () => {
  test("a port clash names the field path", () => {
    const result = jaegerSpecSchema.safeParse({ ports: { ui: 4317 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["ports", "ui"]);
  });

  test("an unknown storage kind names the field path", () => {
    const result = jaegerSpecSchema.safeParse({ storage: { kind: "cassandra" } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["storage", "kind"]);
  });

  test("a relative badger directory names the field path", () => {
    const result = jaegerSpecSchema.safeParse({ storage: { kind: "badger", directory: "badger" } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["storage", "directory"]);
  });
});
