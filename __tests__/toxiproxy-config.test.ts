import { renderToxiproxyConfig, toxiproxyConfigFileSchema, toxiproxyEndpoints } from "../constructs/toxiproxy/config";
import { toxiproxySpecSchema, parseHostPort } from "../spec/toxiproxy";

const rendered = renderToxiproxyConfig(toxiproxySpecSchema.parse({}));

describe("rendered toxiproxy.json", () => {
  test("is the two default proxies, sorted by name", () => {
    expect(JSON.parse(rendered)).toEqual([
      { name: "postgresql", listen: "0.0.0.0:15432", upstream: "postgres:5432", enabled: true },
      { name: "redis", listen: "0.0.0.0:16379", upstream: "redis:6379", enabled: true },
    ]);
  });

  test("parses against the file schema; the schema rejects a bad upstream and a duplicate", () => {
    expect(toxiproxyConfigFileSchema.safeParse(JSON.parse(rendered)).error?.issues).toBeUndefined();
    const bad = JSON.parse(rendered);
    bad[1].upstream = "redis";
    const r = toxiproxyConfigFileSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual([1, "upstream"]);
    const dup = JSON.parse(rendered);
    dup[1].name = "postgresql";
    expect(toxiproxyConfigFileSchema.safeParse(dup).success).toBe(false);
  });

  test("is deterministic JSON: 2-space indent and a trailing newline", () => {
    expect(rendered.endsWith("}\n]\n")).toBe(true);
    expect(rendered.split("\n")[1]).toBe("  {");
    expect(rendered).toBe(renderToxiproxyConfig(toxiproxySpecSchema.parse({})));
    expect(rendered).toMatchSnapshot();
  });

  test("extra proxies and overrides are rendered in name order", () => {
    const spec = toxiproxySpecSchema.parse({
      redis: { enabled: false },
      extra: [{ name: "app", listen: "0.0.0.0:18000", upstream: "civicpulse-web:8000" }],
    });
    expect(JSON.parse(renderToxiproxyConfig(spec)).map((p: { name: string; enabled: boolean }) => [p.name, p.enabled])).toEqual([
      ["app", true],
      ["postgresql", true],
      ["redis", false],
    ]);
    expect(toxiproxyEndpoints(spec)).toEqual({ app: "toxiproxy:18000", postgresql: "toxiproxy:15432", redis: "toxiproxy:16379" });
  });
});

describe("host:port validation", () => {
  test.each(["postgres:5432", "127.0.0.1:6379", "db.internal.example:5432", "[::1]:5432", "0.0.0.0:15432"])("accepts %s", (v) => {
    expect(parseHostPort(v)).toBeDefined();
  });
  test.each(["postgres", "postgres:0", "postgres:65536", ":5432", "post gres:5432", "300.1.1.1:80", "-bad:80", "http://postgres:5432"])("rejects %s", (v) => {
    expect(parseHostPort(v)).toBeUndefined();
  });
});

describe("spec validation", () => {
  test("a bad upstream names the field path", () => {
    const result = toxiproxySpecSchema.safeParse({ postgresql: { upstream: "postgres:99999" } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["postgresql", "upstream"]);
  });

  test("a listen port clash names the field path", () => {
    const result = toxiproxySpecSchema.safeParse({ redis: { listen: "0.0.0.0:15432" } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(["redis", "listen"]);
  });

  test("the API port cannot be a proxy port, and extra names must be unique", () => {
    expect(toxiproxySpecSchema.safeParse({ extra: [{ name: "x", listen: "0.0.0.0:8474", upstream: "a:1" }] }).error!.issues[0].path).toEqual([
      "extra",
      0,
      "listen",
    ]);
    expect(toxiproxySpecSchema.safeParse({ extra: [{ name: "redis", listen: "0.0.0.0:1", upstream: "a:1" }] }).error!.issues[0].path).toEqual([
      "extra",
      0,
      "name",
    ]);
  });
});
