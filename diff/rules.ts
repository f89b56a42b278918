import { parse as parseYaml } from "yaml";
import { Change, FieldChange } from "./types";
import { diffRecord, display, isObject, keyBy, sameValue, stableStringify } from "./values";

/** One rule as found in a rendered rule file. */
interface ParsedRule {
  readonly file: string;
  readonly group: string;
  readonly rule: Record<string, unknown>;
}

/**
 * Parses YAML leniently: a file that does not parse is simply not a rule file.
 *
 * Every rendered YAML file is read by the rule, Prometheus and Alertmanager finders, on both sides
 * of a diff whose sides mostly hold the same files: parsing each distinct text once was four
 * fifths of a diff. The result is frozen, so the callers that share it cannot change it.
 */
export function tryParseYaml(text: string): unknown {
  if (parsed.has(text)) return parsed.get(text);
  let doc: unknown;
  try {
    doc = deepFreeze(parseYaml(text));
  } catch {
    doc = undefined;
  }
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, doc);
  return doc;
}

// Two outputs of six stacks hold a few hundred distinct YAML files; the bound keeps a long-lived
// process (the test runner) from holding every text it ever diffed.
const PARSED_LIMIT = 1024;
const parsed = new Map<string, unknown>();

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Every alerting and recording rule of a stack's rendered files: any YAML file with a top-level
 * `groups` list whose groups carry `rules` (Prometheus rule file format), wherever it lives.
 */
export function collectRules(rendered: ReadonlyMap<string, string>): { alerts: ParsedRule[]; recording: ParsedRule[] } {
  const alerts: ParsedRule[] = [];
  const recording: ParsedRule[] = [];
  for (const [file, text] of rendered) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = tryParseYaml(text);
    if (!isObject(doc) || !Array.isArray(doc.groups)) continue;
    for (const g of doc.groups) {
      if (!isObject(g) || !Array.isArray(g.rules)) continue;
      const group = typeof g.name === "string" ? g.name : "";
      for (const rule of g.rules) {
        if (!isObject(rule)) continue;
        if (typeof rule.alert === "string") alerts.push({ file, group, rule });
        else if (typeof rule.record === "string") recording.push({ file, group, rule });
      }
    }
  }
  return { alerts, recording };
}

const COMPARISON = /(==|!=|>=|<=|>|<)\s*(?:bool\s+)?([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.:])/g;

/**
 * The numeric comparisons of an expression as they appear (`> 0.05`, `< 0.2`), which is where the
 * environment's thresholds end up after rendering.
 */
export function thresholds(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...withoutStrings.matchAll(COMPARISON)].map((m) => `${m[1]} ${m[2]}`);
}

const str = (v: unknown): string | undefined => (v === undefined ? undefined : display(v));
const rec = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

function field(name: string, before: unknown, after: unknown): FieldChange[] {
  if (sameValue(before, after)) return [];
  const b = str(before);
  const a = str(after);
  return [{ field: name, ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) }];
}

/** What a reviewer wants to see for a whole alert (added or removed): everything that defines it. */
function alertSnapshot(r: Record<string, unknown>, group: string): FieldChange[] {
  const labels = rec(r.labels);
  const out: FieldChange[] = [];
  const push = (f: string, v: unknown) => {
    if (v !== undefined) out.push({ field: f, after: display(v) });
  };
  push("severity", labels.severity);
  const th = typeof r.expr === "string" ? thresholds(r.expr) : [];
  if (th.length) push("threshold", th.join("; "));
  push("for", r.for ?? "0s");
  push("expr", r.expr);
  push("group", group);
  for (const [k, v] of Object.entries(labels)) if (k !== "severity") push(`labels.${k}`, v);
  for (const k of ["summary"]) push(`annotations.${k}`, rec(r.annotations)[k]);
  return out;
}

const asBefore = (fields: FieldChange[]): FieldChange[] => fields.map((f) => ({ field: f.field, before: f.after }));

function diffAlert(b: ParsedRule, a: ParsedRule): FieldChange[] {
  const bl = rec(b.rule.labels);
  const al = rec(a.rule.labels);
  const bExpr = typeof b.rule.expr === "string" ? b.rule.expr : display(b.rule.expr);
  const aExpr = typeof a.rule.expr === "string" ? a.rule.expr : display(a.rule.expr);
  const bTh = thresholds(bExpr).join("; ");
  const aTh = thresholds(aExpr).join("; ");
  const others = (r: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !["alert", "expr", "for", "labels", "annotations"].includes(k)));
  return [
    ...field("severity", bl.severity, al.severity),
    ...(bTh !== aTh ? field("threshold", bTh || undefined, aTh || undefined) : []),
    ...field("for", b.rule.for ?? "0s", a.rule.for ?? "0s"),
    ...field("expr", bExpr, aExpr),
    ...diffRecord(
      Object.fromEntries(Object.entries(bl).filter(([k]) => k !== "severity")),
      Object.fromEntries(Object.entries(al).filter(([k]) => k !== "severity")),
      "labels.",
    ),
    ...diffRecord(rec(b.rule.annotations), rec(a.rule.annotations), "annotations."),
    ...diffRecord(others(b.rule), others(a.rule)),
    ...field("group", b.group, a.group),
  ];
}

function diffRecording(b: ParsedRule, a: ParsedRule): FieldChange[] {
  return [
    ...field("expr", b.rule.expr, a.rule.expr),
    ...diffRecord(rec(b.rule.labels), rec(a.rule.labels), "labels."),
    ...field("group", b.group, a.group),
  ];
}

/** Alerting and recording rule changes of one stack. */
export function diffRules(stack: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Change[] {
  const b = collectRules(before);
  const a = collectRules(after);
  const changes: Change[] = [];

  const alertKey = (r: ParsedRule) => String(r.rule.alert);
  const bAlerts = keyBy(b.alerts, alertKey);
  const aAlerts = keyBy(a.alerts, alertKey);
  for (const [name, r] of aAlerts) {
    const old = bAlerts.get(name);
    if (!old) changes.push({ kind: "alert", action: "added", stack, id: name, source: r.file, fields: alertSnapshot(r.rule, r.group) });
    else {
      const fields = diffAlert(old, r);
      if (fields.length) changes.push({ kind: "alert", action: "changed", stack, id: name, source: r.file, fields });
    }
  }
  for (const [name, r] of bAlerts) {
    if (!aAlerts.has(name)) changes.push({ kind: "alert", action: "removed", stack, id: name, source: r.file, fields: asBefore(alertSnapshot(r.rule, r.group)) });
  }

  const recKey = (r: ParsedRule) => (isObject(r.rule.labels) && Object.keys(r.rule.labels).length ? `${r.rule.record}${stableStringify(r.rule.labels)}` : String(r.rule.record));
  const bRec = keyBy(b.recording, recKey);
  const aRec = keyBy(a.recording, recKey);
  for (const [key, r] of aRec) {
    const old = bRec.get(key);
    if (!old) changes.push({ kind: "recording_rule", action: "added", stack, id: key, source: r.file, fields: [...field("expr", undefined, r.rule.expr), ...field("group", undefined, r.group)] });
    else {
      const fields = diffRecording(old, r);
      if (fields.length) changes.push({ kind: "recording_rule", action: "changed", stack, id: key, source: r.file, fields });
    }
  }
  for (const [key, r] of bRec) {
    if (!aRec.has(key)) changes.push({ kind: "recording_rule", action: "removed", stack, id: key, source: r.file, fields: [...field("expr", r.rule.expr, undefined), ...field("group", r.group, undefined)] });
  }
  return changes;
}

/** Files diffRules understood (so the generic file list does not repeat them). */
export function ruleFiles(rendered: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  for (const r of [...collectRules(rendered).alerts, ...collectRules(rendered).recording]) out.add(r.file);
  return out;
}
