// The containers' CIS Docker Benchmark settings in cdk.tf.json: on by default wherever the image
// allows, each switchable on its own per service, and the Docker socket only where it is needed.
import { Testing } from "cdktf";
import { uploadVolumeDirs } from "../constructs/common/service-container";
import { E2ePorts, loadE2eEnvironment } from "../spec/e2e";
import { loadEnvironment } from "../spec/load";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { EMPTY_ROOT } from "./helpers/environments";

type Json = Record<string, any>;

function containers(override: unknown = {}): Record<string, Json> {
  const spec = loadEnvironment("prod", { rootDir: EMPTY_ROOT, env: {} }, { byEnvironment: { prod: override }, declared: {} });
  const json = JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), spec))) as Json;
  return Object.fromEntries(
    Object.values(json.resource.docker_container as Record<string, Json>).map((c) => [c.labels.find((l: Json) => l.label === "civicpulse.service").value, c]),
  );
}

/** Services whose image writes nothing outside its volumes and gets no uploads into its own filesystem. */
const READ_ONLY = ["cadvisor", "node-exporter", "postgres-exporter", "pushgateway", "redis-exporter"];

describe("container hardening", () => {
  const all = containers();

  it.each(Object.keys(all).sort())("%s: cap_drop ALL, no-new-privileges", (service) => {
    const c = all[service];
    expect(c.capabilities.drop).toEqual(["ALL"]);
    expect(c.capabilities.add).toEqual(service === "cadvisor" ? ["DAC_READ_SEARCH", "SYSLOG"] : []);
    // With the host PID namespace dockerd adds label=disable itself; the stack states it (no perpetual replacement).
    expect(c.security_opts).toEqual(service === "node-exporter" ? ["label=disable", "no-new-privileges:true"] : ["no-new-privileges:true"]);
    expect(c.privileged).toBeUndefined();
  });

  it("read-only root filesystem with a /tmp tmpfs where the image allows it", () => {
    const ro = Object.keys(all).filter((s) => all[s].read_only === true).sort();
    expect(ro).toEqual(READ_ONLY);
    for (const s of ro) expect(all[s].tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,size=64m" });
  });

  it("a read-only container's upload folders become volumes (docker cp cannot write a read-only root)", () => {
    const pg = all["postgres-exporter"];
    expect(pg.volumes.map((v: Json) => v.container_path)).toEqual(["/run/secrets"]);
    expect(uploadVolumeDirs(["/etc/prometheus/prometheus.yml", "/etc/prometheus/web/web-config.yml", "/etc/x/y"], ["/etc/x"])).toEqual(["/etc/prometheus"]);
    const prom = containers({ services: { prometheus: { hardening: { readOnlyRootFilesystem: true } } } }).prometheus;
    expect(prom.read_only).toBe(true);
    expect(prom.volumes.map((v: Json) => v.container_path).sort()).toEqual(["/etc/prometheus", "/prometheus"]);
  });

  it("each setting switches off on its own, for one service", () => {
    const c = containers({
      services: {
        nodeExporter: { hardening: { readOnlyRootFilesystem: false } },
        grafana: { hardening: { dropAllCapabilities: false } },
        loki: { hardening: { noNewPrivileges: false } },
        jaeger: { hardening: { user: "10001:10001" } },
        redisExporter: { hardening: { capAdd: ["NET_BIND_SERVICE"] } },
      },
    });
    expect(c["node-exporter"].read_only).toBeUndefined();
    expect(c["node-exporter"].capabilities.drop).toEqual(["ALL"]);
    expect(c.grafana.capabilities).toBeUndefined();
    expect(c.grafana.security_opts).toEqual(["no-new-privileges:true"]);
    expect(c.loki.security_opts).toBeUndefined();
    expect(c.jaeger.user).toBe("10001:10001");
    expect(c["redis-exporter"].capabilities.add).toEqual(["NET_BIND_SERVICE"]);
    expect(c.prometheus.capabilities.drop).toEqual(["ALL"]);
  });

  it("rejects an unknown capability or user, naming the field", () => {
    expect(() => containers({ services: { grafana: { hardening: { capAdd: ["SYS_ADMIN"] } } } })).toThrow(/services\.grafana\.hardening\.capAdd\.0/);
    expect(() => containers({ services: { grafana: { hardening: { user: "root" } } } })).toThrow(/services\.grafana\.hardening\.user: a numeric/);
  });

  it("the e2e environment keeps every setting at its default (on), so a deploy of it proves them", () => {
    const p = 20000;
    const ports = Object.fromEntries(
      ["prometheus", "app", "appOtel", "nodeExporter", "cadvisor", "redisExporter", "postgresExporter", "blackboxExporter", "pushgateway", "alertmanager", "grafana", "loki", "jaeger", "promtail", "redis", "postgres"].map((k, i) => [k, p + i]),
    ) as unknown as E2ePorts;
    const url = "http://127.0.0.1:9999/x";
    const e2e = loadE2eEnvironment({ ports, recorder: { chat: url, pager: url, escalation: url, heartbeat: url }, secretsDir: "/run/e2e-secrets" });
    const prod = loadEnvironment("prod", { rootDir: EMPTY_ROOT, env: {} });
    const hardening = (spec: typeof prod) =>
      Object.fromEntries(Object.entries(spec.services).filter(([k]) => k !== "app").map(([k, v]) => [k, (v as { hardening: unknown }).hardening]));
    expect(hardening(e2e)).toEqual(hardening(prod));
    expect(Object.values(hardening(e2e)).every((h) => (h as { dropAllCapabilities: boolean; noNewPrivileges: boolean }).dropAllCapabilities && (h as { noNewPrivileges: boolean }).noNewPrivileges)).toBe(true);
  });

  it("mounts the Docker socket only into promtail and cadvisor", () => {
    const withSocket = Object.keys(all)
      .filter((s) => (all[s].mounts as Json[]).some((m) => m.source === "/var/run/docker.sock" || m.source === "/var/run"))
      .sort();
    expect(withSocket).toEqual(["cadvisor", "promtail"]);
  });
});
