// The layout picture in docs/: generated from the dashboard itself, and fresh.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildDashboards } from "../dashboards";
import { renderLayoutSvg } from "../dashboards/layout-svg";
import { panelsOf } from "../dashboards/validate";
import { ALERT_PANELS } from "../rules/alert-catalog";
import { main } from "../scripts/render-dashboard-layout";
import { builtIn } from "./helpers/environments";

const ROOT = path.resolve(__dirname, "..");
const application = buildDashboards(builtIn("prod")).find((d) => d.key === "application")!;

describe("dashboard layout SVG", () => {
  it("docs/application-dashboard.svg is up to date (regenerate: npm run docs)", () => {
    expect(readFileSync(path.join(ROOT, "docs", "application-dashboard.svg"), "utf8")).toBe(renderLayoutSvg(application));
  });

  it("draws one box per panel at its gridPos, with its title, and marks the alert panels", () => {
    const svg = renderLayoutSvg(application);
    const panels = panelsOf(application.model);
    expect((svg.match(/<rect x="\d+" y="\d+" width="\d+" height="\d+" rx="[34]"/g) ?? []).length).toBe(panels.length);
    for (const p of panels) {
      const x = 16 + p.gridPos!.x * 40;
      const y = 56 + p.gridPos!.y * 30;
      expect(svg).toContain(`<rect x="${x}" y="${y}" width="${p.gridPos!.w * 40 - 4}" height="${p.gridPos!.h * 30 - 4}"`);
      expect(svg).toContain(p.title.replace(/&/g, "&amp;").slice(0, 20));
    }
    expect(svg).toContain("⚑ CivicPulseHighErrorRate");
    const linked = new Set(Object.values(ALERT_PANELS).filter((r) => r.dashboard === "application").map((r) => r.panelId));
    expect(linked.size).toBeGreaterThan(0);
    expect((svg.match(/stroke="#d93025" stroke-width="2"\/>/g) ?? []).length).toBe(linked.size + 1); // + the legend swatch
  });

  it("the script writes the SVG for a named dashboard and rejects an unknown one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-svg-"));
    try {
      const out = path.join(dir, "infra.svg");
      const stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
      expect(main(["infrastructure", out])).toBe(0);
      expect(stdout).toHaveBeenCalledWith(expect.stringContaining("infra.svg"));
      stdout.mockRestore();
      expect(readFileSync(out, "utf8")).toBe(renderLayoutSvg(buildDashboards(builtIn("prod")).find((d) => d.key === "infrastructure")!));
      const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
      expect(main(["nope", path.join(dir, "x.svg")])).toBe(2);
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('unknown dashboard "nope"'));
      stderr.mockRestore();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
