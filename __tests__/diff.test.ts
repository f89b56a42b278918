/**
 * The semantic diff library on pairs of real synthesized outputs: each fixture pair is the dev
 * preset and the same preset with one change made through the environment schema (or, for what
 * the schema does not expose, one edit of the synthesized output), synthesized with buildApp.
 */
import { rmSync } from "node:fs";
import { renderAlertmanagerConfig } from "../constructs/alertmanager/config";
import {
  Change,
  COMMENT_MARKER,
  composeComment,
  diffOutputs,
  DiffReport,
  GITHUB_COMMENT_LIMIT,
  loadSynthOutput,
  planSummary,
  prLabel,
  renderMarkdown,
  thresholds,
} from "../diff";
import { renderChange } from "../diff/markdown";
import { replacementReason } from "../diff/provider-facts";
import { copyOutput, editTf, specFor, synth, writeRendered } from "./fixtures/diff/synth";
import { EXAMPLE_LABELS, exampleOutputs } from "./fixtures/diff/example";
import { alertmanagerSpecSchema } from "../spec/alertmanager";

const made: string[] = [];
const track = (dir: string) => (made.push(dir), dir);
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

let baseDir: string;
beforeAll(() => {
  baseDir = track(synth([specFor("dev")]));
});

function diffDirs(base: string, head: string): DiffReport {
  return diffOutputs(loadSynthOutput(base), loadSynthOutput(head), { base, head });
}

/** The dev preset with `override` on top, diffed against the plain dev preset. */
function diffDev(override: Record<string, unknown>): { report: DiffReport; changes: Change[] } {
  const head = track(synth([specFor("dev", override)]));
  const report = diffDirs(baseDir, head);
  return { report, changes: report.environments.flatMap((e) => e.changes) };
}

const find = (changes: readonly Change[], kind: Change["kind"], id: string) => {
  const c = changes.find((x) => x.kind === kind && x.id === id);
  if (!c) throw new Error(`no ${kind} ${id} in: ${changes.map((x) => `${x.kind}:${x.id}`).join(", ")}`);
  return c;
};
const field = (c: Change, name: string) => {
  const f = c.fields.find((x) => x.field === name);
  if (!f) throw new Error(`no field ${name} in ${c.kind} ${c.id}: ${c.fields.map((x) => x.field).join(", ")}`);
  return f;
};

describe("pairs of synthesized specs", () => {
  test("the same spec twice: no change", () => {
    const report = diffDirs(baseDir, track(synth([specFor("dev")])));
    expect(report.changed).toBe(false);
    expect(report.summary.total).toBe(0);
    expect(renderMarkdown(report)).toContain("**No monitoring changes** in any environment.");
  });

  test("a threshold: the alert's comparison, old and new side by side", () => {
    const { changes } = diffDev({ alerts: { HostHighCpuUsage: { cpuPercent: 90 } } });
    const alert = find(changes, "alert", "HostHighCpuUsage");
    expect(alert.action).toBe("changed");
    expect(field(alert, "threshold")).toMatchObject({ before: "> 0.8", after: "> 0.9" });
    expect(field(alert, "expr").before).toContain("> 0.8");
    expect(field(alert, "expr").after).toContain("> 0.9");
    expect(field(alert, "annotations.summary")).toMatchObject({ before: expect.stringContaining("80%"), after: expect.stringContaining("90%") });
    expect(renderChange(alert)).toContain("| threshold | `> 0.8` | `> 0.9` |");
  });

  test("a `for` duration", () => {
    const { changes } = diffDev({ alerts: { RedisDown: { for: "5m" } } });
    const alert = find(changes, "alert", "RedisDown");
    expect(field(alert, "for")).toMatchObject({ before: "1m", after: "5m" });
    expect(alert.fields.find((f) => f.field === "threshold")).toBeUndefined();
  });

  test("a severity", () => {
    const { changes } = diffDev({ alerts: { HostLowMemory: { severity: "critical" } } });
    expect(field(find(changes, "alert", "HostLowMemory"), "severity")).toMatchObject({ before: "warning", after: "critical" });
  });

  test("a disabled alert is removed, with what it was", () => {
    const { changes, report } = diffDev({ alerts: { CivicPulseHighLatency: { enabled: false } } });
    const alert = find(changes, "alert", "CivicPulseHighLatency");
    expect(alert.action).toBe("removed");
    expect(field(alert, "severity")).toEqual({ field: "severity", before: "warning" });
    expect(field(alert, "threshold").before).toBe("> 5");
    expect(report.summary.byKind.alert).toMatchObject({ removed: 1 });
  });

  test("a scrape target", () => {
    const { changes } = diffDev({ targets: { app: ["civicpulse-web:8000", "civicpulse-web-2:8000"] } });
    const job = find(changes, "scrape_job", "civicpulse-app");
    expect(job.action).toBe("changed");
    expect(field(job, "targets")).toMatchObject({
      before: "civicpulse-web:8000",
      after: "civicpulse-web:8000, civicpulse-web-2:8000",
      note: "+ civicpulse-web-2:8000",
    });
  });

  test("retention flags: the Prometheus container is replaced, forced by its command", () => {
    const { changes, report } = diffDev({ prometheus: { retentionTime: "5d" } });
    const container = changes.find((c) => c.kind === "container" && c.title === "civicpulse-dev-prometheus");
    expect(container).toBeDefined();
    expect(container?.action).toBe("replaced");
    expect(container?.forcedBy).toContain("command");
    const command = field(container as Change, "command");
    expect(command.forcesReplacement).toBe(true);
    expect(command.note).toBe("+ --storage.tsdb.retention.time=5d; − --storage.tsdb.retention.time=3d");
    expect(report.summary.destructive).toContainEqual(expect.objectContaining({ stack: "monitoring-dev", kind: "container", action: "replaced", title: "civicpulse-dev-prometheus" }));
    expect(renderMarkdown(report)).toMatch(/⚠️ \*\*\d+ destroyed or replaced:\*\* .*civicpulse-dev-prometheus\)` in monitoring-dev replaced by .*command/);
  });

  test("an alert change also replaces the container, through the rule file upload", () => {
    const { changes } = diffDev({ alerts: { HostHighCpuUsage: { cpuPercent: 90 } } });
    const container = changes.find((c) => c.kind === "container" && c.title === "civicpulse-dev-prometheus") as Change;
    expect(container.action).toBe("replaced");
    expect(container.forcedBy).toContain("upload");
    expect(field(container, "upload /etc/prometheus/alerting_rules.yml")).toMatchObject({ forcesReplacement: true, note: expect.stringMatching(/^\+\d+ −\d+ lines$/) });
  });

  test("the Prometheus image tag: image and container replaced, the tag named", () => {
    const head = track(copyOutput(baseDir));
    editTf(head, "monitoring-dev", (tf) => {
      for (const img of Object.values<any>(tf.resource.docker_image)) {
        if (String(img.name).startsWith("prom/prometheus:")) img.name = "prom/prometheus:v3.6.0";
      }
    });
    const report = diffDirs(baseDir, head);
    const changes = report.environments.flatMap((e) => e.changes);
    const container = changes.find((c) => c.kind === "container" && c.title === "civicpulse-dev-prometheus") as Change;
    expect(container.action).toBe("replaced");
    expect(container.forcedBy).toEqual(["image"]);
    expect(field(container, "image")).toMatchObject({ before: "prom/prometheus:v3.5.0", after: "prom/prometheus:v3.6.0", forcesReplacement: true, note: "image tag v3.5.0 → v3.6.0" });
    const image = changes.find((c) => c.kind === "resource" && c.id.startsWith("docker_image.prometheus"));
    expect(image).toMatchObject({ action: "replaced", forcedBy: ["name"] });
    expect(prLabel(report)).toBe("monitoring:replaces");
  });

  test("an in-place change (memory) is a change, not a replacement", () => {
    const head = track(copyOutput(baseDir));
    editTf(head, "monitoring-dev", (tf) => {
      for (const c of Object.values<any>(tf.resource.docker_container)) if (c.name === "civicpulse-dev-prometheus") c.memory = 4096;
    });
    const report = diffDirs(baseDir, head);
    const container = report.environments[0].changes.find((c) => c.kind === "container") as Change;
    expect(container).toMatchObject({ action: "changed", fields: [{ field: "memory", before: "2048", after: "4096" }] });
    expect(container.forcedBy).toBeUndefined();
    expect(report.summary.destructive).toEqual([]);
    expect(prLabel(report)).toBe("monitoring:changes");
  });

  test("a healthcheck change is flagged as a replacement, with the reason", () => {
    const head = track(copyOutput(baseDir));
    editTf(head, "monitoring-dev", (tf) => {
      for (const c of Object.values<any>(tf.resource.docker_container)) if (c.name === "civicpulse-dev-prometheus") c.healthcheck.retries = 9;
    });
    const container = diffDirs(baseDir, head).environments[0].changes.find((c) => c.kind === "container") as Change;
    expect(container.action).toBe("replaced");
    expect(field(container, "healthcheck.retries")).toMatchObject({ before: "5", after: "9", forcesReplacement: true, note: expect.stringContaining("not ForceNew in the provider schema") });
  });

  test("a removed stack destroys everything in it", () => {
    const two = track(synth([specFor("dev"), specFor("staging")]));
    const report = diffDirs(two, baseDir);
    const staging = report.environments.find((e) => e.name === "staging");
    expect(find(staging?.changes ?? [], "stack", "monitoring-staging").action).toBe("removed");
    expect(report.summary.destructive.some((d) => d.stack === "monitoring-staging" && d.kind === "container" && d.action === "removed")).toBe(true);
  });
});

describe("provider facts", () => {
  test.each(["image", "upload", "command", "env", "ports", "volumes", "labels", "healthcheck", "mounts", "networks_advanced"])(
    "docker_container.%s forces a replacement",
    (attribute) => expect(replacementReason("docker_container", attribute)).toBeDefined(),
  );
  test.each(["memory", "cpu_shares", "restart", "destroy_grace_seconds"])("docker_container.%s updates in place", (attribute) =>
    expect(replacementReason("docker_container", attribute)).toBeUndefined(),
  );
  test("images, volumes, networks and grafana", () => {
    expect(replacementReason("docker_image", "name")).toBe("ForceNew");
    expect(replacementReason("docker_image", "keep_locally")).toBeUndefined();
    expect(replacementReason("docker_volume", "anything")).toBe("docker_volume cannot be updated in place");
    expect(replacementReason("grafana_data_source", "org_id")).toBe("ForceNew");
    expect(replacementReason("grafana_data_source", "url")).toBeUndefined();
  });
});

describe("Terraform blocks and other rendered files", () => {
  test("an output's description and a runbook", () => {
    const head = track(copyOutput(baseDir));
    editTf(head, "monitoring-dev", (tf) => {
      const [name] = Object.keys(tf.output);
      tf.output[name].description = "changed";
    });
    writeRendered(head, "monitoring-dev", "runbooks/HostLowMemory.md", "# rewritten\n");
    const changes = diffDirs(baseDir, head).environments[0].changes;
    expect(changes.find((c) => c.kind === "terraform")).toMatchObject({ action: "changed", fields: [{ field: "description", after: "changed" }] });
    expect(find(changes, "rendered_file", "runbooks/HostLowMemory.md")).toMatchObject({ action: "changed", fields: [{ field: "content", after: "2 lines" }] });
  });
});

describe("Alertmanager (rendered/alertmanager/alertmanager.yml)", () => {
  const am = (input: Record<string, unknown>) => renderAlertmanagerConfig(alertmanagerSpecSchema.parse(input));

  test("routes, receivers and inhibitions", () => {
    const base = track(copyOutput(baseDir));
    const head = track(copyOutput(baseDir));
    writeRendered(base, "monitoring-dev", "alertmanager/alertmanager.yml", am({}));
    writeRendered(
      head,
      "monitoring-dev",
      "alertmanager/alertmanager.yml",
      am({
        routing: { warning: { repeatInterval: "6h" } },
        receivers: { chat: { channel: "#civicpulse-oncall" } },
        inhibition: { criticalMutesWarning: false },
      }),
    );
    const changes = diffDirs(base, head).environments[0].changes.filter((c) => c.kind.startsWith("alertmanager"));
    const warning = find(changes, "alertmanager_route", 'severity="warning"');
    expect(field(warning, "repeat_interval")).toMatchObject({ before: "12h", after: "6h" });
    const root = find(changes, "alertmanager_route", "(root)");
    expect(field(root, "repeat_interval")).toMatchObject({ before: "12h", after: "6h" });
    expect(field(find(changes, "alertmanager_receiver", "chat"), "slack_configs[0].channel")).toMatchObject({ before: "#civicpulse-alerts", after: "#civicpulse-oncall" });
    const inhibition = find(changes, "alertmanager_inhibition", 'source severity="critical", service=~".+"');
    expect(inhibition.action).toBe("removed");
    expect(field(inhibition, "equal")).toEqual({ field: "equal", before: "alertname, service" });
  });

  test("a route that now pages: the receiver of a route, not a remove/add", () => {
    const base = track(copyOutput(baseDir));
    const head = track(copyOutput(baseDir));
    const text = am({});
    writeRendered(base, "monitoring-dev", "alertmanager/alertmanager.yml", text);
    writeRendered(head, "monitoring-dev", "alertmanager/alertmanager.yml", text.replace(/(matchers:\n\s+- severity="warning"\n\s+receiver:) chat/, "$1 pager"));
    const changes = diffDirs(base, head).environments[0].changes;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: "alertmanager_route", action: "changed", id: 'severity="warning"', fields: [{ field: "receiver", before: "chat", after: "pager" }] });
  });
});

describe("dashboards and other resources (hand-written example fixture)", () => {
  const { base, head } = exampleOutputs();
  const report = diffOutputs(base, head, EXAMPLE_LABELS);
  const prod = report.environments.find((e) => e.name === "prod")?.changes ?? [];

  test("panels added, moved, and queries changed, from grafana_dashboard config_json", () => {
    expect(find(prod, "panel", "civicpulse-application #4")).toMatchObject({ action: "added", title: "Saturation" });
    expect(find(prod, "panel", "civicpulse-application #3")).toMatchObject({
      action: "moved",
      fields: [{ field: "gridPos", before: "x=0 y=8 w=12 h=8", after: "x=0 y=16 w=12 h=8" }],
    });
    expect(field(find(prod, "panel", "civicpulse-application #2"), "query A")).toEqual({
      field: "query A",
      before: "job:civicpulse_requests_errors:ratio_rate5m",
      after: "job:civicpulse_requests_errors:ratio_rate30m",
    });
  });

  test("environments are listed in the declared deploy order, a new one where it was declared", () => {
    const h = { stacks: new Map(head.stacks) };
    const prod = h.stacks.get("monitoring-prod") as { name: string; tf: Record<string, any>; rendered: Map<string, string> };
    // The example fixture holds dev and prod: staging and qa as copies of prod.
    for (const env of ["staging", "qa"]) h.stacks.set(`monitoring-${env}`, { ...prod, name: `monitoring-${env}` });
    // Without an order: the presets' (dev, staging, prod), then the unknown qa.
    expect(diffOutputs(base, h, EXAMPLE_LABELS).environments.map((e) => e.name)).toEqual(["dev", "staging", "prod", "qa"]);
    // With the order synth reads (qa declared with basedOn: staging): qa right after staging.
    const ordered = diffOutputs(base, h, EXAMPLE_LABELS, ["dev", "staging", "qa", "prod"]).environments.map((e) => e.name);
    expect(ordered).toEqual(["dev", "staging", "qa", "prod"]);
  });

  test("a removed dashboard and a grafana resource ForceNew attribute", () => {
    const h = { stacks: new Map(head.stacks) };
    const g = h.stacks.get("grafana-prod") as { name: string; tf: Record<string, any>; rendered: Map<string, string> };
    const tf = JSON.parse(JSON.stringify(g.tf));
    delete tf.resource.grafana_dashboard;
    tf.resource.grafana_folder.civicpulse.uid = "civicpulse-v2";
    tf.resource.grafana_folder.civicpulse.title = "CivicPulse v2";
    h.stacks.set("grafana-prod", { ...g, tf });
    const r = diffOutputs(base, h, EXAMPLE_LABELS);
    const changes = r.environments.flatMap((e) => e.changes);
    expect(find(changes, "dashboard", "civicpulse-application")).toMatchObject({ action: "removed", fields: [{ field: "panels", before: "3" }] });
    const folder = find(changes, "resource", "grafana_folder.civicpulse");
    expect(folder).toMatchObject({ action: "replaced", forcedBy: ["uid"] });
    expect(field(folder, "title")).toEqual({ field: "title", before: "CivicPulse", after: "CivicPulse v2" });
    expect(r.summary.destructive.map((d) => d.id)).toEqual(expect.arrayContaining(["civicpulse-application", "grafana_folder.civicpulse"]));
  });

  test("every kind of the example is counted in the summary line", () => {
    expect(report.summary.byKind).toMatchObject({
      alert: { added: 1, removed: 1, changed: 2 },
      recording_rule: { added: 1 },
      scrape_job: { changed: 1 },
      alertmanager_route: { changed: 1 },
      alertmanager_receiver: { changed: 1 },
      panel: { added: 1, changed: 1, moved: 1 },
      container: { replaced: 1 },
      resource: { replaced: 1 },
    });
    const md = renderMarkdown(report);
    expect(md.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(md).toContain("**13 monitoring changes** (prod 13): 1 alert added, 1 alert removed, 2 alerts changed,");
    expect(md).toContain("<details><summary><b>dev</b>: no changes (monitoring-dev, grafana-dev)</summary></details>");
  });
});

describe("output formats", () => {
  const { base, head } = exampleOutputs();
  const report = diffOutputs(base, head, EXAMPLE_LABELS);

  test("JSON shape", () => {
    const json = JSON.parse(JSON.stringify(report));
    expect(Object.keys(json)).toEqual(["schemaVersion", "marker", "base", "head", "changed", "summary", "environments"]);
    expect(json).toMatchObject({ schemaVersion: 1, marker: COMMENT_MARKER, base: EXAMPLE_LABELS.base, head: "working tree", changed: true });
    expect(Object.keys(json.summary)).toEqual(["total", "byKind", "destructive"]);
    expect(json.summary.byKind.alert).toEqual({ added: 1, removed: 1, changed: 2, replaced: 0, moved: 0 });
    expect(json.summary.destructive[0]).toEqual({
      environment: "prod",
      stack: "monitoring-prod",
      kind: "container",
      id: "docker_container.prometheus_container",
      title: "civicpulse-prod-prometheus",
      action: "replaced",
      forcedBy: ["upload", "command", "image"],
    });
    expect(json.environments.map((e: { name: string }) => e.name)).toEqual(["dev", "prod"]);
    for (const c of json.environments[1].changes) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(["kind", "action", "stack", "id", "fields"]));
      for (const f of c.fields) expect(typeof f.field).toBe("string");
    }
  });

  test("truncation: never over the limit, with an explicit note", () => {
    // A big report: 3000 changed recording rules with long expressions.
    const many: Change[] = Array.from({ length: 3000 }, (_, i) => ({
      kind: "recording_rule",
      action: "changed",
      stack: "monitoring-prod",
      id: `job:rule_${i}:rate5m`,
      fields: [{ field: "expr", before: `sum(rate(x_${i}[5m]))`.repeat(5), after: `sum(rate(x_${i}[10m]))`.repeat(5) }],
    }));
    const big: typeof report = { ...report, summary: { ...report.summary, total: many.length }, environments: [{ name: "prod", stacks: ["monitoring-prod"], changes: many }] };
    const md = renderMarkdown(big);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toMatch(/✂️ \*\*Truncated:\*\* \d+ of 3000 changes are not shown, to keep this comment under GitHub's 65,536-character limit\./);
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    const small = renderMarkdown(big, { maxChars: 5000 });
    expect(small.length).toBeLessThanOrEqual(5000);
    expect(small).toContain("Truncated:");
    expect(renderMarkdown(report)).not.toContain("Truncated");
  });

  test("a value with pipes and backticks stays inside its table cell", () => {
    const md = renderChange({ kind: "alert", action: "changed", stack: "s", id: "A", fields: [{ field: "expr", before: 'x{job=~"a|b"} > 1', after: "`y` > 2" }] });
    expect(md).toContain('| expr | `x{job=~"a\\|b"} > 1` | `` `y` > 2 `` |');
  });

  test("thresholds as they appear in an expression", () => {
    expect(thresholds("job:x:ratio_rate5m > 0.05")).toEqual(["> 0.05"]);
    expect(thresholds('a{job!="1"} == 0 or b >= bool 1e3 and c{x=~"<5"} < -2')).toEqual(["== 0", ">= 1e3", "< -2"]);
    expect(thresholds("rate(x[5m]) / rate(y[5m])")).toEqual([]);
  });
});

describe("the PR comment with Terraform plans", () => {
  const { base, head } = exampleOutputs();
  const report = diffOutputs(base, head, EXAMPLE_LABELS);
  const plan = (stack: string, summary: string, body = "") => ({ stack, text: `${body}\n\x1b[1mPlan:\x1b[0m ${summary}\n` });

  test("plan summaries and the label", () => {
    expect(planSummary(plan("a", "1 to add, 2 to change, 3 to destroy."))).toMatchObject({ status: "changes", add: 1, change: 2, destroy: 3 });
    expect(planSummary({ stack: "b", text: "No changes. Your infrastructure matches the configuration." })).toMatchObject({ status: "no-changes" });
    expect(planSummary({ stack: "c", text: "Error: failed to query", exitCode: 1 })).toMatchObject({ status: "failed", line: "cdktf diff failed (exit 1): Error: failed to query" });
    const none = diffOutputs(base, base, EXAMPLE_LABELS);
    expect(prLabel(none)).toBe("monitoring:no-changes");
    expect(prLabel(none, [plan("grafana-dev", "0 to add, 1 to change, 0 to destroy.")])).toBe("monitoring:changes");
    expect(prLabel(none, [plan("grafana-dev", "1 to add, 0 to change, 1 to destroy.")])).toBe("monitoring:replaces");
    expect(prLabel(report)).toBe("monitoring:replaces");
  });

  test("semantic diff first, plans collapsed below, all under the limit", () => {
    const huge = "  # docker_container.x must be replaced\n".repeat(5000);
    const plans = [plan("monitoring-dev", "1 to add, 0 to change, 1 to destroy.", huge), plan("grafana-dev", "0 to add, 1 to change, 0 to destroy.", "~ update")];
    const md = composeComment((max) => renderMarkdown(report, { maxChars: max }), plans);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md.indexOf("### Monitoring changes")).toBeLessThan(md.indexOf("### Terraform plans"));
    expect(md).toContain("| `monitoring-dev` | ⚠️ Plan: 1 to add, 0 to change, 1 to destroy. |");
    expect(md).toContain("<details><summary>Full plan: <code>grafana-dev</code> (Plan: 0 to add, 1 to change, 0 to destroy.)</summary>");
    expect(md).toContain("… plan shortened:");
    expect(md).not.toContain("\x1b[");
  });
});
