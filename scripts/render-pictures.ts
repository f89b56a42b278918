// The pictures in docs/ (`npm run docs`): each dashboard's panel grid, the Alertmanager routing
// tree read from the rendered alertmanager.yml, and the README's architecture diagram drawn from
// its Mermaid text. Built-in presets only (no override file, no environment variables), so the
// pictures are reproducible; __tests__/pictures.test.ts fails when one is stale.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildDashboards } from "../dashboards";
import { renderLayoutSvg } from "../dashboards/layout-svg";
import { mermaidBlock, renderFlowchartSvg } from "../pictures/flowchart-svg";
import { renderRoutingSvg } from "../pictures/routing-svg";
import { synthesizeSpecs } from "../stacks/app";
import { loadEnvironment } from "../spec/load";
import { monitoringStackName } from "../stacks/monitoring-stack";

export const PICTURE_ENVIRONMENT = "prod";

/** Every picture as path (relative to the repo) -> SVG text. */
export function renderPictures(root: string): Map<string, string> {
  const empty = mkdtempSync(path.join(tmpdir(), "civicpulse-pictures-"));
  try {
    const spec = loadEnvironment(PICTURE_ENVIRONMENT, { rootDir: empty, env: {} });
    const out = new Map<string, string>();
    for (const d of buildDashboards(spec)) out.set(path.join("docs", `${d.key}-dashboard.svg`), renderLayoutSvg(d));
    const outdir = path.join(empty, "cdktf.out");
    synthesizeSpecs([spec], outdir);
    const am = readFileSync(path.join(outdir, "stacks", monitoringStackName(spec.name), "rendered", "alertmanager", "alertmanager.yml"), "utf8");
    out.set(path.join("docs", "alertmanager-routing.svg"), renderRoutingSvg(am, `Alertmanager routing (${spec.name})`));
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    out.set(path.join("docs", "architecture.svg"), renderFlowchartSvg(mermaidBlock(readme), "Architecture: how a spec becomes stacks"));
    return out;
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

export function writePictures(root: string): string[] {
  const written: string[] = [];
  for (const [rel, svg] of renderPictures(root)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), svg);
    written.push(rel);
  }
  return written;
}
