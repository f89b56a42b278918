/** Small pure helpers shared by the diffs: stable JSON, equality, display strings. */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so equal values print equally. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`)
      .join(",")}}`;
  }
  return v === undefined ? "null" : JSON.stringify(v);
}

export const sameValue = (a: unknown, b: unknown): boolean => stableStringify(a) === stableStringify(b);

/** A value as a reviewer reads it: strings bare, lists comma-separated, objects as compact JSON. */
export function display(v: unknown): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (Array.isArray(v) && v.length === 0) return "[]";
  if (isObject(v) && Object.keys(v).length === 0) return "{}";
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) return v.join(", ");
  return stableStringify(v);
}

/** Keys of both objects, sorted. */
export function unionKeys(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] {
  return [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
}

/**
 * Field-by-field comparison of two flat-ish records; nested objects are compared as a whole under
 * `prefix + key`. Returns one entry per differing key.
 */
export function diffRecord(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  prefix = "",
): Array<{ field: string; before?: string; after?: string }> {
  const out: Array<{ field: string; before?: string; after?: string }> = [];
  for (const k of unionKeys(before, after)) {
    const b = before?.[k];
    const a = after?.[k];
    if (sameValue(b, a)) continue;
    out.push({ field: prefix + k, ...(b !== undefined ? { before: display(b) } : {}), ...(a !== undefined ? { after: display(a) } : {}) });
  }
  return out;
}

/** Lines added and removed between two texts (a multiset comparison, enough for a summary). */
export function lineDelta(before: string, after: string): { added: number; removed: number } {
  const count = (s: string) => {
    const m = new Map<string, number>();
    for (const l of s.split("\n")) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const b = count(before);
  const a = count(after);
  let added = 0;
  let removed = 0;
  for (const [l, n] of a) added += Math.max(0, n - (b.get(l) ?? 0));
  for (const [l, n] of b) removed += Math.max(0, n - (a.get(l) ?? 0));
  return { added, removed };
}

/** Keys entries by a key function; duplicate keys get `#2`, `#3` suffixes in order. */
export function keyBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    let unique = k;
    for (let i = 2; out.has(unique); i++) unique = `${k}#${i}`;
    out.set(unique, item);
  }
  return out;
}

/**
 * Flattens nested objects and lists of objects into dotted paths (`slack_configs[0].channel`);
 * lists of scalars stay one value, so `[a, b]` → `a, b` reads as one field.
 */
export function flatten(v: unknown, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (x: unknown, p: string) => {
    if (isObject(x)) {
      const keys = Object.keys(x);
      if (keys.length === 0 && p) out[p] = {};
      for (const k of keys) walk(x[k], p ? `${p}.${k}` : k);
    } else if (Array.isArray(x) && x.some((e) => isObject(e) || Array.isArray(e))) {
      x.forEach((e, i) => walk(e, `${p}[${i}]`));
    } else if (p) out[p] = x;
  };
  walk(v, prefix);
  return out;
}
