// The pictures in docs/: generated (npm run docs), fresh, and drawn from what they show.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { mermaidBlock, parseFlowchart, renderFlowchartSvg } from "../pictures/flowchart-svg";
import { renderRoutingSvg } from "../pictures/routing-svg";
import { parse as parseYaml } from "yaml";
import { renderAlertmanagerConfig } from "../constructs/alertmanager/config";
import { renderPictures } from "../scripts/render-pictures";
import { loadEnvironment } from "../spec/load";
import { EMPTY_ROOT } from "./helpers/environments";

const ROOT = path.resolve(__dirname, "..");
const pictures = renderPictures(ROOT);

describe("pictures in docs/", () => {
  // Written by another process (npm run docs) from the same code: equal bytes also show the output is deterministic.
  test.each([...pictures.keys()])("%s is up to date (regenerate: npm run docs)", (rel) => {
    expect(readFileSync(path.join(ROOT, rel), "utf8")).toBe(pictures.get(rel));
  });

  test("the README shows every picture", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const rel of pictures.keys()) expect(readme).toContain(`](${rel.split(path.sep).join("/")})`);
  });
});

describe("the routing tree", () => {
  const yaml = [
    "route:",
    "  receiver: default",
    "  group_by: [alertname]",
    "  routes:",
    "    - matchers: ['team=\"db\"']",
    "      receiver: db-pager",
    "      continue: true",
    "      routes:",
    "        - match: { severity: critical }",
    "          receiver: db-phone",
    "    - match_re: { service: 'web|api' }",
    "      receiver: web-chat",
    "receivers:",
    "  - name: default",
    "  - name: db-pager",
    "    pagerduty_configs: [{ routing_key_file: /k }]",
    "  - name: db-phone",
    "    opsgenie_configs: [{ api_key_file: /k }, { api_key_file: /k2 }]",
    "  - name: web-chat",
    "    slack_configs: [{ api_url_file: /u, channel: '#web' }]",
    "inhibit_rules:",
    "  - source_matchers: ['severity=\"critical\"']",
    "    target_matchers: ['severity=\"warning\"']",
    "    equal: [alertname]",
  ].join("\n");
  const svg = renderRoutingSvg(yaml, "test");

  test("draws every route at its depth, with matchers in any of Alertmanager's forms, and an arrow to its receiver", () => {
    expect(svg).toContain("root · group by alertname");
    expect(svg).toContain("team=&quot;db&quot;");
    expect(svg).toContain("severity=&quot;critical&quot;");
    expect(svg).toContain("service=~&quot;web|api&quot;");
    expect(svg).toContain("↓ continue");
    // root, two children, one grandchild: four route boxes at three depths.
    const routeBoxes = [...svg.matchAll(/<rect x="(\d+)" y="\d+" width="\d+" height="38" rx="4" fill="#(?:e8eaed|e3f0fb)"/g)].map((m) => Number(m[1]));
    expect(routeBoxes).toEqual([16, 44, 72, 44]);
    // Every route names a receiver that exists: four arrows.
    expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(4);
  });

  test("lists every receiver with its integrations, and the inhibitions", () => {
    expect(svg).toContain("no integration (drops the alert)");
    expect(svg).toContain(">pagerduty<");
    expect(svg).toContain(">opsgenie ×2<");
    expect(svg).toContain(">slack<");
    expect(svg).toContain("severity=&quot;critical&quot;  mutes  severity=&quot;warning&quot;  when equal: alertname");
  });

  test("the rendered prod config's receivers are all in the committed picture", () => {
    const committed = readFileSync(path.join(ROOT, "docs", "alertmanager-routing.svg"), "utf8");
    expect(committed).toContain("Alertmanager routing (prod)");
    const prod = loadEnvironment("prod", { rootDir: EMPTY_ROOT, env: {} });
    const rendered = parseYaml(renderAlertmanagerConfig(prod.services.alertmanager.config)) as { receivers: Array<{ name: string }> };
    const names = rendered.receivers.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["chat", "pager", "heartbeat"]));
    for (const name of names) expect(committed).toContain(`>${name}<`);
  });

  test("a config without a route is refused", () => {
    expect(() => renderRoutingSvg("receivers: []\n", "x")).toThrow("alertmanager.yml has no route");
  });
});

describe("the architecture diagram", () => {
  test("is drawn from the README's Mermaid text: one box per node, one arrow per edge", () => {
    const mermaid = mermaidBlock(readFileSync(path.join(ROOT, "README.md"), "utf8"));
    const flow = parseFlowchart(mermaid);
    const svg = renderFlowchartSvg(mermaid, "t");
    expect(svg.match(/<rect x="\d+" y="\d+" width="\d+" height="\d+" rx="5"/g)).toHaveLength(flow.order.length);
    expect(svg.match(/marker-end/g)).toHaveLength(flow.edges.length);
    expect(flow.edges.length).toBeGreaterThan(5);
  });

  test("places a node right of every node that points at it", () => {
    const svg = renderFlowchartSvg("flowchart LR\n  A[a] --> B[b]\n  B -->|x| C[c<br/>two]\n  A --> C\n", "t");
    const xs = [...svg.matchAll(/<rect x="(\d+)" y="\d+" width="\d+" height="\d+" rx="5"/g)].map((m) => Number(m[1]));
    expect(xs).toEqual([16, 210, 404]);
    expect(svg).toContain(">two<");
    expect(svg).toContain(">x<");
  });

  test("refuses Mermaid it cannot read, naming the line", () => {
    expect(() => parseFlowchart("graph TD\n A --> B")).toThrow('expected "flowchart LR", got "graph TD"');
    expect(() => parseFlowchart("flowchart LR\n  A -- B")).toThrow('cannot read line "A -- B"');
  });
});
