import { Document, stringify } from "yaml";

const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true } as const;

/**
 * Renders a config object as YAML the same way everywhere: no line folding (long PromQL stays on
 * one line), no anchors/aliases (a reused object is written out in full), plain scalars where safe.
 * Key order is the object's insertion order, which our builders fix, so output is deterministic.
 *
 * The text is the `yaml` package's, byte for byte: plain data of the shapes our configs use goes
 * through `blockYaml` below (a fifth of synth was `yaml`'s document model), anything else through
 * `yaml` itself.
 */
export function toYaml(value: unknown, header?: string): string {
  const body = blockYaml(value) ?? stringify(value, OPTIONS);
  return header ? `${header.trimEnd().split("\n").map((l) => `# ${l}`.trimEnd()).join("\n")}\n${body}` : body;
}

/** Marks a value this emitter does not write as `yaml` would; the caller then uses `yaml`. */
class Unsupported extends Error {}

// The core schema's implicit tags (null, bool, int, float): a plain string that one of them would
// read back as something else is quoted. Taken from the package, so the test is the one it applies.
const implicitTags = new Document().schema.tags.filter(
  (t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test instanceof RegExp,
);
// Every one of those tags matches only these characters (the tag test in __tests__/yaml.test.ts
// holds the list to it): a string with any other character skips the eleven regular expressions.
const UNTYPED_CHAR = /[^0-9A-Za-z.+~-]/;
const readsAsNonString = (s: string) => !UNTYPED_CHAR.test(s) && implicitTags.some((t) => (t.test as RegExp).test(s));

// yaml's rules for when a plain scalar is not allowed (stringifyString.js, plainString).
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const FORCES_DOUBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/**
 * A multi-line string as the value of a map key: yaml's literal block (`|-`, or `|` when it ends in
 * one newline), its lines at `indent`. Leading blanks or newlines, and other trailing whitespace,
 * take indentation indicators or keep-chomping: yaml's.
 */
function literalBlock(s: string, indent: string): string {
  if (FORCES_DOUBLE.test(s) || s.includes("\r") || /^[\n\t ]/.test(s)) throw new Unsupported();
  const clip = s.endsWith("\n");
  const body = clip ? s.slice(0, -1) : s;
  if (/[\n\t ]$/.test(body)) throw new Unsupported();
  return `|${clip ? "" : "-"}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/**
 * One single-line string as yaml writes it, as a value or an implicit key, with lineWidth 0 (no
 * folding): plain when allowed and it reads back as a string, else quoted (single quotes when it
 * holds `"` and no `'`, double quotes otherwise). Multi-line strings (block scalars) are yaml's.
 */
function scalarString(s: string): string {
  if (s.includes("\n") || s.includes("\r") || FORCES_DOUBLE.test(s) || DOCUMENT_MARKER.test(s)) throw new Unsupported();
  if (!NOT_PLAIN.test(s) && !readsAsNonString(s)) return s;
  if (s.includes('"') && !s.includes("'")) return `'${s}'`;
  // Without control characters and newlines, yaml's double-quoted form is the JSON string.
  return JSON.stringify(s);
}

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case "string":
      return scalarString(v);
    case "number":
      if (Number.isNaN(v)) return ".nan";
      if (!Number.isFinite(v)) return v < 0 ? "-.inf" : ".inf";
      return Object.is(v, -0) ? "-0" : JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "object":
      return v === null ? "null" : undefined;
    case "undefined":
      return "null";
    default:
      throw new Unsupported();
  }
}

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== "function";
};

/** The entries yaml writes: pairs with an undefined value are left out. */
const entriesOf = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);

/**
 * Appends `v` (a map or sequence, not empty) in block style at `indent`. `inline` means the first
 * line continues a `- ` already written (a collection inside a sequence item).
 */
function block(v: object, indent: string, inline: boolean, out: string[], depth: number): void {
  if (depth > 100) throw new Unsupported(); // a cycle, or deeper than any config: yaml's to handle
  const deeper = `${indent}  `;
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      out.push(i === 0 && inline ? "- " : `${indent}- `);
      value(item, deeper, true, out, depth);
    });
    return;
  }
  if (!isPlainObject(v)) throw new Unsupported();
  entriesOf(v).forEach((k, i) => {
    if (k.length > 1024) throw new Unsupported(); // yaml writes an explicit `? ` key
    out.push(`${i === 0 && inline ? "" : indent}${scalarString(k)}:`);
    value(v[k], deeper, false, out, depth);
  });
}

/** Appends one value after `- ` (inSeq) or after `key:` (a space first when it stays on that line). */
function value(v: unknown, deeper: string, inSeq: boolean, out: string[], depth: number): void {
  const lead = inSeq ? "" : " ";
  if (!inSeq && typeof v === "string" && v.includes("\n")) {
    out.push(` ${literalBlock(v, deeper)}\n`);
    return;
  }
  const s = scalar(v);
  if (s !== undefined) {
    out.push(`${lead}${s}\n`);
    return;
  }
  const o = v as object;
  if (Array.isArray(o) ? o.length === 0 : isPlainObject(o) && entriesOf(o).length === 0) {
    out.push(`${lead}${Array.isArray(o) ? "[]" : "{}"}\n`);
    return;
  }
  if (inSeq) block(o, deeper, true, out, depth + 1);
  else {
    out.push("\n");
    block(o, deeper, false, out, depth + 1);
  }
}

/** `value` as yaml.stringify(value, OPTIONS) writes it, or undefined when that is yaml's job. */
export function blockYaml(v: unknown): string | undefined {
  // A scalar or an empty collection at the top is a one-liner of yaml's.
  if (typeof v !== "object" || v === null) return undefined;
  if (Array.isArray(v) ? v.length === 0 : !isPlainObject(v) || entriesOf(v).length === 0) return undefined;
  const out: string[] = [];
  try {
    block(v, "", false, out, 0);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  return out.join("");
}
