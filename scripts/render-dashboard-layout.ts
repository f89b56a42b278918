// Writes a picture of one dashboard's panel grid (gridPos boxes with titles) as SVG, for the docs:
//   npx ts-node --transpile-only scripts/render-dashboard-layout.ts [application|infrastructure|cicd] [out.svg]
// Defaults: the application dashboard of the built-in prod environment, to docs/application-dashboard.svg.
// Built-in presets only (no override file, no environment variables), so the picture is reproducible;
// __tests__/dashboards-layout.test.ts fails when the committed SVG is out of date.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildDashboards } from "../dashboards";
import { renderLayoutSvg } from "../dashboards/layout-svg";
import { loadEnvironment } from "../spec/load";

const ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist${path.sep}scripts`) ? "../.." : "..");

export function main(argv: string[]): number {
  const key = argv[0] ?? "application";
  const out = path.resolve(ROOT, argv[1] ?? path.join("docs", `${key}-dashboard.svg`));
  const empty = mkdtempSync(path.join(tmpdir(), "civicpulse-layout-"));
  try {
    const spec = loadEnvironment("prod", { rootDir: empty, env: {} });
    const dashboard = buildDashboards(spec).find((d) => d.key === key);
    if (!dashboard) {
      process.stderr.write(`unknown dashboard ${JSON.stringify(key)} (known: application, infrastructure, cicd)\n`);
      return 2;
    }
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, renderLayoutSvg(dashboard));
    process.stdout.write(`wrote ${path.relative(ROOT, out)}\n`);
    return 0;
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
