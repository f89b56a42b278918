// The generated Markdown: docs/runbooks from the prod environment's rule definitions, and the
// metric catalog and alert tables in README.md (run by scripts/write-docs.ts, `npm run docs`).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadEnvironment } from "../spec/load";
import { buildRuleSet } from "../rules";
import { renderRunbook, renderRunbookIndex } from "../rules/runbooks";
import { ruleContext } from "../stacks/monitoring-files";
import { withCatalogSection } from "../rules/catalog-doc";
import { withAlertSection } from "../rules/alerts-doc";

/** Writes the runbooks and README sections under `root`; returns what it wrote, for the log. */
export function writeRunbooks(root: string): string[] {
  const dir = path.join(root, "docs", "runbooks");
  // Built-in presets only (no override file, no variables), so the committed pages are reproducible;
  // a deployment with overrides gets its own runbooks under cdktf.out/stacks/*/rendered/runbooks.
  const empty = mkdtempSync(path.join(tmpdir(), "civicpulse-docs-"));
  try {
    const spec = loadEnvironment("prod", { rootDir: empty, env: {} });
    const rules = buildRuleSet(ruleContext(spec));
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith(".md")) rmSync(path.join(dir, f));
    writeFileSync(path.join(dir, "README.md"), renderRunbookIndex(rules.alerts));
    for (const a of rules.alerts) writeFileSync(path.join(dir, `${a.alert}.md`), renderRunbook(a, spec.name));
    const readme = path.join(root, "README.md");
    writeFileSync(readme, withAlertSection(withCatalogSection(readFileSync(readme, "utf8"))));
    return [`${rules.alerts.length + 1} pages in docs/runbooks`, "the metric catalog and alert tables in README.md"];
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}
