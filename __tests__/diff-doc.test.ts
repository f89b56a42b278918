/**
 * docs/pr-preview.md shows what a PR comment looks like: the rendering of the example fixture.
 * This test fails when the two drift; `UPDATE_DOCS=1 npx jest __tests__/diff-doc.test.ts`
 * rewrites the example from the current renderer.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { composeComment, diffOutputs, GITHUB_COMMENT_LIMIT, renderMarkdown } from "../diff";
import { EXAMPLE_LABELS, examplePlans, exampleOutputs } from "./fixtures/diff/example";

const DOC = path.resolve(__dirname, "..", "docs", "pr-preview.md");
const START = "<!-- example:start (generated from __tests__/fixtures/diff/example.ts by __tests__/diff-doc.test.ts) -->";
const END = "<!-- example:end -->";

export function renderExample(): string {
  const { base, head } = exampleOutputs();
  const report = diffOutputs(base, head, EXAMPLE_LABELS);
  return composeComment((max) => renderMarkdown(report, { maxChars: max, fullReportHint: "npm run diff -- --base origin/main --format json" }), examplePlans());
}

test("the example comment in docs/pr-preview.md is the current rendering of the fixture", () => {
  const doc = readFileSync(DOC, "utf8");
  const i = doc.indexOf(START);
  const j = doc.indexOf(END);
  expect(i).toBeGreaterThan(0);
  expect(j).toBeGreaterThan(i);
  const current = `${START}\n${renderExample().trimEnd()}\n${END}`;
  if (process.env.UPDATE_DOCS === "1") {
    writeFileSync(DOC, doc.slice(0, i) + current + doc.slice(j + END.length));
    return;
  }
  expect(doc.slice(i, j + END.length)).toBe(current);
});

test("the example stays far under GitHub's limit and shows every section", () => {
  const md = renderExample();
  expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT / 4);
  for (const heading of ["#### Alerts", "#### Recording rules", "#### Scrape jobs", "#### Alertmanager routes", "#### Alertmanager receivers", "#### Dashboard panels", "#### Containers", "### Terraform plans"]) {
    expect(md).toContain(heading);
  }
});

test("the README's excerpt of the example comment is its current opening", () => {
  const readme = readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");
  const start = "<!-- pr-example:start (the opening of docs/pr-preview.md's example) -->";
  const end = "<!-- pr-example:end -->";
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  expect(i).toBeGreaterThan(0);
  expect(j).toBeGreaterThan(i);
  const opening = renderExample().split("\n").slice(0, 6).join("\n");
  expect(readme.slice(i + start.length, j).trim()).toBe("```markdown\n" + opening.trim() + "\n```");
});
