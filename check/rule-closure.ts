import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import { hasUnnamedSelector } from "../rules/promql";

/**
 * promtool evaluates every rule it loads at every step of a test, so a test's cost is steps × rules,
 * and a slow-burn SLO test (days of samples) can observe 7 of prod's 108 rules. A rule
 * test's closure is the rules it can observe: the alerts it names, the series its expressions read,
 * and, transitively, every rule recording a name those rules read (in an expression or in an
 * annotation's `query` template). Prometheus rules interact only through the series they write, so
 * the closure evaluates to the same samples and alerts as the whole file.
 *
 * Conservative where names are not literal: a selector without a metric name (`{job="x"}`) takes
 * every rule, and reading ALERTS or ALERTS_FOR_STATE takes every alert. A name built at run time in
 * a template (`printf "%s" $labels.x | query`) is not seen: the rule it would read is then missing,
 * so a case expecting the value fails, while a case expecting nothing could pass without it
 * (`npm run check -- --full-rule-files` runs such rules on the whole files).
 */

/** A test or rule file the closure cannot be built from (not YAML, or a path out of the folder). */
export class RuleClosureError extends Error {}

interface RuleEntry {
  readonly key: string;
  /** `record` or `alert`. */
  readonly name: string;
  readonly isAlert: boolean;
  /** Everything a rule reads: its expression, then label and annotation templates. */
  readonly expr: string;
  readonly templates: string;
}

const NAME_TOKEN = /[A-Za-z_:][A-Za-z0-9_:]*/g;
const READS_ALERTS = new Set(["ALERTS", "ALERTS_FOR_STATE"]);

const groupsOf = (doc: Document): YAMLMap[] => {
  const groups = doc.get("groups");
  return isSeq(groups) ? groups.items.filter(isMap) : [];
};
const rulesOf = (group: YAMLMap): YAMLMap[] => {
  const rules = group.get("rules");
  return isSeq(rules) ? rules.items.filter(isMap) : [];
};
const text = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));

function entries(files: ReadonlyMap<string, Document>): RuleEntry[] {
  const out: RuleEntry[] = [];
  for (const [file, doc] of files) {
    groupsOf(doc).forEach((group, g) =>
      rulesOf(group).forEach((rule, r) => {
        const js = rule.toJSON() as Record<string, unknown>;
        const isAlert = typeof js.alert === "string";
        out.push({ key: `${file}#${g}#${r}`, name: text(isAlert ? js.alert : js.record), isAlert, expr: text(js.expr), templates: text(js.labels) + text(js.annotations) });
      }),
    );
  }
  return out;
}

/** Keys (`file#group#rule`) of the rules a test file can observe. */
export function ruleClosure(files: ReadonlyMap<string, Document>, test: unknown): Set<string> {
  const all = entries(files);
  const recording = new Map<string, RuleEntry[]>();
  const alerting = new Map<string, RuleEntry[]>();
  for (const e of all) {
    const by = e.isAlert ? alerting : recording;
    by.set(e.name, [...(by.get(e.name) ?? []), e]);
  }
  const kept = new Set<string>();
  const queue: RuleEntry[] = [];
  const take = (list: readonly RuleEntry[] | undefined) => {
    for (const e of list ?? []) if (!kept.has(e.key)) (kept.add(e.key), queue.push(e));
  };
  const reads = (source: string, isExpr: boolean) => {
    if (isExpr && source.trim() !== "" && hasUnnamedSelector(source)) take(all);
    for (const token of source.match(NAME_TOKEN) ?? []) {
      if (READS_ALERTS.has(token)) take(all.filter((e) => e.isAlert));
      take(recording.get(token));
    }
  };

  const cases = (test as { tests?: unknown })?.tests;
  for (const c of Array.isArray(cases) ? cases : []) {
    for (const a of Array.isArray(c?.alert_rule_test) ? c.alert_rule_test : []) take(alerting.get(text(a?.alertname)));
    for (const q of Array.isArray(c?.promql_expr_test) ? c.promql_expr_test : []) reads(text(q?.expr), true);
  }
  for (let e = queue.shift(); e; e = queue.shift()) {
    reads(e.expr, true);
    reads(e.templates, false);
  }
  return kept;
}

/** The rule file with only the kept rules, in their order; groups left empty are dropped. */
function keepOnly(file: string, doc: Document, kept: ReadonlySet<string>): string {
  const copy = doc.clone();
  const groups = copy.get("groups");
  if (isSeq(groups)) {
    groups.items = groups.items.filter((group, g) => {
      if (!isMap(group)) return false;
      const rules = group.get("rules");
      if (!isSeq(rules)) return false;
      (rules as YAMLSeq).items = rules.items.filter((_rule, r) => kept.has(`${file}#${g}#${r}`));
      return rules.items.length > 0;
    });
  }
  return copy.toString({ lineWidth: 0 });
}

function parsed(file: string): Document {
  const doc = parseDocument(readFileSync(file, "utf8"));
  if (doc.errors.length > 0) throw new RuleClosureError(`rule closure: ${file} is not valid YAML: ${doc.errors[0].message}`);
  return doc;
}

export interface ClosureFolder {
  /** Where to run `promtool test rules <testFile>`, with the same relative paths as the rendered folder. */
  readonly cwd: string;
  readonly testFile: string;
  /** Rules kept, of how many. */
  readonly kept: number;
  readonly total: number;
  readonly remove: () => void;
}

/**
 * Writes a test file and its rule closure into a new temporary folder laid out like `root` (the
 * folder the test's `rule_files` paths lead into), reading the files as they are now.
 */
export function writeRuleClosure(root: string, testFile: string): ClosureFolder {
  const testPath = path.resolve(root, testFile);
  const test = parsed(testPath);
  const ruleFiles = test.get("rule_files");
  const relFiles = (isSeq(ruleFiles) ? ruleFiles.toJSON() : []).map((f: unknown) => path.relative(root, path.resolve(path.dirname(testPath), text(f))));
  const escapes = [path.relative(root, testPath), ...relFiles].find((rel) => rel.startsWith("..") || path.isAbsolute(rel));
  if (escapes) throw new RuleClosureError(`rule closure: ${testFile} reads ${escapes}, outside ${root}`);
  const files = new Map<string, Document>(relFiles.map((rel: string) => [rel, parsed(path.join(root, rel))]));
  const kept = ruleClosure(files, test.toJSON());

  const keptGroups = new Set<string>();
  for (const [rel, doc] of files)
    groupsOf(doc).forEach((group, g) => rulesOf(group).some((_r, r) => kept.has(`${rel}#${g}#${r}`)) && keptGroups.add(text(group.get("name"))));
  const order = test.get("group_eval_order");
  if (isSeq(order)) {
    order.items = order.items.filter((item) => keptGroups.has(text((item as { value?: unknown }).value ?? item)));
    if (order.items.length === 0) test.delete("group_eval_order");
  }

  const dir = mkdtempSync(path.join(tmpdir(), "civicpulse-rule-closure-"));
  const write = (rel: string, body: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), body);
  };
  for (const [rel, doc] of files) write(rel, keepOnly(rel, doc, kept));
  write(path.relative(root, testPath), test.toString({ lineWidth: 0 }));
  return {
    cwd: dir,
    testFile: path.relative(root, testPath),
    kept: kept.size,
    total: entries(files).length,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
