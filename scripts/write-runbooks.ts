// Regenerates docs/runbooks from the prod environment's rule definitions, and the metric catalog
// table in README.md (`npm run docs`).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadEnvironment } from "../spec/load";
import { buildRuleSet } from "../rules";
import { renderRunbook, renderRunbookIndex } from "../rules/runbooks";
import { ruleContext } from "../stacks/monitoring-files";
import { withCatalogSection } from "../rules/catalog-doc";

const root = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const dir = path.join(root, "docs", "runbooks");
// Built-in presets only (no override file, no variables), so the committed pages are reproducible;
// a deployment with overrides gets its own runbooks under cdktf.out/stacks/*/rendered/runbooks.
const spec = loadEnvironment("prod", { rootDir: mkdtempSync(path.join(tmpdir(), "civicpulse-docs-")), env: {} });
const rules = buildRuleSet(ruleContext(spec));
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith(".md")) rmSync(path.join(dir, f));
writeFileSync(path.join(dir, "README.md"), renderRunbookIndex(rules.alerts));
for (const a of rules.alerts) writeFileSync(path.join(dir, `${a.alert}.md`), renderRunbook(a, spec.name));
process.stdout.write(`wrote ${rules.alerts.length + 1} pages to docs/runbooks\n`);
const readme = path.join(root, "README.md");
writeFileSync(readme, withCatalogSection(readFileSync(readme, "utf8")));
process.stdout.write("updated the metric catalog in README.md\n");
