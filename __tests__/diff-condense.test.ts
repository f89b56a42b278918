// The condensed PR comment (diff/condense.ts) on the fixture PRs of scripts/bench-comment.ts: the
// real stacks synthesized before and after a panel insertion, a threshold changed everywhere and
// a new environment. The README's table of their lengths is checked here too.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { condense, ENV_PLACEHOLDER, withoutEnvironment } from "../diff/condense";
import { Change, renderMarkdown } from "../diff";
import { withSection } from "../rules/alerts-doc";
import { fixturePrs, renderTable, TABLE_END, TABLE_START } from "../scripts/bench-comment";
import { exampleOutputs } from "./fixtures/diff/example";

const prs = fixturePrs(exampleOutputs());
const pr = (start: string) => prs.find((p) => p.name.startsWith(start))!.report;

test("the README's table of comment lengths is current (npx ts-node --transpile-only scripts/bench-comment.ts --write)", () => {
  const readme = readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");
  expect(withSection(readme, TABLE_START, TABLE_END, renderTable(prs))).toBe(readme);
});

describe("a panel inserted at the top of a dashboard", () => {
  const report = pr("a panel inserted");
  const md = renderMarkdown(report);

  test("the cascade of moves is one line per dashboard, shared by every environment", () => {
    const moved = report.environments[0].changes.filter((c) => c.action === "moved");
    expect(moved.length).toBeGreaterThan(10);
    expect(md.match(/\*\*moved\*\* /g)).toHaveLength(1);
    expect(md).toContain(`**moved** ${moved.length} panels of \`civicpulse-application\`, each down 4 rows (no other change to them): `);
    expect(md).toContain(`<b>dev, staging, prod</b>: the same ${moved.length + 1} changes in each`);
    expect(md).toContain("**added** `civicpulse-application #160` (Open incidents) <sub>grafana-{env} · grafana_dashboard.application</sub>");
    // Without condensing: one entry per moved panel and environment.
    expect(renderMarkdown(report, { condensed: false }).match(/\*\*moved\*\* /g)).toHaveLength(moved.length * 3);
  });

  test("panels that moved by different offsets are listed, not summarized as one shift", () => {
    const c = (id: string, before: string, after: string): Change => ({ kind: "panel", action: "moved", stack: "grafana-prod", id: `d ${id}`, fields: [{ field: "gridPos", before, after }] });
    const [section] = condense([{ name: "prod", stacks: ["grafana-prod"], changes: [c("#1", "x=0 y=0 w=12 h=8", "x=0 y=4 w=12 h=8"), c("#2", "x=12 y=0 w=12 h=8", "x=12 y=8 w=12 h=8")] }]);
    expect(section.entries).toHaveLength(1);
    expect("line" in section.entries[0] && section.entries[0].line).toMatch(/^\*\*moved\*\* 2 panels of `d` \(no other change to them\): #1, #2 /);
  });
});

describe("the same change in every environment", () => {
  const report = pr("one threshold");

  test("is shown once, the environment's own changes (different bytes) stay per environment", () => {
    const md = renderMarkdown(report);
    expect(md.match(/\*\*changed\*\* `HostHighCpuUsage`/g)).toHaveLength(1);
    expect(md).toContain("<b>dev, staging, prod</b>: the same 4 changes in each");
    expect(md.match(/\*\*replaced\*\* `docker_container\.prometheus_container/g)).toHaveLength(3);
    // prod runs a Prometheus pair: the second replica's rule file and container are prod's own changes.
    expect(md).toContain("<b>prod</b>: 3 changes (besides the 4 shared above): 1 alert changed, 2 containers replaced");
    expect(md).toContain("**changed** `HostHighCpuUsage#2` <sub>monitoring-prod · prometheus-1/alerting_rules.yml</sub>");
    expect(renderMarkdown(report, { condensed: false }).match(/\*\*changed\*\* `HostHighCpuUsage`/g)).toHaveLength(3);
  });

  test("a shared change, with the placeholder filled in, is exactly each environment's change", () => {
    for (const section of condense(report.environments).filter((s) => s.environments.length > 1)) {
      for (const entry of section.entries) {
        if (!("change" in entry)) continue;
        for (const env of section.environments) {
          const expanded = JSON.parse(JSON.stringify(entry.change).split(ENV_PLACEHOLDER).join(env));
          expect(report.environments.find((e) => e.name === env)!.changes).toContainEqual(expanded);
        }
      }
    }
  });

  test("the environment's name is replaced as a whole word only", () => {
    const c: Change = { kind: "container", action: "changed", stack: "monitoring-dev", id: "x", title: "civicpulse-dev-prometheus", fields: [{ field: "f", before: "development devices", after: "dev" }] };
    expect(withoutEnvironment(c, "dev")).toEqual({ ...c, stack: "monitoring-{env}", title: "civicpulse-{env}-prometheus", fields: [{ field: "f", before: "development devices", after: "{env}" }] });
  });
});

describe("a new environment", () => {
  const report = pr("a new environment");

  test("is a few lines: one per stack with what it holds", () => {
    const md = renderMarkdown(report);
    const qa = md.slice(md.indexOf("<b>qa</b>"));
    expect(qa.trimEnd().split("\n").length).toBeLessThanOrEqual(10);
    expect(qa).toMatch(/\*\*added\*\* stack `monitoring-qa`: new, with \d+ alerts, \d+ recording rules, \d+ scrape jobs/);
    expect(qa).toMatch(/\*\*added\*\* stack `grafana-qa`: new, with 3 dashboards/);
    expect(md).toMatch(/\*\*\d+ monitoring changes\*\* \(qa \d+\): 2 stacks added\./);
    expect(md).not.toContain("Truncated");
    expect(renderMarkdown(report, { condensed: false })).toContain("Truncated");
  });
});
